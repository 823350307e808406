"""What ``scan`` is given, read as a work: a path (a str that looks like one), bytes, text or a
``Work``."""

from __future__ import annotations

import os
import re
from pathlib import Path

from forewarn.readers import SUPPORTED_SUFFIXES, read, read_text, replace_lone_surrogates, too_large
from forewarn.work import Work

_ANCHORED = re.compile(r"^(?:~|\.{1,2})?[\\/]|^[A-Za-z]:[\\/]")
_MAX_PATH_CHARS = 1024


def looks_like_path(source: str) -> bool:
    """Whether a ``str`` given to ``scan`` means a file, even one that does not exist.

    A typo'd path must fail loudly rather than be scanned as one word of text. One
    line of at most 1024 characters is a path when it ends with a supported suffix
    (.txt, .md, .html, .htm, .xhtml, .epub, ...) and has no spaces or has a path
    separator ("stroy.epub", "C:\\My Fics\\a.txt"), or when it has no spaces and
    starts like a path ("/", "./", "../", "~/", "C:\\"). Anything else is text.
    """
    s = source.strip()
    if not s or "\n" in s or "\r" in s or len(s) > _MAX_PATH_CHARS:
        return False
    no_space = not any(c.isspace() for c in s)
    has_sep = "/" in s or "\\" in s
    suffix = s.rsplit(".", 1)[-1].lower() if "." in s else ""
    if f".{suffix}" in SUPPORTED_SUFFIXES and (no_space or has_sep):
        return True
    return no_space and bool(_ANCHORED.match(s))


def _expand_user(path: str) -> str:
    """``path`` with a leading ``~`` or ``~user`` expanded (``open`` and ``os.stat`` do not)."""
    return os.path.expanduser(path) if path.startswith("~") else path


def _is_file(source: str) -> bool:
    """Whether ``source`` names an existing file; a line of text longer than the system's
    file-name limit ("File name too long") is text, not an error."""
    try:
        return Path(source).is_file()
    except OSError:
        return False


Source = str | os.PathLike[str] | bytes | bytearray | memoryview | Work


def check_source(source: object) -> None:
    """A clear error for a source ``scan`` cannot take (``scan(None)``), before reading."""
    if not isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview, Work)):
        raise ValueError(f"source must be a path, bytes, a str of text or a Work, not {type(source).__name__}")


def check_read_options_unused(*, format: str | None, max_bytes: int | None) -> None:
    """A ``ValueError`` for ``format`` or ``max_bytes`` given with a ``Work``: they apply when
    reading, and a Work is already read, so a caller passing them would believe they held."""
    given = [name for name, value in (("format", format), ("max_bytes", max_bytes)) if value is not None]
    if given:
        names, verb, them = (" and ".join(given), "apply", "them") if len(given) > 1 else (given[0], "applies", "it")
        raise ValueError(
            f"{names} {verb} when reading, and a Work is already read: pass the path, bytes or text "
            f"instead, or leave {them} out"
        )


def _as_work(source: Source, *, fmt: str | None, max_bytes: int) -> Work:
    """The work ``source`` names or holds. A path starting with ``~`` (a str taken as a path,
    or a ``Path``) is expanded unless a file of that very name exists."""
    if isinstance(source, Work):
        return source
    if isinstance(source, (bytes, bytearray, memoryview)):
        return read(bytes(source), format=fmt, max_bytes=max_bytes)
    if isinstance(source, os.PathLike):
        path = os.fspath(source)
        if isinstance(path, str) and path.startswith("~") and not _is_file(path):
            return read(Path(_expand_user(path)), format=fmt, max_bytes=max_bytes)
        return read(source, format=fmt, max_bytes=max_bytes)
    if "\n" not in source and len(source) < 4096:
        if _is_file(source):
            return read(source, format=fmt, max_bytes=max_bytes)
        expanded = _expand_user(source.strip())
        if expanded != source.strip() and _is_file(expanded):
            return read(expanded, format=fmt, max_bytes=max_bytes)
    if looks_like_path(source):
        return read(_expand_user(source.strip()), format=fmt, max_bytes=max_bytes)
    source = replace_lone_surrogates(source)  # before encoding a str given a format
    if fmt == "epub":
        raise ValueError("format 'epub' needs the file's bytes or its path, not a str")
    # A str is held to max_bytes as its UTF-8 bytes are, with or without a format.
    size = len(source) if source.isascii() else len(source.encode("utf-8"))
    if size > max_bytes:
        raise too_large(size, max_bytes, what="text")
    if fmt is None:
        return read_text(source)
    # Text in a given format (HTML markup, markdown) reads like the same file's bytes.
    return read(source.encode("utf-8"), format=fmt, max_bytes=max_bytes)
