"""The header block and end notes of a plain-text work: its title, author and "Key: value"
lines, its YAML front matter's fields, and the declarations there, read into ``Metadata``.

Header lines ("Rating: M", "Warnings: ...") are common at the top of pasted fics and in end
notes; they are lifted into ``Metadata`` without being removed from the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from forewarn.readers.declarations import add_declaration, add_unique, is_plain, logical_lines, scan_notes, split_list
from forewarn.readers.frontmatter import Value
from forewarn.readers.headings import heading_title
from forewarn.readers.lines import (
    HEADER,
    HEADER_LINE,
    NOTE,
    QUOTES,
    RATED,
    SENTENCE_ENDS,
    SEPARATOR,
    archive_choice,
    find_declaration,
    is_declaration,
)
from forewarn.work import Metadata, Span, count_words

if TYPE_CHECKING:
    from forewarn.taxonomy import Taxonomy

# Lines of prose a header line may go on over ("Summary:" with its text on the next lines).
_WRAPPED_LINES = 4
_HEAD_LINES = 30
_TAIL_LINES = 15
_TITLE_WORDS = 8


def is_front_matter(line: str, *, markdown: bool = False) -> bool:
    """A line that belongs to a work's preface or end notes rather than its story.

    Header and declaration lines, author's notes, separators, headings, and short
    title-like lines ("The Long Rain", "by wren": at most 8 words, no quotation
    marks, no sentence-final punctuation). The first line that is none of these
    is where the story starts.
    """
    line = line.strip()
    if not line or is_declaration(line) or HEADER.match(line) or NOTE.match(line) or RATED.match(line):
        return True
    if archive_choice(line) is not None:
        return True
    if SEPARATOR.match(line) or heading_title(line, markdown=markdown) is not None:
        return True
    if markdown and line.startswith("#"):
        return True
    title_like = count_words(line) <= _TITLE_WORDS and not any(q in line for q in QUOTES)
    return title_like and not line.endswith(SENTENCE_ENDS)


_FRONT_LISTS = {
    "author": "authors",
    "authors": "authors",
    "fandom": "fandoms",
    "fandoms": "fandoms",
    "character": "characters",
    "characters": "characters",
    "relationship": "relationships",
    "relationships": "relationships",
    "pairing": "relationships",
    "pairings": "relationships",
    "ships": "relationships",
    "category": "categories",
    "categories": "categories",
    "tag": "freeform_tags",
    "tags": "freeform_tags",
    "additional tags": "freeform_tags",
    "freeform tags": "freeform_tags",
    "archive warning": "archive_warnings",
    "archive warnings": "archive_warnings",
}
_FRONT_SCALARS = {"title": "title", "rating": "rating", "language": "language"}
_FRONT_WARNINGS = frozenset(
    {
        *("warning", "warnings", "content warning", "content warnings", "trigger warning", "trigger warnings"),
        *("tw", "cw", "cn", "triggers", "content note", "content notes"),
    }
)


def _apply_header(meta: Metadata, key: str, value: str) -> None:
    """A "Key: value" header line, mapped like front matter keys (see ``HEADER``'s keys)."""
    key = key.lower()
    if key == "summary":
        meta.summary = meta.summary or value
    elif key in _FRONT_LISTS:
        add_unique(getattr(meta, _FRONT_LISTS[key]), split_list(value))
    elif key in _FRONT_SCALARS:
        setattr(meta, _FRONT_SCALARS[key], getattr(meta, _FRONT_SCALARS[key]) or value)


def apply_front_matter(meta: Metadata, fields: dict[str, Value]) -> None:
    """Fill ``meta`` from parsed front matter; its values are exact, so they come first."""
    for key, value in fields.items():
        items = split_list(value) if isinstance(value, str) else value
        text = value if isinstance(value, str) else ", ".join(value)
        if key in _FRONT_LISTS:
            add_unique(getattr(meta, _FRONT_LISTS[key]), items)
        elif key in _FRONT_WARNINGS and items:
            add_unique(meta.declaration_lines, [f"Warnings: {', '.join(items)}"])
        elif key in ("summary", "description") and text:
            meta.summary = meta.summary or text
            scan_notes(text, meta)
        elif key in _FRONT_SCALARS and text:
            setattr(meta, _FRONT_SCALARS[key], getattr(meta, _FRONT_SCALARS[key]) or text)


def _leading_run(lines: list[str]) -> int:
    """How many of ``lines`` come before the first line of story prose."""
    return next((i for i, line in enumerate(lines) if not is_front_matter(line, markdown=True)), len(lines))


def _header_end(lines: list[str]) -> int:
    """How many of ``lines`` make the header block: the lines before the first line of story
    prose, and past up to 4 lines of prose that go on an open header line ("Summary:" with
    its text on the next lines, or wrapped onto them; see ``_is_open``) when more "Key:
    value" lines follow them."""
    end = _leading_run(lines)
    while 0 < end < len(lines):
        last = next((k for k in range(end - 1, -1, -1) if not is_plain(lines[k])), -1)
        if last < 0 or not _is_header(lines[last]) or not _is_open(lines[last]):
            break
        after = next((k for k in range(end, min(end + _WRAPPED_LINES + 1, len(lines))) if not is_plain(lines[k])), None)
        if after is None or not _is_header(lines[after]):
            break
        end = after + _leading_run(lines[after:])
    return end


def _is_header(line: str) -> bool:
    return HEADER_LINE.match(line) is not None and not is_declaration(line)


def _is_open(line: str) -> bool:
    """A header line whose value may go on over the next lines: an empty one ("Summary:"), one
    that ends mid-sentence ("Summary: ... with help") or with a comma ("Tags: angst,")."""
    m = HEADER_LINE.match(line)
    value = line[m.end() :].strip(" \t*_") if m else ""
    return not value or value.endswith(",") or not value.endswith(SENTENCE_ENDS)


def _continues(key: str | None, value: str, line: str) -> bool:
    """Whether ``line``, in the header block under an open header line, goes on its value: the
    summary's text, or the rest of a list that ended in a comma ("Tags: angst,")."""
    if key is None or not is_plain(line):
        return False
    return key == "summary" or value.endswith(",")


def scan_lines(
    text: str,
    meta: Metadata,
    *,
    header: bool = True,
    preface: int = 0,
    notes: Sequence[Span] = (),
    taxonomy: Taxonomy | None = None,
) -> list[Span]:
    """Fill ``meta`` from the declaration and header lines of ``text``; return where they are.

    The returned spans are what the reader took as the author's declarations or metadata
    rather than story: ``forewarn.pipeline`` keeps exactly these out of scoring (the
    readers record them as ``Work.meta_spans``), so what is read as declared is never
    also found in the story.

    Declaration lines are collected from the preface (in the first 30 lines: those before
    the first line of story prose, see ``is_front_matter``, and those before ``preface``,
    the offset where the reader's first chapter heading ends a short preface it folded into
    chapter 1, see ``is_preface``) and the end notes (in the last 15 lines: those after the
    last line of story prose), also after a sentence ("A/N: Thanks! TW: blood", see
    ``find_declaration``). In the story only a line that is clearly a list of known
    warnings counts ("TW: blood, SA" over a chapter), so dialogue like "Warning: the stove
    is hot, she said." does not. With ``header``, "Key: value" header lines ("Summary:
    ...", "Characters: ...") are read from the header block (see ``_header_end``; a
    summary wrapped onto the next line does not end it) and the end notes, the header's
    values first. In the story such a line is prose ("Summary: the guard stabbed her..."
    in chapter 1 was the work's summary). In ``notes`` (collapsed blocks kept in the
    story, read as notes by the reader) every declaration line counts.
    """
    from forewarn.declared import (
        is_warning_list,
        reads_as_story,
    )  # declared.py imports readers.text, which imports this

    found_lines = logical_lines(text)
    lines = [line for line, _, _ in found_lines]
    head = min(len(lines), _HEAD_LINES)
    window = [*range(head), *range(max(head, len(lines) - _TAIL_LINES), len(lines))]
    folded = sum(1 for _, start, _ in found_lines[:head] if start < preface)
    lead = max(_leading_run(lines[:head]), folded)
    ends = set(window[len(window) - _leading_run([lines[i] for i in reversed(window)]) :])
    top = max(_header_end(lines[:head]), lead) if header else 0
    spans: list[Span] = []
    lists: dict[str, bool] = {}  # a chapter's warnings line is often the same in every chapter
    key: str | None = None  # the header line whose value the next lines may go on
    value = ""
    for i, (line, start, end) in enumerate(found_lines):
        taken = False
        if i < lead or i in ends:
            declaration = find_declaration(line)
            if declaration and not reads_as_story(declaration, taxonomy=taxonomy):
                add_declaration(meta, declaration)
                taken = True
            elif (choice := archive_choice(line)) is not None:  # no "Archive Warning:" label
                add_unique(meta.archive_warnings, [choice])
                taken = True
        elif is_declaration(line) and any(n.start <= start < n.end for n in notes):
            add_declaration(meta, line)
            taken = True
        elif is_declaration(line):
            if line not in lists:
                lists[line] = is_warning_list(line, taxonomy=taxonomy)
            if lists[line]:
                add_declaration(meta, line)
                taken = True
        if not taken and (i < top or i in ends):
            if (rated := RATED.match(line)) is not None:
                _apply_header(meta, "rating", rated.group("value"))
                key, taken = None, True
            elif _is_header(line):
                m = HEADER.match(line)
                key = HEADER_LINE.match(line).group("key").lower()  # type: ignore[union-attr]
                value = m.group("value").strip("*_ ") if m else ""
                if value:
                    _apply_header(meta, key, value)
                key = key if _is_open(line) else None
                taken = True
            elif i < top and _continues(key, value, line):
                value = line.strip("*_ ")
                if key == "summary":
                    meta.summary = f"{meta.summary} {value}" if meta.summary else value
                else:
                    _apply_header(meta, key or "", value)
                taken = True
            else:
                key = None
        else:
            key = None
        if taken:
            spans.append(Span(start, end))
    return spans
