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
# First strong isolate and pop directional isolate: the terminal's <bdi>.
FSI, PDI = "\u2068", "\u2069"
# What turns a line around or breaks it, in a title or a path: an embedding, override or isolate
# left open (U+202E turned the report's own words after a title around) or closed early (U+2069
# ended the isolate put around it), and a line break (a title "...\nDetected: no warnings"
# printed a forged line of the report). The direction marks (U+200E, U+200F, U+061C) open nothing.
LINE_BREAKS = "\n\u2028\u2029"  # a newline, and Unicode's line and paragraph separators
_UNLINED = re.compile(f"[{LINE_BREAKS}\u202a-\u202e\u2066-\u2069]")


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


def one_line(text: str, *, encoding: str = "utf-8") -> str:
    """Untrusted text (a title, a path, an author's tag) for a terminal line: ``printable``, and
    line breaks and bidi embeddings, overrides and isolates as U+FFFD too (same length)."""
    return printable(_UNLINED.sub("\ufffd", text), encoding=encoding)


def isolate(text: str, *, encoding: str = "utf-8", terminal: bool = True) -> str:
    """``one_line(text)`` between FSI and PDI, as HTML puts it in <bdi>: right-to-left text (a
    Hebrew file name) cannot reorder the words after it on a terminal that lays out bidi text,
    and the others show the two as nothing. Without them for an encoding that lacks them, and
    when not for a ``terminal`` (a file, a pipe: a script reading paths gets them as they are)."""
    safe = one_line(text, encoding=encoding)
    if not terminal or printable(FSI + PDI, encoding=encoding) != FSI + PDI:
        return safe
    return f"{FSI}{safe}{PDI}"


def isolate_paths(notice: str, *, encoding: str = "utf-8", terminal: bool = True) -> str:
    """A reader's notice for a terminal line, each path it names isolated (``notice_parts``), as
    the HTML report puts them in <bdi>; its words, as ``one_line``."""
    from forewarn.readers.notices import notice_parts

    return "".join(
        isolate(text, encoding=encoding, terminal=terminal) if is_path else one_line(text, encoding=encoding)
        for text, is_path in notice_parts(notice)
    )


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
