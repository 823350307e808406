"""Plain text and markdown: paragraphs and chapters, with header metadata.

The text is kept exactly as decoded so offsets point into what the reader saw. What a line
is, chapter headings, declarations and the header block are read by the sibling modules
``lines``, ``headings``, ``declarations`` and ``headerlines``; the names other modules import
from here stay importable from here.
"""

from __future__ import annotations

import re

from forewarn.readers.declarations import add_unique, scan_notes
from forewarn.readers.emphasis import markdown_emphasis
from forewarn.readers.frontmatter import parse_front_matter
from forewarn.readers.headerlines import apply_front_matter, is_front_matter, scan_lines
from forewarn.readers.headings import (
    SETEXT_UNDERLINE,
    heading_lines_title,
    heading_title,
    is_preface,
    level_ones,
    numbered_headings,
    setext_headings,
)
from forewarn.readers.lines import DECLARATION
from forewarn.work import Chapter, Metadata, Span, Work

__all__ = [
    "DECLARATION",
    "SETEXT_UNDERLINE",
    "add_unique",
    "build_chapters",
    "heading_lines_title",
    "heading_title",
    "is_front_matter",
    "is_preface",
    "paragraph_spans",
    "parse_text",
    "read_plain",
    "scan_lines",
    "scan_notes",
]

_NAMES_CHAPTER = re.compile(r"\s*(?:(?:chapter|chap\.|ch\.)\s*\w|ch\s+\d)", re.IGNORECASE)


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
        apply_front_matter(meta, fields)
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
        first = next(iter(level_ones(text, setext, strip=False)), None)
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
    if len(starts) < 2 or len(level_ones(text, setext)) != 1:
        return None
    first = paragraphs[starts[0][0]]
    line = text[first.start : first.end]
    title = starts[0][1]
    underlined = setext.get(text.rfind("\n", 0, first.start) + 1, (0, 0, ""))[0] == 1
    if not (re.match(r"#\s", line) or underlined) or title is None or heading_title(title) is not None:
        return None
    return title


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
