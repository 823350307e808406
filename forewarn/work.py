"""The shared data model: what readers produce and every later stage consumes.

Offsets everywhere are character offsets into ``Work.text``, the text the reader
extracted (for plain text: the decoded file itself). Keeping one coordinate
system lets a report point a reader at the exact span to skip.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` into ``Work.text``."""

    start: int
    end: int


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

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    def __repr__(self) -> str:
        chapters = len(self.chapters)
        return (
            f"Work(title={self.metadata.title!r}, text=<{len(self.text):,} chars, {self.word_count:,} words>, "
            f"chapters=<{chapters:,} chapter{'' if chapters == 1 else 's'}>, source_format={self.source_format!r}, "
            f"source_path={self.source_path!r}, encoding={self.encoding!r})"
        )


class ReadError(ValueError):
    """Input that cannot be read as a work; the message is one line meant for users."""
