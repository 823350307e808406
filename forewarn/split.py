"""Split a work into passages that follow paragraph boundaries.

Passages tile the text: passage ``i`` spans ``[cuts[i], cuts[i+1])`` so joining
their spans reproduces ``Work.text`` exactly, and every character (headings,
blank lines) belongs to exactly one passage. Cuts fall on paragraph starts, on
every chapter start, and inside over-long paragraphs on sentence starts.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from forewarn.readers.frontmatter import parse_front_matter
from forewarn.work import CJK_CHARS, Work, count_words

# What a wall of text may be cut before: a token, or a Chinese or Japanese character.
_UNIT = re.compile(rf"[{CJK_CHARS}]|[^\s{CJK_CHARS}]+")
# A sentence start: after ., !, ?, or an ellipsis, optionally closed by quotes/brackets, and
# space; or after 。, ！ or ？, which need no space (Chinese and Japanese write none).
_SENTENCE_BREAK = re.compile(
    r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+"
    r"|(?<=[\u3002\uff01\uff1f\uff61])[\u3002\uff01\uff1f\uff61\u300d\u300f\uff09\u3011\u300b\u3009\"'\u201d\u2019)\]]*\s*"
)


@dataclass(frozen=True)
class Passage:
    """A span of the work scored as one unit."""

    index: int
    chapter: int
    start: int
    end: int
    words: int
    # Percent of the way through the story where the passage starts: the author's header,
    # front matter and end notes (``Work.meta_spans``) around it do not count (see story_bounds).
    position: float
    end_position: float  # percent where it ends
    text: str
    # The same within its chapter: a reader on an AO3 chapter page skips by the chapter.
    chapter_position: float = 0.0
    chapter_end_position: float = 0.0


def _percent(offset: int, length: int) -> float:
    return round(min(max(100.0 * offset / max(length, 1), 0.0), 100.0), 2)


def _count_words(text: str, start: int, end: int) -> int:
    return count_words(text, start, end)


def _sentence_cuts(text: str, start: int, end: int, max_words: int) -> Iterator[int]:
    """Offsets inside ``[start, end)`` where an over-long paragraph may be cut."""
    target = max(max_words * 3 // 5, 1)
    words = 0
    last = start
    breaks = sorted({m.end() for m in _SENTENCE_BREAK.finditer(text, start, end) if start < m.end() < end})
    for b in breaks:
        words += _count_words(text, last, b)
        last = b
        if words >= target:
            yield b
            words = 0
    # A paragraph without sentence ends (a wall of text): cut between words (or characters).
    if not breaks and _count_words(text, start, end) > max_words:
        count = 0
        for m in _UNIT.finditer(text, start, end):
            count += 1
            if count > target:
                yield m.start()
                count = 1


def _story_start(work: Work) -> int:
    """Where the text after YAML front matter begins (-1: none): a passage starts there, so
    no passage quoted as evidence opens with the work's metadata block."""
    if work.source_format not in ("text", "markdown"):
        return -1
    front = parse_front_matter(work.text)
    if front is None:
        return -1
    return next((p.start for c in work.chapters for p in c.paragraphs if p.start >= front[1]), -1)


def story_bounds(work: Work) -> tuple[int, int]:
    """From the first to the last paragraph that is not wholly the author's metadata (header
    lines, front matter, end notes: ``Work.meta_spans``): what positions are measured in, so a
    passage opening "Chapter 1" after a 150-word summary is at 0%, not 40%, of the story and
    of its chapter (the summary is folded into chapter 1 to keep the chapters' numbers)."""
    text, spans = work.text, sorted(work.meta_spans or (), key=lambda s: (s.start, s.end))
    if not spans:
        return 0, len(text)
    ends = [s.end for s in spans]

    def is_meta(start: int, end: int) -> bool:
        pos, k = start, bisect.bisect_right(ends, start)
        while k < len(spans) and spans[k].start < end:
            if text[pos : spans[k].start].strip():
                return False
            pos = max(pos, spans[k].end)
            k += 1
        return not text[pos:end].strip()

    story = [p for c in work.chapters for p in c.paragraphs if not is_meta(p.start, p.end)]
    return (story[0].start, story[-1].end) if story else (0, len(text))


def split_work(work: Work, *, min_words: int = 60, max_words: int = 250) -> list[Passage]:
    """Return passages of about ``min_words`` to ``max_words`` words, in text order.

    A passage never crosses a chapter start. Paragraphs shorter than ``min_words``
    are merged with the following ones; a paragraph longer than ``max_words`` is
    cut at sentence boundaries.
    """
    text = work.text
    n = len(text)
    if n == 0:
        return []
    cuts: list[int] = [0]
    story = _story_start(work)
    for chapter in work.chapters:
        if chapter.start > cuts[-1]:
            cuts.append(chapter.start)
        words = _count_words(text, cuts[-1], chapter.paragraphs[0].start) if chapter.paragraphs else 0
        for para in chapter.paragraphs:
            pw = _count_words(text, para.start, para.end)
            # Short text before a paragraph over max_words goes with its first piece (which the
            # sentence cuts keep short): cut before it, a chapter's heading was a passage alone.
            full = words >= min_words or (words and pw <= max_words < words + pw)
            if (full or para.start == story) and para.start > cuts[-1]:
                cuts.append(para.start)
                words = 0
            if pw > max_words:
                for c in _sentence_cuts(text, para.start, para.end, max_words):
                    if c > cuts[-1]:
                        cuts.append(c)
                words = _count_words(text, cuts[-1], para.end)
            else:
                words += pw
    # A short tail joins the passage before it, within the same chapter.
    chapter_starts = {c.start for c in work.chapters if 0 < c.start < n}
    if len(cuts) > 1 and cuts[-1] not in chapter_starts and _count_words(text, cuts[-1], n) < min_words // 2:
        cuts.pop()
    # Chapter starts always cut, even if a malformed paragraph straddles one.
    cuts = sorted(set(cuts) | chapter_starts | {n})

    chapters = sorted(work.chapters, key=lambda c: c.start)
    starts = [c.start for c in chapters]
    first, last = story_bounds(work)
    passages: list[Passage] = []
    chapter_idx = 0
    for i in range(len(cuts) - 1):
        start, end = cuts[i], cuts[i + 1]
        while chapter_idx + 1 < len(starts) and starts[chapter_idx + 1] <= start:
            chapter_idx += 1
        # Within the story too: chapter 1 from its heading after a folded header, the last
        # chapter up to the end notes.
        lo, hi = first, last
        if len(chapters) > 1:
            lo = max(chapters[chapter_idx].start, first)
            hi = max(min(chapters[chapter_idx].end, last), lo)
        passages.append(
            Passage(
                index=i,
                chapter=chapters[chapter_idx].index if chapters else 0,
                start=start,
                end=end,
                words=_count_words(text, start, end),
                position=_percent(start - first, last - first),
                end_position=_percent(end - first, last - first),
                text=text[start:end],
                chapter_position=_percent(start - lo, hi - lo),
                chapter_end_position=_percent(end - lo, hi - lo),
            )
        )
    return passages
