"""The readers' "read in part" notices: written here, and split here again into their words and
the paths they name, so that a report can isolate each path (a right-to-left EPUB member name
must not turn the notice's own words after it). Notices stay plain strings in ``Work.notices``
and in stored reports, so a report from an older forewarn is split the same way."""

from __future__ import annotations

import re

# The words every notice of a damaged EPUB starts with, and ends with when it leaves documents out.
_DAMAGED = "EPUB is damaged: "
_RECOUNTED = "; chapter numbers after it count only what was read"
# A document's place in the spine, after its path: " (2nd of 3)".
_PLACE = r" \(\d+(?:st|nd|rd|th) of \d+\)"
_MISSING_TAIL = f" listed in its spine but missing from the archive, not scanned{_RECOUNTED}"
_MISSING = re.compile(re.escape(_DAMAGED) + r"(?P<lost>.+) (?:is|are)" + re.escape(_MISSING_TAIL), re.S)
# One listed document: its path, then its place in the spine, then "; " or the end.
_ITEM = re.compile(rf"(?P<path>.+?)(?P<place>{_PLACE}(?:; |\Z))", re.S)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def missing_documents(lost: list[tuple[str, int]], *, listed: int) -> str:
    """The notice for spine documents missing from an EPUB: ``lost`` is (member path, its
    number in the spine), of ``listed`` documents."""
    names = "; ".join(f"{path} ({ordinal(number)} of {listed})" for path, number in lost)
    return f"{_DAMAGED}{names} {'is' if len(lost) == 1 else 'are'}{_MISSING_TAIL}"


ENCRYPTED = "; its documents are encrypted (DRM?)"
_UNREADABLE = re.compile(
    rf"{re.escape(_DAMAGED)}(?P<docs>.+), not scanned(?:{re.escape(ENCRYPTED)})?{re.escape(_RECOUNTED)}", re.S
)
# One unreadable document: its path, then its place and why; the next starts after "; ".
_UNREADABLE_ITEM = re.compile(rf"(?P<path>.+?)(?={_PLACE} is not readable \()", re.S)
# A notice about one document ("OEBPS/c2.xhtml: 2 NUL bytes ... left out"): its path first.
_ABOUT_DOCUMENT = re.compile(r"(?P<path>.+?)(?=: [\d,]+ NUL (?:byte|character)s? \(damage, not text\) left out)", re.S)


def unreadable_documents(docs: list[tuple[str, str, str]], *, drm: bool) -> str:
    """The notice for spine documents that are there but not text (damaged, encrypted): ``docs``
    is (member path, its place in the spine such as "2nd of 3", why)."""
    which = "; ".join(f"{path} ({place}) is not readable ({why})" for path, place, why in docs)
    return f"{_DAMAGED}{which}, not scanned{ENCRYPTED if drm else ''}{_RECOUNTED}"


def about_document(path: str, notice: str) -> str:
    """A notice about one document of a work (NULs left out of it), naming it first."""
    return f"{path}: {notice}"


def _paths_in(text: str, starts: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut into words and the paths at ``starts`` ((start, end) pairs, in order)."""
    parts: list[tuple[str, bool]] = []
    at = 0
    for start, end in starts:
        if start > at:
            parts.append((text[at:start], False))
        parts.append((text[start:end], True))
        at = end
    if at < len(text):
        parts.append((text[at:], False))
    return parts


def _unreadable_paths(notice: str, start: int, end: int) -> list[tuple[int, int]]:
    """Where the paths of an unreadable-documents notice's list (``start``:``end``) are: the
    first at its start, each next one after a "; " past the one before."""
    found: list[tuple[int, int]] = []
    at = start
    while (item := _UNREADABLE_ITEM.match(notice, at, end)) is not None:
        found.append(item.span("path"))
        at = notice.find("; ", item.end(), end) + 2
        if at == 1:  # no "; " left: the last document
            break
    return found


def notice_parts(notice: str) -> list[tuple[str, bool]]:
    """``notice`` as ``(text, is_a_path)`` pieces that join up to it: each path it names on its
    own; a notice of another kind is one piece of words. The fixed words around the list come
    off first, so a name holding them cannot move them; a name that looks like the list itself
    ("a (1st of 3); b") may be cut elsewhere, but every piece of the list is still a path."""
    whole = _MISSING.fullmatch(notice)
    if whole is None:
        if unreadable := _UNREADABLE.fullmatch(notice):
            return _paths_in(notice, _unreadable_paths(notice, *unreadable.span("docs")))
        if one := _ABOUT_DOCUMENT.match(notice):
            return _paths_in(notice, [one.span("path")])
        return [(notice, False)]
    lost, at = whole["lost"], 0
    parts: list[tuple[str, bool]] = []
    for item in _ITEM.finditer(lost):
        if item.start() != at:  # not one list of "path (Nth of M)": the whole list as one path
            break
        parts += [(item["path"], True), (item["place"], False)]
        at = item.end()
    if at != len(lost) or not parts:
        parts = [(lost, True)]
    return [(_DAMAGED, False), *parts, (notice[whole.end("lost") :], False)]
