"""Render a Report: terminal summary, JSON, self-contained HTML."""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from forewarn.declared import Comparison

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


def comparison_notes(comp: Comparison) -> list[str]:
    """What the declared-vs-detected lists alone do not say, one sentence each (terminal and
    HTML): a detection the author named only by a broader warning, and a declaration milder
    than what was detected."""
    notes = []
    if comp.declared_broader:
        named = ", ".join(f"{w} (as {b})" for w, b in comp.declared_broader.items())
        notes.append(f"Declared only as a broader warning: {named}")
    if comp.milder_than_detected:
        named = ", ".join(f"{w} (declared {q}, detected on the page)" for w, q in comp.milder_than_detected.items())
        notes.append(f"Declared milder than detected: {named}")
    return notes
