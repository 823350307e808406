"""A report stored by ``forewarn batch``, as ``/db/ID`` shows it: with its reading mode when a
file still holds the work's text, else what the HTML report says of it without the text."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sqlite3
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from typing import IO, Any

from forewarn.aggregate import PassageRef, WorkWarning
from forewarn.declared import Comparison, DeclaredItem
from forewarn.language import Language, language_name
from forewarn.pipeline import Report
from forewarn.rating import Suggestion
from forewarn.readers import DEFAULT_MAX_BYTES, FORMATS, read
from forewarn.report.html import render_html
from forewarn.report.html_common import _passage_map, _place, notice_html, work_language
from forewarn.report.html_summary import (
    BAR_KEYS,
    HOW_TO_READ,
    _declared,
    _locations,
    _status,
    passage_confidence,
    warnings_table,
)
from forewarn.split import Passage, _percent
from forewarn.web.pages import _page
from forewarn.work import Chapter, Metadata, ReadError, Work, has_opening

# Batch stores works up to the readers' limit; a file far past it is something else now.
_STORED_MAX_BYTES = 4 * DEFAULT_MAX_BYTES


@contextmanager
def _open_stored(path: str) -> Iterator[IO[bytes]]:
    """A stored work's file: a path, or a ZIP member as batch names it (``archive.zip!member``)."""
    if os.path.isfile(path) or "!" not in path:
        with open(path, "rb") as f:
            yield f
        return
    from forewarn.batch import zip_splits  # not at the top: batch brings multiprocessing

    for archive, member in zip_splits(path):  # the first ZIP that holds the member: "a!b.zip!x.txt"
        with zipfile.ZipFile(archive) as z:  # may be x.txt in "a!b.zip" beside a ZIP "a" without it
            if member in z.NameToInfo:
                with z.open(member) as f:
                    yield f
                return
    raise FileNotFoundError(path)


def _read_stored(path: str) -> bytes:
    with _open_stored(path) as f:
        data = f.read(_STORED_MAX_BYTES + 1)
    if len(data) > _STORED_MAX_BYTES:
        raise ValueError("too large to be the stored work")
    return data


def _same_content(path: str, content_hash: str) -> bytes | None:
    """The file's bytes when it still holds the stored content; None if not, or unreadable."""
    try:
        data = _read_stored(path)
    except (OSError, ValueError, RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error):
        return None  # moved, deleted, unreadable, a NUL in the name, a damaged or encrypted ZIP
    return data if hashlib.sha256(data).hexdigest() == content_hash else None


def _stored_text(report: dict[str, Any], content_hash: str) -> tuple[Work | None, str]:
    """The work's text for the reading mode, read as the batch read it, from the first of its
    paths that still holds the stored content; else None and why, in one sentence of HTML (a
    path in it is escaped and in a <bdi>: a right-to-left name must not turn the words after it)."""
    stored_work = report["work"]
    paths = stored_work.get("paths") or [stored_work["path"]]  # every file that held it
    fmt = {"ao3-html": "html"}.get(stored_work.get("format"), stored_work.get("format"))
    for path in paths:
        data = _same_content(path, content_hash)
        if data is None:
            continue
        try:
            work = read(data, name=path, format=fmt if fmt in FORMATS else None, max_bytes=len(data))
        except ReadError as e:
            shown = f"<bdi>{escape(path)}</bdi> could not be read again ({escape(str(e))})"
            return None, f"Reading mode is not available: {shown}."
        chapters = [(c["start"], c["end"]) for c in stored_work["chapters"]]
        if len(work.text) != stored_work["characters"] or [(c.start, c.end) for c in work.chapters] != chapters:
            return None, escape(
                "Reading mode is not available: this version of forewarn reads the work's text differently "
                "from the one that scanned it, so the stored places would not match (forewarn batch again?)."
            )
        work.source_path = path
        return work, ""
    where = "its path" if len(paths) == 1 else f"any of its {len(paths)} paths"
    return None, escape(f"Reading mode needs the work's text, which is no longer at {where} (or has changed).")


def _known(cls: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The keys of ``values`` that are fields of the dataclass ``cls`` (the JSON adds some)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in values.items() if k in names}


def _report_from_dict(report: dict[str, Any], work: Work) -> Report:
    """A stored report (its JSON form) over the work's text again: its warnings, places, declared
    comparison and AO3 fit are the stored ones; only the passages' text comes from ``work``."""
    ao3 = report["ao3"]
    return Report(
        work=work,
        passages=[Passage(**_known(Passage, p), text=work.text[p["start"] : p["end"]]) for p in report["passages"]],
        warnings=[
            WorkWarning(
                **{**_known(WorkWarning, w), "evidence": [PassageRef(**_known(PassageRef, e)) for e in w["evidence"]]}
            )
            for w in report["warnings"]
        ],
        declared=[DeclaredItem(**_known(DeclaredItem, d)) for d in report["declared"]],
        comparison=Comparison(**_known(Comparison, report["comparison"])),
        rating=Suggestion(name=ao3["rating"]["suggested"], reason=ao3["rating"]["reason"]),
        archive_warnings=[Suggestion(**_known(Suggestion, a)) for a in ao3["archive_warnings"]],
        model_version=report["model_version"],
        settings=dict(report.get("settings") or {}),
        timings=dict(report.get("timings") or {}),
        language=_language(report["work"].get("detected_language")),
        caveats=list(report.get("caveats") or []),
    )


def _language(code: object) -> Language | None:
    """The stored ``work.detected_language`` as a ``Language`` (its name from forewarn.language)."""
    return Language(code, language_name(code)) if isinstance(code, str) else None


def _stored_reading_page(row: sqlite3.Row, report: Report) -> str:
    """The HTML report with its reading mode, said to be the one stored by ``forewarn batch``."""
    note = (
        f'<p class="note">The results stored by forewarn batch on {escape(row["scanned_at"])} with model '
        f'{escape(report.model_version)} (<a href="/db/{row["id"]}.json">JSON</a>); the text is read from '
        f'<bdi>{escape(report.work.source_path or "")}</bdi>. <a href="/db">All scanned works</a></p>'
    )
    page = render_html(report)
    return page.replace("<main>", f"<main>{note}", 1)


_CHOSE_NOT_TO_WARN = "The author chose not to use archive warnings."


def _lang(language: object) -> str:
    """` lang="..."` for the work's own text, from the stored ``work.language`` as the HTML
    report takes it (a tag, or a name AO3 gives: "Deutsch" is de); else nothing, since a
    wrong lang is worse than none."""
    tag = work_language(language) if isinstance(language, str) else None
    return f' lang="{escape(tag)}"' if tag else ""


def _with_chapter_positions(report: dict[str, Any]) -> dict[str, Any]:
    """The stored passages and evidence with their places in the chapter, computed as the
    splitter does from their offsets when the report is from before chapter positions."""
    work = report["work"]
    chapters = {c["index"]: (c["start"], c["end"]) for c in work["chapters"]}
    whole = (0, work["characters"])

    def filled(item: dict[str, Any]) -> dict[str, Any]:
        if "chapter_position" in item:
            return item
        lo, hi = chapters.get(item["chapter"], whole) if len(chapters) > 1 else whole
        return {
            **item,
            "chapter_position": _percent(item["start"] - lo, hi - lo),
            "chapter_end_position": _percent(item["end"] - lo, hi - lo),
        }

    warnings = [{**w, "evidence": [filled(e) for e in w["evidence"]]} for w in report["warnings"]]
    return {**report, "passages": [filled(p) for p in report["passages"]], "warnings": warnings}


def _textless_report(report: dict[str, Any]) -> Report:
    """A stored report as a Report over no text: what the HTML report says of it but its quotes
    and reading mode (its places, declared comparison and AO3 fit are the stored ones)."""
    stored, ao3 = report["work"], report["ao3"]
    work = Work(
        text="",
        chapters=[
            Chapter(index=c["index"], title=c["title"], start=c["start"], end=c["end"]) for c in stored["chapters"]
        ],
        metadata=Metadata(
            title=stored.get("title"),
            authors=list(stored.get("authors") or []),
            rating=ao3["rating"].get("declared"),
            archive_warnings=list(ao3.get("declared_archive_warnings") or []),
            language=stored.get("language"),
        ),
        source_format=stored.get("format") or "text",
        source_path=stored.get("path"),
        encoding=stored.get("encoding"),
        notices=list(stored.get("notices") or []),
    )
    return _report_from_dict(_with_chapter_positions(report), work)


def _stored_summary(report: Report) -> str:
    """The HTML report's table of warnings (``forewarn.report.html_summary._summary``) without what needs
    the text: the strongest passages' places instead of their quotes, and no bar of links into a
    reading mode; every flagged passage's place, and "not declared (low confidence)" as there."""
    by_index = _passage_map(report)
    rows = []
    for w in report.warnings:
        count = f"{w.passage_count} passage{'s' if w.passage_count != 1 else ''}"
        strongest = "".join(
            f"<li>{_place(report, e)} ({passage_confidence(e)})</li>" for e in sorted(w.evidence, key=lambda e: e.start)
        )
        rows.append(
            f'<tr><th scope="row">{escape(w.name)}</th><td data-label="Confidence">{w.confidence:.2f}</td>'
            f'<td data-label="Severity">{escape(w.severity)}</td><td data-label="Declared?">{_status(report, w)}</td>'
            f'<td data-label="Where">{count}: <span class="where">{_locations(report, w.passages, by_index=by_index)}'
            "</span><details><summary>Strongest passages"
            f'<span class="vh">: {escape(w.name)}</span></summary><ol>{strongest}</ol></details></td></tr>'
        )
    return warnings_table(rows)


def _stored_declared(report: Report) -> str:
    """The HTML report's declared-vs-detected and AO3 fit sections, with the terminal's note
    when the author chose not to use archive warnings (undeclared detections are then expected)."""
    section = _declared(report)
    if report.comparison.chose_not_to_warn and _CHOSE_NOT_TO_WARN not in section:
        note = f'<p class="note">{_CHOSE_NOT_TO_WARN}</p>'
        at = section.find("<h2>AO3 fit</h2>")
        section = section[:at] + note + section[at:] if at >= 0 else section + note
    return section


def _stored_page(row: sqlite3.Row, report: dict[str, Any], why_html: str) -> str:
    """A report as stored by ``forewarn batch``, without the text: what the HTML report shows
    but the quotes and the reading mode."""
    work = report["work"]
    title = work["title"] or row["path"]
    listed = [Chapter(index=c["index"], title=c["title"], start=c["start"], end=c["end"]) for c in work["chapters"]]
    chapters = len(listed) - has_opening(listed)  # as the work counts them, and the HTML report
    head = (
        f'<header><h1{_lang(work.get("language")) if work["title"] else ""} dir="auto">{escape(title)}</h1>'
        f'<p class="meta"><bdi>{escape(row["path"])}</bdi>: {work["words"]:,} words, {chapters:,} '
        f"chapter{'s' if chapters != 1 else ''}, scanned {escape(row['scanned_at'])} "
        f"with model {escape(report['model_version'])}.</p>"
        + "".join(f'<p class="notice">Read in part: {notice_html(n)}</p>' for n in work.get("notices", []))
        + "".join(f'<p class="notice" role="alert">Caveat: {escape(n)}</p>' for n in report.get("caveats", []))
        + f'<p class="note">{why_html} This is the report stored then '
        f'(<a href="/db/{row["id"]}.json">JSON</a>).</p></header>'
    )
    try:
        rebuilt = _textless_report(report)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        main = "<p>The stored report is in a form this forewarn does not read; its JSON is linked above.</p>"
    else:  # no bar in this page: its sentence in "How to read this" would point at nothing
        how = HOW_TO_READ.replace("; the bar shows the whole work, chapter breaks as ticks", "").replace(BAR_KEYS, "")
        main = _stored_summary(rebuilt) + how + _stored_declared(rebuilt)
    return _page(
        f"forewarn: {title}",
        f'{head}<main>{main}</main><footer><p><a href="/db">All scanned works</a></p></footer>',
    )
