"""Chapter headings: "Chapter 3: Rain", "Prologue", "第一章", Markdown "#" and setext headings,
chapter numbers alone on a line, and scene breaks, which are none of these."""

from __future__ import annotations

import re
import unicodedata

from forewarn.readers.emphasis import without_markers
from forewarn.readers.lines import HEADER_LINE, NOTE, QUOTES, SENTENCE_ENDS, SEPARATOR, is_declaration, list_item
from forewarn.work import NUMBER_WORDS, count_words, heading_number

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


def _setext_title(line: str) -> bool:
    """A line that may be a setext heading's title: short, not indented as code, no sentence
    ("It was over." over "---" is story before a scene break), no header, declaration, note,
    list item or "#" heading line."""
    stripped = line.strip()
    if not stripped or len(line) - len(line.lstrip(" ")) > 3 or len(stripped) > _MAX_HEADING_CHARS:
        return False
    if is_declaration(stripped) or HEADER_LINE.match(stripped) or NOTE.match(stripped) or SEPARATOR.match(stripped):
        return False
    if stripped.startswith("#") or list_item(stripped) is not None or count_words(stripped) > _SETEXT_WORDS:
        return False
    if heading_title(stripped) is not None:
        return True
    return not stripped.endswith(SENTENCE_ENDS) and not any(q in stripped for q in QUOTES)


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


def level_ones(text: str, setext: dict[int, tuple[int, int, str]], *, strip: bool = True) -> list[str]:
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
