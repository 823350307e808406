"""Plain text and markdown: paragraphs, chapter headings, header metadata.

The text is kept exactly as decoded so offsets point into what the reader saw.
Header lines ("Rating: M", "Warnings: ...") are common at the top of pasted
fics and in end notes; we lift them into ``Metadata`` without removing them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from forewarn.readers.emphasis import markdown_emphasis, without_markers
from forewarn.readers.frontmatter import Value, parse_front_matter
from forewarn.taxonomy import AO3_ARCHIVE_VALUES
from forewarn.work import NUMBER_WORDS, Chapter, Metadata, Span, Work, count_words, heading_number

if TYPE_CHECKING:
    from forewarn.taxonomy import Taxonomy

_NUMBER_WORDS = "|".join(NUMBER_WORDS)
_NUMBER = rf"(?:\d+|[ivxlcdm]+|(?:{_NUMBER_WORDS})(?:[\s-](?:{_NUMBER_WORDS}))?)"
_SEP = r"(?:\s*[:.\-\u2013\u2014]\s*(?P<rest>.*)|\s*\(.*\))?"
# "Chapter 3 of 10", "Chapter 3/10", "Chapter 3 (of 10)": the count of chapters after the number.
_OF_COUNT = rf"(?:\s+of\s+{_NUMBER}|\s*/\s*\d+|\s*\(\s*of\s+{_NUMBER}\s*\))?"
# "Chapter", "Part", "Book", and "Ch." or "Ch" ("Ch. 3", "Ch.3", "Ch 3").
_HEADING_WORD = r"(?:(?:chapter|part|book)\s+|ch(?:\.\s*|\s+))"
_HEADING = re.compile(
    rf"^(?:{_HEADING_WORD}{_NUMBER}{_OF_COUNT}|prologue|epilogue|interlude){_SEP}$",
    re.IGNORECASE,
)
# A chapter number alone on a line ("1.", "1", "IV."): a heading only in a sequence (see
# ``numbered_headings``).
_BARE_NUMBER = re.compile(r"^(?:[0-9]{1,3}|[IVXLC]+)\.?$")
# Chinese and Japanese "第一章" / "第3話" / "序章" / "プロローグ", Korean "제1장", with an optional title.
_CJK_HEADING = re.compile(
    r"^(?:第[0-9０-９〇零一二两三四五六七八九十百千]+[章回話话節节部卷幕篇]|序章|終章|终章|序幕|"
    r"プロローグ|エピローグ|제\s?[0-9]+\s?장)(?:[\s:：.．、\-–—]+.*)?$"
)
_MD_HEADING = re.compile(r"^(#{1,2})\s+(?P<title>.+?)\s*#*$")
# A setext heading's underline: "===" under a level-1 title, "---" under a level-2 one.
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-{2,})[ \t]*$")
_SETEXT_WORDS = 12
_MAX_HEADING_CHARS = 100

# The words that start a declaration: "Warnings", "Warning(s)", "Chapter Warnings",
# "Chapter 3 warnings", "Ch. 3 warnings", "Trigger Warning(s)", "TW", "CWs", "TW/CW", "CN",
# "Content notes", "Triggers", "Heads up", each maybe "for this chapter" or "for chapter 3".
# A colon or dash must follow (see below).
_FOR_CHAPTER = r"(?:\s+for\s+(?:this\s+chapter|chapter\s+\d+))?"
_DECLARATION_WORD = (
    rf"(?:(?:archive|(?:chapter|ch\.?)(?:\s*\d+)?|trigger|content)\s+)?warnings?(?:\(s\))?{_FOR_CHAPTER}"
    rf"|(?:tw|cw|cn)s?(?:\s*/\s*(?:tw|cw|cn)s?)?{_FOR_CHAPTER}|content\s+notes?{_FOR_CHAPTER}"
    rf"|triggers?{_FOR_CHAPTER}|heads[\s-]?up{_FOR_CHAPTER}"
)
# Symbols authors put before the word ("\u26a0\ufe0f Warnings:", "~ TW:") or after it ("Warnings
# \u26a0\ufe0f:"); not quotes, so dialogue
# ('"Warning: the stove is hot," she said.') is not taken for a declaration.
_LEAD_SYMBOLS = r"\u2190-\u21ff\u2600-\u27bf\u2b00-\u2bff\ufe0f\U0001f000-\U0001faff"
# What ends the words: a colon, a dash, "//", maybe after "!" ("WARNINGS!!:"); a hyphen only
# before a space ("CW-7" and "Warning-track" are words of a story). A note in brackets may
# come first ("Warnings (for the whole fic):"), and symbols may stand for the mark before
# words on the same line ("\u2757\ufe0fTW\u2757\ufe0f self-harm", "TW \u27a1\ufe0f blood"; not
# "Triggers \u2728" alone, a title). "TW", "CW", "CN", "Content warning" and "Trigger warning"
# may instead be followed by "for" ("TW for self harm", "Content warning for drug use.").
_MARK = r"(?:[:\u2013\u2014]|-(?!\w)|//)"
_WORD_NOTE = r"(?:\s*[(\[][^()\[\]\n]{1,40}[)\]])?"
_FOR_WORD = r"(?:(?:content|trigger)\s+warnings?|(?:tw|cw|cn)s?(?:\s*/\s*(?:tw|cw|cn)s?)?)"
_DECLARATION = re.compile(
    rf"^[\s*_>~\[({_LEAD_SYMBOLS}]*(?:(?:a/?n|author'?s? notes?|notes?)\s*:\s*)?"
    rf"(?:(?:{_DECLARATION_WORD}){_WORD_NOTE}(?:[\s*_\])!{_LEAD_SYMBOLS}]*{_MARK}"
    rf"|[\s*_\])]*[{_LEAD_SYMBOLS}][\s*_\]){_LEAD_SYMBOLS}]*(?:{_MARK}|(?=\w)))"
    rf"|{_FOR_WORD}\s+for\s+(?=\w))",
    re.IGNORECASE,
)
# A warnings line that follows a sentence on the same line: "Thanks to my beta! TW: blood."
# Only a colon counts here ("He stopped. Warning - ..." is as likely prose).
_INLINE_DECLARATION = re.compile(
    rf"[.!?\u2026][\"'\u201d\u2019)\]*_]*\s+(?P<declaration>[*_{_LEAD_SYMBOLS}]*(?:{_DECLARATION_WORD})"
    r"[*_]*\s*(?::|//).*)$",
    re.IGNORECASE,
)
# AO3's archive-warning choice on a line of its own, without an "Archive Warning:" label in
# front, as authors copy it into a preface: "Author chose not to use archive warnings", "No
# Archive Warnings Apply". Only wordings that name the author or the archive's warnings ("I
# chose not to warn him." is story); ``forewarn.declared.ao3_value`` reads each as AO3's value.
_ARCHIVE_CHOICE = re.compile(
    r"^[\s*_>~\[(\-\u2013\u2022]*(?P<value>(?:the\s+)?(?:creator|author|writer)\s+(?:chose|choose|has\s+chosen)"
    r"\s+not\s+to\s+(?:use\s+(?:the\s+)?(?:archive\s+)?warnings|warn)"
    r"|(?:i\s+)?(?:chose|choose|have\s+chosen)\s+not\s+to\s+use\s+(?:the\s+)?archive\s+warnings"
    r"|no\s+archive\s+warnings\s+apply)[\s*_\])!.]*$",
    re.IGNORECASE,
)
# A line of a bulleted list; the item must hold a word ("---" under a header is a separator).
# Bullets are dashes and dots, a number ("1.", "2)") or emoji, which authors use as bullets
# ("\U0001fa78 blood"); without them a numbered or emoji list declared its first line only.
LIST_ITEM = re.compile(
    rf"^[ \t]*(?:[-*+\u2013\u2022\u2023\u25e6\u2043]|\d{{1,2}}[.)](?=[ \t])|[{_LEAD_SYMBOLS}]+)"
    r"[ \t]*(?P<item>(?=[^\n]*\w)\S.*?)[ \t]*$"
)
_HEADER_KEYS = (
    r"title|authors?|rating|fandoms?|pairings?|relationships?|characters?|"
    r"(?:additional |freeform )?tags|summary|categor(?:y|ies)|language"
)
_HEADER = re.compile(
    rf"^[\s*_]*(?P<key>{_HEADER_KEYS})[\s*_]*:[\s*_]*(?P<value>.+?)\s*$",
    re.IGNORECASE,
)
# The start of a "Key: value" header line the readers read as metadata (its value may be empty).
HEADER_LINE = re.compile(rf"^[\s*_]*(?P<key>{_HEADER_KEYS})[\s*_]*:", re.IGNORECASE)
# A rating line as FanFiction.Net authors write it ("Rated T for language.", "Rated: K+", "This
# story is rated M."), or with a dash ("Rating - M"). A rating must follow ("Rated by
# critics..." is prose).
_RATED = re.compile(
    r"^[\s*_]*(?:(?:(?:this\s+)?(?:story|fic|chapter|work|one)\s+(?:is\s+)?)?rated(?:[\s*_]*:)?"
    r"|rating[\s*_]*[\-\u2013\u2014])[\s*_]+"
    r"(?P<value>(?:g|gen|k\+?|t\+?|teen|m|ma|mature|e|explicit|r|nc-?17|pg-?13)"
    r"(?![\w+-]).*?)[\s*_.!]*$",
    re.IGNORECASE,
)
# Lines of prose a header line may go on over ("Summary:" with its text on the next lines).
_WRAPPED_LINES = 4
_HEAD_LINES = 30
_TAIL_LINES = 15
_NOTE = re.compile(
    r"^[\s*_>\[(]*(?:a/?n|author'?s?\s+notes?|notes?|disclaimer|dedication|beta(?:'?d)?(?:\s+by)?)\s*[:\-\u2013\u2014]",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^[\W_]+$")
_NAMES_CHAPTER = re.compile(r"\s*(?:(?:chapter|chap\.|ch\.)\s*\w|ch\s+\d)", re.IGNORECASE)
_QUOTES = '"\u201c\u201d\u00ab\u00bb'
# A line ending so is prose, not a title (Chinese and Japanese: 。！？，、； and 」』 after them).
_SENTENCE_ENDS = tuple(".!?\u2026,;\u3002\uff01\uff1f\uff0c\u3001\uff1b\u300d\u300f")
_TITLE_WORDS = 8
# A preface of prose (a dedication, a summary, an epigraph) before "Chapter 1": at most this much.
_PREFACE_PARAGRAPHS = 3
_PREFACE_WORDS = 100
_FIRST_CHAPTER = re.compile(
    r"^(?:(?:(?:(?:chapter|part|book)\s+|ch(?:\.\s*|\s+))(?:0*1|one|i)|prologue)(?![\w-])|(?:0*1|I)\.?$"
    r"|第(?:0*1|１|一)[章回話话節节部卷幕篇]|序章|プロローグ|제\s?0*1\s?장)",
    re.IGNORECASE,
)


# Dinkuses that are symbols, not punctuation, in Unicode ("\u2766", "\u2605"...).
_BREAK_SYMBOLS = frozenset("\u2766\u2767\u2619\u2756\u25c6\u25c7\u25cb\u25cf\u2605\u2606\u2726\u2727")


def is_scene_break(line: str) -> bool:
    """A line of only marks: "* * *", "# # #", "~~~", "-o-", "\u2042" are scene breaks.

    Punctuation, math and modifier symbols ("~", "=", "+", "^") and a few dinkus symbols;
    no digit, emoji or letter but the o and x of "-o-" and "~x~" beside a mark.
    """
    marks = [c for c in line if not c.isspace() and c not in "oOxX"]
    return bool(marks) and all(
        unicodedata.category(c)[0] == "P" or unicodedata.category(c) in ("Sm", "Sk") or c in _BREAK_SYMBOLS
        for c in marks
    )


def _md_heading(line: str) -> str | None:
    """The text of a Markdown "#"/"##" heading line; None for a scene break ("# # #")."""
    m = _MD_HEADING.match(line)
    title = m.group("title").strip() if m else None
    return None if title is None or is_scene_break(title) else without_markers(title)


def heading_title(line: str, *, markdown: bool = False) -> str | None:
    """The chapter title if ``line`` is a chapter heading, else None.

    A Markdown heading of only marks ("# # #", "## * * *") is a scene break, as in a
    .txt file: pasted text is read as Markdown, so it made chapters titled "#".
    """
    line = line.strip()
    if not line or len(line) > _MAX_HEADING_CHARS:
        return None
    if markdown:
        title = _md_heading(line)
        if title is not None:
            return title
    bare = without_markers(line).strip("*_=#~ ").strip()
    if _HEADING.match(bare) or _CJK_HEADING.match(bare):
        return bare
    return None


def heading_lines_title(block: str) -> str:
    """The title of a heading paragraph: its first line, or, when that is a chapter number
    without a title ("Chapter 1", "Chapter 1:") over a title line ("The Storm", an EPUB's
    "<h1>Chapter 1<br/>The Storm</h1>"), both joined as AO3 joins them: "Chapter 1: The Storm"."""
    lines = [line.strip() for line in block.split("\n") if line.strip()]
    if not lines:
        return ""
    first = lines[0]
    number = first.rstrip(":.-\u2013\u2014 ")
    m = _HEADING.match(number)
    if len(lines) < 2 or m is None or m.group("rest") is not None or first.endswith(")"):
        return first
    second = lines[1]
    if len(second) > _MAX_HEADING_CHARS or heading_title(second) is not None:
        return first
    return f"{number}: {second}"


def is_front_matter(line: str, *, markdown: bool = False) -> bool:
    """A line that belongs to a work's preface or end notes rather than its story.

    Header and declaration lines, author's notes, separators, headings, and short
    title-like lines ("The Long Rain", "by wren": at most 8 words, no quotation
    marks, no sentence-final punctuation). The first line that is none of these
    is where the story starts.
    """
    line = line.strip()
    if not line or is_declaration(line) or _HEADER.match(line) or _NOTE.match(line) or _RATED.match(line):
        return True
    if archive_choice(line) is not None:
        return True
    if _SEPARATOR.match(line) or heading_title(line, markdown=markdown) is not None:
        return True
    if markdown and line.startswith("#"):
        return True
    title_like = count_words(line) <= _TITLE_WORDS and not any(q in line for q in _QUOTES)
    return title_like and not line.endswith(_SENTENCE_ENDS)


def is_preface(prose: list[str], first_title: str | None) -> bool:
    """Whether the prose paragraphs before the first heading are front matter, not a chapter.

    Only a short preface (at most 3 paragraphs and 100 words: a dedication, a summary, an
    epigraph) before a heading that opens the story ("Chapter 1", "Chapter One", "Part I",
    "Prologue"). Made an untitled chapter, it put every later chapter one above its heading
    ("Chapter 2" was "chapter 3"). Longer text, or text before "Chapter 5" (an excerpt), is
    more likely story and stays a chapter of its own.
    """
    if first_title is None or not _FIRST_CHAPTER.match(first_title.strip("*_=#~ ")):
        return False
    return len(prose) <= _PREFACE_PARAGRAPHS and sum(count_words(p) for p in prose) <= _PREFACE_WORDS


def is_declaration(line: str) -> bool:
    """A line like "Warnings: ...", "TW - ...", "A/N: CW: ..."."""
    return bool(_DECLARATION.match(line))


def archive_choice(line: str) -> str | None:
    """The AO3 archive-warning choice a line makes on its own ("Author chose not to use archive
    warnings.", "No Archive Warnings Apply"), without its markup, else None."""
    m = _ARCHIVE_CHOICE.match(line)
    return m.group("value") if m else None


def is_bare_declaration(line: str) -> bool:
    """A declaration line with nothing after its colon ("Warnings:"): its list is below it."""
    m = _DECLARATION.match(line)
    return m is not None and not line[m.end() :].strip(" \t*_")


def list_item(line: str) -> str | None:
    """The item of a bullet line ("- violence", "* death", "\u2022 blood"), else None."""
    m = LIST_ITEM.match(line)
    return m.group("item") if m else None


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
        if item is None and joined == 0 and lines and line and _is_plain(line):
            item = line if not gap or _is_bare_item(line) else None
        if item is None and joined > 0 and declaring and _is_bare_item(line):
            item = line
        if item is not None:
            last, start, _ = lines[-1]
            lines[-1] = (last + (", " if joined else " ") + item, start, pos + len(raw))
            joined += 1
        elif lines and line and _wraps(lines[-1][0]) and _is_plain(line) and not any(q in line for q in _QUOTES):
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
    return bool(HEADER_LINE.match(line) or _RATED.match(line) or is_declaration(line))


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
        and _is_plain(line)
        and count_words(line) <= _BARE_ITEM_WORDS
        and not line.endswith(_SENTENCE_ENDS)
        and not any(q in line for q in _QUOTES)
    )


def _is_empty_header(line: str) -> bool:
    """A "Key:" header line with nothing after its colon, but "Summary:" (its text is prose)."""
    m = HEADER_LINE.match(line)
    return m is not None and m.group("key").lower() != "summary" and not line[m.end() :].strip(" \t*_")


def declaration_lines(text: str) -> list[str]:
    """The lines of ``logical_lines(text)``, without their places."""
    return [line for line, _, _ in logical_lines(text)]


def find_declaration(line: str) -> str | None:
    """The declaration in a preface, summary or notes line, if any.

    A whole declaration line, or one that follows a sentence ("Tea, rain, and a bad
    night. Warnings: self-harm."), which authors write in AO3 summaries and notes.
    Not for story prose: there only ``is_declaration`` lines are candidates.
    """
    line = line.strip()
    if is_declaration(line):
        return line
    m = _INLINE_DECLARATION.search(line)
    return m.group("declaration").strip() if m else None


_ARCHIVE_KEY = re.compile(r"^\W*archive\s+warning", re.IGNORECASE)


def add_declaration(meta: Metadata, line: str) -> None:
    """Add a declaration line to ``meta``. "Archive Warnings: Major Character Death, Underage"
    gives AO3's own archive warnings, as the front matter key "archive warnings" does (a
    warnings line would need sexual content beside Underage, and suggest no MCD); with a
    value that is not AO3's, it is a warnings line, so that value shows as unmapped."""
    m = _DECLARATION.match(line) if _ARCHIVE_KEY.match(line) else None
    values = _split_list(line[m.end() :].strip(" \t*_.")) if m else []
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


def _split_list(value: str) -> list[str]:
    return [v.strip() for v in re.split(r"\s*[,;]\s*", value) if v.strip()]


def add_unique(target: list[str], values: list[str]) -> None:
    """Extend ``target`` with values not yet present (case-insensitive)."""
    seen = {v.casefold() for v in target}
    for v in values:
        if v and v.casefold() not in seen:
            target.append(v)
            seen.add(v.casefold())


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
    """A "Key: value" header line, mapped like front matter keys (see ``_HEADER``'s keys)."""
    key = key.lower()
    if key == "summary":
        meta.summary = meta.summary or value
    elif key in _FRONT_LISTS:
        add_unique(getattr(meta, _FRONT_LISTS[key]), _split_list(value))
    elif key in _FRONT_SCALARS:
        setattr(meta, _FRONT_SCALARS[key], getattr(meta, _FRONT_SCALARS[key]) or value)


def _apply_front_matter(meta: Metadata, fields: dict[str, Value]) -> None:
    """Fill ``meta`` from parsed front matter; its values are exact, so they come first."""
    for key, value in fields.items():
        items = _split_list(value) if isinstance(value, str) else value
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
        last = next((k for k in range(end - 1, -1, -1) if not _is_plain(lines[k])), -1)
        if last < 0 or not _is_header(lines[last]) or not _is_open(lines[last]):
            break
        after = next(
            (k for k in range(end, min(end + _WRAPPED_LINES + 1, len(lines))) if not _is_plain(lines[k])), None
        )
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
    return not value or value.endswith(",") or not value.endswith(_SENTENCE_ENDS)


def _continues(key: str | None, value: str, line: str) -> bool:
    """Whether ``line``, in the header block under an open header line, goes on its value: the
    summary's text, or the rest of a list that ended in a comma ("Tags: angst,")."""
    if key is None or not _is_plain(line):
        return False
    return key == "summary" or value.endswith(",")


def _is_plain(line: str) -> bool:
    """A line that is no header, declaration, note, separator or heading line."""
    line = line.strip()
    return not (
        is_declaration(line)
        or HEADER_LINE.match(line)
        or _RATED.match(line)
        or _NOTE.match(line)
        or _SEPARATOR.match(line)
        or heading_title(line, markdown=True) is not None
        or line.startswith("#")
    )


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
    from forewarn.declared import is_warning_list, reads_as_story  # forewarn.declared imports this module

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
            if (rated := _RATED.match(line)) is not None:
                _apply_header(meta, "rating", rated.group("value"))
                key, taken = None, True
            elif _is_header(line):
                m = _HEADER.match(line)
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


def paragraph_spans(
    text: str,
    *,
    markdown: bool = False,
    headings: frozenset[int] = frozenset(),
    setext: dict[int, tuple[int, int, str]] | None = None,
) -> list[Span]:
    """Blocks separated by blank lines; a heading line is always its own block, as is each
    line starting at an offset in ``headings`` (see ``numbered_headings``) and each setext
    heading, its title line and underline (``setext``, see ``setext_headings``).

    Text without any blank line (one paragraph per line, as pasted from many
    sites) gets one paragraph per non-empty line.
    """
    spans: list[Span] = []
    per_line = re.search(r"\n[ \t\f\v]*\n", text) is None
    block_start: int | None = None
    block_end = 0
    pos = 0
    setext = setext or {}
    under = -1  # the end of the setext heading whose underline is next
    for raw in text.split("\n"):
        line_end = pos + len(raw)
        stripped = raw.strip()
        if pos < under:  # the underline: in the heading's block already
            pos = line_end + 1
            continue
        if pos in setext:
            if block_start is not None:
                spans.append(Span(block_start, block_end))
                block_start = None
            under = setext[pos][1]
            spans.append(Span(pos + len(raw) - len(raw.lstrip()), under))
            pos = line_end + 1
            continue
        if not stripped or per_line or pos in headings or heading_title(raw, markdown=markdown):
            if block_start is not None:
                spans.append(Span(block_start, block_end))
                block_start = None
            if stripped:
                lead = len(raw) - len(raw.lstrip())
                spans.append(Span(pos + lead, pos + lead + len(stripped)))
        else:
            if block_start is None:
                block_start = pos + len(raw) - len(raw.lstrip())
            block_end = pos + len(raw.rstrip())
        pos = line_end + 1
    if block_start is not None:
        spans.append(Span(block_start, block_end))
    return spans


def _setext_title(line: str) -> bool:
    """A line that may be a setext heading's title: short, not indented as code, no sentence
    ("It was over." over "---" is story before a scene break), no header, declaration, note,
    list item or "#" heading line."""
    stripped = line.strip()
    if not stripped or len(line) - len(line.lstrip(" ")) > 3 or len(stripped) > _MAX_HEADING_CHARS:
        return False
    if is_declaration(stripped) or HEADER_LINE.match(stripped) or _NOTE.match(stripped) or _SEPARATOR.match(stripped):
        return False
    if stripped.startswith("#") or list_item(stripped) is not None or count_words(stripped) > _SETEXT_WORDS:
        return False
    if heading_title(stripped) is not None:
        return True
    return not stripped.endswith(_SENTENCE_ENDS) and not any(q in stripped for q in _QUOTES)


def setext_headings(text: str, start: int = 0) -> dict[int, tuple[int, int, str]]:
    """Markdown's setext headings in ``text`` after ``start`` (its front matter): a title line
    after a blank line (or none), underlined with "===" (level 1) or "---" (level 2). By where
    each title line starts: its level, the end of its underline and its title."""
    lines = text.split("\n")
    found: dict[int, tuple[int, int, str]] = {}
    pos = 0
    for i, line in enumerate(lines[:-1]):
        under = lines[i + 1]
        if (
            pos >= start
            and (i == 0 or not lines[i - 1].strip())
            and SETEXT_UNDERLINE.match(under)
            and _setext_title(line)
        ):
            level = 1 if "=" in under else 2
            end = pos + len(line) + 1 + len(under.rstrip())
            found[pos] = (level, end, without_markers(line.strip()))
        pos += len(line) + 1
    return found


def numbered_headings(text: str, *, markdown: bool = False) -> frozenset[int]:
    """Where the lines that are chapter numbers alone ("1.", "1", "I.") start in ``text``: those
    in a sequence of at least two (each one more than the one before, with story between), from
    1 or going on from the heading before it ("Chapter 1", then "2." and "3.").

    One number alone is no heading, nor is a list item with its text ("1. Buy bread"), nor a
    sequence from 1 after a numbered heading: that numbers the scenes of "Chapter 2".
    """
    found: set[int] = set()
    run: list[tuple[int, int, bool]] = []  # (line start, number, roman)
    before: int | None = None  # the number of the heading before the run (0: a heading without one)
    last: int | None = None  # the number of the last heading line

    def close() -> None:
        if len(run) >= 2 and (run[0][1] == (before or 0) + 1):
            found.update(start for start, _, _ in run)
        run.clear()

    pos = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if _BARE_NUMBER.match(line):
            number = heading_number(line)
            roman = not line[0].isdigit()
            if number is not None and run and run[-1][2] == roman and number == run[-1][1] + 1:
                run.append((pos, number, roman))
            elif number is not None:
                close()
                before = last
                run.append((pos, number, roman))
        elif line and (title := heading_title(line, markdown=markdown)) is not None:
            close()
            last = heading_number(title) or 0
        pos += len(raw) + 1
    close()
    return frozenset(found)


def build_chapters(text: str, paragraphs: list[Span], starts: list[tuple[int, str | None]]) -> list[Chapter]:
    """Chapters that tile ``[0, len(text))``, starting at the given paragraph indices.

    ``starts`` holds ``(paragraph index, title)``. Paragraphs before the first
    start form an untitled chapter. A chapter holding only its heading (a
    "Part One" divider) is folded into the next one, unless it names a chapter
    ("Chapter 2" whose body is an image or was left empty): folding it made every later
    chapter one lower than its title ("ch7" for "Chapter 8"). An untitled chapter of one
    paragraph (an EPUB document without a heading) holds its heading only if that paragraph
    reads as one: a drabble of lines joined by ``<br>`` was folded into the next chapter. A
    heading-only chapter whose title a later chapter has is a line of a table of contents, and
    folds too, as does the first chapter when it holds the first such line after a preface of
    title-like lines: each line made a chapter ("Chapter 2: Dawn" was chapter 5 of 6).
    """
    ordered = sorted({idx: title for idx, title in starts if 0 <= idx < len(paragraphs)}.items())
    bounds: list[tuple[int, str | None]] = []
    carry: int | None = None  # first paragraph of absorbed heading-only chapters
    last_at = {title.casefold(): i for i, (_, title) in enumerate(ordered) if title}

    def heading_only(idx: int, title: str | None) -> bool:
        if title is None:
            return heading_title(text[paragraphs[idx].start : paragraphs[idx].end]) is not None
        return not _NAMES_CHAPTER.match(title)

    def contents_line(i: int, idx: int, title: str | None) -> bool:
        if not title or last_at[title.casefold()] <= i:
            return False
        blocks = (text[p.start : p.end] for p in paragraphs[idx : ordered[i + 1][0]])
        return ordered[i + 1][0] - idx <= 1 or (i == 0 and all(map(_is_front_block, blocks)))

    for i, (idx, title) in enumerate(ordered):
        if i + 1 < len(ordered) and (
            (ordered[i + 1][0] - idx <= 1 and heading_only(idx, title)) or contents_line(i, idx, title)
        ):
            carry = idx if carry is None else carry
            continue
        bounds.append((idx if carry is None else carry, title))
        carry = None
    if not bounds or bounds[0][0] > 0:
        bounds.insert(0, (0, None))
    chapters: list[Chapter] = []
    for i, (idx, title) in enumerate(bounds):
        start = 0 if i == 0 else paragraphs[idx].start
        last = bounds[i + 1][0] if i + 1 < len(bounds) else len(paragraphs)
        end = paragraphs[last].start if last < len(paragraphs) else len(text)
        chapters.append(Chapter(i, title, start, end, list(paragraphs[idx:last])))
    if not chapters:
        chapters.append(Chapter(0, None, 0, len(text), []))
    return chapters


def parse_text(text: str, *, markdown: bool = False) -> tuple[list[Chapter], Metadata, list[Span]]:
    """Chapters and metadata of a plain-text or markdown work, and the spans of ``text`` read
    as metadata (its YAML front matter, and the lines ``scan_lines`` took)."""
    meta = Metadata()
    front = parse_front_matter(text)
    front_end = 0
    if front is not None:
        # Read as YAML, not as "Key: value" header lines ("tags: [a, b]" would keep the brackets).
        fields, front_end = front
        _apply_front_matter(meta, fields)
    numbered = numbered_headings(text, markdown=markdown)
    setext = setext_headings(text, front_end) if markdown else {}
    paragraphs = paragraph_spans(text, markdown=markdown, headings=numbered, setext=setext)
    starts: list[tuple[int, str | None]] = []
    for i, span in enumerate(paragraphs):
        line_start = text.rfind("\n", 0, span.start) + 1
        title = setext[line_start][2] if line_start in setext else None
        title = title or heading_title(text[span.start : span.end], markdown=markdown)
        if title is None and line_start in numbered:
            title = text[span.start : span.end]
        if title is not None:
            starts.append((i, title))
    md_title = None
    if markdown:
        md_title = _markdown_title(text, paragraphs, starts, setext)
        if md_title is not None:
            starts = starts[1:]
    preface = 0
    if starts and starts[0][0] > 0:
        # A preamble of only title, header, declaration and note lines, or a short preface before
        # "Chapter 1", belongs to the first chapter: its lines are read as the preface's.
        preamble = [text[p.start : p.end] for p in paragraphs[: starts[0][0]] if p.end > front_end]
        prose = [p for p in preamble if not _is_front_block(p, markdown=markdown)]
        if not prose or is_preface(prose, starts[0][1]):
            preface = paragraphs[starts[0][0]].start
            starts[0] = (0, starts[0][1])
    spans = [Span(0, front_end)] if front_end else []
    spans += [
        Span(front_end + s.start, front_end + s.end)
        for s in scan_lines(text[front_end:], meta, preface=max(0, preface - front_end))
    ]
    chapters = build_chapters(text, paragraphs, starts)
    if md_title is not None:
        meta.title = meta.title or md_title
    elif markdown and meta.title is None:
        first = next(iter(_level_ones(text, setext, strip=False)), None)
        # "# Chapter 1" opening a work names its first chapter, not the work; so does "# Rain"
        # titling chapter 1 when chapter 2 is named alike ("# Dawn", not "# Chapter 2").
        names_chapter = (
            len(chapters) > 1 and chapters[0].title == first and heading_title(chapters[1].title or "") is None
        )
        meta.title = first if first is not None and heading_title(first) is None and not names_chapter else None
    return chapters, meta, spans


def _markdown_title(
    text: str, paragraphs: list[Span], starts: list[tuple[int, str | None]], setext: dict[int, tuple[int, int, str]]
) -> str | None:
    """The work's title: a single leading level-1 heading ("# Title", or "Title" over "===")
    followed by other headings.

    Such a heading names the work, not a chapter, so "## Chapter 1" stays chapter 1.
    """
    if len(starts) < 2 or len(_level_ones(text, setext)) != 1:
        return None
    first = paragraphs[starts[0][0]]
    line = text[first.start : first.end]
    title = starts[0][1]
    underlined = setext.get(text.rfind("\n", 0, first.start) + 1, (0, 0, ""))[0] == 1
    if not (re.match(r"#\s", line) or underlined) or title is None or heading_title(title) is not None:
        return None
    return title


def _level_ones(text: str, setext: dict[int, tuple[int, int, str]], *, strip: bool = True) -> list[str]:
    """The titles of the level-1 Markdown headings ("# Title", "Title" over "==="), in order
    (an indented "# Title" too with ``strip``)."""
    titles: list[str] = []
    pos = 0
    for line in text.split("\n"):
        title = setext[pos][2] if pos in setext and setext[pos][0] == 1 else _level_one(line.strip() if strip else line)
        if title is not None:
            titles.append(title)
        pos += len(line) + 1
    return titles


def _level_one(line: str) -> str | None:
    """The title of a level-1 Markdown heading ("# Title"), not a scene break ("# # #")."""
    return _md_heading(line) if re.match(r"#[ \t]", line) else None


def _is_front_block(block: str, *, markdown: bool = False) -> bool:
    return all(is_front_matter(ln, markdown=markdown) for ln in block.split("\n"))


def read_plain(text: str, *, markdown: bool = False, encoding: str | None = None) -> Work:
    """A ``Work`` from decoded text (see ``forewarn.readers.read``).

    Its ``*italics*``, ``_italics_``, ``**bold**`` and ``__bold__`` are its emphasis (see
    ``forewarn.readers.emphasis``) in a .txt file too, not only in Markdown: fan fiction saved
    as plain text writes italics so, and Project Gutenberg's texts write them ``_so_``.
    """
    chapters, meta, spans = parse_text(text, markdown=markdown)
    return Work(
        text=text,
        chapters=chapters,
        metadata=meta,
        meta_spans=spans,
        source_format="markdown" if markdown else "text",
        encoding=encoding,
        emphasis=markdown_emphasis(text, (p for c in chapters for p in c.paragraphs)),
    )


# Public name for the declaration-line pattern (used by the declared-warnings parser
# and to keep declarations out of the scored text).
DECLARATION = _DECLARATION
