"""A readable terminal summary: declared vs detected, where, and the AO3 fit.

Evidence is shown as positions (chapter, % through it, a bar of the work) rather than
quoted text, so reading the report does not spoil the story. Text that comes
from the work (titles, tags, paths) is printed as plain text, never as rich markup, on one line
and, on a terminal, isolated (``isolate``), as the HTML report puts it in <bdi>.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from forewarn.aggregate import PassageRef, WorkWarning
from forewarn.declared import names_no_warning
from forewarn.pipeline import Report
from forewarn.report import FSI, PDI, comparison_notes, isolate, isolate_paths, printable, quote
from forewarn.split import Passage
from forewarn.taxonomy import normalize
from forewarn.work import chapter_number, has_opening

BAR_WIDTH = 16
GAP = "  "
# Below this an undeclared detection is shown as unsure rather than as the author's omission.
LOW_CONFIDENCE = 0.5
# --only/--ignore leave warnings out of the AO3 suggestions, which can then be too low.
PARTIAL = "(from the selected warnings only)"
# Bar cells (empty, flagged), and the fallback for a terminal whose encoding lacks them.
MARKS = ("·", "█")
ASCII_MARKS = (".", "#")


def position_bar(
    warning: WorkWarning, report: Report, *, width: int = BAR_WIDTH, marks: tuple[str, str] = MARKS
) -> str:
    """A strip of the work with flagged passages marked, e.g. ``··█····██·``."""
    empty, flagged_mark = marks
    cells = [empty] * width
    flagged = set(warning.passages)
    for p in report.passages:
        if p.index in flagged:
            lo = min(int(p.position / 100 * width), width - 1)
            hi = min(max(int(p.end_position / 100 * width), lo + 1), width)
            for c in range(lo, hi):
                cells[c] = flagged_mark
    return "".join(cells)


def _spots(warning: WorkWarning, report: Report) -> tuple[list[str], int]:
    """The first flagged passage and the evidence, text order ("36%" into the work; with
    chapters "ch2 5%", 5% into chapter 2, as a reader on a chapter page skips), and how many
    more passages there are. The first comes first: a reader skipping ahead needs it most."""
    refs: dict[int, Passage | PassageRef] = {e.index: e for e in warning.evidence}
    if warning.passages and warning.passages[0] < len(report.passages):
        refs.setdefault(warning.passages[0], report.passages[warning.passages[0]])
    spots = [_at(refs[i], report) for i in sorted(refs)]
    return spots, max(warning.passage_count - len(spots), 0)


def _at(e: Passage | PassageRef, report: Report) -> str:
    if len(report.work.chapters) > 1:
        number = chapter_number(report.work.chapters, e.chapter)
        return f"{'opening' if number is None else f'ch{number}'} {e.chapter_position:.0f}%"
    return f"{e.position:.0f}%"


def _where(spots: list[str], more: int, width: int | None = None) -> str:
    """Whole locations that fit ``width``; the rest are counted in "+N" (never cut mid-location)."""
    for keep in range(len(spots), 0, -1):
        rest = more + len(spots) - keep
        text = ", ".join(spots[:keep]) + (f" +{rest}" if rest else "")
        if width is None or len(text.strip()) <= width:
            return text.strip()
    # The first location even past the width (the line wraps): "+2" alone told a reader nothing.
    return (spots[0] + (f" +{more + len(spots) - 1}" if more + len(spots) > 1 else "")) if spots else f"+{more}"


def _status(warning: WorkWarning, missing: set[str]) -> Text:
    if warning.id not in missing:
        return Text("yes", style="green")
    if warning.confidence < LOW_CONFIDENCE:  # unsure: a possible false alarm, not the author's omission
        return Text("no?", style="yellow")
    return Text("NO", style="bold red")


def _marks(console: Console) -> tuple[str, str]:
    """The bar's characters, in ASCII when the console's encoding lacks them."""
    return MARKS if printable("".join(MARKS), encoding=console.encoding) == "".join(MARKS) else ASCII_MARKS


def _line(console: Console, text: Text) -> None:
    """Print wrapped to the console's width without trailing spaces, in characters it can encode.
    An isolate (a long title) wrapped onto the next line is closed at the end of the one and
    opened again on the next: to a terminal laying out bidi text each line stands alone."""
    safe = printable(text.plain, encoding=console.encoding)
    if safe != text.plain:
        text = text.copy()
        text.plain = safe
    carried = 0
    for line in text.wrap(console, console.width):
        line.rstrip()
        still_open = carried + line.plain.count(FSI) - line.plain.count(PDI)  # only ours: see one_line
        if carried:
            line = Text(FSI * carried).append_text(line)
        if still_open > 0:
            line.append(PDI * still_open)
        carried = max(still_open, 0)
        console.print(line, no_wrap=True, crop=False)


# Below this many columns for the locations beside the other four, each row is stacked.
STACK_BELOW = 12


def _table(report: Report, console: Console) -> None:
    """One row per warning; the bar is dropped before locations would be cut short."""
    missing = set(report.comparison.missing)
    rows = [(w, *_spots(w, report)) for w in report.warnings]
    name_w = max(len("detected"), *(len(w.name) for w in report.warnings))
    fixed = name_w + 4 + 9 + 5 + 5 * len(GAP)  # name, conf, severity, decl. and the gaps between
    room = console.width - fixed
    if room < STACK_BELOW:
        _stacked(rows, report, console, name_w=name_w, missing=missing)
        return
    full = max(len(_where(spots, more)) for _, spots, more in rows)
    bar_w = min(24, room - full - len(GAP)) if room - full - len(GAP) >= 8 else 0
    where_w = max(room - (bar_w + len(GAP) if bar_w else 0), 8)
    head = ["detected".ljust(name_w), "conf", "severity".ljust(9), "decl."]
    if bar_w:
        head.append(("where in the work" if bar_w >= 17 else "where").ljust(bar_w))
    head.append("at" if bar_w else "where")
    _line(console, Text(GAP.join(head), style="bold"))
    folded = False
    for w, spots, more in rows:
        line = Text(w.name.ljust(name_w) + GAP + f"{w.confidence:.2f}".rjust(4) + GAP + w.severity.ljust(9) + GAP)
        status = _status(w, missing)
        line.append_text(status)
        line.append(" " * (5 - len(status.plain)) + GAP)
        if bar_w:
            line.append(position_bar(w, report, width=bar_w, marks=_marks(console)) + GAP)
        where = _where(spots, more, where_w)
        folded = folded or "+" in where
        line.append(where)
        _line(console, line)
    _legend(rows, report, console, folded=folded, missing=missing)


def _stacked(
    rows: list[tuple[WorkWarning, list[str], int]], report: Report, console: Console, *, name_w: int, missing: set[str]
) -> None:
    """A narrow console's table: name, confidence and declared on one line, severity and
    locations indented below (a row of five columns wrapped mid-row at 40 columns)."""
    _line(console, Text(GAP.join(["detected".ljust(name_w), "conf", "decl."]), style="bold"))
    folded = False
    for w, spots, more in rows:
        line = Text(w.name.ljust(name_w) + GAP + f"{w.confidence:.2f}".rjust(4) + GAP)
        line.append_text(_status(w, missing))
        _line(console, line)
        lead = f"  {w.severity}, at "
        where = _where(spots, more, max(console.width - len(lead), 8))
        folded = folded or "+" in where
        _line(console, Text(lead + where))
    _legend(rows, report, console, folded=folded, missing=missing)


def _legend(
    rows: list[tuple[WorkWarning, list[str], int]], report: Report, console: Console, *, folded: bool, missing: set[str]
) -> None:
    """The table's abbreviations that occur in it, explained below it."""
    legend = []
    if len(report.work.chapters) > 1 and rows and any(spots for _, spots, _ in rows):
        legend.append("chN X%: X% into chapter N")
        if any(spot.startswith("opening") for _, spots, _ in rows for spot in spots):
            legend.append("opening: before the first chapter heading")
    if folded:
        legend.append("+N: N more flagged passages")
    if any(w.id in missing and w.confidence < LOW_CONFIDENCE for w in report.warnings):
        legend.append("no?: not declared, low confidence")
    joined = "; ".join(legend)
    for item in [joined] if len(joined) <= console.width else legend:  # an explanation is never split
        if item:
            _line(console, Text(item, style="dim"))


def _own(text: str, console: Console) -> str:
    """Text from the work (a title, the author's words) on one line and, on a terminal, isolated."""
    return isolate(text, encoding=console.encoding, terminal=console.is_terminal)


def render(report: Report, *, console: Console, show_passages: bool = False) -> None:
    """Print one report."""
    work = report.work
    meta = work.metadata
    title = meta.title or work.source_path or "Pasted text"  # as the HTML report names it
    head = Text(_own(title, console), style="bold")
    chapters = len(work.chapters) - has_opening(work.chapters)  # as the work counts them
    head.append(
        f"  {work.word_count:,} words, {chapters:,} chapter{'s' if chapters != 1 else ''}, "
        f"{len(report.passages):,} passage{'s' if len(report.passages) != 1 else ''}",
        style="dim",
    )
    _line(console, head)
    for notice in work.notices:
        paths = isolate_paths(notice, encoding=console.encoding, terminal=console.is_terminal)
        _line(console, Text(f"Read in part: {paths}", style="yellow"))
    for note in report.caveats:
        _line(console, Text(f"Caveat: {note}", style="bold yellow"))

    # AO3's "No Archive Warnings Apply" is a declaration too, from a header line or AO3's field.
    declared = [d for d in report.declared if d.warning_id or d.source == "header" or names_no_warning(d.raw)]
    if declared:
        line = Text("Declared: ", style="bold")
        # One entry per warning, with the author's words for it ("blood & gore": "blood (gore)",
        # not "blood, blood (gore)"); items that name no warning as written.
        words: dict[str, list[str]] = {}
        for d in declared:
            raw = _own(d.raw.strip(), console)  # the author's words
            key = d.warning_id or (raw if names_no_warning(d.raw) else f"{raw} (unmapped)")
            said = words.setdefault(key, [])
            if d.warning_id and normalize(d.raw) != normalize(d.warning_id) and raw not in said:
                said.append(raw)  # not "self-harm (self-harm)"
        line.append(", ".join(f"{key} ({', '.join(said)})" if said else key for key, said in words.items()))
        _line(console, line)
    else:
        _line(console, Text("Declared: nothing found (no warnings line, tags or archive warnings)"))

    if not report.warnings:
        # Not a clean bill: the cues miss what is only implied (the model card's recall figures).
        _line(
            console,
            Text(
                "Detected: no warnings. Not a guarantee: implied content without telling words is often "
                "missed (see `forewarn warnings` for each warning's recall).",
                style="green",
            ),
        )
    else:
        _table(report, console)
    comp = report.comparison
    if comp.extra:
        _line(console, Text("Declared but not detected: " + ", ".join(comp.extra), style="yellow"))
    for note in comparison_notes(comp):
        _line(console, Text(note, style="yellow"))
    if comp.unmapped:
        unmapped = ", ".join(_own(raw, console) for raw in comp.unmapped)
        _line(console, Text("Declared, not in the taxonomy: " + unmapped, style="dim"))
    if comp.chose_not_to_warn:
        _line(console, Text("The author chose not to use archive warnings.", style="dim"))

    partial = f" {PARTIAL}" if report.filtered else ""
    rating = Text(f"AO3 rating{partial}: ", style="bold")
    rating.append(f"{report.rating.name}", style="bold")
    rating.append(f" ({report.rating.reason})")
    if meta.rating:
        rating.append(f"; declared: {_own(meta.rating, console)}", style="dim")
    _line(console, rating)
    archive = Text(f"AO3 archive warnings{partial}: ", style="bold")
    archive.append("; ".join(f"{s.name} ({s.reason})" for s in report.archive_warnings))
    _line(console, archive)

    if show_passages:
        for w in report.warnings:
            _line(console, Text(f"\n{w.name}: evidence", style="bold"))
            for e in w.evidence:
                snippet = work.text[e.start : e.end].strip().replace("\n", " ")
                _line(
                    console,
                    Text(f"  [{_at(e, report)} chars {e.start}-{e.end} p={e.probability:.2f}] ")
                    + Text(_own(quote(snippet, 300), console), style="dim"),
                )
