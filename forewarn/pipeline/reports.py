"""What a scan returns: the ``Report`` of one work, and the id of its JSON schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forewarn import SCHEMA
from forewarn.aggregate import WorkWarning
from forewarn.declared import Comparison, DeclaredItem
from forewarn.language import Language
from forewarn.rating import Suggestion
from forewarn.split import Passage
from forewarn.work import Work

__all__ = ["SCHEMA", "Report"]  # SCHEMA lives in forewarn itself: reading it there loads no pipeline


@dataclass(repr=False)
class Report:
    """Everything forewarn found about one work.

    Its repr leaves out the text and the passage lists (a 2,600-word chapter printed
    40 KB in a REPL): sizes and warning ids instead.
    """

    work: Work
    passages: list[Passage]
    warnings: list[WorkWarning]
    declared: list[DeclaredItem]
    comparison: Comparison
    rating: Suggestion
    archive_warnings: list[Suggestion]
    model_version: str
    settings: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    # The language the story reads as (None: too short or too odd to tell); forewarn reads
    # English only, so another language is a caveat.
    language: Language | None = None
    # What limits this report, one sentence each, for people; every report form shows them.
    caveats: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        found = ", ".join(f"{w.id} {w.confidence:.2f}" for w in self.warnings)
        return (
            f"Report(work={self.work!r}, passages=<{_count(len(self.passages), 'passage')}>, "
            f"warnings=[{found}], undeclared={[w.id for w in self.undeclared]!r}, "
            f"declared=<{_count(len(self.declared), 'declaration')}>, rating={self.rating.name!r}, "
            f"archive_warnings={[s.name for s in self.archive_warnings]!r}, model_version={self.model_version!r}, "
            f"filtered={self.filtered!r}, total_s={self.timings.get('total_s')!r})"
        )

    @property
    def filtered(self) -> bool:
        """Whether ``only``/``ignore`` left warnings out.

        The AO3 suggestions are then computed from ``settings["considered"]`` alone and may
        be lower than a full scan's, so every report form has to say so.
        """
        return bool(self.settings.get("filtered"))

    @property
    def undeclared(self) -> list[WorkWarning]:
        """Detected warnings the author did not declare."""
        missing = set(self.comparison.missing)
        return [w for w in self.warnings if w.id in missing]


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
