"""The scan API's side of the web app: the request and answer models, the OpenAPI text, and
the options (only, ignore, threshold) as a query string, a form or a JSON body gives them."""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from importlib import resources
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import FormData

from forewarn.pipeline import check_threshold, resolve_labels, resolve_selection
from forewarn.taxonomy import load_taxonomy


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

_SCAN_ERRORS[503]["headers"] = {
    "Retry-After": {"description": "How many seconds to wait before trying again.", "schema": {"type": "integer"}}
}
# A header the lists' 200 sends beside its rows (merged with the route's own 200 by FastAPI).
TOTAL_COUNT: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            "X-Total-Count": {
                "description": "How many rows match, before offset and limit page them.",
                "schema": {"type": "integer"},
            }
        }
    }
}

_UNKNOWN_WORK = _problems({404: "No such report: they are kept in memory only, the most recent ones."})
_DB_ERRORS = {503: "The results database is not there (moved or deleted).", 500: "The results database is damaged."}
_DB_LIST_ERRORS = _problems({422: "An unknown filter or warning, or a bad value or paging.", **_DB_ERRORS})
_DB_WORK_ERRORS = _problems({404: "No such work in the database.", **_DB_ERRORS})
_DB_FAILED_ERRORS = _problems({422: "A filter (failed files have no results to filter) or bad paging.", **_DB_ERRORS})


class FailedFile(BaseModel):
    """A file ``forewarn batch`` could not read, as ``forewarn query --failed --json`` lists it."""

    path: str
    error: str = Field(description="Why it could not be read.")
    content_hash: str | None = Field(description="SHA-256 of its bytes; null when they could not be read at all.")
    model_version: str = Field(description="The model version of the run it failed in.")
    at: str = Field(description="When it last failed (UTC, ISO 8601).")


class Busy(HTTPException):
    """Every scan slot is taken (possibly by scans that timed out but still run)."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(
            status_code=503,
            detail="the scanner is busy with other works (or with timed-out ones still stopping); try again shortly",
            headers={"Retry-After": str(max(1, math.ceil(retry_after_s)))},
        )


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


def _charset(content_type: str) -> str | None:
    """The charset= a Content-Type names, or None."""
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def _decode_text(body: bytes, charset: str) -> str:
    """A text/plain body in the charset it names; undecodable is a 422, and so is a charset no
    codec decodes text with (not "the body is not bogus text": the name is at fault)."""
    try:
        return body.decode(charset).lstrip("\ufeff")
    except LookupError:  # no such codec, or one that is not bytes to text ("rot13", "hex")
        detail = f"unknown charset {charset!r} in Content-Type (send UTF-8, or leave charset out)"
        raise HTTPException(status_code=422, detail=detail) from None
    except UnicodeDecodeError:
        raise HTTPException(status_code=422, detail=f"the body is not {charset} text") from None


def _parse_options(request: Request, body: dict[str, Any]) -> Options:
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


def _json_request(body: bytes, request: Request) -> tuple[str, Options]:
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
    threshold = payload.get("threshold")
    if isinstance(threshold, str):  # a form's or query string's is text; JSON has numbers, as the schema says
        detail = f"threshold must be a JSON number from 0 to 1, not the string {threshold!r}"
        raise HTTPException(status_code=422, detail=detail)
    options = {k: payload.get(k) for k in ("only", "ignore", "threshold")}
    return payload["text"], _parse_options(request, options)


def _form_options(form: FormData) -> dict[str, Any]:
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
