"""Readers: turn a file (or pasted text) into one ``Work``.

Every failure is a ``ReadError`` with one line meant for users; parser and
codec exceptions never escape. The size limit is checked with ``os.stat``
before a file is read.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from lxml.etree import LxmlError

from forewarn.readers.decode import decode, head_text, is_binary_text, without_nuls
from forewarn.readers.epub import read_epub
from forewarn.readers.html import declared_charset, read_html_document
from forewarn.readers.text import read_plain
from forewarn.work import ReadError, Work

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_SUFFIXES",
    "TooLargeError",
    "format_size",
    "parse_size",
    "read",
    "read_text",
    "replace_lone_surrogates",
    "sniff",
]

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
_SUFFIX_FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".epub": "epub",
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_SUFFIX_FORMATS)
FORMATS: frozenset[str] = frozenset({"text", "markdown", "html", "epub"})
_HTML_START = ("<!doctype html", "<html", "<?xml", "<head", "<body")
# Formats that are text (or start like text) but that no reader has: their markup would be
# read as the story. Binary ones (MOBI, most PDFs) fail decoding; a DOCX is a zip, not an EPUB.
_UNSUPPORTED_START = (("{\\rtf", "RTF document"), ("%pdf-", "PDF file"))


# Sizes are binary everywhere (1 MiB = 1024 KiB): "25MB" on the command line is 25 MiB.
_UNITS = (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024))
_SIZE = re.compile(r"^\s*(?P<number>\d+(?:\.\d*)?|\.\d+)\s*(?P<unit>[kmg]?)(?:i?b)?\s*$", re.IGNORECASE)


def format_size(size: int) -> str:
    """A byte count for people: "47.7 MiB", "1 KiB", "512 bytes" (binary units)."""
    for unit, factor in _UNITS:
        if size >= factor:
            value = f"{size / factor:.1f}".removesuffix(".0")
            return f"{value} {unit}"
    return f"{size} byte" + ("" if size == 1 else "s")


def parse_size(value: str) -> int:
    """Bytes from "25MB", "25 MiB", "1.5g", "1KB" or "4096"; K/M/G are binary (KiB/MiB/GiB).

    The CLI's --max-size and the library agree on units only if both use this.
    """
    m = _SIZE.match(value)
    if not m:
        raise ValueError(f"not a size: {value!r} (e.g. 25MB, 512KB; units are binary: 1 MB = 1024 KB)")
    factor = dict((u[0].lower(), f) for u, f in _UNITS).get(m.group("unit").lower(), 1)
    size = int(float(m.group("number")) * factor)
    if size <= 0:
        raise ValueError(f"not a size: {value!r} (must be above zero)")
    return size


# How to raise the size limit, said after the error: the library's option by default, since
# "(use --max-size)" named an option that fw.scan and read() do not have.
LIBRARY_SIZE_HINT = "pass a larger max_bytes"
CLI_SIZE_HINT = "use --max-size"


class TooLargeError(ReadError):
    """Input over the size limit (``size`` and ``limit`` in bytes; ``what``: "file" or "text"):
    a ``ReadError`` whose message says how to raise the limit where it is shown (``hint``)."""

    def __init__(self, size: int, limit: int, *, what: str = "file", hint: str = LIBRARY_SIZE_HINT) -> None:
        shown, most = format_size(size), format_size(limit)
        if shown == most:  # just over: the rounded sizes alone would look equal
            shown, most = f"{size:,} bytes", f"{limit:,}-byte"
        super().__init__(f"{what} is {shown}, over the {most} limit ({hint})")
        self.size, self.limit, self.what = size, limit, what

    def hinting(self, hint: str) -> TooLargeError:
        """The same error, saying ``hint`` (the CLI's option) instead."""
        return TooLargeError(self.size, self.limit, what=self.what, hint=hint)


def too_large(size: int, max_bytes: int, *, what: str = "file", hint: str = LIBRARY_SIZE_HINT) -> TooLargeError:
    """The error for a file over the size limit, as the reader and `batch` (which checks a
    file's size before reading it) both give it."""
    return TooLargeError(size, max_bytes, what=what, hint=hint)


def _sniff(data: bytes, suffix: str) -> str:
    """Format from magic bytes first (an EPUB is a zip), then the file suffix.

    RTF, PDF and tar are refused by their content, whatever the name: "{\\rtf1..." read as
    text showed its markup as the story.
    """
    if data.startswith(b"PK\x03\x04"):
        return "epub"
    if data[257:262] == b"ustar":  # a tar's magic: its NUL-padded headers pass for a few damaged bytes
        raise ReadError("tar archive (not text, HTML or EPUB): extract its files, then scan them")
    head = head_text(data).lstrip("\ufeff \t\r\n").lower()
    for start, what in _UNSUPPORTED_START:
        if head.startswith(start):
            raise ReadError(f"{what} (not text, HTML or EPUB): save it as plain text or HTML to scan it")
    if suffix in _SUFFIX_FORMATS:
        return _SUFFIX_FORMATS[suffix]
    if head.startswith(_HTML_START):
        return "html"
    return "text"


def _ensure_text(work: Work) -> Work:
    if not work.text.strip():
        raise ReadError("no readable text found: nothing to scan")
    return work


def read(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview,
    *,
    format: str | None = None,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Work:
    """Read a file path (or raw bytes, also a bytearray or memoryview) as a ``Work``.

    ``format`` is one of "text", "markdown", "html", "epub", or None to detect
    it from magic bytes and the suffix of the path (or of ``name`` for bytes).
    Input that cannot be read as a work raises ``ReadError``; a source of another type
    a ``ValueError``.
    """
    if format is not None and format not in FORMATS:
        raise ReadError(f"unknown format {format!r} (use text, markdown, html or epub)")
    if not isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)):
        raise ValueError(f"source must be a path or bytes, not {type(source).__name__}")
    path: str | None = None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > max_bytes:
            raise too_large(len(data), max_bytes)
    else:
        path = os.fspath(source)
        name = name or path
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise ReadError("file not found", path=path) from None
        except OSError as err:
            raise ReadError(str(err.strerror or err), path=path) from None
        except ValueError:  # a NUL or a lone surrogate in the name (UnicodeEncodeError is one)
            raise ReadError("not a valid file name", path=repr(path)) from None
        if Path(path).is_dir():
            raise ReadError("is a directory, not a file", path=path)
        if st.st_size > max_bytes:
            raise too_large(st.st_size, max_bytes)
        try:
            with open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
        except OSError as err:
            raise ReadError(str(err.strerror or err), path=path) from None
        if len(data) > max_bytes:  # the file grew after stat
            raise too_large(len(data), max_bytes)
    if not data:
        raise ReadError("empty file: nothing to scan")
    suffix = Path(name).suffix.lower() if name else ""
    fmt = format or _sniff(data, suffix)
    work = _read_bytes(data, fmt)
    work.source_path = path or name
    return _ensure_text(work)


def _read_bytes(data: bytes, fmt: str) -> Work:
    try:
        if fmt == "epub":
            return read_epub(data)
        notices: list[str] = []  # what decoding left out (NULs)
        if fmt == "html":
            markup, encoding = decode(data, hint=declared_charset(data), notices=notices)
            work = read_html_document(markup, encoding=encoding)
        else:
            text, encoding = decode(data, notices=notices)
            work = read_plain(text, markdown=fmt == "markdown", encoding=encoding)
        work.notices[:0] = notices
        return work
    except ReadError:
        raise
    except (ValueError, LookupError, RecursionError, MemoryError, LxmlError) as err:
        # Last line of defence: parser/codec failures become one user-facing line.
        raise ReadError(f"cannot read {fmt} input: {type(err).__name__}") from None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_lone_surrogates(text: str) -> str:
    """Text with lone surrogates ("\\udcff" from a bad decode or pasted JSON) as U+FFFD: no
    encoder takes them and the model's tokenizer fails with an obscure TypeError. Same length,
    so offsets still slice the text."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def read_text(text: str, *, name: str | None = None) -> Work:
    """A ``Work`` from pasted text, read as Markdown: "#"/"##" headings start chapters.

    Its ``source_format`` says so ("markdown"): the same text as a .txt file's bytes is read
    as plain text, where a "# Heading" line is not a chapter break.
    """
    text = replace_lone_surrogates(text).replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise ReadError("no text given: nothing to scan")
    if is_binary_text(text):
        raise ReadError("binary data, not text (a file's bytes pasted as text?): nothing to scan")
    notices: list[str] = []
    text = without_nuls(text, notices)  # a few are damage, as in a file (see ``decode``)
    if not text.strip():
        raise ReadError("no text given: nothing to scan")
    work = read_plain(text, markdown=True, encoding=None)
    work.notices[:0] = notices
    work.source_path = name
    return work


def sniff(data: bytes, name: str | None = None) -> str:
    """The format ``read`` would pick for these bytes and this file name.

    A ``ReadError`` for content no reader has (RTF, PDF), as ``read`` gives.
    """
    return _sniff(data, Path(name).suffix.lower() if name else "")
