"""The results browser (``forewarn serve --db FILE``): ``/db``, ``/db/ID``, ``/db/failed`` (the
files a batch could not read) and their JSON twins."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from forewarn.pipeline import check_threshold, resolve_labels
from forewarn.taxonomy import load_taxonomy
from forewarn.web.api import _DB_FAILED_ERRORS, _DB_LIST_ERRORS, _DB_WORK_ERRORS, TOTAL_COUNT, FailedFile, _once
from forewarn.web.pages import _is_ascii_number, _json_off_loop, _page
from forewarn.web.stored import _report_from_dict, _stored_page, _stored_reading_page, _stored_text

# The query-string keys that page /db and /db.json, and the works on one /db page.
_PAGING = ("offset", "limit")
DB_PAGE = 500
# The filters of /db (forewarn query's): the works' results, which a failed file has none of.
_FILTERS = ("has", "not_declared", "min_confidence", "rating_mismatch", "language")


def _flag(name: str, values: list[str]) -> bool:
    """A yes/no filter; anything else is a 422, as an unknown filter is (``banana`` read as no)."""
    yes, no = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
    for value in values:
        if value.lower() not in yes + no:
            detail = f"{name} must be 1 or 0 (true/false, yes/no, on/off), not {value!r}"
            raise HTTPException(status_code=422, detail=detail)
    return any(value.lower() in yes for value in values)


def _not_english(code: str | None) -> str:
    """A ``/db`` row's note for a work in another language, whose results mean little."""
    from forewarn.language import language_name

    return "" if code in (None, "en") else f" (reads as {escape(language_name(code))}, not English)"


def _db_languages(values: list[str]) -> list[str | None] | None:
    """``language`` of ``/db``, as ``forewarn query --language`` takes it; None when not given.
    An unknown one (or an empty one) is a ValueError: it would match nothing, silently."""
    from forewarn.language import parse_languages

    return parse_languages(values) if values else None


def _pager(total: int, offset: int, step: int, kept: list[tuple[str, str]]) -> tuple[str, str]:
    """What a paged list adds to its count ("; 501-1,000 shown") and its links to the pages
    before and after, which keep the filters ``kept``; both empty when all is on one page."""
    end = min(total, offset + step)
    if not (offset or end < total):
        return "", ""
    nav = ([("previous", max(0, offset - step))] if offset else []) + ([("next", end)] if end < total else [])
    links = " ".join(
        f'<a href="?{escape(urlencode([*kept, ("offset", at), ("limit", step)]))}">{label}</a>' for label, at in nav
    )
    return (f"; {offset + 1:,}-{end:,} shown" if end > offset else "; none on this page"), f"<nav><p>{links}</p></nav>"


def _unread(files: int) -> str:
    return f"{files:,} file{'s' if files != 1 else ''} could not be read"


def _when(at: str) -> str:
    """A stored UTC time as people read it: ``2026-11-28 11:49:03`` (its ISO "T" and "Z" made the
    column wrap mid-date)."""
    return at.replace("T", " ").removesuffix("Z")


def _failed_page(rows: list[dict[str, Any]], *, offset: int, step: int) -> str:
    """``/db/failed``: a row per file, its path isolated (a right-to-left name must not turn the
    words after it) and, as the error, escaped; or, when none failed, a sentence saying so."""
    if not rows:
        main = (
            "<p>Every file the batch found was read: none failed, or each one that did has been "
            'read since (<a href="/db/failed.json">JSON</a>).</p>'
        )
    else:
        shown = _unread(len(rows))
        contents = len({r["content_hash"] or f"path:{r['path']}" for r in rows})  # as query --failed
        if contents != len(rows):
            shown += f" ({contents:,} distinct content{'s' if contents != 1 else ''}: identical files)"
        more, pages = _pager(len(rows), offset, step, [])
        listed = "".join(
            f'<tr><th scope="row" class="where"><bdi>{escape(r["path"])}</bdi></th>'
            f'<td data-label="Why">{escape(r["error"])}</td>'
            f'<td data-label="When"><time datetime="{escape(r["at"])}">{escape(_when(r["at"]))}</time></td></tr>'
            for r in rows[offset : offset + step]
        )
        table = (
            '<table><thead><tr><th scope="col">File</th><th scope="col">Why</th><th scope="col">When (UTC)</th>'
            f"</tr></thead><tbody>{listed}</tbody></table>"
            if listed
            else ""
        )
        main = (
            f"<p>{shown}{more}. A re-run of forewarn batch tries them again; <code>forewarn query --failed</code> "
            f'lists them too (<a href="/db/failed.json">JSON</a>).</p>{table}{pages}'
        )
    return _page(
        "forewarn: files that could not be read",
        f"<header><h1>Files that could not be read</h1></header><main>{main}</main>"
        '<footer><p><a href="/db">All scanned works</a></p></footer>',
    )


def _add_db_routes(app: FastAPI, db_path: str | Path) -> None:
    """Browse a results database: ``/db``, ``/db/ID``, ``/db/failed``, and their ``.json`` twins."""
    from forewarn.store import NotADatabase, failed_files, open_existing, query_works, stored_report

    path = Path(db_path).absolute()  # the server may change its working folder

    @contextmanager
    def connect() -> Iterator[sqlite3.Connection]:
        """The database for one request; any trouble with it is the app's error page (503 when
        the file is gone, else 500), not a plain-text 500, including damage found mid-query."""
        if not path.is_file():  # opened read-only, never made again where it was deleted
            raise HTTPException(status_code=503, detail=f"the results database {path} is not there (moved or deleted?)")
        try:
            with closing(open_existing(path)) as conn:
                yield conn
        except NotADatabase as e:
            raise HTTPException(status_code=500, detail=str(e)) from None
        except (sqlite3.DatabaseError, json.JSONDecodeError) as e:
            detail = f"the results database {path} is damaged ({e})"
            raise HTTPException(status_code=500, detail=detail) from None

    def stored(work_id: str) -> sqlite3.Row:
        if not _is_ascii_number(work_id) or len(work_id) > 18:  # '²'.isdigit(); SQLite ids fit 64 bits
            raise HTTPException(status_code=404, detail="no such work in the database")
        with connect() as conn:
            row = conn.execute(
                "SELECT id, path, content_hash, scanned_at FROM works WHERE id = ?", (int(work_id),)
            ).fetchone()
        if row is None:
            raise HTTPException(status_code=404, detail="no such work in the database")
        return row

    def db_filters(request: Request) -> dict[str, Any]:
        """The filters of ``forewarn query`` from the query string (they were ignored silently):
        has (ids or aliases, comma-separated), not_declared, min_confidence, rating_mismatch,
        language (codes, names or "unknown", comma-separated or repeated: any may match)."""
        params = request.query_params
        known = {*_FILTERS, *_PAGING}
        unknown = sorted(set(params) - known)
        if unknown:
            raise HTTPException(status_code=422, detail=f"unknown filter {unknown[0]!r}")
        try:
            has = resolve_labels(params.getlist("has"), taxonomy=load_taxonomy()) or []
            min_confidence = float(params.get("min_confidence", 0))
            check_threshold(min_confidence)
            languages = _db_languages(params.getlist("language"))
        except (TypeError, ValueError) as e:
            raise HTTPException(status_code=422, detail=str(e).replace("threshold", "min_confidence")) from None
        flags = {k: _flag(k, params.getlist(k)) for k in ("not_declared", "rating_mismatch")}
        _once(params, "min_confidence", "not_declared", "rating_mismatch", *_PAGING)
        return {"has": has, "min_confidence": min_confidence, "languages": languages, **flags}

    @app.get("/db.json", responses={**_DB_LIST_ERRORS, **TOTAL_COUNT})
    async def db_index_json(request: Request, response: Response) -> list[dict[str, Any]]:
        """The rows of ``forewarn query --json``; ``limit`` and ``offset`` page them (default:
        all, as before), and the ``X-Total-Count`` header says how many there are."""
        filters = db_filters(request)
        offset, limit = db_paging(request, default=None)
        with connect() as conn:
            rows = query_works(conn, **filters)
        response.headers["X-Total-Count"] = str(len(rows))
        return rows[offset : None if limit is None else offset + limit]

    @app.get("/db", response_class=HTMLResponse, responses=_DB_LIST_ERRORS)
    async def db_index(request: Request) -> str:
        """The works, ``DB_PAGE`` rows a page (an archive's whole list was one page: 2 MB of
        HTML at 5,760 works), with links to the pages before and after."""
        filters = db_filters(request)
        offset, limit = db_paging(request, default=DB_PAGE)
        with connect() as conn:
            rows = query_works(conn, **filters)
            unread = len(failed_files(conn))
        step = limit or DB_PAGE
        end = min(len(rows), offset + step)
        items = "".join(
            f'<li><a href="/db/{r["id"]}" dir="auto">{escape(r["title"] or r["path"])}</a>: '
            f"{escape(', '.join(r['detected']) or 'nothing detected')}{_not_english(r['detected_language'])}</li>"
            for r in rows[offset:end]
        )
        # A row per file, as forewarn query lists them: identical files are one work.
        works = len({r["id"] for r in rows})
        shown = f"{len(rows):,} work{'s' if len(rows) != 1 else ''}"
        if works != len(rows):
            shown += f" ({works:,} distinct work{'s' if works != 1 else ''}: identical files)"
        filtered = [(k, v) for k, v in request.query_params.multi_items() if k not in _PAGING]
        if filtered:
            shown += f' matching {escape(urlencode(filtered))} (<a href="/db">all</a>)'
        more, pages = _pager(len(rows), offset, step, filtered)
        failed = f'<p><a href="/db/failed">{_unread(unread)}</a></p>' if unread else ""
        # In landmarks as every other page (a screen reader's "main" jump found none here).
        body = (
            f"<header><h1>Scanned works</h1></header><main><p>{shown}{more}</p>{failed}<ul>{items}</ul>{pages}</main>"
        )
        return _page("forewarn: results", body)

    def failed_paging(request: Request, *, default: int | None) -> tuple[int, int | None]:
        """``offset`` and ``limit`` as on /db; anything else is a 422, /db's filters too (a failed
        file has no results), as ``forewarn query --failed`` refuses them."""
        params = request.query_params
        unknown = sorted(set(params) - set(_PAGING))
        if unknown:
            name = unknown[0]
            why = f"failed files have no results to filter: /db/failed takes no {name!r}"
            raise HTTPException(status_code=422, detail=why if name in _FILTERS else f"unknown filter {name!r}")
        _once(params, *_PAGING)
        return db_paging(request, default=default)

    @app.get("/db/failed.json", response_model=list[FailedFile], responses={**_DB_FAILED_ERRORS, **TOTAL_COUNT})
    async def db_failed_json(request: Request, response: Response) -> list[dict[str, Any]]:
        """The files that could not be read, as ``forewarn query --failed --json`` lists them;
        paged and counted (``X-Total-Count``) as ``/db.json``."""
        offset, limit = failed_paging(request, default=None)
        with connect() as conn:
            rows = failed_files(conn)
        response.headers["X-Total-Count"] = str(len(rows))
        return rows[offset : None if limit is None else offset + limit]

    @app.get("/db/failed", response_class=HTMLResponse, responses=_DB_FAILED_ERRORS)
    async def db_failed(request: Request) -> str:
        """The files that could not be read, with why and when, ``DB_PAGE`` a page as /db."""
        offset, limit = failed_paging(request, default=DB_PAGE)
        with connect() as conn:
            rows = failed_files(conn)
        return _failed_page(rows, offset=offset, step=limit or DB_PAGE)

    def db_paging(request: Request, *, default: int | None) -> tuple[int, int | None]:
        """``offset`` (from 0) and ``limit`` (1 to 10,000) from the query string; a 422 otherwise."""
        params = request.query_params
        given = [params[name] for name in ("offset", "limit") if name in params]
        # 0-9 only: int() also took "١" (an Arabic-Indic 1), "1_000", "+1" and " 100 ".
        if not all(map(_is_ascii_number, given)):
            raise HTTPException(status_code=422, detail="offset and limit are whole numbers")
        offset = int(params.get("offset", "0"))
        limit = int(params["limit"]) if "limit" in params else default
        if offset < 0 or (limit is not None and not 1 <= limit <= 10_000):
            raise HTTPException(status_code=422, detail="offset is 0 or more, limit 1 to 10,000")
        return offset, limit

    @app.get("/db/{work_id}.json", responses=_DB_WORK_ERRORS)
    async def db_work_json(work_id: str) -> JSONResponse:
        row = stored(work_id)

        def make() -> dict[str, Any]:
            with connect() as conn:  # opened in the thread that uses it
                return stored_report(conn, int(row["id"]))

        return await _json_off_loop(make)

    @app.get("/db/{work_id}", response_class=HTMLResponse, response_model=None, responses=_DB_WORK_ERRORS)
    async def db_work(work_id: str) -> Response:
        """The stored report, with the reading mode when a file still holds the work's text.

        Never a fresh scan: the server's scorer need not be the model the batch used (its
        warnings would pass for the stored ones), and the upload limit is not one on stored works.
        """
        row = stored(work_id)

        def build() -> str:  # off the event loop, as /works/ID: seconds for a long work
            with connect() as conn:  # opened in the thread that uses it
                report = stored_report(conn, int(row["id"]))
            work, why = _stored_text(report, row["content_hash"])
            if work is not None:
                try:
                    rebuilt = _report_from_dict(report, work)
                except (KeyError, TypeError, ValueError, IndexError, AttributeError):
                    why = escape(
                        "Reading mode is not available: the stored report is in a form this forewarn does not read."
                    )
                else:
                    return _stored_reading_page(row, rebuilt)
            return _stored_page(row, report, why)

        return HTMLResponse(await asyncio.to_thread(build))
