"""The reader's web app (``forewarn serve``): paste or upload, then read safely.

Every page has a JSON twin (``/works/ID`` and ``/works/ID.json``, ``/db/ID``
and ``/db/ID.json``); ``POST /api/scan`` is the HTTP API (OpenAPI at
``/openapi.json``; no ``/docs`` pages, since Swagger UI loads its scripts from
a CDN). Scans run in worker threads with a timeout; at most ``max_scans`` run
at once and further ones get a 503 with Retry-After, because a timed-out scan
cannot be stopped (Python threads cannot be cancelled) and keeps its slot until
it ends. Uploads are capped; a work's text is only ever rendered escaped (by
``forewarn.report.html``). Recent reports are kept in memory, keyed by content
hash: nothing is written to disk.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from html import escape
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from forewarn import __version__
from forewarn.pipeline import Report, scan_work
from forewarn.readers import format_size, read, read_text, sniff
from forewarn.report.html import render_html
from forewarn.report.json import report_to_dict
from forewarn.work import ReadError

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_ID = r"[0-9a-f]{16}"


class TooLarge(Exception):
    pass


class Busy(HTTPException):
    """Every scan slot is taken (possibly by scans that timed out but still run)."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(
            status_code=503,
            detail="the scanner is busy with other works; try again shortly",
            headers={"Retry-After": str(max(1, math.ceil(retry_after_s)))},
        )


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>"
        "body{font:17px/1.6 system-ui,sans-serif;max-width:42rem;margin:0 auto;padding:1rem;"
        "color:#1b1b1b;background:#fdfcf8}"
        "textarea{width:100%;min-height:12rem;font:inherit}label{display:block;font-weight:bold;margin-top:1rem}"
        "button{font:inherit;padding:.5rem 1.2rem;margin-top:1rem;min-height:44px}"
        ":focus{outline:3px solid #f5a623;outline-offset:2px}.error{color:#a4161a;font-weight:bold}"
        f"</style></head><body>{body}</body></html>"
    )


def form_page(message: str = "") -> str:
    error = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    return _page(
        "forewarn",
        "<header><h1>forewarn</h1><p>Check a story for content warnings before you read it. "
        "Everything stays on this computer.</p></header><main>"
        f'{error}<form method="post" action="/scan" enctype="multipart/form-data">'
        '<label for="file">Upload a work (.txt, .md, .html, .epub)</label>'
        '<input id="file" name="file" type="file" accept=".txt,.md,.html,.htm,.xhtml,.epub">'
        '<label for="text">or paste its text</label><textarea id="text" name="text"></textarea>'
        '<button type="submit">Check for warnings</button></form></main>',
    )


def create_app(
    *,
    db_path: str | Path | None = None,
    max_upload_bytes: int = 10_000_000,
    scan_timeout_s: float = 60.0,
    keep: int = 64,
    scorer: Any = None,
    max_scans: int = 2,
) -> FastAPI:
    """Build the app; ``scorer`` defaults to the packaged cascade (loaded on first scan).

    ``max_scans`` bounds the scan threads: a scan past its timeout gets a 504 but
    its thread runs on, so without a bound repeated uploads would pile up.
    """
    if max_scans < 1:
        raise ValueError("max_scans must be at least 1")
    app = FastAPI(
        title="forewarn",
        version=__version__,
        description="Content warnings for fiction, offline.",
        docs_url=None,  # Swagger UI and ReDoc load from a CDN: blank offline; /openapi.json stays
        redoc_url=None,
    )
    reports: OrderedDict[str, Report] = OrderedDict()
    slots = threading.BoundedSemaphore(max_scans)
    pool = ThreadPoolExecutor(max_workers=max_scans, thread_name_prefix="forewarn-scan")

    def get_scorer() -> Any:
        if scorer is not None:
            return scorer
        from forewarn.score.cascade import default_scorer

        return default_scorer()

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > max_upload_bytes + 64 * 1024:
            return _too_large(request, max_upload_bytes)
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    async def scan_bytes(data: bytes, name: str | None) -> tuple[str, Report]:
        def work() -> Report:
            w = read(data, name=name, format=sniff(data, name))
            w.source_path = name
            return scan_work(w, scorer=get_scorer())

        return await _run(data, work)

    async def scan_pasted(text: str) -> tuple[str, Report]:
        def work() -> Report:
            return scan_work(read_text(text, name="pasted text"), scorer=get_scorer())

        return await _run(text.encode("utf-8"), work)

    async def _run(data: bytes, fn: Callable[[], Report]) -> tuple[str, Report]:
        if len(data) > max_upload_bytes:
            raise TooLarge()
        if not slots.acquire(blocking=False):
            raise Busy(min(scan_timeout_s, 30.0))
        future = pool.submit(fn)
        future.add_done_callback(lambda _: slots.release())  # when the thread ends, not at the timeout
        try:
            report = await asyncio.wait_for(asyncio.wrap_future(future), timeout=scan_timeout_s)
        except ReadError as e:
            raise HTTPException(status_code=422, detail=str(e)) from None
        except TimeoutError:
            raise HTTPException(status_code=504, detail=f"scanning took longer than {scan_timeout_s:.0f} s") from None
        wid = hashlib.sha256(data).hexdigest()[:16]
        reports[wid] = report
        reports.move_to_end(wid)
        while len(reports) > keep:
            reports.popitem(last=False)
        return wid, report

    async def read_upload(request: Request) -> tuple[bytes | None, str | None, str | None]:
        """(file bytes, file name, pasted text) from a multipart form, size-capped while reading."""
        form = await request.form(max_part_size=max_upload_bytes + 1)
        upload = form.get("file")
        text = form.get("text")
        if upload is not None and not isinstance(upload, str):
            data = await upload.read(max_upload_bytes + 1)
            if len(data) > max_upload_bytes:
                raise TooLarge()
            if data:
                return data, upload.filename or None, None
        return None, None, text if isinstance(text, str) else None

    async def scan_form_data(request: Request) -> tuple[str, Report] | None:
        """Scan the uploaded file, else the pasted text; None when the form has neither."""
        data, name, text = await read_upload(request)
        if data is not None:
            return await scan_bytes(data, name)
        if text and text.strip():
            return await scan_pasted(text)
        return None

    @app.exception_handler(TooLarge)
    async def too_large(request: Request, exc: TooLarge) -> Response:
        return _too_large(request, max_upload_bytes)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """A page for browsers (a bookmarked report after a restart), JSON for everything else."""
        if not _wants_html(request):
            return await http_exception_handler(request, exc)
        title = {404: "Not found"}.get(exc.status_code, f"Error {exc.status_code}")
        body = (
            f"<header><h1>{escape(title)}</h1></header><main>"
            f'<p class="error" role="alert">{escape(str(exc.detail))}</p>'
            '<p><a href="/">Check a work</a></p></main>'
        )
        return HTMLResponse(_page(f"forewarn: {title.lower()}", body), status_code=exc.status_code, headers=exc.headers)

    @app.get("/", response_class=HTMLResponse)
    async def index() -> str:
        return form_page()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.post("/scan", response_class=HTMLResponse, response_model=None)
    async def scan_form(request: Request) -> Response:
        try:
            scanned = await scan_form_data(request)
        except HTTPException as e:
            return HTMLResponse(form_page(str(e.detail)), status_code=e.status_code, headers=e.headers)
        if scanned is None:
            return HTMLResponse(form_page("Choose a file or paste some text first."), status_code=422)
        return RedirectResponse(f"/works/{scanned[0]}", status_code=303)

    @app.post("/api/scan")
    async def api_scan(request: Request) -> dict[str, Any]:
        """Scan a work: multipart (`file` or `text`) or JSON `{"text": "..."}`. Returns the report."""
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.body()
            if len(body) > max_upload_bytes:
                raise TooLarge()
            try:
                payload = json.loads(body)
            except ValueError:
                raise HTTPException(status_code=422, detail="body is not valid JSON") from None
            if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
                raise HTTPException(status_code=422, detail='expected {"text": "..."}')
            wid, report = await scan_pasted(payload["text"])
        else:
            scanned = await scan_form_data(request)
            if scanned is None:
                raise HTTPException(status_code=422, detail="send a file or some text")
            wid, report = scanned
        return {"id": wid, "url": f"/works/{wid}", "report": report_to_dict(report)}

    def lookup(wid: str) -> Report:
        report = reports.get(wid)
        if report is None:
            raise HTTPException(
                status_code=404,
                detail=f"no report for work {wid}: reports are kept in memory only, so they are gone after "
                "the server restarts. Upload or paste the work again.",
            )
        return report

    @app.get("/works/{wid}.json")
    async def work_json(wid: str) -> dict[str, Any]:
        return report_to_dict(lookup(wid))

    @app.get("/works/{wid}", response_class=HTMLResponse)
    async def work_page(wid: str) -> str:
        return render_html(lookup(wid))

    if db_path is not None:
        _add_db_routes(app, db_path, scan_bytes)

    return app


def _wants_html(request: Request) -> bool:
    """A browser asking for a page; API calls and the ``.json`` twins always get JSON."""
    path = request.url.path
    if path.startswith("/api/") or path.endswith(".json"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _too_large(request: Request, limit: int) -> Response:
    message = f"upload too large: the limit is {format_size(limit)}"
    if request.url.path.startswith("/api/") or "json" in request.headers.get("accept", ""):
        return JSONResponse({"detail": message}, status_code=413)
    return HTMLResponse(form_page(message), status_code=413)


def _add_db_routes(app: FastAPI, db_path: str | Path, scan_bytes: Callable[..., Any]) -> None:
    """Browse a results database: ``/db``, ``/db/ID``, and their ``.json`` twins."""
    from forewarn.store import open_db, query_works

    @contextmanager
    def connect() -> Iterator[sqlite3.Connection]:
        with closing(open_db(db_path)) as conn:
            yield conn

    def stored(work_id: str) -> sqlite3.Row:
        if not work_id.isdigit():
            raise HTTPException(status_code=404, detail="no such work in the database")
        with connect() as conn:
            row = conn.execute(
                "SELECT id, path, content_hash, scanned_at, report_json FROM works WHERE id = ?", (int(work_id),)
            ).fetchone()
        if row is None:
            raise HTTPException(status_code=404, detail="no such work in the database")
        return row

    @app.get("/db.json")
    async def db_index_json() -> list[dict[str, Any]]:
        with connect() as conn:
            return query_works(conn)

    @app.get("/db", response_class=HTMLResponse)
    async def db_index() -> str:
        with connect() as conn:
            rows = query_works(conn)
        items = "".join(
            f'<li><a href="/db/{r["id"]}">{escape(r["title"] or r["path"])}</a>: '
            f"{escape(', '.join(r['detected']) or 'nothing detected')}</li>"
            for r in rows
        )
        return _page("forewarn: results", f"<h1>Scanned works</h1><ul>{items}</ul>")

    @app.get("/db/{work_id}.json")
    async def db_work_json(work_id: str) -> dict[str, Any]:
        report: dict[str, Any] = json.loads(stored(work_id)["report_json"])
        return report

    @app.get("/db/{work_id}", response_class=HTMLResponse, response_model=None)
    async def db_work(work_id: str) -> Response:
        """The reading mode when the file is still there unchanged; else the stored report."""
        row = stored(work_id)
        path = Path(row["path"])
        try:
            data: bytes | None = path.read_bytes()
        except OSError:  # moved, deleted, unreadable: the stored report still answers
            data = None
        if data is not None and hashlib.sha256(data).hexdigest() == row["content_hash"]:
            try:
                wid, _ = await scan_bytes(data, str(path))
                return RedirectResponse(f"/works/{wid}", status_code=303)
            except HTTPException as e:
                why = f"Reading mode is not available now ({e.detail})."
        else:
            why = "Reading mode needs the work's text, which is no longer at its path (or has changed)."
        return HTMLResponse(_stored_page(row, json.loads(row["report_json"]), why))


def _stored_page(row: sqlite3.Row, report: dict[str, Any], why: str) -> str:
    """A report as stored by ``forewarn batch``: warnings and where, without the text."""
    work = report["work"]
    lines = []
    for w in report["warnings"]:
        where = ", ".join(f"ch. {e['chapter'] + 1}, {e['position']:.0f}%" for e in w["evidence"][:5])
        declared = "declared" if w["declared"] else "NOT declared"
        lines.append(
            f"<tr><td>{escape(w['name'])}</td><td>{w['confidence']:.2f}</td><td>{escape(w['severity'])}</td>"
            f"<td>{declared}</td><td>{escape(where)}</td></tr>"
        )
    table = (
        "<table><tr><th>warning</th><th>conf.</th><th>severity</th><th>author</th><th>where</th></tr>"
        + "".join(lines)
        + "</table>"
        if lines
        else "<p>Nothing detected.</p>"
    )
    rating = report["ao3"]["rating"]
    return _page(
        f"forewarn: {work['title'] or row['path']}",
        f"<h1>{escape(work['title'] or row['path'])}</h1>"
        f"<p>{escape(row['path'])}: {work['words']:,} words, scanned {escape(row['scanned_at'])}.</p>"
        f"<p>{escape(why)} This is the report stored then "
        f'(<a href="/db/{row["id"]}.json">JSON</a>).</p>'
        f"{table}<p>AO3 rating: {escape(rating['suggested'])} ({escape(rating['reason'])})</p>"
        '<p><a href="/db">All scanned works</a></p>',
    )
