"""A readable terminal summary: declared vs detected, where, and the AO3 fit.

Evidence is shown as positions (chapter, % through the work, a bar) rather than
quoted text, so reading the report does not spoil the story. Text that comes
from the work (titles, tags) is printed as plain text, never as rich markup.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from forewarn.aggregate import WorkWarning
from forewarn.declared import declares_none
from forewarn.pipeline import Report

BAR_WIDTH = 16
# --only/--ignore leave warnings out of the AO3 suggestions, which can then be too low.
PARTIAL = "(from the selected warnings only)"


def position_bar(warning: WorkWarning, report: Report, *, width: int = BAR_WIDTH) -> str:
    """A strip of the work with flagged passages marked, e.g. ``··█····██·``."""
    cells = ["·"] * width
    flagged = set(warning.passages)
    for p in report.passages:
        if p.index in flagged:
            lo = min(int(p.position / 100 * width), width - 1)
            hi = min(max(int(p.end_position / 100 * width), lo + 1), width)
            for c in range(lo, hi):
                cells[c] = "█"
    return "".join(cells)


def _where(warning: WorkWarning, report: Report) -> str:
    many = len(report.work.chapters) > 1
    spots = [
        (f"ch{e.chapter + 1} " if many else "") + f"{e.position:.0f}%"
        for e in sorted(warning.evidence, key=lambda e: e.start)
    ]
    more = warning.passage_count - len(spots)
    return ", ".join(spots) + (f" +{more}" if more > 0 else "")


def render(report: Report, *, console: Console, show_passages: bool = False) -> None:
    """Print one report."""
    work = report.work
    meta = work.metadata
    title = meta.title or (work.source_path or "pasted text")
    head = Text(title, style="bold")
    chapters = len(work.chapters)
    head.append(
        f"  {work.word_count:,} words, {chapters} chapter{'s' if chapters != 1 else ''}, "
        f"{len(report.passages):,} passage{'s' if len(report.passages) != 1 else ''}",
        style="dim",
    )
    console.print(head)

    declared = [d for d in report.declared if d.warning_id or d.source == "header"]
    if declared:
        line = Text("Declared: ", style="bold")
        parts = []
        for d in declared:
            label = d.warning_id or (d.raw.strip() if declares_none(d.raw) else f"{d.raw} (unmapped)")
            if d.warning_id and d.raw.strip().lower() != d.warning_id.replace("-", " "):
                label = f"{d.warning_id} ({d.raw.strip()})"
            parts.append(label)
        line.append(", ".join(parts))
        console.print(line)
    else:
        console.print(Text("Declared: nothing found (no warnings line, tags or archive warnings)"))

    if not report.warnings:
        console.print(Text("Detected: no warnings above threshold.", style="green"))
    else:
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        missing = set(report.comparison.missing)
        # Names, confidence, severity and the declared flag never shrink; the bar takes what is
        # left (8 to 24 cells) after about 18 cells for positions, which may be cut short.
        name_width = max(len(w.name) for w in report.warnings)
        bar_width = max(8, min(24, console.width - name_width - 50))
        table.add_column("detected", no_wrap=True, min_width=name_width)
        table.add_column("conf", justify="right", no_wrap=True, min_width=4)
        table.add_column("severity", no_wrap=True, min_width=9)
        table.add_column("decl.", no_wrap=True, min_width=5)
        table.add_column("where in the work", no_wrap=True, min_width=bar_width)
        table.add_column("at", no_wrap=True, overflow="ellipsis")
        for w in report.warnings:
            status = Text("NO", style="bold red") if w.id in missing else Text("yes", style="green")
            table.add_row(
                Text(w.name),
                f"{w.confidence:.2f}",
                w.severity,
                status,
                position_bar(w, report, width=bar_width),
                Text(_where(w, report)),
            )
        console.print(table)
    comp = report.comparison
    if comp.extra:
        console.print(Text("Declared but not detected: " + ", ".join(comp.extra), style="yellow"))
    if comp.unmapped:
        console.print(Text("Declared, not in the taxonomy: " + ", ".join(comp.unmapped), style="dim"))
    if comp.chose_not_to_warn:
        console.print(Text("The author chose not to use archive warnings.", style="dim"))

    partial = f" {PARTIAL}" if report.filtered else ""
    rating = Text(f"AO3 rating{partial}: ", style="bold")
    rating.append(f"{report.rating.name}", style="bold")
    rating.append(f" ({report.rating.reason})")
    if meta.rating:
        rating.append(f"; declared: {meta.rating}", style="dim")
    console.print(rating)
    archive = Text(f"AO3 archive warnings{partial}: ", style="bold")
    archive.append("; ".join(f"{s.name} ({s.reason})" for s in report.archive_warnings))
    console.print(archive)

    if show_passages:
        for w in report.warnings:
            console.print(Text(f"\n{w.name}: evidence", style="bold"))
            for e in w.evidence:
                snippet = work.text[e.start : e.end].strip().replace("\n", " ")
                console.print(
                    Text(f"  [ch{e.chapter + 1} {e.position:.0f}% chars {e.start}-{e.end} p={e.probability:.2f}] ")
                    + Text(snippet[:300] + ("..." if len(snippet) > 300 else ""), style="dim")
                )
