"""The web app's shared page parts: the page frame and the upload form, the security headers
and body cap every answer goes through, the error pages (HTML for a browser, JSON else), and HEAD."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from html import escape
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forewarn.readers import SUPPORTED_SUFFIXES, format_size

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


class TooLarge(Exception):
    pass


# The focus outline, as in the HTML report's report.css: 20.5:1 on the page's #fdfcf8 (WCAG 1.4.11
# asks 3:1 of a focus indicator; the #f5a623 before had 1.97:1). #b35900 would do here (4.71:1) but
# not on the report's red bar marks (1.13:1), and one app should focus alike on every page.
FOCUS = "#000000"


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
        ".vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}"
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
        '<button type="submit">Check for warnings</button>'
        '<p id="scan-status" role="status"></p></form></main>'
        f"<script>{_SUBMIT_STATUS}</script>",
    )


# A scan takes seconds (the first loads the model, a long work more): the browser's own spinner
# is out of a screen reader's hearing, so the form says it is checking. Cleared when the reader
# comes back to the page (Back keeps the page as it was).
_SUBMIT_STATUS = (
    '(function(){var f=document.querySelector("form"),s=document.getElementById("scan-status");'
    'f.addEventListener("submit",function(){s.textContent="Checking the work for warnings; a long work '
    'can take a minute.";});window.addEventListener("pageshow",function(){s.textContent="";});})();'
)


async def _json_off_loop(make: Callable[[], Any]) -> JSONResponse:
    """A JSON reply built and encoded in a thread: a long work's report is over a second of
    work (1.3 s at 9 MiB), during which the event loop would answer no other request."""
    return await asyncio.to_thread(lambda: JSONResponse(make()))


def _wants_html(request: Request) -> bool:
    """A browser asking for a page; API calls and the ``.json`` twins always get JSON."""
    path = request.url.path
    if path.startswith("/api/") or path.endswith(".json"):
        return False
    return "text/html" in request.headers.get("accept", "")


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


def _too_large(request: Request, limit: int) -> Response:
    message = f"upload too large: the limit is {format_size(limit)}"
    if request.url.path.startswith("/api/") or "json" in request.headers.get("accept", ""):
        return JSONResponse({"detail": message}, status_code=413)
    return HTMLResponse(form_page(message), status_code=413)


def _add_guards(app: FastAPI, *, max_upload_bytes: int) -> None:
    """The body cap and the headers on every answer, and the error pages."""
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
