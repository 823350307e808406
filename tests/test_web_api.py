"""The HTTP API as a developer integrating forewarn meets it, through the real app."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("fastapi")
from conftest import STORY, stored_with_a_right_to_left_name  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from forewarn.score.cascade import CascadeScorer  # noqa: E402
from forewarn.web.app import create_app  # noqa: E402


def test_pasted_text_has_no_path_and_a_capitalised_title(client: TestClient) -> None:
    """Regression: pasted text got the path "pasted text" (null from forewarn.scan on the same
    str) and so the lowercase title "pasted text" on its page, where the HTML report of a str
    says "Pasted text"."""
    sent = (
        client.post("/api/scan", json={"text": STORY}),
        client.post("/api/scan", content=STORY.encode(), headers={"Content-Type": "text/plain"}),
        client.post("/api/scan", content=STORY.encode(), headers={"Content-Type": "text/plain; charset=utf-8"}),
        client.post("/api/scan", data={"text": STORY}),
    )
    for r in sent:
        assert r.status_code == 200 and r.json()["report"]["work"]["path"] is None
        page = client.get(r.json()["url"]).text
        assert "<title>forewarn: Pasted text</title>" in page and '<h1 dir="auto">Pasted text</h1>' in page
    form = client.post("/scan", data={"text": STORY}, follow_redirects=False)
    assert '<h1 dir="auto">Pasted text</h1>' in client.get(form.headers["location"]).text


def test_the_file_picker_offers_every_suffix_the_readers_read(client: TestClient) -> None:
    """Regression: the picker's accept list lacked .markdown and .text, so a browser greyed
    out such files though the API reads them (.markdown as Markdown, .text as plain text)."""
    from forewarn.readers import SUPPORTED_SUFFIXES

    accept = re.search(r'<input id="file"[^>]* accept="([^"]*)"', client.get("/").text)
    assert accept is not None and set(accept.group(1).split(",")) == set(SUPPORTED_SUFFIXES)
    assert {".markdown", ".text"} <= SUPPORTED_SUFFIXES
    for name, fmt in (("s.markdown", "markdown"), ("s.text", "text")):
        r = client.post("/api/scan", files={"file": (name, STORY.encode(), "text/plain")})
        assert r.status_code == 200 and r.json()["report"]["work"]["format"] == fmt


def test_a_path_in_the_stored_pages_sentence_is_isolated_and_escaped(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: /db/ID's "Reading mode is not available: PATH could not be read again (...)"
    had the path bare in the sentence, so a right-to-left override in a file name turned the
    words after it around; it is in a <bdi>, escaped as before."""
    import html
    import json
    import sqlite3

    folder, name, db = stored_with_a_right_to_left_name(tmp_path)
    with sqlite3.connect(db) as conn:  # the same bytes, but a format they cannot be read as
        report = json.loads(conn.execute("SELECT report_json FROM works WHERE id = 1").fetchone()[0])
        report["work"]["format"] = "epub"
        conn.execute("UPDATE works SET report_json = ? WHERE id = 1", (json.dumps(report),))
    page = TestClient(create_app(scorer=CascadeScorer(), db_path=db)).get("/db/1").text
    shown = html.escape(str(folder / name))
    assert f"Reading mode is not available: <bdi>{shown}</bdi> could not be read again (" in page
    assert "a<b>" not in page


def _validator(spec: dict, status: str, op: dict):  # type: ignore[no-untyped-def,type-arg]
    """A validator for ``op``'s JSON reply with ``status``, its refs resolved inside ``spec``."""
    import jsonschema

    schema = op["responses"][status]["content"]["application/json"]["schema"]
    return jsonschema.Draft202012Validator({**schema, "components": spec["components"]})


def test_openapi_describes_the_replies_as_the_app_gives_them(client: TestClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: /openapi.json gave every route with a path parameter a 422 "Validation Error"
    of a shape ({"detail": [{"loc", ...}]}) that no route answers, but not the 404 that
    /works/ID.json answers for an unknown id; the report was any object; /scan said 200 where it
    redirects (303); /db and /db.json listed none of their 422s, /db/ID none of its 404s. The
    failed files' /db/failed.json is described as it answers too."""
    import json
    from importlib import resources

    from forewarn.batch import run_batch

    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "w.txt").write_text("Title: Harbour\n\n" + STORY)
    (folder / "blob.txt").write_bytes(b"\x00\x01\xff" * 99)  # a file the batch cannot read
    run_batch(folder, db=tmp_path / "r.db", workers=1, mode="lexicon")
    app = TestClient(create_app(scorer=CascadeScorer(), db_path=tmp_path / "r.db", max_upload_bytes=200_000))
    spec = app.get("/openapi.json").json()
    assert "HTTPValidationError" not in json.dumps(spec)
    paths = spec["paths"]
    shipped = json.loads((resources.files("forewarn") / "schema" / "report-v1.json").read_text(encoding="utf-8"))
    assert spec["components"]["schemas"]["Report"] == shipped["$defs"]["report"]
    assert "303" in paths["/scan"]["post"]["responses"] and "200" not in paths["/scan"]["post"]["responses"]

    scan = paths["/api/scan"]["post"]
    replies = [
        ("/api/scan", scan, app.post("/api/scan", json={"text": STORY})),
        ("/api/scan", scan, app.post("/api/scan", files={"file": ("s.md", STORY.encode(), "text/markdown")})),
        ("/api/scan", scan, app.post("/api/scan", content=b"\x00\x01" * 99, headers={"Content-Type": "text/plain"})),
        ("/api/scan", scan, app.post("/api/scan", json={"text": STORY, "treshold": 1})),
        ("/api/scan", scan, app.post("/api/scan", content=b"<a/>", headers={"Content-Type": "application/xml"})),
        ("/api/scan", scan, app.post("/api/scan", json={"text": "word " * 50_000})),
    ]
    wid = replies[0][2].json()["id"]
    for path, url in (
        ("/works/{wid}.json", f"/works/{wid}.json"),
        ("/works/{wid}.json", "/works/0000000000000000.json"),
    ):
        replies.append((path, paths[path]["get"], app.get(url)))
    for url in ("/db.json", "/db.json?banana=1", "/db.json?limit=0"):
        replies.append(("/db.json", paths["/db.json"]["get"], app.get(url)))
    for url in ("/db/1.json", "/db/99.json"):
        replies.append(("/db/{work_id}.json", paths["/db/{work_id}.json"]["get"], app.get(url)))
    for url in ("/db/failed.json", "/db/failed.json?has=violence", "/db/failed.json?limit=0"):
        replies.append(("/db/failed.json", paths["/db/failed.json"]["get"], app.get(url)))
    seen = set()
    for path, op, r in replies:
        status = str(r.status_code)
        assert status in op["responses"], (path, status, r.text[:200])
        errors = list(_validator(spec, status, op).iter_errors(r.json()))
        assert not errors, (path, status, errors[0].message)
        seen.add((path, status))
    assert {("/api/scan", s) for s in ("200", "413", "415", "422")} <= seen
    assert {("/works/{wid}.json", "200"), ("/works/{wid}.json", "404"), ("/db.json", "422")} <= seen
    assert {("/db/{work_id}.json", "200"), ("/db/{work_id}.json", "404")} <= seen
    assert {("/db/failed.json", "200"), ("/db/failed.json", "422")} <= seen
    assert app.get("/db/failed.json").json()[0]["error"].startswith("binary file")


def test_binary_sent_as_text_is_refused_as_an_upload_of_it_is(client: TestClient) -> None:
    """Regression: a file's bytes sent as text (JSON "\\u0000...", text/plain with a charset, a
    form's text field) were scanned as a one-word work with no warnings, which reads as clean,
    where the same bytes uploaded, or sent as text/plain without a charset, are a 422."""
    binary = bytes(range(256)) * 4
    text = binary.decode("latin-1")
    sent = (
        client.post("/api/scan", json={"text": text}),
        client.post("/api/scan", json={"text": "\x00" * 100}),
        client.post("/api/scan", content=binary, headers={"Content-Type": "text/plain; charset=latin-1"}),
        client.post("/api/scan", data={"text": text}),
        client.post("/api/scan", files={"file": ("s.txt", binary, "text/plain")}),
        client.post("/api/scan", content=binary, headers={"Content-Type": "text/plain"}),
    )
    for r in sent:
        assert r.status_code == 422 and "binary" in r.json()["detail"], r.text[:200]
    form = client.post("/scan", data={"text": "\x00" * 100})
    assert form.status_code == 422 and "binary" in form.text
    tabs = STORY.replace(" ", "\t") + "\f\x1b"  # tabs, a form feed, an ESC: still text
    assert client.post("/api/scan", json={"text": tabs}).status_code == 200


def test_no_cors_headers_as_the_readme_says(client: TestClient) -> None:
    """The README tells a developer that pages of other origins cannot read the API's answers."""
    origin = {"Origin": "https://example.org"}
    preflight = client.options("/api/scan", headers={**origin, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 405 and "access-control-allow-origin" not in preflight.headers
    r = client.post("/api/scan", json={"text": STORY}, headers=origin)
    assert r.status_code == 200 and not any(h.startswith("access-control-") for h in r.headers)
    assert r.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" in r.headers


def test_the_upload_limit_counts_a_urlencoded_body_as_sent(client: TestClient) -> None:
    """As the README says: escapes count (a urlencoded quote is three bytes), so text just under
    --max-upload goes as text/plain or a file."""
    text = 'She said "no" to him.\n' * 7_500  # 165,000 bytes; urlencoded, about 210,000
    assert len(text.encode()) < 200_000
    assert client.post("/api/scan", data={"text": text}).status_code == 413
    assert client.post("/api/scan", content=text.encode(), headers={"Content-Type": "text/plain"}).status_code == 200


def test_a_json_field_given_twice_is_a_422_as_in_a_query_or_form(client: TestClient) -> None:
    """Regression: {"threshold": 0.1, "threshold": 0.9} scanned at 0.9, the first value ignored
    without a word, where the README says a threshold given twice is a 422, never ignored."""
    text = '"He stabbed the guard and blood pooled on the stones."'
    for field, body in (
        ("threshold", f'{{"text": {text}, "threshold": 0.1, "threshold": 0.9}}'),
        ("only", f'{{"text": {text}, "only": "blood", "only": "war"}}'),
        ("text", f'{{"text": "a", "text": {text}}}'),
    ):
        r = client.post("/api/scan", content=body.encode(), headers={"Content-Type": "application/json"})
        assert r.status_code == 422 and r.json()["detail"] == f"give {field} once, not 2 times", (field, r.text)
    assert client.post("/api/scan", json={"text": STORY, "threshold": 0.9}).status_code == 200


def test_the_api_report_is_the_python_apis_and_the_clis_for_the_same_input(client: TestClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """One shape and the same values, whichever way the same work comes in (timings aside): pasted
    text as forewarn.scan reads a str (it said path "pasted text" here, null there), a file as
    forewarn.scan and `forewarn scan --json` read it."""
    import json

    from click.testing import CliRunner

    import forewarn as fw
    from forewarn.cli import main
    from forewarn.report.json import report_to_dict

    scorer = CascadeScorer()

    def same(report: dict) -> dict:  # type: ignore[type-arg]
        return {k: v for k, v in report.items() if k != "timings"}

    pasted = client.post("/api/scan", json={"text": STORY}).json()["report"]
    assert same(pasted) == same(report_to_dict(fw.scan(STORY, scorer=scorer)))
    path = tmp_path / "story.txt"
    path.write_text(STORY)
    uploaded = client.post("/api/scan", files={"file": ("story.txt", STORY.encode(), "text/plain")}).json()["report"]
    by_path = report_to_dict(fw.scan(path, scorer=scorer))
    assert by_path["work"].pop("path") == str(path) and uploaded["work"].pop("path") == "story.txt"
    assert same(uploaded) == same(by_path)
    cli = CliRunner().invoke(main, ["scan", "--scorer", "lexicon", "--json", str(path)])
    printed = json.loads(cli.stdout)["reports"][0]
    lexicon = report_to_dict(fw.scan(path, scorer="lexicon"))
    assert printed["work"].pop("path") == lexicon["work"].pop("path")
    assert same(printed) == same(lexicon)


@pytest.mark.parametrize("charset", ["bogus", "rot13", "hex"])
def test_a_charset_no_codec_decodes_text_with_is_named_as_unknown(client: TestClient, charset: str) -> None:
    """Regression: "text/plain; charset=bogus" was a 422 saying "the body is not bogus text", as
    if the body were at fault rather than the charset's name (rot13 and hex are codecs, but not
    of bytes to text)."""
    r = client.post("/api/scan", content=STORY.encode(), headers={"Content-Type": f"text/plain; charset={charset}"})
    assert r.status_code == 422
    assert r.json()["detail"] == f"unknown charset {charset!r} in Content-Type (send UTF-8, or leave charset out)"


def test_openapi_describes_the_headers_a_client_is_told_to_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The README tells a client to read Retry-After on a 503 and X-Total-Count on /db.json and
    /db/failed.json, but /openapi.json described neither, so a generated client had no field."""
    from forewarn.batch import run_batch

    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "w.txt").write_text(STORY)
    run_batch(tmp_path / "c", db=tmp_path / "r.db", workers=1, mode="lexicon")
    app = TestClient(create_app(scorer=CascadeScorer(), db_path=tmp_path / "r.db"))
    paths = app.get("/openapi.json").json()["paths"]
    assert app.get("/db.json").headers["X-Total-Count"] == "1"
    busy = paths["/api/scan"]["post"]["responses"]["503"]["headers"]["Retry-After"]
    assert busy["schema"]["type"] == "integer" and "seconds" in busy["description"]
    for path in ("/db.json", "/db/failed.json"):
        total = paths[path]["get"]["responses"]["200"]["headers"]["X-Total-Count"]
        assert total["schema"]["type"] == "integer" and "match" in total["description"]


def test_the_threshold_a_scan_takes_is_the_one_openapi_describes(client: TestClient) -> None:
    """Regression: a JSON body's "threshold": "0.5" (a string) was scanned, where /openapi.json
    says a number. JSON has numbers: a string there is a 422 naming the field. A form's and a
    query string's values are text by nature; their schema (a number) describes what the text
    holds, so "0.5" is taken there and "high" is not."""
    import jsonschema

    op = client.get("/openapi.json").json()["paths"]["/api/scan"]["post"]
    body_schema = op["requestBody"]["content"]["application/json"]["schema"]
    for threshold in (0.5, 0, 1, "0.5", "1", 2, -0.1, True, None, [0.5]):
        body = {"text": STORY, "threshold": threshold}
        valid = jsonschema.Draft202012Validator(body_schema).is_valid(body)
        r = client.post("/api/scan", json=body)
        assert r.status_code == (200 if valid else 422), (threshold, r.text)
        if not valid:
            assert "threshold" in r.json()["detail"], r.text
    r = client.post("/api/scan", json={"text": STORY, "threshold": "0.5"})
    assert r.json()["detail"] == "threshold must be a JSON number from 0 to 1, not the string '0.5'"

    form_schema = op["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]["threshold"]
    (query_param,) = [p for p in op["parameters"] if p["name"] == "threshold"]
    for schema in (form_schema, query_param["schema"]):
        assert schema["type"] == "number" and (schema["minimum"], schema["maximum"]) == (0, 1)
    for text in ("0.5", "1", "2", "high"):
        try:
            valid = jsonschema.Draft202012Validator(form_schema).is_valid(float(text))
        except ValueError:
            valid = False
        upload = {"file": ("s.txt", STORY.encode(), "text/plain")}
        for r in (
            client.post("/api/scan", files=upload, data={"threshold": text}),
            client.post(f"/api/scan?threshold={text}", content=STORY, headers={"Content-Type": "text/plain"}),
        ):
            assert r.status_code == (200 if valid else 422), (text, r.text)
