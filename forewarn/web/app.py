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
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import math
import os
import sqlite3
import threading
import time
import zipfile
import zlib
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from html import escape
from importlib import resources
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import FormData, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forewarn import __version__
from forewarn.aggregate import PassageRef, WorkWarning
from forewarn.declared import Comparison, DeclaredItem
from forewarn.language import Language, language_name
from forewarn.pipeline import Report, check_threshold, resolve_labels, resolve_selection, scan_work
from forewarn.rating import Suggestion
from forewarn.readers import (
    DEFAULT_MAX_BYTES,
    FORMATS,
    SUPPORTED_SUFFIXES,
    format_size,
    read,
    read_text,
    replace_lone_surrogates,
    sniff,
)
from forewarn.report.html import render_html
from forewarn.report.html_common import _passage_map, _place, work_language
from forewarn.report.html_summary import HOW_TO_READ, _declared, _locations, _status, warnings_table
from forewarn.report.json import report_to_dict
from forewarn.split import Passage, _percent
from forewarn.taxonomy import load_taxonomy
from forewarn.work import Chapter, Metadata, ReadError, Work, has_opening

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_ID = r"[0-9a-f]{16}"
# 10 MiB, as `forewarn serve --max-upload` and the README say (it was 10,000,000 bytes here,
# so an app built with create_app() refused 9.6 MiB and said "the limit is 9.5 MiB").
DEFAULT_MAX_UPLOAD = 10 * 1024 * 1024


class TooLarge(Exception):
    pass


class Stopped(Exception):
    """Raised in a scan's thread at its next step once its request has timed out."""


class Options(BaseModel):
    """What POST /api/scan takes besides the work: the CLI's --only, --ignore, --threshold."""

    only: list[str] | None = None
    ignore: list[str] | None = None
    threshold: float | None = None


class ScanRequest(BaseModel):
    """The JSON body of POST /api/scan (other fields are a 422: a misspelt option must not be ignored)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The work's text (markdown '#' headings start chapters).")
    only: list[str] | str | None = Field(
        None, description="Report only these warnings: ids or aliases, a list or one comma-separated string."
    )
    ignore: list[str] | str | None = Field(None, description="Leave these warnings out (ids or aliases).")
    threshold: float | None = Field(
        None, ge=0, le=1, description="Passage probability needed to flag, for every warning (default: per warning)."
    )


class ScanResult(BaseModel):
    """What POST /api/scan returns."""

    id: str = Field(description="The work id: the report's page is at `url`, its JSON at `url` + '.json'.")
    url: str
    report: dict[str, Any] = Field(description="The report, schema forewarn.report/1 (forewarn/schema/report-v1.json).")


class Problem(BaseModel):
    """Every error response: one line meant for people."""

    detail: str


_OPTION_FIELDS: dict[str, dict[str, Any]] = {
    "only": {"type": "string", "description": "Report only these warnings (ids or aliases, comma-separated)."},
    "ignore": {"type": "string", "description": "Leave these warnings out (ids or aliases, comma-separated)."},
    "threshold": {"type": "number", "minimum": 0, "maximum": 1, "description": "Passage threshold, 0 to 1."},
}
# The fields a form may send: the upload form's own (file, text; its button has no name) and the
# options. Any other is a 422, as in a JSON body: a misspelt option must not be ignored.
_FORM_FIELDS = ("file", "text", *_OPTION_FIELDS)
_SCAN_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "name": name,
            "in": "query",
            "required": False,
            "schema": schema,
            "description": schema["description"] + " The way to pass it with a text/plain body.",
        }
        for name, schema in _OPTION_FIELDS.items()
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ScanRequest.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "A .txt, .md, .html or .epub"},
                        "text": {
                            "type": "string",
                            "description": "Pasted text, when no file is sent (read as Markdown: '#' headings "
                            "start chapters).",
                        },
                        **_OPTION_FIELDS,
                    },
                }
            },
            "text/plain": {
                "schema": {
                    "type": "string",
                    "description": "The work's text, read as Markdown: '#' headings start chapters. "
                    "In the charset= given, else in the encoding detected as for an uploaded .txt file "
                    "(binary is refused).",
                }
            },
        },
    },
}


def _problems(why: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses that answer ``{"detail": "..."}`` (a page instead, for a browser)."""
    return {status: {"model": Problem, "description": text} for status, text in why.items()}


_SCAN_ERRORS = _problems(
    {
        413: "The upload (a file, or pasted text in any form) is over the server's --max-upload limit.",
        415: "A body that is not JSON, a form, or text/plain.",
        422: "Nothing to scan, an unreadable file (damaged EPUB, binary, empty...) or body (malformed JSON or "
        "multipart), or a bad or unknown option (a misspelt name in the query, form or JSON).",
        503: "Every scan slot is taken (maybe by timed-out scans still stopping); retry after Retry-After seconds.",
        504: "The scan took longer than the server's --timeout; it is stopped at its next step. `forewarn scan` "
        "has no time limit, or the server can be started with a larger --timeout.",
    }
)

_UNKNOWN_WORK = _problems({404: "No such report: they are kept in memory only, the most recent ones."})
_DB_ERRORS = {503: "The results database is not there (moved or deleted).", 500: "The results database is damaged."}
_DB_LIST_ERRORS = _problems({422: "An unknown filter or warning, or a bad value or paging.", **_DB_ERRORS})
_DB_WORK_ERRORS = _problems({404: "No such work in the database.", **_DB_ERRORS})


class Busy(HTTPException):
    """Every scan slot is taken (possibly by scans that timed out but still run)."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(
            status_code=503,
            detail="the scanner is busy with other works (or with timed-out ones still stopping); try again shortly",
            headers={"Retry-After": str(max(1, math.ceil(retry_after_s)))},
        )


# The focus outline, as in the HTML report's report.css: 20.5:1 on the page's #fdfcf8 (WCAG 1.4.11
# asks 3:1 of a focus indicator; the #f5a623 before had 1.97:1). #b35900 would do here (4.71:1) but
# not on the report's red bar marks (1.13:1), and one app should focus alike on every page.
FOCUS = "#000000"


# The query-string keys that page /db and /db.json, and the works on one /db page.
_PAGING = ("offset", "limit")
DB_PAGE = 500


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>"
        "body{font:17px/1.6 system-ui,sans-serif;max-width:42rem;margin:0 auto;padding:1rem;"
        "color:#1b1b1b;background:#fdfcf8}"
        "textarea{width:100%;min-height:12rem;font:inherit}label{display:block;font-weight:bold;margin-top:1rem}"
        "button{font:inherit;padding:.5rem 1.2rem;margin-top:1rem;min-height:44px}"
        f":focus{{outline:3px solid {FOCUS};outline-offset:2px}}.error{{color:#a4161a;font-weight:bold}}"
        ".ok{color:#1b6b2f}.bad{color:#a4161a;font-weight:bold}.maybe{color:#7a5c00;font-style:italic}"
        ".meta,.note,small{color:#555;font-size:.9rem}h1{overflow-wrap:anywhere}"
        ".notice{color:#a4161a;border-left:4px solid #a4161a;padding-left:.6rem;overflow-wrap:anywhere}"
        "table{width:100%;border-collapse:collapse;font-size:.95rem}caption{text-align:left;font-weight:bold}"
        "th,td{text-align:left;vertical-align:top;padding:.4rem;border-bottom:1px solid #ddd}"
        ".where{overflow-wrap:anywhere}"
        "@media (max-width:600px){table,tbody,tr,th,td{display:block;width:100%}"
        "thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}"
        "tr{border-bottom:2px solid #ccc}th,td{border-bottom:none;padding:.15rem .4rem}"
        'td[data-label]::before{content:attr(data-label) ": ";font-weight:bold}}'
        f"</style></head><body>{body}</body></html>"
    )


# The picker offers every suffix the readers know (.markdown and .text files were greyed out).
_ACCEPT = ",".join(sorted(SUPPORTED_SUFFIXES))


def form_page(message: str = "", *, text: str = "") -> str:
    """The upload form; after an error it keeps what was pasted (a reader should not paste it again)."""
    error = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    return _page(
        "forewarn",
        "<header><h1>forewarn</h1><p>Check a story for content warnings before you read it. "
        "Everything stays on this computer.</p></header><main>"
        f'{error}<form method="post" action="/scan" enctype="multipart/form-data">'
        '<label for="file">Upload a work (.txt, .md, .html, .epub)</label>'
        f'<input id="file" name="file" type="file" accept="{_ACCEPT}">'
        '<label for="text">or paste its text</label><textarea id="text" name="text">'
        f"{escape(text)}</textarea>"
        '<button type="submit">Check for warnings</button></form></main>',
    )


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
        one load (``default_scorer``'s lru_cache let each of them load its own copy)."""
        if not loaded:
            with load_lock:
                if not loaded:
                    from forewarn.score.cascade import default_scorer

                    loaded.append(default_scorer())
        return loaded[0]

    # Inside the middleware below (added later, so outer): a TooLarge raised in its receive would
    # reach the app's handler wrapped in an ExceptionGroup, a 500.
    app.add_middleware(_CapBody, limit=max_upload_bytes + _FORM_SLACK)

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        length = request.headers.get("content-length")
        response: Response
        if length and _is_ascii_number(length) and int(length) > max_upload_bytes + _FORM_SLACK:
            response = _too_large(request, max_upload_bytes)  # with the headers below, as every answer
        else:
            response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

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
        options = parse_options(request, form_options(form))
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

    def parse_options(request: Request, body: dict[str, Any]) -> Options:
        """Options from the body (JSON fields, form fields) or the query string; 422 when bad.

        Given in both places, they would disagree silently: that is a 422 too.
        """
        unknown = sorted(set(request.query_params) - set(_OPTION_FIELDS))
        if unknown:  # a misspelt "?treshold=" must not be ignored, as in a JSON body
            known = ", ".join(_OPTION_FIELDS)
            raise HTTPException(status_code=422, detail=f"unknown query parameter {unknown[0]!r} (options: {known})")
        _once(request.query_params, "threshold")
        query: dict[str, Any] = {}
        for name in ("only", "ignore"):
            if name in request.query_params:
                query[name] = request.query_params.getlist(name)
        if "threshold" in request.query_params:
            query["threshold"] = request.query_params["threshold"]
        both = sorted(set(query) & {k for k, v in body.items() if v is not None})
        if both:
            raise HTTPException(status_code=422, detail=f"give {', '.join(both)} once: in the query or in the body")
        given = {**{k: v for k, v in body.items() if v is not None}, **query}
        return _options(given)

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
            wid, report = await scan_pasted(*json_request(await read_body(request), request))
        elif media_type == "text/plain":
            body, charset = await read_body(request), _charset(content_type)
            # Without a charset the reader decodes it in the scan (UTF-16 blanks are its 422 there).
            text = None if charset is None else _decode_text(body, charset)
            if not (body.strip() if text is None else text.strip()):
                raise HTTPException(status_code=422, detail="send a file or some text")
            options = parse_options(request, {})
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

    def json_request(body: bytes, request: Request) -> tuple[str, Options]:
        try:
            payload = json.loads(body, object_pairs_hook=_once_each)
        except _GivenTwice as e:  # json.loads kept the last value, the others ignored without a word
            raise HTTPException(status_code=422, detail=f"give {e.args[0]} once, not {e.args[1]} times") from None
        except ValueError:
            raise HTTPException(status_code=422, detail="body is not valid JSON") from None
        except RecursionError:  # '[' * 100000: deeper than the parser goes
            raise HTTPException(status_code=422, detail="body is not valid JSON: nested too deeply") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
            raise HTTPException(status_code=422, detail='expected {"text": "..."}')
        unknown = sorted(set(payload) - set(ScanRequest.model_fields))
        if unknown:  # a misspelt "treshold" must not be ignored
            known = ", ".join(ScanRequest.model_fields)
            raise HTTPException(status_code=422, detail=f"unknown field {unknown[0]!r} (fields: {known})")
        options = {k: payload.get(k) for k in ("only", "ignore", "threshold")}
        return payload["text"], parse_options(request, options)

    def form_options(form: FormData) -> dict[str, Any]:
        unknown = sorted(set(form.keys()) - set(_FORM_FIELDS))
        if unknown:  # a misspelt "ignroe" must not be ignored, as in a JSON body
            known = ", ".join(_FORM_FIELDS)
            raise HTTPException(status_code=422, detail=f"unknown field {unknown[0]!r} (fields: {known})")
        fields: dict[str, Any] = {
            name: [v for v in form.getlist(name) if isinstance(v, str)] for name in ("only", "ignore")
        }
        fields = {k: v or None for k, v in fields.items()}
        _once(form, "threshold")
        threshold = form.get("threshold")
        fields["threshold"] = threshold if isinstance(threshold, str) else None
        return fields

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


def _report_schema() -> dict[str, Any]:
    """The JSON schema of one report: ``$defs/report`` of the shipped forewarn/schema/report-v1.json."""
    text = (resources.files("forewarn") / "schema" / "report-v1.json").read_text(encoding="utf-8")
    return dict(json.loads(text)["$defs"]["report"])


def _describe_reports(app: FastAPI) -> None:
    """/openapi.json as the app answers: the report's own schema where a report is returned (it
    was any object), and without FastAPI's 422 "Validation Error" of another shape, which no
    route gives (their path parameters are strings; an unknown id is a 404)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = generate()
        schemas = spec["components"]["schemas"]
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        schemas["Report"] = _report_schema()
        report = {"$ref": "#/components/schemas/Report"}
        schemas["ScanResult"]["properties"]["report"] = {
            **report,
            "description": "The report, schema forewarn.report/1.",
        }
        for path, ops in spec["paths"].items():
            for op in ops.values():
                responses = op.get("responses", {})
                if "HTTPValidationError" in json.dumps(responses.get("422", {})):
                    del responses["422"]
                if path in ("/works/{wid}.json", "/db/{work_id}.json"):
                    responses["200"]["content"]["application/json"]["schema"] = report
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


async def _json_off_loop(make: Callable[[], Any]) -> JSONResponse:
    """A JSON reply built and encoded in a thread: a long work's report is over a second of
    work (1.3 s at 9 MiB), during which the event loop would answer no other request."""
    return await asyncio.to_thread(lambda: JSONResponse(make()))


def _work_id(data: bytes, *, source: str, options: Options) -> str:
    """What the report depends on: the bytes, how they came (a file's name picks its
    format and title; pasted text reads as Markdown) and the options (the same text
    scanned with other options is another report). Hashing the bytes alone let x.txt's
    report replace x.html's page.

    The key is one-to-one: the source and options as JSON (ASCII, where a NUL is
    escaped), one NUL, then the bytes. Joining them with bare NULs let a text holding a
    NUL and the JSON of some options hash like that text scanned with those options.
    """
    head = json.dumps({"source": source, "options": options.model_dump()}, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(head.encode("ascii") + b"\0" + data).hexdigest()[:16]


def _wants_html(request: Request) -> bool:
    """A browser asking for a page; API calls and the ``.json`` twins always get JSON."""
    path = request.url.path
    if path.startswith("/api/") or path.endswith(".json"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _options(given: dict[str, Any]) -> Options:
    """Checked options: known warning names (at least one in ``only``; an empty ``ignore``, "" or
    [], ignores nothing), a threshold from 0 to 1."""
    taxonomy = load_taxonomy()
    lists: dict[str, list[str] | None] = {}
    for name in ("only", "ignore"):
        value = given.get(name)
        if value is None:
            lists[name] = None
            continue
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise HTTPException(status_code=422, detail=f"{name} must be a list of warning names or one string")
        try:
            ids = resolve_labels(value, taxonomy=taxonomy)
        except ValueError as e:
            raise HTTPException(status_code=422, detail=f"{name}: {e}") from None
        if not ids and name == "only":  # an empty --only would select nothing and read as "safe"
            raise HTTPException(status_code=422, detail=f"{name} needs at least one warning id or alias")
        lists[name] = ids or None  # an empty ignore ignores nothing, as in the Python API (and is that scan)
    try:  # only wholly inside ignore: nothing left to look for, the same as an empty only
        resolve_selection(lists["only"], lists["ignore"], taxonomy=taxonomy)
    except ValueError as e:
        raise HTTPException(status_code=422, detail=str(e)) from None
    threshold = given.get("threshold")
    if isinstance(threshold, str):
        try:
            threshold = float(threshold)
        except ValueError:
            detail = f"threshold must be a number from 0 to 1, not {threshold!r}"
            raise HTTPException(status_code=422, detail=detail) from None
    try:
        check_threshold(threshold)
    except (TypeError, ValueError) as e:
        raise HTTPException(status_code=422, detail=str(e)) from None
    return Options(only=lists["only"], ignore=lists["ignore"], threshold=threshold)


def _once(params: Any, *names: str) -> None:
    """A 422 when one of ``names`` is given more than once in ``params`` (a query string or a
    form): the last one was taken, the others ignored without a word."""
    for name in names:
        if len(params.getlist(name)) > 1:
            raise HTTPException(status_code=422, detail=f"give {name} once, not {len(params.getlist(name))} times")


class _GivenTwice(Exception):
    """A JSON object with a key more than once: (key, times)."""


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a key given twice (``{"threshold": 0.1, "threshold": 0.9}``),
    as ``_once`` refuses it in a query string or form."""
    counts = Counter(key for key, _ in pairs)
    for key, times in counts.items():
        if times > 1:
            raise _GivenTwice(key, times)
    return dict(pairs)


def _flag(name: str, values: list[str]) -> bool:
    """A yes/no filter; anything else is a 422, as an unknown filter is (``banana`` read as no)."""
    yes, no = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
    for value in values:
        if value.lower() not in yes + no:
            raise HTTPException(status_code=422, detail=f"{name} must be 1 or 0 (true/false, yes/no), not {value!r}")
    return any(value.lower() in yes for value in values)


# A body may be this much over --max-upload: a form's boundaries, part headers and other fields.
_FORM_SLACK = 64 * 1024


class _CapBody:
    """A body refused (413) once more than ``limit`` bytes of it have come in, counted as they
    stream. A body without Content-Length (chunked) passed the header check, and Starlette wrote
    a multipart file part of any size to a temporary file before the app could look at it.

    The count raises ``TooLarge`` from ``receive`` inside the request, which the app's handler
    answers; the rest of the body is never read (a later ``receive`` says the client left).
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        size, over = 0, False

        async def counted() -> Message:
            nonlocal size, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > self.limit:
                    over = True
                    raise TooLarge()
            return message

        await self.app(scope, counted, send)


class _HeadLikeGet:
    """HEAD answered wherever GET is, with GET's headers and no body (FastAPI's routes take only
    the methods named, so HEAD /db was a 405); a 405's Allow lists HEAD with GET."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"

        async def reply(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                headers = MutableHeaders(scope=message)
                allowed = [m.strip() for m in headers.get("allow", "").split(",") if m.strip()]
                if "GET" in allowed and "HEAD" not in allowed:
                    headers["allow"] = ", ".join([*allowed, "HEAD"])
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"} if head else scope, receive, reply)


def _is_ascii_number(value: str) -> bool:
    """Only 0-9: ``str.isdigit`` also takes '²' and '١', which ``int`` then refuses."""
    return value.isascii() and value.isdigit()


def _charset(content_type: str) -> str | None:
    """The charset= a Content-Type names, or None."""
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def _decode_text(body: bytes, charset: str) -> str:
    """A text/plain body in the charset it names; undecodable is a 422."""
    try:
        return body.decode(charset).lstrip("\ufeff")
    except (LookupError, UnicodeDecodeError):
        raise HTTPException(status_code=422, detail=f"the body is not {charset} text") from None


def _too_large(request: Request, limit: int) -> Response:
    message = f"upload too large: the limit is {format_size(limit)}"
    if request.url.path.startswith("/api/") or "json" in request.headers.get("accept", ""):
        return JSONResponse({"detail": message}, status_code=413)
    return HTMLResponse(form_page(message), status_code=413)


def _not_english(code: str | None) -> str:
    """A ``/db`` row's note for a work in another language, whose results mean little."""
    from forewarn.language import language_name

    return "" if code in (None, "en") else f" (reads as {escape(language_name(code))}, not English)"


def _db_languages(values: list[str]) -> list[str | None] | None:
    """``language`` of ``/db``, as ``forewarn query --language`` takes it; None when not given.
    An unknown one (or an empty one) is a ValueError: it would match nothing, silently."""
    from forewarn.language import parse_languages

    return parse_languages(values) if values else None


def _add_db_routes(app: FastAPI, db_path: str | Path) -> None:
    """Browse a results database: ``/db``, ``/db/ID``, and their ``.json`` twins."""
    from forewarn.store import NotADatabase, open_existing, query_works, stored_report

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
        known = {"has", "not_declared", "min_confidence", "rating_mismatch", "language", *_PAGING}
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

    @app.get("/db.json", responses=_DB_LIST_ERRORS)
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
        nav = ([("previous", max(0, offset - step))] if offset else []) + ([("next", end)] if end < len(rows) else [])
        pages = ""
        if offset or end < len(rows):
            shown += f"; {offset + 1:,}-{end:,} shown" if end > offset else "; none on this page"
            links = " ".join(
                f'<a href="?{escape(urlencode([*filtered, ("offset", at), ("limit", step)]))}">{label}</a>'
                for label, at in nav
            )
            pages = f"<nav><p>{links}</p></nav>"
        return _page("forewarn: results", f"<h1>Scanned works</h1><p>{shown}</p><ul>{items}</ul>{pages}")

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
            f"<li>{_place(report, e)} (p={e.probability:.2f}, {escape(e.severity)})</li>"
            for e in sorted(w.evidence, key=lambda e: e.start)
        )
        rows.append(
            f'<tr><th scope="row">{escape(w.name)}</th><td data-label="Confidence">{w.confidence:.2f}</td>'
            f'<td data-label="Severity">{escape(w.severity)}</td><td data-label="Declared?">{_status(report, w)}</td>'
            f'<td data-label="Where">{count}: <span class="where">{_locations(report, w.passages, by_index=by_index)}'
            f"</span><details><summary>Strongest passages</summary><ol>{strongest}</ol></details></td></tr>"
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
        + "".join(f'<p class="notice">Read in part: {escape(n)}</p>' for n in work.get("notices", []))
        + "".join(f'<p class="notice" role="alert">Caveat: {escape(n)}</p>' for n in report.get("caveats", []))
        + f'<p class="note">{why_html} This is the report stored then '
        f'(<a href="/db/{row["id"]}.json">JSON</a>).</p></header>'
    )
    try:
        rebuilt = _textless_report(report)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        main = "<p>The stored report is in a form this forewarn does not read; its JSON is linked above.</p>"
    else:  # no bar in this page: its sentence in "How to read this" would point at nothing
        how = HOW_TO_READ.replace("; the bar shows the whole work, chapter breaks as ticks", "")
        main = _stored_summary(rebuilt) + how + _stored_declared(rebuilt)
    return _page(
        f"forewarn: {title}",
        f'{head}<main>{main}</main><footer><p><a href="/db">All scanned works</a></p></footer>',
    )
