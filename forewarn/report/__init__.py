"""Render a Report: terminal summary, JSON, self-contained HTML."""

from __future__ import annotations

import codecs
import re

# C0 and C1 control characters but tab and newline: from a work, ESC sequences set the
# terminal's title, clear its screen or hide text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def quote(text: str, limit: int = 600) -> str:
    """Evidence cut at a word boundary with an ellipsis, so a cut quote reads as cut
    (shared by the terminal and HTML renderers)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "\u2026"


def printable(text: str, *, encoding: str = "utf-8") -> str:
    """``text`` as a terminal of this ``encoding`` can print it, same length (so rich spans stay
    valid): control characters become U+FFFD, and characters the encoding lacks "?" (on a
    cp1252 stdout, ``> out.txt`` on Windows, the report crashed with UnicodeEncodeError)."""
    text = _CONTROL.sub("\ufffd", text)
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        codec = "ascii"
    if _encodes(text, codec):
        return text
    return "".join(c if _encodes(c, codec) else "?" for c in text)


def _encodes(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True
