"""A self-contained HTML report with a reading mode (``forewarn scan --html``).

One file, no external assets: the summary (declared vs detected, AO3 fit,
where each warning occurs), evidence hidden until asked for, and the work
itself with the reader's chosen warnings collapsed behind notices. Every
string that comes from the work is escaped; the page's script reads only
data attributes and never inserts markup built from the work's text.

The page is put together here; its parts are in ``html_common`` (escaping, language,
places), ``html_summary`` (the warnings table, "How to read this", declared and AO3 fit)
and ``html_reading`` (the reading mode).
"""

from __future__ import annotations

import json
import re
from importlib import resources

from forewarn.pipeline import Report
from forewarn.report.html_common import _e, _lang, notice_html, work_language
from forewarn.report.html_reading import _hide_rules, _inline, _reader
from forewarn.report.html_summary import HOW_TO_READ, LOW_CONFIDENCE, _declared, _summary
from forewarn.work import has_opening

__all__ = ["HOW_TO_READ", "LOW_CONFIDENCE", "render_html", "work_language"]


def _asset(name: str) -> str:
    return (resources.files("forewarn") / "report" / "assets" / name).read_text(encoding="utf-8")


def _notices(report: Report) -> str:
    """What the reader could not read and what limits the report, above everything else."""
    lines = [f"Read in part: {notice_html(n)}" for n in report.work.notices]
    lines += [f"Caveat: {_e(n)}" for n in report.caveats]
    return "".join(f'<p class="read-in-part" role="alert">{line}</p>' for line in lines)


def _file_name(path: str | None) -> str | None:
    """A path's last part ("story.txt"), as the web app names an upload: a shared report
    should not carry the folders of the machine that wrote it (/home/NAME/Downloads/...)."""
    if not path:
        return None
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1] or path


def render_html(report: Report) -> str:
    """The report as one HTML document (str)."""
    work = report.work
    title = work.metadata.title or _file_name(work.source_path) or "Pasted text"
    title_lang = _lang(report) if work.metadata.title else ""  # a file name is in no language
    chapters = len(work.chapters) - has_opening(work.chapters)  # as the work counts them
    data = json.dumps({"warnings": [w.id for w in report.warnings]}).replace("<", "\\u003c")
    inline = _inline(report)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">"
        f"<title>forewarn: {_e(title)}</title><style>{_asset('report.css')}{_hide_rules(report)}</style></head><body>"
        '<a class="skip" href="#reading-h">Skip to reading mode</a>'
        f'<header><h1 dir="auto"{title_lang}>{_e(title)}</h1>'
        f'<p class="meta">{work.word_count:,} words, {chapters:,} chapter{"s" if chapters != 1 else ""}</p>'
        f"{_notices(report)}"
        '<p class="note">forewarn assists; it does not replace your judgement. Evidence is hidden until you ask.</p>'
        f"</header><main>{_summary(report, inline)}{HOW_TO_READ}{_declared(report)}{_reader(report, inline)}</main>"
        f'<footer><p class="meta">Detected by forewarn, model {_e(report.model_version)}.</p></footer>'
        f'<script type="application/json" id="forewarn-data">{data}</script>'
        f"<script>{_asset('report.js')}</script></body></html>"
    )
