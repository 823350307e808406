"""The report page's sections above the reading mode: the table of detected warnings (with
where each is, a bar of links into the reading mode and its evidence, hidden until asked for),
"How to read this", and what the author declared against the AO3 fit."""

from __future__ import annotations

from forewarn.aggregate import PassageRef, WorkWarning
from forewarn.declared import AO3_NO_WARNING, NO_WARNINGS_APPLY, ao3_value, names_no_warning
from forewarn.pipeline import Report
from forewarn.report import comparison_notes, quote
from forewarn.report.html_common import _chapter_name, _e, _lang, _passage_map, _place
from forewarn.report.html_reading import _LINE_BREAK_FORMATS, _run_starts, _segments
from forewarn.report.inline import Inline
from forewarn.split import Passage, story_bounds

# Below this an undeclared detection is shown as unsure rather than as the author's omission.
LOW_CONFIDENCE = 0.5


def _bar(
    report: Report, passages: list[int], label: str, *, by_index: dict[int, Passage], starts: dict[int, int]
) -> str:
    """Where a warning is, as links; a group of labelled links (an image role would hide them).
    ``by_index`` and ``starts`` (see ``_run_starts``) are computed once per report."""
    marks = []
    for i in passages:
        p = by_index.get(i)
        if p is None:
            continue
        width = max(p.end_position - p.position, 0.6)
        where = _place(report, p)
        marks.append(
            f'<a class="mark" href="#r-{starts.get(p.index, p.index)}" '
            f'style="left:{p.position:.2f}%;width:{width:.2f}%" '
            f'aria-label="{_e(label)}: {where}, jump to passage (shows text)" '
            f'title="{where}: jump to passage (shows text)"></a>'
        )
    # Chapter starts in the story's coordinates, as the passages' positions are.
    first, last = story_bounds(report.work)
    ticks = "".join(
        f'<span class="tick" style="left:{100 * max(c.start - first, 0) / max(last - first, 1):.2f}%"></span>'
        for c in report.work.chapters[1:]
    )
    return f'<div class="bar" role="group" aria-label="{_e(label)}: where in the work">{ticks}{"".join(marks)}</div>'


def _locations(report: Report, passages: list[int], *, by_index: dict[int, Passage]) -> str:
    """Chapters and positions of a warning's passages, runs merged ("chapter 2: 36-45%", within
    the chapter; the whole work's % for one chapter); no text."""
    many = len(report.work.chapters) > 1
    spans: list[tuple[int, float, float, int]] = []  # chapter, from %, to %, last index
    for i in passages:
        p = by_index.get(i)
        if p is None:
            continue
        lo, hi = (p.chapter_position, p.chapter_end_position) if many else (p.position, p.end_position)
        if spans and spans[-1][0] == p.chapter and spans[-1][3] == i - 1:
            spans[-1] = (p.chapter, spans[-1][1], hi, i)
        else:
            spans.append((p.chapter, lo, hi, i))
    parts = []
    for chapter, lo, hi, _ in spans:
        at = f"{lo:.0f}%" if round(hi) - round(lo) < 2 else f"{lo:.0f}&ndash;{hi:.0f}%"
        parts.append(f"{_chapter_name(report, chapter)}: {at}" if many else at)
    return "; ".join(parts)


def _status(report: Report, warning: WorkWarning) -> str:
    if warning.id not in set(report.comparison.missing):
        return '<span class="ok">declared</span>'
    if warning.confidence < LOW_CONFIDENCE:  # an unsure detection: no blame on the author
        return '<span class="maybe">not declared (low confidence)</span>'
    return '<span class="bad">not declared</span>'


def _evidence_target(index: int, starts: dict[int, int]) -> str:
    """Where an evidence link goes: its block (``r-N``, as the bar marks), whose notice is shown
    when the reader hid the text; a link into hidden text went nowhere. The script sends it on
    to the passage itself (``data-passage``) when its text is shown."""
    return f"r-{starts[index]}" if index in starts else f"p-{index}"


def _quote_text(report: Report, e: PassageRef, inline: Inline) -> str:
    """The evidence, cut, its paragraphs apart by a blank line (the quote's ``white-space:
    pre-line`` shows them: "Kill me." ran into the next paragraph), and its line breaks as the
    reading mode shows them (``inline``: a plain text's hard wraps are joined)."""
    paras = [inline.plain(lo, hi) for lo, hi in _segments(report, e.chapter, e.start, e.end, None)]
    if report.work.source_format not in _LINE_BREAK_FORMATS:
        paras = ["\n".join(" ".join(line.split()) for line in p.split("\n")) for p in paras]
    return quote("\n\n".join(paras))


def passage_confidence(e: PassageRef) -> str:
    """An evidence passage's own score and severity in the words of "How to read this"
    ("confidence 0.62, depicted"): "p=0.62" meant nothing to a reader who is no statistician."""
    return f"confidence {e.probability:.2f}, {_e(e.severity)}"


def _summary(report: Report, inline: Inline) -> str:
    rows = []
    by_index, starts = _passage_map(report), _run_starts(report)
    for w in report.warnings:
        evidence = "".join(
            f'<li><a href="#{_evidence_target(e.index, starts)}" data-passage="p-{e.index}">{_place(report, e)}</a> '
            f"({passage_confidence(e)})"
            f'<blockquote dir="auto"{_lang(report)}>{_e(_quote_text(report, e, inline))}</blockquote></li>'
            for e in w.evidence
        )
        count = f"{w.passage_count} passage{'s' if w.passage_count != 1 else ''}"
        where = _locations(report, w.passages, by_index=by_index)
        rows.append(
            f'<tr><th scope="row">{_e(w.name)}</th><td data-label="Confidence">{w.confidence:.2f}</td>'
            f'<td data-label="Severity">{_e(w.severity)}</td><td data-label="Declared?">{_status(report, w)}</td>'
            f'<td data-label="Where">{count}: <span class="where">{where}</span>'
            f"{_bar(report, w.passages, w.name, by_index=by_index, starts=starts)}"
            f'<details><summary>Show evidence (spoilers)<span class="vh">: {_e(w.name)}</span></summary>'
            f"<ol>{evidence}</ol></details></td></tr>"
        )
    return warnings_table(rows)


def warnings_table(rows: list[str]) -> str:
    """The detected warnings' table under a heading of its own (with only a caption, a screen
    reader's heading list went from the title straight to "How to read this"), or the
    no-warnings note under it."""
    head = '<h2 id="detected-h">Detected warnings</h2>'
    if not rows:
        return (
            f'{head}<p class="ok">No warnings detected; detection misses implied content, '
            'so this is not a promise that none apply (see <a href="#how">How to read this</a>).</p>'
        )
    return (
        f'{head}<p class="note">What confidence, severity and declared mean: <a href="#how">How to read '
        "this</a>, below the table.</p>"
        '<table class="warnings" aria-labelledby="detected-h"><thead><tr><th scope="col">Warning</th>'
        '<th scope="col">Confidence</th><th scope="col">Severity</th><th scope="col">Declared?</th>'
        f'<th scope="col">Where</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


# The bars' keys, said only where the script makes them work (it shows this): without it, Tab
# stops at every mark.
BAR_KEYS = (
    ' <span id="bar-keys" hidden>On a keyboard, Tab stops at each bar once, and the left and right '
    "arrow keys, Home and End move along its marks.</span>"
)

HOW_TO_READ = (
    '<section id="how" class="how" aria-labelledby="how-h"><h2 id="how-h">How to read this</h2>'
    "<p><strong>Confidence</strong> (0 to 1) is how sure the model is that the warning applies somewhere in the "
    "work; it is not how intense the content is.</p>"
    "<p><strong>Severity</strong>, mildest first: <em>mentioned</em> (named or referred to), <em>implied</em> "
    "(suggested, not shown), <em>depicted</em> (happens on the page), <em>graphic</em> (shown in explicit "
    "detail). The table gives the strongest passage.</p>"
    "<p><strong>Where</strong> gives how far into the chapter a passage starts (for a work of one chapter, into "
    "the work); the bar shows the whole work, chapter breaks as ticks. Chapters are counted from the first "
    f"chapter heading; the text before it, if any, is the <em>opening</em>.{BAR_KEYS}</p>"
    "<p><strong>Declared</strong> is what the author tagged or wrote in a warnings line; <strong>detected</strong> "
    "is what forewarn found in the text. 'Not declared' means the text suggests a warning the author did not "
    f"list; with low confidence (below {LOW_CONFIDENCE:.1f}) it may be a false alarm.</p>"
    "<p><strong>AO3 fit</strong> suggests the rating and archive warnings the detections would call for on "
    "Archive of Our Own; it is a suggestion, not a ruling.</p>"
    "<p><strong>Not detected does not mean absent.</strong> Implied content without telling words is often "
    "missed, especially implied self-harm, abuse, sexual assault and child abuse. Each warning's measured "
    "precision and recall are listed by <code>forewarn warnings</code> and in the model card.</p></section>"
)


def _partial(report: Report) -> str:
    """A note when --only/--ignore left warnings out: the suggestions below may be too low."""
    if not report.filtered:
        return ""
    only, ignore = report.settings.get("only"), report.settings.get("ignore")
    chosen = "; ".join(f"{what}: {', '.join(ids)}" for what, ids in (("only", only), ("ignoring", ignore)) if ids)
    return (
        f'<p class="note partial">From the selected warnings only ({_e(chosen)}): a scan of every warning '
        "may suggest a higher rating or more archive warnings.</p>"
    )


def _unmapped(raw: str) -> str:
    """What a declared item without a warning id is: "none" and AO3's no-warning values are known.
    "Creator Chose Not To Use Archive Warnings" is no "none": undeclared content is to be expected."""
    value = ao3_value(raw)
    if value in AO3_NO_WARNING and value != NO_WARNINGS_APPLY:
        return "no warning named (the author chose not to warn)"
    return "no warning named" if names_no_warning(raw) else "not in the taxonomy"


# Where a declaration was read, in a reader's words: a bare "header" after the id read as one
# phrase ("alcohol -> drug-use header"), and "ao3-tag" is the program's name for it.
_SOURCES = {
    "header": "the author's warnings line",
    "ao3-archive-warning": "an AO3 archive warning",
    "ao3-tag": "an AO3 tag",
}


def _source(source: str) -> str:
    return _SOURCES.get(source, source)


def _declared(report: Report) -> str:
    items = (
        "".join(
            f"<li><bdi>{_e(d.raw)}</bdi> &rarr; {_e(d.warning_id or _unmapped(d.raw))}"
            f"{' (' + _e(d.qualifier) + ')' if d.qualifier else ''} <small>(from {_e(_source(d.source))})</small></li>"
            for d in report.declared
        )
        or "<li>Nothing declared (no warnings line, archive warnings or tags found).</li>"
    )
    comp = report.comparison
    extra = f"<p>Declared but not detected: {_e(', '.join(comp.extra))}</p>" if comp.extra else ""
    extra += "".join(f"<p>{_e(note)}</p>" for note in comparison_notes(comp))
    if comp.chose_not_to_warn:  # as the terminal says it
        extra += "<p>The author chose not to use archive warnings.</p>"
    archive = "".join(f"<li><strong>{_e(s.name)}</strong>: {_e(s.reason)}</li>" for s in report.archive_warnings)
    rating = report.work.metadata.rating  # the author's words, isolated (a U+202E turned the page's around)
    declared_rating = f" (declared: <bdi>{_e(rating)}</bdi>)" if rating else ""
    return (
        f"<h2>What the author declared</h2><ul>{items}</ul>{extra}"
        f"<h2>AO3 fit</h2>{_partial(report)}"
        f"<p>Rating: <strong>{_e(report.rating.name)}</strong>: {_e(report.rating.reason)}"
        f"{declared_rating}</p><p>Archive warnings:</p><ul>{archive}</ul>"
    )
