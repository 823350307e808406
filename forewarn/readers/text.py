"""Plain text and Markdown: paragraphs, chapter headings and a header block.

Paragraph and chapter offsets index the decoded text itself, so a report's
offsets slice the file as the user sees it (newlines normalised to ``\\n``).
"""

from __future__ import annotations

import re

from forewarn.work import Chapter, Metadata, Span, Work

_NUM = (
    r"(?:\d+|[ivxlcdm]+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"[a-z]+-?(?:one|two|three|four|five|six|seven|eight|nine)|twenty|thirty|forty|fifty)"
)
HEADING = re.compile(
    rf"^(?:(?:chapter|part|book)\s+{_NUM}\b.*|prologue\b.*|epilogue\b.*|interlude\b.*)$",
    re.IGNORECASE,
)
MD_HEADING = re.compile(r"^#{1,3}\s+\S.*$")
DECLARATION = re.compile(
    r"^\s*(?:\*\*|__)?\s*(?:(?:archive|content|trigger|chapter|story)\s+)?"
    r"(?:warnings?(?:\s+for\s+this\s+(?:chapter|fic|story|work))?|tws?|cws?|trigger\s+warnings?|content\s+warnings?|triggers)"
    r"\s*(?:\*\*|__)?\s*[:\-\u2013\u2014]",
    re.IGNORECASE,
)
_FIELDS = {
    "title": "title",
    "author": "authors",
    "authors": "authors",
    "by": "authors",
    "rating": "rating",
    "fandom": "fandoms",
    "fandoms": "fandoms",
    "pairing": "relationships",
    "pairings": "relationships",
    "relationship": "relationships",
    "relationships": "relationships",
    "characters": "characters",
    "character": "characters",
    "tags": "freeform_tags",
    "additional tags": "freeform_tags",
    "summary": "summary",
    "category": "categories",
    "categories": "categories",
}
_FIELD_LINE = re.compile(r"^\s*([A-Za-z ]{2,20})\s*:\s*(.+?)\s*$")
_PARA = re.compile(r"\S(?:.*\S)?(?:\n[ \t]*\S(?:.*\S)?)*")


def paragraph_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Blocks separated by blank lines; a text with no blank line: one per line."""
    end = len(text) if end is None else end
    spans = [Span(m.start(), m.end()) for m in _PARA.finditer(text, start, end)]
    if len(spans) == 1 and text.count("\n", start, end) > 3:
        spans = [Span(m.start(), m.end()) for m in re.finditer(r"\S(?:.*\S)?", text[:end]) if m.start() >= start]
    return spans


def _is_heading(text: str, span: Span, *, markdown: bool) -> bool:
    line = text[span.start : span.end]
    if "\n" in line or len(line) > 120:
        return False
    return bool(HEADING.match(line.strip()) or (markdown and MD_HEADING.match(line)))


def _header(text: str, paras: list[Span], meta: Metadata) -> None:
    """Fill metadata from 'Key: value' lines and declarations near the start and end."""
    lines = text.split("\n")
    head = lines[:30]
    tail = lines[-15:] if len(lines) > 45 else []
    for line in head + tail:
        if DECLARATION.match(line):
            if line.strip() not in meta.declaration_lines:
                meta.declaration_lines.append(line.strip())
            continue
        if line not in head:
            continue
        m = _FIELD_LINE.match(line)
        if not m:
            continue
        key, value = m.group(1).strip().lower(), m.group(2).strip()
        attr = _FIELDS.get(key)
        if attr is None:
            continue
        current = getattr(meta, attr)
        if isinstance(current, list):
            if not current:
                current.extend(v.strip() for v in re.split(r",|;", value) if v.strip())
        elif current is None:
            setattr(meta, attr, value)


def read_plain(text: str, *, markdown: bool = False) -> Work:
    """Build a ``Work`` from decoded text."""
    paras = paragraph_spans(text)
    meta = Metadata()
    _header(text, paras, meta)
    starts: list[tuple[int, str | None]] = []
    for p in paras:
        if _is_heading(text, p, markdown=markdown):
            starts.append((p.start, text[p.start : p.end].lstrip("# ").strip()))
    if not starts or starts[0][0] > 0:
        # Text before the first heading (a header, a preface) is chapter 0.
        starts.insert(0, (0, None))
    chapters: list[Chapter] = []
    for k, (s, title) in enumerate(starts):
        e = starts[k + 1][0] if k + 1 < len(starts) else len(text)
        chapters.append(Chapter(k, title, s, e, [p for p in paras if s <= p.start < e]))
    # A header block alone before "Chapter 1" is not a chapter of its own.
    if (
        len(chapters) > 1
        and chapters[0].title is None
        and sum(len(text[p.start : p.end].split()) for p in chapters[0].paragraphs) < 80
    ):
        first, second = chapters[0], chapters[1]
        chapters[1] = Chapter(0, second.title, 0, second.end, first.paragraphs + second.paragraphs)
        chapters = [chapters[1]] + [
            Chapter(i + 1, c.title, c.start, c.end, c.paragraphs) for i, c in enumerate(chapters[2:])
        ]
    return Work(text=text, chapters=chapters, metadata=meta, source_format="markdown" if markdown else "text")
