"""Declaration lines: a warnings list joined from the lines it spans ("Warnings:" over "- blood"),
and the declarations of a summary or notes added to a work's ``Metadata``."""

from __future__ import annotations

import re

from forewarn.readers.headings import heading_title
from forewarn.readers.lines import (
    DECLARATION,
    HEADER_LINE,
    NOTE,
    QUOTES,
    RATED,
    SENTENCE_ENDS,
    SEPARATOR,
    archive_choice,
    find_declaration,
    is_bare_declaration,
    is_declaration,
    list_item,
)
from forewarn.taxonomy import AO3_ARCHIVE_VALUES
from forewarn.work import Metadata, count_words


def logical_lines(text: str) -> list[tuple[str, int, int]]:
    """The non-empty lines of ``text``, stripped, with where each is: (line, start, end) in
    ``text``, from the start of its first raw line to the end of its last. Each bare
    declaration line is joined to the bullet lines below it (up to a blank or other line).

    "Warnings:" over "- violence" and "- death" is "Warnings: violence, death", read
    like the one-line form (also after one blank line, if what follows reads as a list);
    unjoined, the header declared nothing. A declaration line ending in a comma is joined to
    the plain line below it ("TW: violence," over "blood"). So is a bare declaration
    or a header line without a value ("Rating:", not "Summary:") joined to a plain line right
    below it, its value: an AO3 work page copied as text puts each tag list so ("Rating:" over
    "Mature", "Archive Warning:" over "Graphic Depictions Of Violence"). Under a bare
    declaration, more plain lines that read as list items (see ``_is_bare_item``: "violence"
    over "blood") join too; only the first did, and the rest were scored as story.
    """
    lines: list[tuple[str, int, int]] = []
    joined = 0  # items joined to the last line, while it is an open bare declaration
    declaring = False  # the open line is a bare declaration, not a header ("Rating:")
    gap = False  # a blank line came between the open bare declaration and its list
    pos = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if not line and declaring and joined == 0 and not gap:
            gap = True  # "Warnings:", a blank line, then the list
            pos += len(raw) + 1
            continue
        item = list_item(line) if joined >= 0 and lines else None
        if item is None and joined == 0 and lines and line and is_plain(line):
            item = line if not gap or _is_bare_item(line) else None
        if item is None and joined > 0 and declaring and _is_bare_item(line):
            item = line
        if item is not None:
            last, start, _ = lines[-1]
            lines[-1] = (last + (", " if joined else " ") + item, start, pos + len(raw))
            joined += 1
        elif lines and line and _wraps(lines[-1][0]) and is_plain(line) and not any(q in line for q in QUOTES):
            last, start, _ = lines[-1]  # "TW: violence, blood," going on below
            lines[-1] = (f"{last} {line}", start, pos + len(raw))
        else:
            fields = _fields(raw) if line else []
            last = fields[-1][0] if fields else line
            declaring, gap = is_bare_declaration(last), False
            joined = 0 if declaring or _is_empty_header(last) else -1
            lines.extend((field, pos + start, pos + end) for field, start, end in fields)
        pos += len(raw) + 1
    return lines


# Where a line of header fields is cut, as Tumblr posts write them ("Rating: M | Warnings:
# violence, gore"): a bar or bullet with a space each side, before another field.
_FIELD_CUT = re.compile(r"\s+[|\u2022\u00b7]\s+")
# How much after a cut is enough to tell a field's start ("Archive Warnings:", "Rated M").
_FIELD_START = 120


def _opens_field(line: str) -> bool:
    """A header, rating or declaration line."""
    return bool(HEADER_LINE.match(line) or RATED.match(line) or is_declaration(line))


def _fields(raw: str) -> list[tuple[str, int, int]]:
    """The header fields of a raw line, each (text, start, end) in ``raw``: the line, stripped,
    unless it opens with a field and more follow it after bars or bullets. Read whole, "Rating:
    M | Warnings: violence, gore" was rated "M | Warnings: violence, gore" and declared nothing."""
    line = raw.strip()
    if not _opens_field(line):
        return [(line, 0, len(raw))]
    fields, start = [], 0
    for m in _FIELD_CUT.finditer(raw, len(raw) - len(raw.lstrip())):
        if _opens_field(raw[m.end() : m.end() + _FIELD_START]):  # not the rest: a long line of bars
            fields.append((raw[start : m.start()].strip(), start, m.start()))
            start = m.end()
    return [*fields, (raw[start:].strip(), start, len(raw))]


def _wraps(line: str) -> bool:
    """A declaration line ending in a comma: its list goes on on the next line."""
    return line.endswith(",") and is_declaration(line)


# At most this many words in a plain line read as one more item of a list under "Warnings:".
_BARE_ITEM_WORDS = 6


def _is_bare_item(line: str) -> bool:
    """A plain line short enough to be a list item, and no sentence ("She ran." is story)."""
    return (
        bool(line)
        and is_plain(line)
        and count_words(line) <= _BARE_ITEM_WORDS
        and not line.endswith(SENTENCE_ENDS)
        and not any(q in line for q in QUOTES)
    )


def _is_empty_header(line: str) -> bool:
    """A "Key:" header line with nothing after its colon, but "Summary:" (its text is prose)."""
    m = HEADER_LINE.match(line)
    return m is not None and m.group("key").lower() != "summary" and not line[m.end() :].strip(" \t*_")


def declaration_lines(text: str) -> list[str]:
    """The lines of ``logical_lines(text)``, without their places."""
    return [line for line, _, _ in logical_lines(text)]


_ARCHIVE_KEY = re.compile(r"^\W*archive\s+warning", re.IGNORECASE)


def add_declaration(meta: Metadata, line: str) -> None:
    """Add a declaration line to ``meta``. "Archive Warnings: Major Character Death, Underage"
    gives AO3's own archive warnings, as the front matter key "archive warnings" does (a
    warnings line would need sexual content beside Underage, and suggest no MCD); with a
    value that is not AO3's, it is a warnings line, so that value shows as unmapped."""
    m = DECLARATION.match(line) if _ARCHIVE_KEY.match(line) else None
    values = split_list(line[m.end() :].strip(" \t*_.")) if m else []
    if values and all(v.strip(" *_.").lower() in AO3_ARCHIVE_VALUES for v in values):
        add_unique(meta.archive_warnings, [v.strip(" *_.") for v in values])
    else:
        add_unique(meta.declaration_lines, [line])


def scan_notes(text: str, meta: Metadata) -> None:
    """Add the declarations in a summary or notes to ``meta``.

    These are not story prose, so a warnings line counts after a sentence too
    ("Thanks to my beta! TW: blood"; see ``find_declaration``).
    """
    for line in declaration_lines(text):
        found = find_declaration(line)
        if found:
            add_declaration(meta, found)
        elif (choice := archive_choice(line)) is not None:
            add_unique(meta.archive_warnings, [choice])


def split_list(value: str) -> list[str]:
    return [v.strip() for v in re.split(r"\s*[,;]\s*", value) if v.strip()]


def add_unique(target: list[str], values: list[str]) -> None:
    """Extend ``target`` with values not yet present (case-insensitive)."""
    seen = {v.casefold() for v in target}
    for v in values:
        if v and v.casefold() not in seen:
            target.append(v)
            seen.add(v.casefold())


def is_plain(line: str) -> bool:
    """A line that is no header, declaration, note, separator or heading line."""
    line = line.strip()
    return not (
        is_declaration(line)
        or HEADER_LINE.match(line)
        or RATED.match(line)
        or NOTE.match(line)
        or SEPARATOR.match(line)
        or heading_title(line, markdown=True) is not None
        or line.startswith("#")
    )
