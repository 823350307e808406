"""Italics and bold written with Markdown's markers in plain text and Markdown: ``*italics*``,
``_italics_``, ``**bold**``, ``__bold__`` (and ``***both***``).

The text is not changed: each ``Emphasis`` covers its markers too (``Emphasis.markers``
says how many characters at each end are markers), so its offsets slice ``Work.text`` as it
is, and a reading mode may hide the markers. A subset of CommonMark's rules, stricter where a
marker is as likely to be something else:

- a marker run opens when it is followed by a non-space and not preceded by a letter or
  digit, and closes when it is preceded by a non-space and not followed by one (CommonMark's
  left- and right-flanking runs, with its rule for ``_`` applied to ``*`` too): ``2*3*4``,
  ``snake_case_names``, ``f*ck``, a list bullet ``* item``, a scene break ``* * *`` are text;
- a closing run matches the nearest open run of the same marker and length (1, 2 or 3; a
  longer run is text), and open runs between them are dropped; an unmatched run is text;
- what is between the markers holds a letter or digit (``*~*~*`` is a scene break);
- a run after a backslash (``\\*``) is text;
- emphasis never leaves its paragraph.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from forewarn.work import Emphasis, Span

_RUN = re.compile(r"\*+|_+")
_MAX_RUN = 3


def _punctuation(char: str) -> bool:
    """Unicode punctuation or a symbol, as CommonMark counts them."""
    return unicodedata.category(char)[0] in "PS"


def _emphasis_in(text: str, start: int, end: int) -> list[Emphasis]:
    """The emphasis of the paragraph ``text[start:end]``."""
    found: list[Emphasis] = []
    opened: list[tuple[str, int, int]] = []  # open runs: marker run, start, end
    for m in _RUN.finditer(text, start, end):
        run, lo, hi = m.group(), m.start(), m.end()
        if len(run) > _MAX_RUN or (lo > start and text[lo - 1] == "\\"):
            continue
        before = text[lo - 1] if lo > start else " "
        after = text[hi] if hi < end else " "
        left = not after.isspace() and (not _punctuation(after) or before.isspace() or _punctuation(before))
        right = not before.isspace() and (not _punctuation(before) or after.isspace() or _punctuation(after))
        if right and not after.isalnum():
            k = next((k for k in range(len(opened) - 1, -1, -1) if opened[k][0] == run), None)
            if k is not None and any(c.isalnum() for c in text[opened[k][2] : lo]):
                first = opened[k][1]
                del opened[k:]
                if len(run) != 2:
                    found.append(Emphasis(first, hi, "em", 1))
                if len(run) != 1:
                    inner = len(run) - 2
                    found.append(Emphasis(first + inner, hi - inner, "strong", 2))
                continue
        if left and not before.isalnum():
            opened.append((run, lo, hi))
    return found


def markdown_emphasis(text: str, paragraphs: Iterable[Span]) -> list[Emphasis]:
    """The emphasis written with Markdown's markers in each of ``text``'s ``paragraphs``, in
    order of start (an outer span first), as ``Work.emphasis`` holds it."""
    found = [e for p in paragraphs for e in _emphasis_in(text, p.start, p.end)]
    return sorted(found, key=lambda e: (e.start, -e.end))


def without_markers(line: str) -> str:
    """``line`` with the markers of its emphasis removed: a heading's "Chapter 2: *Rain*" is
    titled "Chapter 2: Rain" (titles are shown as text, where markers would be noise)."""
    cut: set[int] = set()
    for e in _emphasis_in(line, 0, len(line)):
        cut.update(range(e.start, e.start + e.markers))
        cut.update(range(e.end - e.markers, e.end))
    return "".join(c for i, c in enumerate(line) if i not in cut) if cut else line
