"""The web app, in process through its real ASGI stack."""

from __future__ import annotations

import html
import json
import re

import pytest

pytest.importorskip("fastapi")
from conftest import STORY, stored_with_a_right_to_left_name  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from forewarn.score.cascade import CascadeScorer  # noqa: E402
from forewarn.web.app import create_app  # noqa: E402

XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_form_page_and_health(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and '<label for="file">' in page.text
    assert "Content-Security-Policy" in page.headers and page.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/healthz").json()["status"] == "ok"


def test_upload_redirects_to_page_with_json_twin(client: TestClient) -> None:
    r = client.post("/scan", files={"file": ("story.txt", STORY.encode(), "text/plain")}, follow_redirects=False)
    assert r.status_code == 303
    url = r.headers["location"]
    assert re.fullmatch(r"/works/[0-9a-f]{16}", url)
    page = client.get(url)
    assert page.status_code == 200 and "Reading mode" in page.text
    twin = client.get(url + ".json").json()
    assert {w["id"] for w in twin["warnings"]} >= {"violence", "blood"}
    assert client.get("/works/0000000000000000.json").status_code == 404


def test_paste_and_api(client: TestClient) -> None:
    r = client.post("/scan", data={"text": STORY}, follow_redirects=False)
    assert r.status_code == 303
    api = client.post("/api/scan", json={"text": STORY})
    assert api.status_code == 200
    body = api.json()
    assert body["url"] == f"/works/{body['id']}" and body["report"]["warnings"]
    multipart = client.post("/api/scan", files={"file": ("s.txt", STORY.encode(), "text/plain")})
    assert multipart.status_code == 200
    long = "\n\n".join([STORY] * 200)  # long enough to take well over the 0.1 ms timings are rounded to
    pasted = client.post("/api/scan", json={"text": long}).json()
    uploaded = client.post("/api/scan", files={"file": ("s.txt", long.encode(), "text/plain")}).json()
    for done in (pasted, uploaded):  # reading is timed (it was 0.0)
        assert done["report"]["timings"]["read_s"] > 0
    assert client.post("/api/scan", json={"nope": 1}).status_code == 422
    assert "/api/scan" in client.get("/openapi.json").json()["paths"]


def test_limits_and_bad_input(client: TestClient) -> None:
    big = b"word " * 60_000
    r = client.post("/api/scan", files={"file": ("big.txt", big, "text/plain")})
    assert r.status_code == 413 and "too large" in r.json()["detail"]
    r = client.post("/scan", files={"file": ("big.txt", big, "text/plain")})
    assert r.status_code == 413 and "too large" in r.text
    r = client.post("/api/scan", files={"file": ("w.epub", b"PK\x03\x04" + b"\x00" * 64, "application/epub+zip")})
    assert r.status_code == 422 and "EPUB is damaged" in r.json()["detail"]
    r = client.post("/api/scan", files={"file": ("e.txt", b"", "text/plain")}, data={"text": ""})
    assert r.status_code == 422
    assert client.get("/healthz").status_code == 200  # still up


def test_work_text_and_title_are_escaped_everywhere(client: TestClient) -> None:
    text = f"Title: {XSS}\n\n" + STORY.replace("the stones.", f"the stones. {XSS}")
    body = client.post("/api/scan", json={"text": text}).json()
    page = client.get(body["url"]).text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_slow_scan_times_out_with_504_and_server_stays_up() -> None:
    import time as _time

    class Slow(CascadeScorer):
        def score(self, texts):  # type: ignore[no-untyped-def]
            _time.sleep(1.0)
            return super().score(texts)

    slow = TestClient(create_app(scorer=Slow(), scan_timeout_s=0.2))
    r = slow.post("/api/scan", json={"text": STORY})
    assert r.status_code == 504 and "longer than" in r.json()["detail"]
    assert slow.get("/healthz").status_code == 200
    # It says what to do (regression: it said only that the scan took too long).
    detail = r.json()["detail"]
    assert "longer than 0.2 s, this server's time limit" in detail
    assert "the command line, which has no time limit (forewarn scan FILE)" in detail
    assert detail.endswith("start the server with a larger limit (forewarn serve --timeout 1).")
    page = slow.post("/scan", data={"text": STORY}, headers={"Accept": "text/html"})
    assert page.status_code == 504 and "forewarn serve --timeout 1" in page.text and STORY[:40] in page.text
    described = slow.get("/openapi.json").json()["paths"]["/api/scan"]["post"]["responses"]["504"]["description"]
    assert "`forewarn scan` has no time limit" in described and "--timeout" in described


def test_the_model_loads_once_and_not_against_the_first_scans_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: the packaged scorer loaded inside the first scan, so with --timeout 1 the first
    scans were 504s, and two first scans at once each loaded a copy."""
    import threading
    import time

    import forewarn.score.cascade as cascade

    loads = []

    def slow_load(*args, **kwargs):  # type: ignore[no-untyped-def]
        loads.append(1)
        time.sleep(0.6)  # longer than the timeout
        return CascadeScorer()

    monkeypatch.setattr(cascade, "default_scorer", slow_load)
    client = TestClient(create_app(scan_timeout_s=0.4, max_scans=2))
    codes: list[int] = []

    def scan(n: int) -> None:
        codes.append(client.post("/api/scan", json={"text": f"{STORY} {n}"}).status_code)

    threads = [threading.Thread(target=scan, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200, 200] and len(loads) == 1
    assert client.post("/api/scan", json={"text": STORY}).status_code == 200 and len(loads) == 1


def test_results_database_pages(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from forewarn.batch import run_batch

    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text("Title: <b>A</b>\n\n" + STORY)
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    client = TestClient(create_app(scorer=CascadeScorer(), db_path=db))
    index = client.get("/db")
    assert index.status_code == 200 and "&lt;b&gt;A&lt;/b&gt;" in index.text and "<b>A</b>" not in index.text
    # Landmarks as on every other page (reader review): the list is in <main>, the title in <header>.
    assert "<header><h1>Scanned works</h1></header><main>" in index.text
    assert index.text.index('href="/db/1"') < index.text.index("</main>")
    r = client.get("/db/1", follow_redirects=False)
    assert r.status_code == 200 and "Reading mode" in r.text and "stored by forewarn batch" in r.text
    assert client.get("/db/99").status_code == 404
    missing = client.get("/db/99", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "no such work in the database" in missing.text and "<h1>" in missing.text


def test_db_page_renders_the_stored_report_when_the_file_is_gone(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from forewarn.batch import run_batch

    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text("Title: Harbour\n\n" + STORY)
    monkeypatch.chdir(tmp_path)
    run_batch("c", db="r.db", workers=1, mode="lexicon")  # a relative target, as users type it
    (folder / "a.txt").unlink()
    monkeypatch.chdir("/")  # serve from elsewhere
    client = TestClient(create_app(scorer=CascadeScorer(), db_path=tmp_path / "r.db"))
    page = client.get("/db/1")
    assert page.status_code == 200 and "Harbour" in page.text and "no longer at its path" in page.text
    assert "Violence" in page.text and 'href="/db/1.json"' in page.text
    twin = client.get("/db/1.json")
    assert twin.status_code == 200 and {"violence", "blood"} <= {w["id"] for w in twin.json()["warnings"]}
    assert [r["id"] for r in client.get("/db.json").json()] == [1]
    assert client.get("/db/99.json").status_code == 404 and client.get("/db/x.json").status_code == 404


def test_a_stored_work_not_in_english_keeps_its_caveat_on_its_pages(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from test_language import OTHER

    from forewarn.batch import run_batch

    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "de.txt").write_text(OTHER["de"] + "\n")
    run_batch(folder, db=tmp_path / "r.db", workers=1, mode="lexicon")
    client = TestClient(create_app(scorer=CascadeScorer(), db_path=tmp_path / "r.db"))
    assert "Caveat: This work reads as German" in client.get("/db/1").text  # the file is there: reading page
    (folder / "de.txt").unlink()
    assert "Caveat: This work reads as German" in client.get("/db/1").text  # the stored report alone
    assert client.get("/db/1.json").json()["work"]["detected_language"] == "de"
    api = client.post("/api/scan", json={"text": OTHER["fr"]}).json()
    assert api["report"]["work"]["detected_language"] == "fr" and "French" in api["report"]["caveats"][0]
    assert "Caveat: This work reads as French" in client.get(api["url"]).text


def test_scans_are_bounded_and_busy_gets_503_with_retry_after() -> None:
    import threading

    release = threading.Event()

    class Stuck(CascadeScorer):
        def score(self, texts):  # type: ignore[no-untyped-def]
            release.wait(10)
            return super().score(texts)

    # The timeout must stop the stuck scan (10 s) and let the scan after the release finish: at
    # 0.2 s that scan, 10 ms alone, got a 504 in two full runs from a clean clone under /tmp.
    app = TestClient(create_app(scorer=Stuck(), scan_timeout_s=1.0, max_scans=1))
    assert app.post("/api/scan", json={"text": STORY}).status_code == 504  # its thread still runs
    busy = app.post("/api/scan", json={"text": STORY + " again"})
    assert busy.status_code == 503 and int(busy.headers["Retry-After"]) >= 1
    form = app.post("/scan", data={"text": STORY})
    assert form.status_code == 503 and "busy" in form.text and "Retry-After" in form.headers
    release.set()
    for _ in range(50):  # the slot frees when the stuck thread really ends
        r = app.post("/api/scan", json={"text": STORY})
        if r.status_code != 503:
            break
        threading.Event().wait(0.1)
    assert r.status_code == 200


def test_no_cdn_docs_pages_but_openapi_stays(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").status_code == 200


def test_413_names_the_limit_in_binary_units() -> None:
    """Regression: a 1500 KiB limit was "the limit is 2 MB" (decimal, rounded)."""
    client = TestClient(create_app(scorer=CascadeScorer(), max_upload_bytes=1536 * 1024))
    big = b"word " * 330_000
    r = client.post("/api/scan", files={"file": ("big.txt", big, "text/plain")})
    assert r.status_code == 413 and r.json()["detail"] == "upload too large: the limit is 1.5 MiB"
    r = client.post("/scan", files={"file": ("big.txt", big, "text/plain")})
    assert r.status_code == 413 and "the limit is 1.5 MiB" in r.text
    r = client.post("/api/scan", content=big, headers={"Content-Type": "text/plain"})
    assert r.status_code == 413 and "1.5 MiB" in r.json()["detail"]


def test_pasted_text_over_the_limit_in_a_form_is_a_413_and_a_malformed_form_a_422(client: TestClient) -> None:
    """Regression: a form's text field over --max-upload was Starlette's 400 "Part exceeded maximum
    size of 195KB." (the file of the same size was the documented 413), and a malformed multipart
    body an undocumented 400."""
    big = "word " * 41_000  # 205,000 bytes: over the fixture's 200,000, under the Content-Length check
    for fields in ({"text": big}, {"text": STORY, "only": big}):
        r = client.post("/api/scan", files={"file": ("", b"", "application/octet-stream")}, data=fields)
        assert r.status_code == 413 and r.json()["detail"] == "upload too large: the limit is 195.3 KiB"
        page = client.post("/scan", files={"file": ("", b"", "application/octet-stream")}, data=fields)
        assert page.status_code == 413 and "upload too large" in page.text and 'class="error"' in page.text
    r = client.post("/api/scan", data={"text": big})  # application/x-www-form-urlencoded
    assert r.status_code == 413 and "too large" in r.json()["detail"]
    for content_type in ("multipart/form-data", "multipart/form-data; boundary=xyz"):
        r = client.post("/api/scan", content=b"--nope\r\ngarbage", headers={"Content-Type": content_type})
        assert r.status_code == 422 and r.json()["detail"].startswith("the form could not be read")
        page = client.post("/scan", content=b"--nope\r\ngarbage", headers={"Content-Type": content_type})
        assert page.status_code == 422 and "the form could not be read" in page.text
    assert (
        "malformed JSON or multipart"
        in client.get("/openapi.json").json()["paths"]["/api/scan"]["post"]["responses"]["422"]["description"]
    )


def test_a_chunked_upload_over_the_limit_is_refused_as_it_streams() -> None:
    """Regression: a chunked body has no Content-Length, so the middleware's size check passed it
    and Starlette wrote its whole file part (5 MiB here, any size) to a temporary file before the
    app's own check said 413. The bytes are now counted as they stream; a chunked upload under the
    limit is scanned as before."""
    import asyncio

    import httpx

    app = create_app(scorer=CascadeScorer(), max_upload_bytes=200_000)
    head = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
    tail = b"\r\n--xyz--\r\n"

    async def post(path: str, payload: bytes, chunks: int) -> tuple[httpx.Response, int, int]:
        pulled = 0
        parts = [head, *[payload] * chunks, tail]

        async def body():  # type: ignore[no-untyped-def]  # an async generator: sent chunked
            nonlocal pulled
            for part in parts:
                pulled += len(part)
                yield part

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://forewarn") as client:
            r = await client.post(
                path,
                content=body(),
                headers={"Content-Type": "multipart/form-data; boundary=xyz", "Accept": "text/html"},
            )
        assert "content-length" not in r.request.headers and r.request.headers["transfer-encoding"] == "chunked"
        return r, pulled, sum(map(len, parts))

    for path in ("/api/scan", "/scan"):
        r, pulled, total = asyncio.run(post(path, b"word " * 13_107, 80))  # 64 KiB a chunk, 5 MiB in all
        assert r.status_code == 413 and "upload too large: the limit is 195.3 KiB" in r.text
        assert pulled < 400_000 < total  # refused a chunk or two past the limit, not at the end
        assert r.headers["Content-Security-Policy"]  # the app's own answer
    r, _, _ = asyncio.run(post("/api/scan", STORY.encode(), 1))
    assert r.status_code == 200 and {"violence", "blood"} <= {w["id"] for w in r.json()["report"]["warnings"]}


def test_the_default_upload_limit_is_10_mib_as_documented() -> None:
    """Regression: create_app() defaulted to 10,000,000 bytes and said "the limit is 9.5 MiB"."""
    import inspect

    assert inspect.signature(create_app).parameters["max_upload_bytes"].default == 10 * 1024 * 1024
    client = TestClient(create_app(scorer=CascadeScorer()))
    r = client.post("/api/scan", content=b"x" * (10 * 1024 * 1024 + 65 * 1024), headers={"Content-Type": "text/plain"})
    assert r.status_code == 413 and r.json()["detail"] == "upload too large: the limit is 10 MiB"


def warning_ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [w["id"] for w in response.json()["report"]["warnings"]]


def test_api_takes_a_text_plain_body_as_the_text(client: TestClient) -> None:
    """Regression: a text/plain body got 422 "send a file or some text"."""
    r = client.post("/api/scan", content=STORY.encode(), headers={"Content-Type": "text/plain"})
    assert warning_ids(r) == warning_ids(client.post("/api/scan", json={"text": STORY}))
    assert {"violence", "blood"} <= set(warning_ids(r))
    latin1 = client.post(
        "/api/scan",
        content=("Café. " + STORY).encode("latin-1"),
        headers={"Content-Type": "text/plain; charset=latin-1"},
    )
    assert warning_ids(latin1) and client.get(latin1.json()["url"]).status_code == 200
    r = client.post("/api/scan?only=violence", content=STORY.encode(), headers={"Content-Type": "text/plain"})
    assert warning_ids(r) == ["violence"]
    r = client.post("/api/scan", content=b"  \n", headers={"Content-Type": "text/plain"})
    assert r.status_code == 422 and r.json()["detail"] == "send a file or some text"
    r = client.post("/api/scan", content=b"caf\xe9\xfa", headers={"Content-Type": "text/plain; charset=utf-8"})
    assert r.status_code == 422 and r.json()["detail"] == "the body is not utf-8 text"  # as it says
    r = client.post("/api/scan", content=b"<w/>", headers={"Content-Type": "application/xml"})
    assert r.status_code == 415 and "text/plain" in r.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        # Regression: without a charset these were 422 "the body is not utf-8 text", though
        # uploaded as a file (or given to the command line) they were read.
        b"caf\xe9 and a knife. " + STORY.encode("cp1252"),
        ("Caf\u00e9 \u2014 " + STORY).encode("cp1252"),
        ("Caf\u00e9. " + STORY).encode("utf-16"),
        ("Caf\u00e9. " + STORY).encode("utf-8"),
        b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 8,  # binary: refused as an upload is
        b"\xff\xfe\xfa",  # a UTF-16 BOM and half a character: refused as an upload is
    ],
    ids=["latin-1", "cp1252", "utf-16", "utf-8", "binary", "broken-utf-16"],
)
def test_a_text_plain_body_without_a_charset_is_decoded_as_an_uploaded_file(client: TestClient, body: bytes) -> None:
    plain = client.post("/api/scan", content=body, headers={"Content-Type": "text/plain"})
    upload = client.post("/api/scan", files={"file": ("s.txt", body, "text/plain")})
    assert plain.status_code == upload.status_code, plain.text
    if upload.status_code != 200:
        assert plain.status_code == 422 and plain.json()["detail"] == upload.json()["detail"]
        return
    work, uploaded = plain.json()["report"]["work"], upload.json()["report"]["work"]
    assert work["format"] == "markdown" and uploaded["format"] == "text"  # pasted text reads as Markdown
    assert (work["encoding"], work["characters"]) == (uploaded["encoding"], uploaded["characters"])
    assert warning_ids(plain) == warning_ids(upload) and {"violence", "blood"} <= set(warning_ids(plain))
    page = client.get(plain.json()["url"]).text
    assert "caf\u00e9" in page.lower() and "\ufffd" not in page


def test_api_options_are_honoured_alike_in_json_form_and_query(client: TestClient) -> None:
    """Regression: only/ignore/threshold in a JSON body were silently ignored."""
    everything = warning_ids(client.post("/api/scan", json={"text": STORY}))
    assert {"violence", "blood"} <= set(everything)
    upload = {"file": ("s.txt", STORY.encode(), "text/plain")}
    for only in (["violence"], "violence", "violence,violence"):
        assert warning_ids(client.post("/api/scan", json={"text": STORY, "only": only})) == ["violence"]
    assert warning_ids(client.post("/api/scan", files=upload, data={"only": "violence"})) == ["violence"]
    assert warning_ids(client.post("/api/scan", data={"text": STORY, "only": "violence"})) == ["violence"]
    assert warning_ids(client.post("/api/scan?only=violence", files=upload)) == ["violence"]
    no_blood = [w for w in everything if w != "blood"]
    assert warning_ids(client.post("/api/scan", json={"text": STORY, "ignore": ["gore"]})) == no_blood  # an alias
    assert warning_ids(client.post("/api/scan", files=upload, data={"ignore": "gore"})) == no_blood
    strict = client.post("/api/scan", json={"text": STORY, "threshold": 0.99})
    assert warning_ids(strict) == [] and strict.json()["report"]["settings"]["threshold"] == 0.99
    assert warning_ids(client.post("/api/scan", files=upload, data={"threshold": "0.99"})) == []
    # Options are part of the work id: the filtered report does not replace the full one.
    full = client.post("/api/scan", json={"text": STORY}).json()
    filtered = client.post("/api/scan", json={"text": STORY, "only": "violence"}).json()
    assert filtered["id"] != full["id"]
    assert {w["id"] for w in client.get(full["url"] + ".json").json()["warnings"]} == set(everything)


def test_an_empty_ignore_ignores_nothing_and_an_empty_only_is_refused(client: TestClient) -> None:
    """Regression: an empty ignore ("" or []) was a 422 "ignore needs at least one warning" over
    HTTP, while the Python API (and an empty --ignore) ignores nothing. It is now the same scan as
    no ignore at all (the same report and work id); an empty only still selects nothing: a 422."""
    full = client.post("/api/scan", json={"text": STORY}).json()
    upload = {"file": ("s.txt", STORY.encode(), "text/plain")}
    uploaded = client.post("/api/scan", files=upload).json()
    empties = [
        (client.post("/api/scan", json={"text": STORY, "ignore": []}), full),
        (client.post("/api/scan", json={"text": STORY, "ignore": ""}), full),
        (client.post("/api/scan", json={"text": STORY, "ignore": " , "}), full),
        (client.post("/api/scan?ignore=", json={"text": STORY}), full),
        (client.post("/api/scan", files=upload, data={"ignore": ""}), uploaded),
    ]
    for r, same in empties:
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["id"] == same["id"] and body["report"]["warnings"] == same["report"]["warnings"]
        assert body["report"]["settings"]["ignore"] == [] and body["report"]["settings"]["filtered"] is False
    page = client.post("/scan", data={"text": STORY, "ignore": ""}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == full["url"]
    for r in (
        client.post("/api/scan", json={"text": STORY, "only": []}),
        client.post("/api/scan", json={"text": STORY, "only": ""}),
        client.post("/api/scan?only=", json={"text": STORY}),
        client.post("/api/scan", files=upload, data={"only": ""}),
    ):
        assert r.status_code == 422 and r.json()["detail"] == "only needs at least one warning id or alias"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"only": ["gremlins"]}, "only: unknown warning 'gremlins'"),
        ({"ignore": "violence,gremlins"}, "ignore: unknown warning 'gremlins'"),
        ({"only": []}, "only needs at least one warning"),
        ({"only": 5}, "only must be a list"),
        ({"threshold": 2}, "threshold must be from 0 to 1"),
        ({"threshold": -1}, "threshold must be from 0 to 1"),
        ({"threshold": True}, "threshold must be a number"),
        ({"treshold": 0.5}, "unknown field 'treshold'"),
    ],
)
def test_bad_api_options_are_a_422_in_json(client: TestClient, options: dict, message: str) -> None:  # type: ignore[type-arg]
    r = client.post("/api/scan", json={"text": STORY, **options})
    assert r.status_code == 422 and message in r.json()["detail"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"only": "gremlins"}, "only: unknown warning 'gremlins'"),
        ({"only": ""}, "only needs at least one warning"),
        ({"threshold": "2"}, "threshold must be from 0 to 1"),
        ({"threshold": "high"}, "threshold must be a number from 0 to 1, not 'high'"),
    ],
)
def test_bad_api_options_are_a_422_in_a_form_and_on_the_form_page(
    client: TestClient, fields: dict[str, str], message: str
) -> None:
    r = client.post("/api/scan", files={"file": ("s.txt", STORY.encode(), "text/plain")}, data=fields)
    assert r.status_code == 422 and message in r.json()["detail"]
    pasted = STORY + ' </textarea><script>alert("x")</script>'
    page = client.post("/scan", data={"text": pasted, **fields})
    assert page.status_code == 422 and 'class="error"' in page.text
    # what was pasted comes back (it was thrown away), escaped
    assert html.escape(pasted) in page.text and "<script>alert" not in page.text


def test_pasted_text_is_reported_as_markdown_and_a_txt_upload_as_text(client: TestClient) -> None:
    """Regression: pasted text was read as Markdown ("# " headings start chapters) but its report
    said "format": "text", as the .txt upload of the same text, which has one chapter."""
    md = "# The Storm\n\n" + STORY + "\n\n# Aftermath\n\nShe walked home in the rain.\n"
    pasted = [
        client.post("/api/scan", json={"text": md}),
        client.post("/api/scan", content=md.encode(), headers={"Content-Type": "text/plain"}),
        client.post("/api/scan", data={"text": md}),
    ]
    for r in pasted:
        work = r.json()["report"]["work"]
        assert work["format"] == "markdown" and [c["title"] for c in work["chapters"]] == ["The Storm", "Aftermath"]
    work = client.post("/api/scan", files={"file": ("s.txt", md.encode(), "text/plain")}).json()["report"]["work"]
    assert work["format"] == "text" and len(work["chapters"]) == 1


@pytest.mark.parametrize(
    ("query", "fields", "message"),
    [
        ("?treshold=1", {}, "unknown query parameter 'treshold' (options: only, ignore, threshold)"),
        ("?only=violence&Ignore=blood", {}, "unknown query parameter 'Ignore'"),
        ("", {"ignroe": "violence"}, "unknown field 'ignroe' (fields: file, text, only, ignore, threshold)"),
        ("", {"threshold": "0.5", "treshold": "1"}, "unknown field 'treshold'"),
    ],
)
def test_a_misspelt_option_in_the_query_or_a_form_is_a_422_naming_it(
    client: TestClient, query: str, fields: dict[str, str], message: str
) -> None:
    """Regression: only a JSON body refused unknown names; "?treshold=1" or a form's "ignroe" were
    ignored, and the scan ran with the defaults."""
    upload = {"file": ("s.txt", STORY.encode(), "text/plain")}
    responses = [
        client.post(f"/api/scan{query}", files=upload, data=fields),
        client.post(f"/api/scan{query}", data={"text": STORY, **fields}),  # urlencoded
    ]
    if not fields:
        responses.append(
            client.post(f"/api/scan{query}", content=STORY.encode(), headers={"Content-Type": "text/plain"})
        )
        responses.append(client.post(f"/api/scan{query}", json={"text": STORY}))
    for r in responses:
        assert r.status_code == 422 and message in r.json()["detail"]
    page = client.post(f"/scan{query}", data={"text": STORY, **fields})
    assert page.status_code == 422 and html.escape(message) in page.text and html.escape(STORY) in page.text


def test_every_field_of_the_apps_own_form_is_accepted(client: TestClient) -> None:
    form_html = client.get("/").text.split("<form", 1)[1].split("</form>", 1)[0]
    names = set(re.findall(r'name="([^"]+)"', form_html))
    assert names == {"file", "text"}  # a new field must be added to the accepted ones
    form = {"file": ("", b"", "application/octet-stream")}
    r = client.post("/scan", files=form, data={"text": STORY}, follow_redirects=False)
    assert r.status_code == 303


def test_an_option_in_both_query_and_body_is_a_422(client: TestClient) -> None:
    r = client.post("/api/scan?threshold=0.5", json={"text": STORY, "threshold": 0.9})
    assert r.status_code == 422 and "threshold once" in r.json()["detail"]


def test_openapi_documents_the_scan_request_and_its_errors(client: TestClient) -> None:
    """Regression: /api/scan had no request body and no error responses in /openapi.json."""
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/scan"]["post"]
    content = op["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data", "text/plain"}
    assert content["application/json"]["schema"]["required"] == ["text"]
    assert {"text", "only", "ignore", "threshold"} <= set(content["application/json"]["schema"]["properties"])
    assert {"file", "text", "only", "ignore", "threshold"} <= set(
        content["multipart/form-data"]["schema"]["properties"]
    )
    assert content["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary"
    assert {p["name"] for p in op["parameters"]} == {"only", "ignore", "threshold"}
    assert {"200", "413", "415", "422", "503", "504"} <= set(op["responses"])
    ok = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert set(_resolve(spec, ok)["properties"]) == {"id", "url", "report"}
    error = _resolve(spec, op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"])
    assert error["properties"]["detail"]["type"] == "string"
    refs = re.findall(r'"\$ref": "([^"]+)"', __import__("json").dumps(spec))
    assert refs and all(_resolve(spec, ref) for ref in refs)  # a generated client can follow every one


def _resolve(spec: dict, ref: str) -> dict:  # type: ignore[type-arg]
    node = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_an_unknown_work_is_an_html_404_page_for_browsers_and_json_otherwise(client: TestClient) -> None:
    """Regression: a bookmarked report after a restart showed a browser raw JSON."""
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = client.get("/works/0000000000000000", headers=browser)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert page.text.startswith("<!DOCTYPE html>") and "Not found" in page.text and "in memory only" in page.text
    assert 'href="/"' in page.text and page.headers["Content-Security-Policy"]  # the app's page and headers
    hostile = client.get("/works/<b>x<img src=x onerror=alert(1)>", headers=browser)
    assert hostile.status_code == 404 and "<img src=x" not in hostile.text and "&lt;img src=x" in hostile.text
    api = client.get("/works/0000000000000000")
    assert api.status_code == 404 and "in memory only" in api.json()["detail"]
    twin = client.get("/works/0000000000000000.json", headers=browser)
    assert twin.status_code == 404 and twin.json()["detail"]


def test_odd_json_bodies_and_db_ids_are_4xx_not_500(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: a lone surrogate, deeply nested JSON and /db/² were 500s."""
    from forewarn.batch import run_batch

    client = TestClient(create_app(scorer=CascadeScorer()), raise_server_exceptions=False)
    body = json.dumps({"text": STORY + " @ b"}).replace("@", "\\udcff")
    r = client.post("/api/scan", content=body.encode(), headers=JSON)
    assert r.status_code == 200 and "\ufffd b" in client.get(r.json()["url"]).text
    r = client.post("/api/scan", content=b"[" * 100_000, headers=JSON)
    assert r.status_code == 422 and "not valid JSON" in r.json()["detail"]
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text(STORY)
    run_batch(folder, db=tmp_path / "r.db", workers=1, mode="lexicon")
    db = TestClient(create_app(scorer=CascadeScorer(), db_path=tmp_path / "r.db"), raise_server_exceptions=False)
    for wid in ("%C2%B2", "%D9%A1", "9" * 30, "9" * 5000):
        assert db.get(f"/db/{wid}").status_code == 404 and db.get(f"/db/{wid}.json").status_code == 404


JSON = {"Content-Type": "application/json"}


def test_the_same_bytes_read_another_way_are_another_work(client: TestClient) -> None:
    """Regression: the id hashed the bytes only, so x.txt's report replaced x.html's page."""
    data = ("<p>" + STORY.replace("\n\n", "</p><p>") + "</p>").encode()
    scans = {
        "html": client.post("/api/scan", files={"file": ("x.html", data, "text/html")}).json(),
        "text": client.post("/api/scan", files={"file": ("x.txt", data, "text/plain")}).json(),
        "pasted": client.post("/api/scan", json={"text": data.decode()}).json(),
        "renamed": client.post("/api/scan", files={"file": ("y.html", data, "text/html")}).json(),
    }
    assert len({s["id"] for s in scans.values()}) == 4
    for s in scans.values():  # each page still shows its own report
        assert client.get(s["url"] + ".json").json()["work"] == s["report"]["work"]
    assert scans["html"]["report"]["work"]["format"] != scans["text"]["report"]["work"]["format"]
    again = client.post("/api/scan", files={"file": ("x.html", data, "text/html")}).json()
    assert again["id"] == scans["html"]["id"]  # the same upload is the same work


def test_work_ids_do_not_collide_through_a_nul_in_the_text_or_the_file_name(client: TestClient) -> None:
    """Regression: the id hashed source + NUL + bytes + NUL + the options' JSON, so a text ending
    in a NUL and that JSON had the id of the text scanned with those options, and replaced its page."""
    text = "He stabbed the guard and blood pooled on the stones."
    a = client.post("/api/scan", json={"text": text, "only": "violence"}).json()
    tail = '\x00{"only":["violence"],"ignore":null,"threshold":null}'
    b = client.post("/api/scan", json={"text": text + tail})
    assert b.status_code == 200 and b.json()["id"] != a["id"]  # its NUL left out, as in a file
    assert b.json()["report"]["work"]["notices"] == ["1 NUL character (damage, not text) left out; all else was read"]
    assert client.get(a["url"] + ".json").json()["settings"]["only"] == ["violence"]  # still a's report
    from forewarn.web.app import Options, _work_id

    none = Options()
    only = Options(only=["violence"])
    assert _work_id((text + tail).encode(), source="pasted text", options=none) != a["id"]
    assert _work_id(text.encode(), source="pasted text", options=only) == a["id"]
    assert _work_id(b"b\0c", source="file a", options=none) != _work_id(b"c", source="file a\0b", options=none)
    assert _work_id(b"x", source="pasted text", options=none) == _work_id(b"x", source="pasted text", options=none)


def test_a_timed_out_scan_stops_at_its_next_step_and_frees_its_slot() -> None:
    """Regression: a timed-out scan ran to its end holding its slot, so two made every request a 503."""
    import threading
    import time

    calls = []

    class Slow(CascadeScorer):
        def score(self, texts):  # type: ignore[no-untyped-def]
            if len(texts) > 1:  # only the long scan's chunks are slow: the short one must not time out
                calls.append(len(texts))
                time.sleep(0.3)
            return super().score(texts)

    app = TestClient(create_app(scorer=Slow(), scan_timeout_s=0.5, max_scans=1))
    long = "\n\n".join([STORY] * 1000)  # 800 passages: 13 chunks of 64, about 4 s
    r = app.post("/api/scan", json={"text": long})
    assert r.status_code == 504 and "stopped" in r.json()["detail"]
    for _ in range(100):
        r = app.post("/api/scan", json={"text": STORY})
        if r.status_code != 503:
            break
        assert "timed-out" in r.json()["detail"]
        threading.Event().wait(0.05)
    assert r.status_code == 200
    assert len(calls) < 13  # the long scan stopped after a chunk or two, not after all 13


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf")])
def test_a_timeout_must_be_a_positive_finite_number(timeout: float) -> None:
    """Regression: --timeout 0, -1 or nan was taken, and every scan got a 504."""
    with pytest.raises(ValueError, match="positive"):
        create_app(scorer=CascadeScorer(), scan_timeout_s=timeout)


@pytest.mark.parametrize("timeout", ["0", "-1", "nan", "inf"])
def test_serve_refuses_a_bad_timeout_in_one_line(timeout: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from click.testing import CliRunner

    from forewarn.cli import main

    monkeypatch.setattr(uvicorn.Server, "run", lambda *a, **k: None)  # never serve in a test
    r = CliRunner().invoke(main, ["serve", "--port", "0", f"--timeout={timeout}"])
    assert r.exit_code == 2 and "timeout" in r.output and "Traceback" not in r.output


def test_db_pages_take_the_query_filters(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """/db?has=blood&not_declared=1 listed every work: the filters were ignored silently."""
    from forewarn.batch import run_batch

    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "fight.txt").write_text("He stabbed the guard and blood pooled on the stones.\n")
    (folder / "calm.txt").write_text("They walked home by the harbour and talked of nothing.\n")
    run_batch(folder, db=tmp_path / "r.db", workers=1, mode="lexicon")
    db = TestClient(create_app(scorer=CascadeScorer(), db_path=tmp_path / "r.db"))
    assert len(db.get("/db.json").json()) == 2
    hits = db.get("/db.json?has=violence&not_declared=1&min_confidence=0.1").json()
    assert [r["path"].rsplit("/", 1)[1] for r in hits] == ["fight.txt"]
    assert "1 work matching" in db.get("/db?has=violence").text
    for bad, message in (("has=nosuch", "unknown warning"), ("min_confidence=nan", "min_confidence"), ("x=1", "x")):
        r = db.get(f"/db.json?{bad}")
        assert r.status_code == 422 and message in r.json()["detail"], r.text


def test_db_pages_are_paged_and_keep_the_filters(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """/db listed every work on one page (2 MB of HTML at 5,760 works) and refused paging."""
    db, _ = _batch_db(tmp_path, works=5)
    client = TestClient(create_app(scorer=_NeverScans(), db_path=db))
    every = client.get("/db.json")
    assert every.headers["X-Total-Count"] == "5" and len(every.json()) == 5  # unpaged by default, as before
    page = client.get("/db.json?offset=1&limit=2")
    assert [r["id"] for r in page.json()] == [r["id"] for r in every.json()[1:3]]
    assert page.headers["X-Total-Count"] == "5"
    html_page = client.get("/db?has=violence&limit=2&offset=2").text
    assert "5 works matching has=violence" in html_page and "3-4 shown" in html_page
    assert html_page.count("<li>") == 2
    assert 'href="?has=violence&amp;offset=0&amp;limit=2">previous</a>' in html_page
    assert 'href="?has=violence&amp;offset=4&amp;limit=2">next</a>' in html_page
    assert "shown" not in client.get("/db").text  # one page: no paging line
    # int() alone took an Arabic-Indic 1, "1_000", "+1" and " 100 ".
    for bad in (
        "limit=0",
        "limit=x",
        "offset=-1",
        "limit=10001",
        "offset=%D9%A1",
        "limit=1_000",
        "limit=%2B1",
        "limit=+100+",
    ):
        r = client.get(f"/db.json?{bad}")
        assert r.status_code == 422 and "limit" in r.json()["detail"], bad


def _batch_db(tmp_path, works: int = 1):  # type: ignore[no-untyped-def]
    """A results database of ``works`` small works scanned by batch (lexicon), and its folder."""
    from forewarn.batch import run_batch

    folder = tmp_path / "c"
    folder.mkdir()
    for i in range(works):
        (folder / f"w{i}.txt").write_text(f"Title: Work {i}\n\n" + STORY + f"\n\nThe end of work {i}.")
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    return db, folder


def test_a_damaged_database_is_the_apps_error_not_a_plain_500(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: a page overwritten in the database made /db and /db.json plain-text 500s."""
    import sqlite3

    db, _ = _batch_db(tmp_path, works=30)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(db.read_bytes())
    data[page_size:] = b"\xa5" * (len(data) - page_size)  # every page but the schema's
    db.write_bytes(bytes(data))
    client = TestClient(create_app(scorer=CascadeScorer(), db_path=db), raise_server_exceptions=False)
    for url in ("/db.json", "/db/1.json", "/db/1"):
        r = client.get(url)
        assert r.status_code == 500 and "damaged" in r.json()["detail"], (url, r.text)
    page = client.get("/db", headers={"Accept": "text/html"})
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "damaged" in page.text and "<h1>" in page.text
    db.write_bytes(b"\x00" * 4096)  # not even the schema
    r = client.get("/db.json")
    assert r.status_code == 500 and "not a database" in r.json()["detail"]


def test_a_deleted_database_is_not_created_again(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: a database deleted while serving answered /db.json with [] and was created empty."""
    import shutil

    db, _ = _batch_db(tmp_path)
    client = TestClient(create_app(scorer=CascadeScorer(), db_path=db), raise_server_exceptions=False)
    assert len(client.get("/db.json").json()) == 1
    db.unlink()
    r = client.get("/db.json")
    assert r.status_code == 503 and "not there" in r.json()["detail"]
    assert not db.exists()
    page = client.get("/db/1", headers={"Accept": "text/html"})
    assert page.status_code == 503 and "not there" in page.text and "<h1>" in page.text
    shutil.rmtree(tmp_path / "c")
    moved = tmp_path / "sub" / "r.db"
    moved.parent.mkdir()
    other = TestClient(create_app(scorer=CascadeScorer(), db_path=moved), raise_server_exceptions=False)
    shutil.rmtree(moved.parent)  # the folder gone too
    r = other.get("/db.json")
    assert r.status_code == 503 and "not there" in r.json()["detail"]
    (tmp_path / "other.db").write_bytes(b"")  # an empty file is no results database, and stays empty
    r = TestClient(create_app(scorer=CascadeScorer(), db_path=tmp_path / "other.db")).get("/db.json")
    assert r.status_code == 500 and "not a forewarn results database" in r.json()["detail"]
    assert (tmp_path / "other.db").read_bytes() == b""


def test_head_where_get_is_and_yes_no_filters_are_checked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: HEAD /db was a 405, and /db.json?not_declared=banana read as "no" silently."""
    db, _ = _batch_db(tmp_path)
    client = TestClient(create_app(scorer=CascadeScorer(), db_path=db))
    for url in ("/", "/healthz", "/db", "/db.json", "/db/1.json", "/openapi.json"):
        get, head = client.get(url), client.head(url)
        assert head.status_code == get.status_code == 200, url
        assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]
        assert head.headers["content-length"] == str(len(get.content))
    assert client.head("/db/99").status_code == 404 and client.head("/scan").status_code == 405
    post = client.post("/db")
    assert post.status_code == 405 and post.headers["allow"] == "GET, HEAD"
    for bad in ("not_declared=banana", "rating_mismatch=2", "not_declared=1&not_declared=maybe"):
        r = client.get(f"/db.json?{bad}")
        assert r.status_code == 422 and "must be 1 or 0" in r.json()["detail"], bad
        assert "on/off" in r.json()["detail"], bad  # every spelling it takes, as the README lists them
    for good in ("not_declared=TRUE", "not_declared=no", "rating_mismatch=off", "rating_mismatch=1"):
        assert client.get(f"/db.json?{good}").status_code == 200, good
    assert client.get("/db.json?not_declared=yes").json() == client.get("/db.json?not_declared=1").json()


class _NeverScans(CascadeScorer):
    """A scorer the /db pages must not use: they show what the batch stored."""

    def score(self, texts):  # type: ignore[no-untyped-def]
        raise AssertionError("/db/ID scanned the work again")


def test_db_page_shows_the_stored_results_not_a_fresh_scan(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: /db/ID redirected to a fresh scan with the server's scorer (cascade), so a
    batch scanned with --scorer lexicon showed other warnings than it stored."""
    from forewarn.batch import run_batch

    folder = tmp_path / "c"
    folder.mkdir()
    text = f"Title: {XSS}\n\n" + STORY.replace("the stones.", f"the stones. {XSS}")
    (folder / "a.txt").write_text(text)
    run_batch(folder, db=tmp_path / "r.db", workers=1, mode="lexicon")
    client = TestClient(create_app(scorer=_NeverScans(), db_path=tmp_path / "r.db"))
    stored = client.get("/db/1.json").json()
    page = client.get("/db/1", follow_redirects=False)
    assert page.status_code == 200 and "Reading mode" in page.text and "stored by forewarn batch" in page.text
    assert stored["model_version"].startswith("lexicon/") and html.escape(stored["model_version"]) in page.text
    for w in stored["warnings"]:
        assert f'value="{w["id"]}"' in page.text  # the stored warnings are the ones to hide
    assert page.text.count('class="flagged"') >= 1 and "They walked home by the sea." in page.text
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_db_page_shows_a_stored_work_bigger_than_the_upload_limit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: /db/ID of a work over --max-upload was a 413 "upload too large" and the upload form."""
    db, folder = _batch_db(tmp_path)
    size = (folder / "w0.txt").stat().st_size
    client = TestClient(create_app(scorer=CascadeScorer(), db_path=db, max_upload_bytes=size // 2))
    page = client.get("/db/1")
    assert page.status_code == 200 and "Reading mode" in page.text and "too large" not in page.text


def test_db_page_reads_the_text_from_any_copy_that_still_holds_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: /db/ID tried only works.path: two identical files, the first deleted, and the
    reading mode said the text was "no longer at its path" while the other copy still held it."""
    from pathlib import Path

    from forewarn.batch import run_batch

    folder = tmp_path / "c"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text("Title: Copies\n\n" + STORY)
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    client = TestClient(create_app(scorer=_NeverScans(), db_path=db))
    assert "<p>3 works (1 distinct work: identical files)</p>" in client.get("/db").text  # was "3 works"
    stored = client.get("/db/1.json").json()["work"]
    first, *others = (Path(p) for p in stored["paths"])
    assert first == Path(stored["path"]) and len(others) == 2
    first.unlink()
    others[0].write_text("Title: Copies\n\nSomething else now.")  # the second copy changed
    page = client.get("/db/1")
    assert page.status_code == 200 and "Reading mode</h2>" in page.text and html.escape(str(others[1])) in page.text
    others[1].unlink()
    page = client.get("/db/1")
    assert page.status_code == 200 and "Reading mode</h2>" not in page.text
    assert "no longer at any of its 3 paths" in page.text and "Violence" in page.text


def test_db_page_reads_a_work_stored_from_a_zip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The reading mode of a work batch read from a ZIP ("archive.zip!member") said its text was
    "no longer at its path" while the archive still held it."""
    import zipfile

    from forewarn.batch import run_batch

    archive = tmp_path / "fics!.zip"  # a "!" in the archive's own name too
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("dir/story.txt", "Title: Zipped\n\n" + STORY)
    db = tmp_path / "r.db"
    run_batch(archive, db=db, workers=1, mode="lexicon")
    client = TestClient(create_app(scorer=_NeverScans(), db_path=db))
    assert client.get("/db/1.json").json()["work"]["path"] == f"{archive}!dir/story.txt"
    page = client.get("/db/1")
    assert page.status_code == 200 and "Reading mode</h2>" in page.text and "Zipped" in page.text
    with zipfile.ZipFile(archive, "w") as z:  # the member now holds something else
        z.writestr("dir/story.txt", "Title: Zipped\n\nOther words.")
    assert "Reading mode</h2>" not in client.get("/db/1").text


def test_a_stored_zip_member_is_opened_from_the_zip_that_holds_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``archive!member`` where either name may hold a "!": a plain file of that name first,
    else the first ZIP cut holding the member, so a ZIP ``a.zip`` beside a folder ``a.zip!old``
    does not hide ``a.zip!old/c.zip``'s members; a gone member or ZIP is not found."""
    import zipfile

    from forewarn.web.app import _open_stored

    def read(path: object) -> bytes:
        with _open_stored(str(path)) as f:
            return f.read()

    archive = tmp_path / "fics!.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("dir/story.txt", "in the ZIP")
        z.writestr("same.txt", "member")
    assert read(f"{archive}!dir/story.txt") == b"in the ZIP"
    (tmp_path / "fics!.zip!same.txt").write_text("plain file")  # a plain file with "!" in its name
    assert read(f"{archive}!same.txt") == b"plain file"
    backup = tmp_path / "fics!.zip!old"
    backup.mkdir()
    with zipfile.ZipFile(backup / "c.zip", "w") as z:
        z.writestr("x.txt", "in the later ZIP")
    assert read(f"{backup}/c.zip!x.txt") == b"in the later ZIP"  # not in fics!.zip: the next cut
    with pytest.raises(FileNotFoundError):
        read(f"{archive}!gone.txt")  # the ZIP is there, the member is not
    archive.unlink()
    with pytest.raises(FileNotFoundError):
        read(f"{archive}!dir/story.txt")


def test_db_page_without_reading_mode_when_the_text_reads_differently_now(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A stored report whose places do not fit the text as read now (another forewarn read it)
    is shown without the reading mode, saying why, rather than with misplaced warnings."""
    import sqlite3

    db, _ = _batch_db(tmp_path)
    with sqlite3.connect(db) as conn:
        report = json.loads(conn.execute("SELECT report_json FROM works WHERE id = 1").fetchone()[0])
        report["work"]["characters"] += 7
        conn.execute("UPDATE works SET report_json = ? WHERE id = 1", (json.dumps(report),))
    page = TestClient(create_app(scorer=_NeverScans(), db_path=db)).get("/db/1")
    assert page.status_code == 200 and "Reading mode</h2>" not in page.text
    assert "reads the work&#x27;s text differently" in page.text and "Violence" in page.text
    assert html.escape(report["model_version"]) in page.text


def test_the_stored_page_gives_places_as_the_report_does(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Regression: without the text it listed evidence likeliest first with the whole work's
    percent ("ch. 2, 81%") where every other view gives the chapter's ("chapter 2, 0% in")."""
    from forewarn.batch import run_batch

    folder = tmp_path / "c"
    folder.mkdir()
    calm = "They walked along the harbour wall and talked about the nets and the weather. " * 8
    (folder / "a.md").write_text(f"# Chapter 1\n\n{calm}\n\n# Chapter 2\n\n{STORY}\n\n{calm}\n")
    run_batch(str(folder), db=tmp_path / "r.db", workers=1, mode="lexicon")
    stored = TestClient(create_app(scorer=CascadeScorer(), db_path=tmp_path / "r.db")).get("/db/1.json").json()
    (folder / "a.md").unlink()
    page = TestClient(create_app(scorer=CascadeScorer(), db_path=tmp_path / "r.db")).get("/db/1").text
    violence = next(w for w in stored["warnings"] if w["id"] == "violence")
    first = min(violence["evidence"], key=lambda e: e["start"])
    assert first["chapter"] == 1 and first["chapter_position"] < first["position"]
    assert f"chapter 2, {first['chapter_position']:.0f}% in (confidence {first['probability']:.2f}, " in page
    assert "p=" not in page  # the report's words, not a statistician's letter (reader review)


def test_only_wholly_ignored_is_a_422_like_an_empty_only(client: TestClient) -> None:
    """Regression: the API and the form answered a plain-text 500."""
    api = client.post("/api/scan", json={"text": STORY, "only": ["violence"], "ignore": ["violence", "blood"]})
    assert api.status_code == 422 and "leave no warning to look for" in api.json()["detail"]
    form = client.post("/scan", data={"text": STORY, "only": "violence", "ignore": "violence"})
    assert form.status_code == 422 and "leave no warning to look for" in form.text


def test_the_stored_page_keeps_a_read_in_part_notice(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: with the file gone, /db/ID showed the stored results without the notice
    that a chapter was missing, so a partial read looked whole."""
    import zipfile

    from readers_fixtures import write_epub, xhtml

    from forewarn.batch import run_batch

    folder = tmp_path / "c"
    folder.mkdir()
    whole = zipfile.ZipFile(write_epub(tmp_path / "w.epub", [("c1.xhtml", xhtml(f"<p>{STORY}</p>")), ("c2.xhtml", "")]))
    with zipfile.ZipFile(folder / "part.epub", "w") as zf:
        for info in whole.infolist():
            if info.filename != "OEBPS/c2.xhtml":
                zf.writestr(info, whole.read(info))
    run_batch(str(folder), db=tmp_path / "r.db", workers=1, mode="lexicon")
    (folder / "part.epub").unlink()
    page = TestClient(create_app(scorer=CascadeScorer(), db_path=tmp_path / "r.db")).get("/db/1").text
    assert "Read in part: EPUB is damaged: <bdi>OEBPS/c2.xhtml</bdi> (2nd of 2)" in page


def _contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_focus_outline_stands_out_from_the_page(client: TestClient) -> None:
    """Regression: #f5a623 on the page's #fdfcf8 was 1.97:1; WCAG 1.4.11 asks 3:1 of a focus indicator."""
    page = client.get("/").text
    outline = re.search(r":focus\{outline:3px solid (#[0-9a-f]{6})", page)
    background = re.search(r"body\{[^}]*background:(#[0-9a-f]{6})", page)
    assert outline and background
    assert _contrast(outline.group(1), background.group(1)) >= 3
    assert _contrast(outline.group(1), "#efefef") >= 3  # a browser's default button face


def test_an_empty_file_is_said_to_be_empty(client: TestClient) -> None:
    """Regression: uploading a 0-byte file said "Choose a file or paste some text first." although a
    file was chosen; the CLI says "empty file: nothing to scan". No file chosen still says so."""
    form = client.post("/scan", files={"file": ("empty<b>.txt", b"", "text/plain")}, data={"text": ""})
    assert form.status_code == 422 and "empty&lt;b&gt;.txt: empty file: nothing to scan" in form.text
    assert "Choose a file" not in form.text and "<b>" not in form.text
    api = client.post("/api/scan", files={"file": ("empty.txt", b"", "text/plain")})
    assert api.status_code == 422 and api.json()["detail"] == "empty.txt: empty file: nothing to scan"
    none_chosen = client.post("/scan", files={"file": ("", b"", "application/octet-stream")}, data={"text": ""})
    assert none_chosen.status_code == 422 and "Choose a file or paste some text first." in none_chosen.text
    with_text = client.post(
        "/scan", files={"file": ("e.txt", b"", "text/plain")}, data={"text": STORY}, follow_redirects=False
    )
    assert with_text.status_code == 303  # the pasted text is scanned, as before


def test_a_report_dropped_for_newer_ones_says_only_the_recent_are_kept() -> None:
    """Regression: a report evicted by the in-memory limit said it was gone "after the server
    restarts", and a reader looked for a restart that never happened."""
    client = TestClient(create_app(scorer=CascadeScorer(), keep=2))
    urls = [client.post("/api/scan", json={"text": f"{STORY}\n\nPart {i}."}).json()["url"] for i in range(3)]
    assert client.get(urls[2]).status_code == 200 and client.get(urls[1]).status_code == 200
    gone = client.get(urls[0]).json()["detail"]
    assert "only the 2 most recent reports are kept" in gone and "restarts" in gone
    one = TestClient(create_app(scorer=CascadeScorer(), keep=1)).get("/works/0000000000000000").json()["detail"]
    assert "only the most recent report is kept" in one


CALM = "They walked along the harbour wall and talked about the nets and the weather. " * 8
FIGHT = "He stabbed the guard twice and blood pooled on the stones."


def _stored_without_text(tmp_path, text: str, edit=None, *, name: str = "a.txt"):  # type: ignore[no-untyped-def]
    """/db/1 of ``text`` scanned by batch (lexicon) once its file is gone, after ``edit(report)``
    changed the stored JSON; the page's text and the stored report."""
    import sqlite3

    from forewarn.batch import run_batch

    folder = tmp_path / "c"
    folder.mkdir(parents=True)
    (folder / name).write_text(text)
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    (folder / name).unlink()
    with sqlite3.connect(db) as conn:
        report = json.loads(conn.execute("SELECT report_json FROM works WHERE id = 1").fetchone()[0])
        if edit is not None:
            edit(report)
            conn.execute("UPDATE works SET report_json = ? WHERE id = 1", (json.dumps(report),))
    client = TestClient(create_app(scorer=_NeverScans(), db_path=db))
    page = client.get("/db/1")
    assert page.status_code == 200 and "no longer at its path" in page.text and "Reading mode</h2>" not in page.text
    return page.text, client.get("/db/1.json").json()


def test_the_stored_page_shows_what_the_html_report_does(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: with the file gone, /db/ID gave only the 3 strongest passages as "where" and had
    no declared list, no declared-vs-detected comparison, no archive warnings and no low-confidence
    marker ("NOT declared" for a 0.3 detection); the stored report has them all."""
    fights = [FIGHT if i % 2 else CALM for i in range(13)]  # 6 passages of violence, apart
    text = "\n\n".join(["Title: Harbour\nWarnings: violence, self-harm", *fights])

    def edit(report):  # type: ignore[no-untyped-def]
        blood = next(w for w in report["warnings"] if w["id"] == "blood")
        blood["confidence"] = 0.3  # undeclared and unsure
        report["comparison"]["declared_broader"] = {"torture": "violence"}
        report["comparison"]["milder_than_detected"] = {"violence": "mentioned"}
        report["declared"].append({"raw": XSS, "warning_id": None, "qualifier": None, "source": "header"})

    page, stored = _stored_without_text(tmp_path, text, edit)
    violence = next(w for w in stored["warnings"] if w["id"] == "violence")
    assert len(violence["passages"]) == 6 and len(violence["evidence"]) == 3
    first, last = (next(p for p in stored["passages"] if p["index"] == i) for i in violence["passages"][::5])
    where = f'6 passages: <span class="where">{first["position"]:.0f}&ndash;{last["end_position"]:.0f}%</span>'
    assert where in page  # every flagged passage, not the strongest three
    assert "bar-keys" not in page and 'class="bar"' not in page  # no bar, so no word of its keys
    # Each "Strongest passages" names its warning to a screen reader, as the report's evidence does.
    assert '<summary>Strongest passages<span class="vh">: Violence</span></summary>' in page and ".vh{" in page
    assert "What the author declared" in page and "violence</bdi> &rarr; violence" in page
    assert "Declared but not detected: self-harm" in page
    assert "Declared only as a broader warning: torture (as violence)" in page
    assert "Declared milder than detected: violence (declared mentioned, detected on the page)" in page
    assert "Archive warnings:" in page and stored["ao3"]["archive_warnings"]
    for suggestion in stored["ao3"]["archive_warnings"]:
        assert f"<strong>{html.escape(suggestion['name'])}</strong>" in page
    assert '<span class="maybe">not declared (low confidence)</span>' in page and "NOT declared" not in page
    assert '<span class="ok">declared</span>' in page
    assert "<script>alert" not in page and "<img src=x" not in page and "&lt;script&gt;alert(1)" in page


def test_the_stored_page_says_when_the_author_chose_not_to_warn(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression (hunt #9): the stored page left out the terminal's "The author chose not to use
    archive warnings.", so every undeclared detection looked like the author's omission."""

    def edit(report):  # type: ignore[no-untyped-def]
        report["comparison"]["chose_not_to_warn"] = True
        raw = "Creator Chose Not To Use Archive Warnings"
        report["declared"].append({"raw": raw, "warning_id": None, "qualifier": None, "source": "ao3-archive-warning"})

    page, _ = _stored_without_text(tmp_path, "\n\n".join([FIGHT, CALM, FIGHT]), edit)
    assert page.count("The author chose not to use archive warnings.") == 1
    assert page.index("The author chose not to use archive warnings.") < page.index("<h2>AO3 fit</h2>")
    page, _ = _stored_without_text(tmp_path / "plain", "\n\n".join([FIGHT, CALM, FIGHT]))
    assert "chose not to use archive warnings" not in page


def test_the_stored_page_gives_chapter_places_for_reports_from_before_chapter_positions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A stored report without chapter positions gets them from its offsets, as the splitter
    computes them, so its places read as the ones stored with them."""
    text = f"# Chapter 1\n\n{CALM}\n\n# Chapter 2\n\n{CALM}\n\n{FIGHT}\n\n{CALM}\n"

    def drop(report):  # type: ignore[no-untyped-def]
        for item in report["passages"] + [e for w in report["warnings"] for e in w["evidence"]]:
            item.pop("chapter_position")
            item.pop("chapter_end_position", None)

    with_positions, stored = _stored_without_text(tmp_path / "a", text, name="a.md")
    without, _ = _stored_without_text(tmp_path / "b", text, drop, name="a.md")
    table = re.compile(r"<table[ >].*</table>", re.S)
    assert "chapter 2: " in table.search(with_positions).group()  # type: ignore[union-attr]
    assert table.search(without).group() == table.search(with_positions).group()  # type: ignore[union-attr]


def test_the_stored_page_marks_the_works_language_and_direction(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression (hunt #7): the stored page's wrapper said nothing of the work's own language or
    direction; its title takes the stored language when it is a tag, and dir="auto" always."""
    story = "\n\n".join(["Title: \u05d4\u05e0\u05de\u05dc!", FIGHT, CALM])

    def language(value):  # type: ignore[no-untyped-def]
        return lambda report: report["work"].__setitem__("language", value)

    page, _ = _stored_without_text(tmp_path / "ar", story, language("ar"))
    assert '<h1 lang="ar" dir="auto">\u05d4\u05e0\u05de\u05dc!</h1>' in page
    assert page.startswith('<!DOCTYPE html><html lang="en">')  # the page's own words are English
    index = TestClient(create_app(scorer=_NeverScans(), db_path=tmp_path / "ar" / "r.db")).get("/db").text
    assert '<a href="/db/1" dir="auto">\u05d4\u05e0\u05de\u05dc!</a>' in index  # isolated from ": violence"
    page, _ = _stored_without_text(tmp_path / "de", story, language("Deutsch"))  # a name AO3 gives
    assert '<h1 lang="de" dir="auto">' in page  # as the HTML report takes it
    for i, odd in enumerate(['ar" onmouseover="alert(1)', "Klingon", None]):  # a forged tag, no language, none
        page, _ = _stored_without_text(tmp_path / str(i), story, language(odd))
        assert '<h1 dir="auto">' in page and "onmouseover" not in page


def test_the_stored_page_takes_the_language_a_batch_stored(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: the stored page looked for work.language, but the JSON report had none, so a
    batch never stored one and the page never had a lang. Now end to end, without editing the JSON."""
    header = "Title: Der Hafen\nLanguage: Deutsch"
    page, stored = _stored_without_text(tmp_path / "de", "\n\n".join([header, FIGHT, CALM]))
    assert stored["work"]["language"] == "Deutsch"
    assert '<h1 lang="de" dir="auto">Der Hafen</h1>' in page
    # The file name shown when the work has no title is in no language.
    page, stored = _stored_without_text(tmp_path / "name", "\n\n".join(["Language: Deutsch", FIGHT, CALM]))
    assert stored["work"]["language"] == "Deutsch" and stored["work"]["title"] is None
    assert '<h1 dir="auto">' in page and 'lang="de"' not in page
    # With the file still there, the reading mode's text is in the work's language too.
    folder = tmp_path / "kept"
    folder.mkdir()
    (folder / "a.txt").write_text("\n\n".join([header, FIGHT, CALM]))
    from forewarn.batch import run_batch

    run_batch(folder, db=tmp_path / "kept.db", workers=1, mode="lexicon")
    client = TestClient(create_app(scorer=_NeverScans(), db_path=tmp_path / "kept.db"))
    assert client.get("/db/1.json").json()["work"]["language"] == "Deutsch"
    kept = client.get("/db/1").text
    assert "Reading mode</h2>" in kept and '<article class="work" lang="de">' in kept


def test_the_stored_page_counts_chapters_as_the_work_does(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression (review #6): the stored page counted the opening before "Chapter 1" as a
    chapter ("3 chapters") where the HTML report says 2."""
    note = "A note before we start: this story grew out of a long winter and a lot of tea. " * 4
    text = f"The Long Rain\n\n{note}\n\n{note}\n\nChapter 1\n\n{CALM}\n\nChapter 2\n\n{FIGHT}\n\n{CALM}\n"
    page, _ = _stored_without_text(tmp_path / "a", text, name="a.txt")
    assert re.search(r"words, 2 chapters, scanned", page), re.search(r"words, \d+ chapters?", page)


def test_a_413_refused_by_its_content_length_has_the_security_headers(client: TestClient) -> None:
    """Regression: a body whose Content-Length was over the limit was answered before the
    middleware set the headers, so its 413 (the upload form again, for a browser) came without
    Content-Security-Policy (no form-action or frame-ancestors), nosniff or Referrer-Policy."""
    big = b"x" * (200_000 + 65 * 1024)  # over the fixture's limit and its form slack
    for path, headers in (("/api/scan", {}), ("/scan", {"Accept": "text/html"})):
        r = client.post(path, content=big, headers={"Content-Type": "text/plain", **headers})
        assert r.status_code == 413 and "upload too large" in r.text
        page = client.get("/")
        for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"):
            assert r.headers.get(name) == page.headers[name], (path, name)


def test_a_report_page_is_rendered_off_the_event_loop(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Regression: /works/ID and /db/ID rendered the HTML report on the server's event loop (6 s
    for a 9 MiB work), so meanwhile no other request was answered, not even /healthz; so did
    /works/ID.json, /db/ID.json and /api/scan build their JSON (1.3 s), and /db/ID load the stored
    report. A slow render or load (one second here) now lets the others through."""
    import asyncio
    import time

    import httpx

    import forewarn.store as store
    import forewarn.web.app as web

    db, _ = _batch_db(tmp_path)
    real_stored = store.stored_report

    def slow_stored(conn, work_id):  # type: ignore[no-untyped-def]
        time.sleep(1)
        return real_stored(conn, work_id)

    monkeypatch.setattr(store, "stored_report", slow_stored)  # before the app imports it
    app = create_app(scorer=CascadeScorer(), db_path=db)
    with TestClient(app) as client:
        url = client.post("/api/scan", json={"text": STORY}).json()["url"]
    real, real_json = web.render_html, web.report_to_dict

    def slow(report):  # type: ignore[no-untyped-def]
        time.sleep(1)
        return real(report)

    def slow_json(report):  # type: ignore[no-untyped-def]
        time.sleep(1)
        return real_json(report)

    monkeypatch.setattr(web, "render_html", slow)
    monkeypatch.setattr(web, "report_to_dict", slow_json)

    async def race(path: str) -> tuple[float, float]:
        done: dict[str, float] = {}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://forewarn") as client:

            async def get(what: str) -> None:
                r = await client.get(what)
                assert r.status_code == 200, r.text
                done[what] = time.perf_counter()

            async def health_later() -> None:
                await asyncio.sleep(0.2)  # the page's render has started
                await get("/healthz")

            await asyncio.gather(get(path), health_later())
        return done["/healthz"], done[path]

    for path in (url, "/db/1", f"{url}.json", "/db/1.json"):  # and the JSON twins (1.3 s at 9 MiB)
        health, page = asyncio.run(race(path))
        assert health < page, path


def test_a_stored_works_path_is_isolated_from_the_pages_own_words(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: a file name holding a right-to-left override (U+202E) turned the stored page's
    own words after it around (": 40 words, 1 chapter, scanned ..." and ". All scanned works"):
    the path was not isolated as the title is. It is in a <bdi> now, escaped as before."""
    folder, name, db = stored_with_a_right_to_left_name(tmp_path)
    client = TestClient(create_app(scorer=CascadeScorer(), db_path=db))
    shown = html.escape(str(folder / name))
    reading = client.get("/db/1").text
    assert "Reading mode" in reading and f"the text is read from <bdi>{shown}</bdi>." in reading
    (folder / name).unlink()
    stored = client.get("/db/1").text
    assert "no longer at its path" in stored and f'<p class="meta"><bdi>{shown}</bdi>: ' in stored


def test_a_single_valued_parameter_given_twice_is_a_422(client: TestClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: ``?threshold=0.5&threshold=0.9`` (or two threshold fields in a form) scanned
    at 0.9, the other value ignored without a word, as were a second ``offset``, ``limit``,
    ``min_confidence`` or yes/no filter of /db (``not_declared=1&not_declared=0`` read as yes).
    Two values of one are a 422 naming it, as a misspelt name is; only, ignore and has are lists."""
    r = client.post("/api/scan?threshold=0.5&threshold=0.9", content=STORY, headers={"Content-Type": "text/plain"})
    assert r.status_code == 422 and "threshold" in r.json()["detail"]
    r = client.post("/api/scan", data={"text": STORY, "threshold": ["0.5", "0.9"]})
    assert r.status_code == 422 and "threshold" in r.json()["detail"]
    page = client.post("/scan", data={"text": STORY, "threshold": ["0.5", "0.9"]})
    assert page.status_code == 422 and "threshold" in page.text and 'class="error"' in page.text
    assert client.post("/api/scan?only=violence&only=blood", json={"text": STORY}).status_code == 200
    db, _ = _batch_db(tmp_path)
    app = TestClient(create_app(scorer=_NeverScans(), db_path=db))
    for name, *values in (
        ("offset", "0", "1"),
        ("limit", "5", "10"),
        ("min_confidence", "0", "0.5"),
        ("not_declared", "1", "0"),
        ("rating_mismatch", "0", "1"),
    ):
        for path in ("/db", "/db.json"):
            r = app.get(f"{path}?{name}={values[0]}&{name}={values[1]}")
            assert r.status_code == 422 and name in r.json()["detail"], (path, name)
    assert app.get("/db.json?has=violence&has=blood").status_code == 200


def test_the_stored_page_writes_a_chapter_count_in_the_thousands_as_the_words(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Regression: "6,000 words, 1200 chapters", as the terminal and HTML reports wrote it too."""
    from forewarn.batch import run_batch

    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "long.txt").write_text("".join(f"Chapter {n}\n\nShe walked on.\n\n" for n in range(1, 1201)))
    run_batch(str(folder), db=tmp_path / "r.db", workers=1, mode="lexicon")
    (folder / "long.txt").unlink()
    page = TestClient(create_app(scorer=CascadeScorer(), db_path=tmp_path / "r.db")).get("/db/1").text
    assert "6,000 words, 1,200 chapters," in page


def test_the_form_has_a_status_that_says_it_is_checking(client: TestClient) -> None:
    """Regression (reader review): after "Check for warnings" the page said nothing for the
    seconds a scan takes (the browser's spinner is out of a screen reader's hearing); a status
    after the button is written on submit (tests/test_browser.py checks the script)."""
    form_html = client.get("/").text.split("<form", 1)[1].split("</form>", 1)[0]
    assert '<p id="scan-status" role="status"></p>' in form_html
    assert form_html.index("</button>") < form_html.index('id="scan-status"')
