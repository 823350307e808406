"""A self-contained HTML report with a reading mode (``forewarn scan --html``).

One file, no external assets: the summary (declared vs detected, AO3 fit,
where each warning occurs), evidence hidden until asked for, and the work
itself with the reader's chosen warnings collapsed behind notices. Every
string that comes from the work is escaped; the page's script reads only
data attributes and never inserts markup built from the work's text.
"""

from __future__ import annotations

import json
import re
from html import escape
from importlib import resources

from forewarn.pipeline import Report

_BLANK = re.compile(r"\n\s*\n")


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _asset(name: str) -> str:
    return (resources.files("forewarn") / "report" / "assets" / name).read_text(encoding="utf-8")


def _bar(report: Report, passages: list[int], label: str) -> str:
    marks = []
    flagged = set(passages)
    for p in report.passages:
        if p.index in flagged:
            width = max(p.end_position - p.position, 0.6)
            marks.append(
                f'<a class="mark" href="#p-{p.index}" style="left:{p.position:.2f}%;width:{width:.2f}%" '
                f'aria-label="{_e(label)} at {p.position:.0f}%"></a>'
            )
    ticks = "".join(
        f'<span class="tick" style="left:{100 * c.start / max(len(report.work.text), 1):.2f}%"></span>'
        for c in report.work.chapters[1:]
    )
    return f'<div class="bar" role="img" aria-label="{_e(label)}: where in the work">{ticks}{"".join(marks)}</div>'


def _summary(report: Report) -> str:
    missing = set(report.comparison.missing)
    rows = []
    for w in report.warnings:
        status = '<span class="bad">not declared</span>' if w.id in missing else '<span class="ok">declared</span>'
        evidence = "".join(
            f'<li><a href="#p-{e.index}">chapter {e.chapter + 1}, {e.position:.0f}%</a> '
            f"(p={e.probability:.2f}, {_e(e.severity)})"
            f"<blockquote>{_e(report.work.text[e.start : e.end].strip()[:600])}</blockquote></li>"
            for e in w.evidence
        )
        rows.append(
            f'<tr><th scope="row">{_e(w.name)}</th><td>{w.confidence:.2f}</td><td>{_e(w.severity)}</td>'
            f"<td>{status}</td><td>{w.passage_count} passage{'s' if w.passage_count != 1 else ''}"
            f"{_bar(report, w.passages, w.name)}"
            f"<details><summary>Show evidence (spoilers)</summary><ol>{evidence}</ol></details></td></tr>"
        )
    if not rows:
        return '<p class="ok">No warnings detected above threshold.</p>'
    return (
        '<table class="warnings"><caption>Detected warnings</caption><thead><tr><th scope="col">Warning</th>'
        '<th scope="col">Confidence</th><th scope="col">Severity</th><th scope="col">Declared?</th>'
        f'<th scope="col">Where</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
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


def _declared(report: Report) -> str:
    items = (
        "".join(
            f"<li>{_e(d.raw)} &rarr; {_e(d.warning_id or 'not in the taxonomy')}"
            f"{' (' + _e(d.qualifier) + ')' if d.qualifier else ''} <small>{_e(d.source)}</small></li>"
            for d in report.declared
        )
        or "<li>Nothing declared (no warnings line, archive warnings or tags found).</li>"
    )
    comp = report.comparison
    extra = f"<p>Declared but not detected: {_e(', '.join(comp.extra))}</p>" if comp.extra else ""
    archive = "".join(f"<li><strong>{_e(s.name)}</strong>: {_e(s.reason)}</li>" for s in report.archive_warnings)
    declared_rating = f" (declared: {_e(report.work.metadata.rating)})" if report.work.metadata.rating else ""
    return (
        f"<h2>What the author declared</h2><ul>{items}</ul>{extra}"
        f"<h2>AO3 fit</h2>{_partial(report)}"
        f"<p>Rating: <strong>{_e(report.rating.name)}</strong>: {_e(report.rating.reason)}"
        f"{declared_rating}</p><p>Archive warnings:</p><ul>{archive}</ul>"
    )


def _reader(report: Report) -> str:
    flags: dict[int, list[str]] = {}
    for w in report.warnings:
        for i in w.passages:
            flags.setdefault(i, []).append(w.id)
    names = {w.id: w.name for w in report.warnings}
    out = []
    chapter = -1
    for p in report.passages:
        if p.chapter != chapter:
            chapter = p.chapter
            title = report.work.chapters[chapter].title if chapter < len(report.work.chapters) else None
            out.append(f'<h3 class="chapter">{_e(title or f"Chapter {chapter + 1}")}</h3>')
        paras = "".join(f"<p>{_e(t.strip())}</p>" for t in _BLANK.split(p.text) if t.strip())
        ids = flags.get(p.index, [])
        if not ids:
            out.append(f'<section class="passage" id="p-{p.index}">{paras}</section>')
            continue
        label = ", ".join(names[i] for i in ids)
        n = len([t for t in _BLANK.split(p.text) if t.strip()])
        out.append(
            f'<section class="passage flagged" id="p-{p.index}" data-warnings="{_e(" ".join(ids))}">'
            f'<div class="notice" hidden><span>{_e(label)}: {n} paragraph{"s" if n != 1 else ""} hidden.</span> '
            f'<button type="button" class="reveal" aria-expanded="false" aria-controls="c-{p.index}">Show</button> '
            f'<a href="#after-{p.index}">Skip past it</a></div>'
            f'<div class="content" id="c-{p.index}">{paras}</div></section><span id="after-{p.index}"></span>'
        )
    choices = "".join(
        f'<label><input type="checkbox" name="hide" value="{_e(w.id)}"> {_e(w.name)}</label>' for w in report.warnings
    )
    return (
        '<section id="reading" aria-labelledby="reading-h"><h2 id="reading-h">Reading mode</h2>'
        f"<fieldset><legend>Hide passages with</legend>{choices or '<p>Nothing to hide.</p>'}</fieldset>"
        f'<article class="work">{"".join(out)}</article></section>'
    )


def render_html(report: Report) -> str:
    """The report as one HTML document (str)."""
    work = report.work
    title = work.metadata.title or (work.source_path or "Pasted text")
    data = json.dumps({"warnings": [w.id for w in report.warnings]}).replace("<", "\\u003c")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">"
        f"<title>forewarn: {_e(title)}</title><style>{_asset('report.css')}</style></head><body>"
        f'<header><h1>{_e(title)}</h1><p class="meta">{work.word_count:,} words, {len(work.chapters)} '
        f"chapter{'s' if len(work.chapters) != 1 else ''} &middot; model {_e(report.model_version)}</p>"
        '<p class="note">forewarn assists; it does not replace your judgement. Evidence is hidden until you ask.</p>'
        f"</header><main>{_summary(report)}{_declared(report)}{_reader(report)}</main>"
        f'<script type="application/json" id="forewarn-data">{data}</script>'
        f"<script>{_asset('report.js')}</script></body></html>"
    )
