"""Readers: files of any supported format -> one ``Work``.

Every failure is a ``ReadError`` with one line a user can act on; nothing
raised by a parser leaks out as a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from forewarn.readers.decode import decode
from forewarn.readers.text import read_plain
from forewarn.work import ReadError, Work

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
SUPPORTED_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".epub"})
_BY_SUFFIX = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".epub": "epub",
}
FORMATS = ("text", "markdown", "html", "epub")


def sniff(data: bytes, name: str | None = None) -> str:
    """Guess the format from the name, then from the first bytes."""
    if data[:4] == b"PK\x03\x04" and (
        b"mimetype" in data[:100] or b"META-INF" in data[:4096] or (name or "").lower().endswith(".epub")
    ):
        return "epub"
    suffix = Path(name).suffix.lower() if name else ""
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head:
        return "html"
    return "text"


def _size_error(size: int, max_bytes: int) -> ReadError:
    return ReadError(
        f"file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit (use --max-size to raise it)"
    )


def read(
    source: str | os.PathLike[str] | bytes,
    *,
    format: str | None = None,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Work:
    """Read a path or raw bytes into a ``Work``."""
    path: str | None = None
    if isinstance(source, bytes):
        data = source
        if len(data) > max_bytes:
            raise _size_error(len(data), max_bytes)
    else:
        path = os.fspath(source)
        name = name or path
        try:
            size = os.stat(path).st_size
            if os.path.isdir(path):
                raise ReadError("is a directory (use `forewarn batch` for folders)")
            if size > max_bytes:
                raise _size_error(size, max_bytes)
            with open(path, "rb") as f:
                data = f.read(max_bytes + 1)
        except FileNotFoundError:
            raise ReadError("no such file") from None
        except PermissionError:
            raise ReadError("permission denied") from None
        except IsADirectoryError:
            raise ReadError("is a directory (use `forewarn batch` for folders)") from None
    if not data.strip():
        raise ReadError("empty file: nothing to scan")
    fmt = format or sniff(data, name)
    if fmt not in FORMATS:
        raise ReadError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    try:
        work = _read_format(data, fmt)
    except ReadError:
        raise
    except (ValueError, LookupError, UnicodeError, MemoryError, RecursionError) as e:
        raise ReadError(f"cannot read {fmt}: {type(e).__name__}: {e}") from None
    if not work.text.strip():
        raise ReadError(f"no readable text found in this {fmt} file")
    work.source_path = path
    return work


def _read_format(data: bytes, fmt: str) -> Work:
    if fmt == "epub":
        from forewarn.readers.epub import read_epub

        return read_epub(data)
    if fmt == "html":
        from forewarn.readers.html import read_html

        return read_html(data)
    text, encoding = decode(data)
    work = read_plain(text, markdown=fmt == "markdown")
    work.encoding = encoding
    return work


def read_text(text: str, *, name: str | None = None) -> Work:
    """Read pasted text (plain or Markdown-ish) without touching the disk."""
    if not text.strip():
        raise ReadError("empty text: nothing to scan")
    from forewarn.readers.decode import _clean

    work = read_plain(_clean(text), markdown=bool(name and name.endswith(".md")))
    work.encoding = "utf-8"
    work.source_path = name
    return work
