"""The shared data model: what readers produce and every later stage consumes.

Offsets everywhere are character offsets into ``Work.text``, the text the reader
extracted (for plain text: the decoded file itself). Keeping one coordinate
system lets a report point a reader at the exact span to skip.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

# Han (with extension A, the compatibility block and the supplementary planes), the marks
# 々〆〇, Hiragana and Katakana (half-width too). Not Hangul: Korean puts spaces between words.
CJK_CHARS = (
    "\u3005-\u3007\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9d\U00020000-\U0003134f"
)
_CJK = re.compile(f"[{CJK_CHARS}]")
_TOKEN = re.compile(r"\S+")
_RUN = re.compile(rf"[^\s{CJK_CHARS}]+")


def count_words(text: str, start: int = 0, end: int | None = None) -> int:
    """Words in ``text[start:end]``: whitespace-separated tokens, and each Chinese or
    Japanese character (Han, Hiragana, Katakana) one word.

    Chinese and Japanese put no spaces between words, so by whitespace alone a 12,000-
    character story was "200 words" and the splitter made passages of 4,000 characters.
    One word per character is how Chinese and Japanese count a text's length (字数,
    文字数), and it sizes passages to the model: its tokenizer makes each such character a
    token of its own, so 250 of them are about as many tokens as 250 English words (half
    as many words, characters/2, would make passages twice as long for the model). Korean
    (Hangul) puts spaces between words, so its tokens already are words. Beside such
    characters, a run of other characters counts if it holds a letter or digit ("iPhone"
    in "iPhoneを買った"), not punctuation like "「" or "。"; text without them counts as
    ``len(text.split())``.
    """
    end = len(text) if end is None else end
    if _CJK.search(text, start, end) is None:
        return sum(1 for _ in _TOKEN.finditer(text, start, end))
    words = sum(1 for _ in _CJK.finditer(text, start, end))
    for m in _RUN.finditer(text, start, end):
        alone = (m.start() == 0 or not _CJK.match(text, m.start() - 1)) and not _CJK.match(text, m.end())
        if alone or any(c.isalnum() for c in m.group()):
            words += 1
    return words


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` into ``Work.text``."""

    start: int
    end: int


EmphasisKind = Literal["em", "strong"]


@dataclass(frozen=True)
class Emphasis:
    """Text the source emphasised: ``[start, end)`` of ``Work.text`` in italics (``kind`` "em":
    ``<em>``, ``<i>``, Markdown's ``*``/``_``) or in bold ("strong": ``<strong>``, ``<b>``,
    ``**``/``__``). ``markers``: how many characters at each end of the range are the markers
    that wrote it (Markdown's ``*`` or ``**``, which stay in the text; a reading mode hides
    them), 0 for HTML's tags, which are not in the text."""

    start: int
    end: int
    kind: EmphasisKind = "em"
    markers: int = 0


@dataclass
class Chapter:
    """A chapter: its title, its span and the paragraph spans inside it."""

    index: int
    title: str | None
    start: int
    end: int
    paragraphs: list[Span] = field(default_factory=list)


@dataclass
class Metadata:
    """What the source says about the work (AO3 preface, EPUB OPF, a text header)."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    rating: str | None = None
    archive_warnings: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    fandoms: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    freeform_tags: list[str] = field(default_factory=list)
    summary: str | None = None
    notes: str | None = None
    language: str | None = None
    source_url: str | None = None
    # Free-form declarations found in the text or notes ("Warnings: ...", "TW: ...").
    declaration_lines: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(repr=False)
class Work:
    """One work, as read: full text, chapters with paragraph offsets, metadata.

    Its repr shows the text's size, not the text (a chapter is tens of KB in a REPL).
    """

    text: str
    chapters: list[Chapter]
    metadata: Metadata = field(default_factory=Metadata)
    source_format: str = "text"
    source_path: str | None = None
    encoding: str | None = None
    # What the reader could not read but went on without (a chapter file missing from an
    # EPUB): one line each, shown with every report so a partial read is never silent.
    notices: list[str] = field(default_factory=list)
    # The ranges of ``text`` the reader took as the author's declarations or metadata, not
    # story (in order, disjoint): scoring blanks exactly these, so a line read as declared is
    # not also found in the story. None: not recorded (a hand-made Work); the pipeline then
    # reads ``text`` as a text file would be read.
    meta_spans: list[Span] | None = None
    # The ranges of ``text`` that the source showed collapsed (HTML ``<details>``), one per
    # toggle (an outermost ``<details>``, from its first paragraph to its last, in order):
    # scanned as story, but a reading mode may collapse them again.
    collapsed: list[Span] = field(default_factory=list)
    # The paragraph of each such toggle that was its label (its ``<summary>``), if it had one.
    collapsed_summaries: list[Span] = field(default_factory=list)
    # The ranges of ``text`` the source showed in italics or bold (HTML ``<em>``, ``<i>``,
    # ``<strong>``, ``<b>``; Markdown's and plain text's ``*``, ``_``, ``**``, ``__``, markers
    # included), in order of their start; each inside one paragraph, without whitespace at its
    # ends. Only a reading mode uses them: ``text`` is the same without them.
    emphasis: list[Emphasis] = field(default_factory=list)

    @property
    def word_count(self) -> int:
        """Words of the story as ``count_words`` counts them (each Chinese or Japanese character
        is one), without the author's metadata (``meta_spans``: a warnings header, front matter,
        end notes), as AO3 counts a work: a reader weighs the story's length, not its labels."""
        words, pos = 0, 0
        for span in sorted(self.meta_spans or (), key=lambda s: (s.start, s.end)):
            if span.start > pos:
                words += count_words(self.text, pos, span.start)
            pos = max(pos, span.end)
        return words + count_words(self.text, pos)

    def __repr__(self) -> str:
        chapters = len(self.chapters)
        return (
            f"Work(title={self.metadata.title!r}, text=<{len(self.text):,} chars, {self.word_count:,} words>, "
            f"chapters=<{chapters:,} chapter{'' if chapters == 1 else 's'}>, source_format={self.source_format!r}, "
            f"source_path={self.source_path!r}, encoding={self.encoding!r})"
        )


class ReadError(ValueError):
    """Input that cannot be read as a work; the message is one line meant for users.

    An error about a file named by ``path`` says "PATH: reason", others their reason alone;
    ``reason`` is the message without the name, for a caller that shows the name itself (the
    CLI's "PATH: reason" lines and its JSON's ``{"path", "error"}``), and ``path`` that name
    (None when the message names none). It pickles whole, subclasses too, so a scan in a
    process pool raises it in the caller rather than breaking the pool.
    """

    def __init__(self, reason: str, *, path: str | None = None) -> None:
        super().__init__(reason if path is None else f"{path}: {reason}")
        self.reason = reason
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        # Not ``cls(*args)``: a subclass's __init__ may take other arguments (TooLargeError's
        # size and limit), and unpickling it failed in the parent process.
        return (_restore_error, (type(self), self.args, dict(vars(self))))


def _restore_error(cls: type[ReadError], args: tuple[Any, ...], state: dict[str, Any]) -> ReadError:
    """A pickled ``ReadError`` (or subclass) as it was, without calling its ``__init__``."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


# Chapter numbers written as words ("Chapter Twelve"), with their values: the text reader's
# heading pattern and heading_number() both use this one table.
NUMBER_WORDS = {
    w: i + 1
    for i, w in enumerate(
        [
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
} | {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_HEADING_NUMBER = re.compile(
    r"\s*(?:(?:chapter|part)\s+|ch(?:\.\s*|\s+))([0-9]+|[ivxlc]+|[a-z]+(?:[\s-][a-z]+)?)\b", re.IGNORECASE
)
# A number alone ("2.", "2", "II."): a heading the text reader found in a sequence of them.
_BARE_NUMBER = re.compile(r"\s*([0-9]+|[IVXLC]+)\.?\s*$")
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_ROMAN_NUMERAL = re.compile(r"c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")  # up to 399; "civil" is not one


_CJK_NUMBER = re.compile(r"\s*(?:第([0-9０-９]+|[一二三四五六七八九十]+)[章回話话節节部卷幕篇]|제\s?([0-9]+)\s?장)")
_CJK_DIGITS = "一二三四五六七八九"


def _cjk_number(word: str) -> int | None:
    """1-99 in digits (full-width too) or Chinese numerals ("十二" is 12, "二十" is 20)."""
    if word.isdigit():
        return int(word)  # int() reads full-width digits
    tens, _, units = word.partition("十")
    if "十" not in word:
        return _CJK_DIGITS.index(word) + 1 if len(word) == 1 and word in _CJK_DIGITS else None
    high = _CJK_DIGITS.index(tens) + 1 if tens in _CJK_DIGITS and tens else (1 if not tens else None)
    low = _CJK_DIGITS.index(units) + 1 if units in _CJK_DIGITS and units else (0 if not units else None)
    return None if high is None or low is None else 10 * high + low


def heading_number(title: str | None) -> int | None:
    """The number a chapter heading gives itself ("Chapter 2", "Chapter Two", "Part III",
    "Ch. 2", "Chapter 2 of 10", "2.", "II", "第二章", "제2장")."""
    cjk = _CJK_NUMBER.match(title or "")
    if cjk:
        return _cjk_number(cjk.group(1) or cjk.group(2))
    m = _HEADING_NUMBER.match(title or "") or _BARE_NUMBER.match(title or "")
    if not m:
        return None
    word = m.group(1).lower()
    if word.isdigit():
        return int(word)
    tens, _, units = re.sub(r"[\s-]+", " ", word).partition(" ")
    if NUMBER_WORDS.get(tens, 0) >= 20 and NUMBER_WORDS.get(units, 10) < 10:  # "twenty-one"
        return NUMBER_WORDS[tens] + NUMBER_WORDS[units]
    word = tens
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    if _ROMAN_NUMERAL.fullmatch(word):
        values = [_ROMAN[c] for c in word]
        return sum(-v if v < nxt else v for v, nxt in zip(values, values[1:] + [0], strict=True))
    return None


def has_opening(chapters: Sequence[Chapter]) -> bool:
    """Whether the first chapter is the text before the first chapter heading (a title page, a
    dedication, a summary): untitled, before titled chapters. The work does not number it.
    Not when the first heading is "Chapter 2" (or later): then the untitled text is chapter 1,
    whose heading the author left out."""
    if len(chapters) < 2 or chapters[0].title:
        return False
    first = next((c.title for c in chapters[1:] if c.title), None)
    return first is not None and (heading_number(first) or 1) <= 1


def chapter_number(chapters: Sequence[Chapter], index: int) -> int | None:
    """A chapter's number as the reader counts them, from the first chapter heading: None for the
    opening (see ``has_opening``). Counting it made "Chapter 2" chapter 3 in every location.
    The terminal and HTML reports label chapters by this; the JSON keeps the index."""
    if has_opening(chapters):
        return index if index > 0 else None
    return index + 1
