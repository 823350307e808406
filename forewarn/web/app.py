"""The reader's web app (``forewarn serve``): paste or upload, then read safely.

Every page has a JSON twin (``/works/ID`` and ``/works/ID.json``, ``/db/ID``
and ``/db/ID.json``); ``POST /api/scan`` is the HTTP API (OpenAPI at
``/openapi.json``; no ``/docs`` pages, since Swagger UI loads its scripts from
a CDN). Scans run in worker threads with a timeout; at most ``max_scans`` run
at once and further ones get a 503 with Retry-After. Python threads cannot be
killed, so a timed-out scan is told to stop and ends at its next step (a stage,
or a chunk of 64 passages), keeping its slot until then. Uploads are capped; a
work's text is only ever rendered escaped (by ``forewarn.report.html``). Recent
reports are kept in memory, keyed by a hash of the content, the file name and the
options: nothing is written to disk.

The scans and their routes are here; the rest is beside it: ``api`` (the scan API's models,
OpenAPI text and options), ``db`` and ``stored`` (the results browser, ``--db``) and ``pages``
(the page frame and form, the headers and body cap, the error pages, HEAD).
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from forewarn import __version__
from forewarn.pipeline import Report, scan_work
from forewarn.readers import read, read_text, replace_lone_surrogates, sniff
from forewarn.report.html import render_html
from forewarn.report.json import report_to_dict
from forewarn.web.api import (
    _SCAN_ERRORS,
    _SCAN_OPENAPI,
    _UNKNOWN_WORK,
    Busy,
    Options,
    ScanResult,
    Stopped,
    _charset,
    _decode_text,
    _describe_reports,
    _form_options,
    _json_request,
    _parse_options,
    _work_id,
)
from forewarn.web.db import DB_PAGE, _add_db_routes
from forewarn.web.pages import CSP, FOCUS, TooLarge, _add_guards, _HeadLikeGet, _json_off_loop, form_page
from forewarn.web.stored import _open_stored as _open_stored  # tests open stored files through it
from forewarn.work import ReadError, Work

__all__ = ["CSP", "DB_PAGE", "DEFAULT_MAX_UPLOAD", "FOCUS", "Busy", "Options", "create_app", "form_page"]

# 10 MiB, as `forewarn serve --max-upload` and the README say (it was 10,000,000 bytes here,
# so an app built with create_app() refused 9.6 MiB and said "the limit is 9.5 MiB").
DEFAULT_MAX_UPLOAD = 10 * 1024 * 1024


def create_app(
    *,
    db_path: str | Path | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD,
    scan_timeout_s: float = 60.0,
    keep: int = 64,
    scorer: Any = None,
    max_scans: int = 2,
) -> FastAPI:
    """Build the app; ``scorer`` defaults to the packaged cascade, loaded once by the first
    scan before its timeout starts (loading takes seconds; it is not the scan's time).

    ``max_scans`` bounds the scan threads: a scan past its timeout gets a 504 but
    its thread runs on, so without a bound repeated uploads would pile up.
    """
    if max_scans < 1:
        raise ValueError("max_scans must be at least 1")
    if not (math.isfinite(scan_timeout_s) and scan_timeout_s > 0):  # 0, -1 or nan: every scan a 504
        raise ValueError(f"the timeout must be a positive number of seconds, not {scan_timeout_s}")
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

    loaded: list[Any] = [] if scorer is None else [scorer]
    load_lock = threading.Lock()

    def get_scorer() -> Any:
        """The scorer, the packaged cascade loaded once: first scans at the same time wait for
        one load (``default_scorer`` once let each of them load its own copy)."""
        if not loaded:
            with load_lock:
                if not loaded:
                    from forewarn.score.cascade import default_scorer

                    loaded.append(default_scorer())
        return loaded[0]

    _add_guards(app, max_upload_bytes=max_upload_bytes)

    async def scan_bytes(data: bytes, name: str | None, options: Options | None = None) -> tuple[str, Report]:
        opts = options or Options()

        def work(stop: threading.Event) -> Report:
            started = time.perf_counter()
            w = read(data, name=name, format=sniff(data, name))
            w.source_path = name
            return scan_until(stop, w, opts, read_seconds=time.perf_counter() - started)

        return await _run(data, work, opts, source=f"file {name or ''}")

    async def scan_text_body(data: bytes, options: Options) -> tuple[str, Report]:
        """A text/plain body that names no charset: decoded by the reader, as an uploaded .txt
        file is (its encoding detected, binary refused), then read as Markdown, as pasted text is."""

        def work(stop: threading.Event) -> Report:
            started = time.perf_counter()
            w = read(data, format="markdown")  # no name: no path, as pasted text has none
            return scan_until(stop, w, options, read_seconds=time.perf_counter() - started)

        return await _run(data, work, options, source="text/plain body")

    async def scan_pasted(text: str, options: Options | None = None) -> tuple[str, Report]:
        opts = options or Options()
        text = replace_lone_surrogates(text)  # pasted JSON may hold "\\udcff": its id hashes UTF-8

        def work(stop: threading.Event) -> Report:
            started = time.perf_counter()
            w = read_text(text)  # no path, as in the Python API: the page's title is "Pasted text"
            return scan_until(stop, w, opts, read_seconds=time.perf_counter() - started)

        return await _run(text.encode("utf-8"), work, opts, source="pasted text")

    def scan_until(stop: threading.Event, work: Work, options: Options, *, read_seconds: float = 0.0) -> Report:
        """``scan_work``, ended by ``Stopped`` at its next stage or chunk of passages once
        ``stop`` is set: a timed-out scan then frees its slot soon, not after the whole work."""

        def check(*_: object) -> None:
            if stop.is_set():
                raise Stopped()

        check()  # reading may have taken the whole timeout
        return scan_work(
            work,
            scorer=get_scorer(),
            on_stage=check,
            on_progress=check,
            read_seconds=read_seconds,
            **options.model_dump(),
        )

    async def _run(
        data: bytes, fn: Callable[[threading.Event], Report], options: Options, *, source: str
    ) -> tuple[str, Report]:
        if len(data) > max_upload_bytes:
            raise TooLarge()
        if not loaded:  # the first scans wait for the model (seconds) outside their --timeout
            await asyncio.to_thread(get_scorer)
        if not slots.acquire(blocking=False):
            raise Busy(min(scan_timeout_s, 30.0))
        stop = threading.Event()
        future = pool.submit(fn, stop)
        future.add_done_callback(lambda _: slots.release())  # when the thread ends, not at the timeout
        try:
            report = await asyncio.wait_for(asyncio.wrap_future(future), timeout=scan_timeout_s)
        except ReadError as e:
            raise HTTPException(status_code=422, detail=str(e)) from None
        except TimeoutError:
            stop.set()
            detail = (
                f"scanning took longer than {scan_timeout_s:g} s, this server's time limit, so the scan is stopped "
                "at its next step. To scan this work, use the command line, which has no time limit "
                "(forewarn scan FILE), or start the server with a larger limit "
                f"(forewarn serve --timeout {math.ceil(5 * scan_timeout_s)})."
            )
            raise HTTPException(status_code=504, detail=detail) from None
        wid = _work_id(data, source=source, options=options)
        reports[wid] = report
        reports.move_to_end(wid)
        while len(reports) > keep:
            reports.popitem(last=False)
        return wid, report

    async def read_body(request: Request) -> bytes:
        """The whole body, refused once past the limit (a chunked body has no Content-Length)."""
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_upload_bytes:
                raise TooLarge()
            chunks.append(chunk)
        return b"".join(chunks)

    async def read_upload(request: Request) -> tuple[bytes | None, str | None, str | None, Options]:
        """(file bytes, file name, pasted text, options) from a form, size-capped while reading."""
        form = await read_form(request)
        options = _parse_options(request, _form_options(form))
        upload = form.get("file")
        text = form.get("text")
        if upload is not None and not isinstance(upload, str):
            data = await upload.read(max_upload_bytes + 1)
            if len(data) > max_upload_bytes:
                raise TooLarge()
            if data:
                return data, upload.filename or None, None, options
            pasted = isinstance(text, str) and text.strip()
            if upload.filename and not pasted:  # a file was chosen (no file chosen sends a nameless part)
                raise HTTPException(status_code=422, detail=f"{upload.filename}: empty file: nothing to scan")
        return None, None, text if isinstance(text, str) else None, options

    async def read_form(request: Request) -> FormData:
        """The form, its text fields capped at the upload limit. Starlette answers 400 for a field
        over its cap ("Part exceeded maximum size of 10240KB.") and for a malformed body: the
        first is the upload limit's 413, the second a 422 as every unreadable body is."""
        try:
            return await request.form(max_part_size=max_upload_bytes + 1)
        except StarletteHTTPException as e:
            if e.status_code != 400:
                raise
            if "exceeded maximum size" in str(e.detail):
                raise TooLarge() from None
            detail = f"the form could not be read: {str(e.detail).rstrip('.')}"
            raise HTTPException(status_code=422, detail=detail) from None

    async def pasted_text(request: Request) -> str:
        """The form's pasted text, when the form was read before the error (it is cached)."""
        try:
            text = (await request.form()).get("text")
        except Exception:  # the form itself was the problem: nothing to give back
            return ""
        return text if isinstance(text, str) else ""

    async def scan_form_data(request: Request) -> tuple[str, Report] | None:
        """Scan the uploaded file, else the pasted text; None when the form has neither."""
        data, name, text, options = await read_upload(request)
        if data is not None:
            return await scan_bytes(data, name, options)
        if text and text.strip():
            return await scan_pasted(text, options)
        return None

    @app.get("/", response_class=HTMLResponse)
    async def index() -> str:
        return form_page()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.post(
        "/scan",
        response_class=HTMLResponse,
        response_model=None,
        status_code=303,
        responses={code: {"description": "The form again, saying what went wrong."} for code in (413, 422, 503, 504)},
    )
    async def scan_form(request: Request) -> Response:
        """The upload form's target: redirects to the report's page (for programs: POST /api/scan)."""
        try:
            scanned = await scan_form_data(request)
        except HTTPException as e:
            page = form_page(str(e.detail), text=await pasted_text(request))
            return HTMLResponse(page, status_code=e.status_code, headers=e.headers)
        if scanned is None:
            return HTMLResponse(form_page("Choose a file or paste some text first."), status_code=422)
        return RedirectResponse(f"/works/{scanned[0]}", status_code=303)

    @app.post(
        "/api/scan",
        response_model=ScanResult,
        responses=_SCAN_ERRORS,
        openapi_extra=_SCAN_OPENAPI,
    )
    async def api_scan(request: Request) -> JSONResponse:
        """Scan a work and return its report.

        Send a multipart form (`file`, or `text`), JSON `{"text": "..."}` or the text itself
        as text/plain. Options: `only`, `ignore`, `threshold`, as JSON or form fields, or in
        the query string. The report's page is then at `url` (kept in memory only).
        """
        content_type = request.headers.get("content-type", "")
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type == "application/json":
            wid, report = await scan_pasted(*_json_request(await read_body(request), request))
        elif media_type == "text/plain":
            body, charset = await read_body(request), _charset(content_type)
            # Without a charset the reader decodes it in the scan (UTF-16 blanks are its 422 there).
            text = None if charset is None else _decode_text(body, charset)
            if not (body.strip() if text is None else text.strip()):
                raise HTTPException(status_code=422, detail="send a file or some text")
            options = _parse_options(request, {})
            if text is None:
                wid, report = await scan_text_body(body, options)
            else:
                wid, report = await scan_pasted(text, options)
        elif media_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            scanned = await scan_form_data(request)
            if scanned is None:
                raise HTTPException(status_code=422, detail="send a file or some text")
            wid, report = scanned
        else:
            raise HTTPException(
                status_code=415,
                detail=f"cannot scan {media_type or 'a body without a Content-Type'}: send JSON "
                '{"text": "..."}, a multipart form with a file or text, or text/plain',
            )
        return await _json_off_loop(lambda: {"id": wid, "url": f"/works/{wid}", "report": report_to_dict(report)})

    def lookup(wid: str) -> Report:
        report = reports.get(wid)
        if report is None:
            recent = "only the most recent report is" if keep == 1 else f"only the {keep} most recent reports are"
            raise HTTPException(
                status_code=404,
                detail=f"no report for work {wid}: {recent} kept, in memory only, so older ones are gone, "
                "and all of them once the server restarts. Upload or paste the work again.",
            )
        return report

    @app.get("/works/{wid}.json", responses=_UNKNOWN_WORK)
    async def work_json(wid: str) -> JSONResponse:
        report = lookup(wid)
        return await _json_off_loop(lambda: report_to_dict(report))

    @app.get("/works/{wid}", response_class=HTMLResponse, responses=_UNKNOWN_WORK)
    async def work_page(wid: str) -> str:
        # Seconds for a long work: in a thread, not on the event loop that answers every request.
        return await asyncio.to_thread(render_html, lookup(wid))

    if db_path is not None:
        _add_db_routes(app, db_path)
    app.add_middleware(_HeadLikeGet)
    _describe_reports(app)

    return app
