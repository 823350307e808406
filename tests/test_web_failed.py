"""The results browser's page of the files a batch could not read (``/db/failed`` and its JSON)."""

from __future__ import annotations

import html
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from conftest import STORY  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from forewarn.score.cascade import CascadeScorer  # noqa: E402
from forewarn.web.app import create_app  # noqa: E402

BINARY = b"\x00\x01\x02\xff" * 64
HOSTILE_NAME = 'x<script>alert(1)&lt;"\u202egpj.txt'  # no "/": it is a file's name
HOSTILE_ERROR = '<img src=x onerror="alert(2)"> \u202edamaged & gone'


def _batch(tmp_path: Path, *, unreadable: list[str]) -> tuple[Path, Path]:
    """A database of one readable work and the ``unreadable`` (binary) files, and its folder."""
    from forewarn.batch import run_batch

    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "w.txt").write_text("Title: Harbour\n\n" + STORY)
    for i, name in enumerate(unreadable):
        (folder / name).write_bytes(BINARY + bytes([i]))  # each its own content
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    return db, folder


def _client(db: Path) -> TestClient:
    return TestClient(create_app(scorer=CascadeScorer(), db_path=db))


def test_the_failed_files_page_lists_each_with_why_and_when(tmp_path: Path) -> None:
    """The files that could not be read had no page (only ``forewarn query --failed``): /db says
    how many there are and links to /db/failed, which lists path, error and when, as the JSON does."""
    from forewarn.store import failed_files, open_existing

    db, folder = _batch(tmp_path, unreadable=["b.md", "a.txt"])
    client = _client(db)
    index = client.get("/db").text
    assert '<a href="/db/failed">2 files could not be read</a>' in index

    with open_existing(db) as conn:
        expected = failed_files(conn)
    listed = client.get("/db/failed.json")
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "2"
    assert listed.json() == expected
    assert [r["path"] for r in expected] == [str(folder / "a.txt"), str(folder / "b.md")]

    page = client.get("/db/failed")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "<header><h1>Files that could not be read</h1></header>" in text and "2 files could not be read" in text
    for row in expected:
        assert f"<bdi>{html.escape(row['path'])}</bdi>" in text
        assert f'<time datetime="{row["at"]}">{row["at"].replace("T", " ").rstrip("Z")}</time>' in text
    assert text.count("binary file") == 2
    assert text.index("a.txt") < text.index("b.md")  # sorted by path, as query --failed
    assert '<a href="/db">All scanned works</a>' in text and '<a href="/db/failed.json">' in text
    assert client.head("/db/failed").status_code == 200 and client.head("/db/failed.json").status_code == 200


def test_a_hostile_file_name_and_error_are_escaped_and_isolated(tmp_path: Path) -> None:
    """A file name and an error message are the collection's text: escaped, and the path in a
    <bdi> so a right-to-left override in it does not turn the page's own words."""
    from forewarn.store import open_db, save_error

    db, folder = _batch(tmp_path, unreadable=[HOSTILE_NAME])
    hostile = str(folder / HOSTILE_NAME)
    with open_db(db) as conn:
        version = conn.execute("SELECT model_version FROM errors").fetchone()[0]
        save_error(conn, path=str(folder / "z.epub"), content_hash=None, model_version=version, error=HOSTILE_ERROR)
    client = _client(db)
    text = client.get("/db/failed").text
    assert "<script>" not in text and "<img" not in text
    assert f"<bdi>{html.escape(hostile)}</bdi>" in text
    assert html.escape(HOSTILE_ERROR) in text
    rows = client.get("/db/failed.json").json()
    assert {r["path"] for r in rows} == {hostile, str(folder / "z.epub")}
    assert HOSTILE_ERROR in {r["error"] for r in rows}


def test_no_failed_files_is_said_plainly(tmp_path: Path) -> None:
    """With every file read, /db has no link to failures and /db/failed says there are none."""
    db, _ = _batch(tmp_path, unreadable=[])
    client = _client(db)
    assert "could not be read" not in client.get("/db").text
    page = client.get("/db/failed")
    assert page.status_code == 200 and "Every file the batch found was read" in page.text
    assert "<table" not in page.text
    listed = client.get("/db/failed.json")
    assert listed.json() == [] and listed.headers["X-Total-Count"] == "0"


def test_failed_files_are_paged_as_works_are(tmp_path: Path) -> None:
    """``offset`` and ``limit`` page /db/failed and its JSON as they page /db; a bad value or
    a filter (failed files have no results to filter) is a 422, as on /db."""
    db, folder = _batch(tmp_path, unreadable=["a.txt", "b.txt", "c.txt"])
    client = _client(db)
    page = client.get("/db/failed?offset=1&limit=1").text
    assert "3 files could not be read; 2-2 shown" in page
    assert str(folder / "b.txt") in page and str(folder / "a.txt") not in page
    assert '<a href="?offset=0&amp;limit=1">previous</a> <a href="?offset=2&amp;limit=1">next</a>' in page
    assert "none on this page" in client.get("/db/failed?offset=5").text
    listed = client.get("/db/failed.json?offset=2&limit=5")
    assert [r["path"] for r in listed.json()] == [str(folder / "c.txt")] and listed.headers["X-Total-Count"] == "3"
    for url in ("/db/failed?limit=0", "/db/failed.json?offset=-1", "/db/failed.json?limit=1&limit=2"):
        assert client.get(url).status_code == 422, url
    refused = client.get("/db/failed.json?has=violence")
    assert refused.status_code == 422 and "'has'" in refused.json()["detail"]
    assert client.get("/db/failed?banana=1", headers={"accept": "text/html"}).status_code == 422


def test_a_missing_database_is_a_503_on_the_failed_page_too(tmp_path: Path) -> None:
    """The failed page opens the database as /db does: gone is a 503, damaged a 500."""
    db, _ = _batch(tmp_path, unreadable=["a.txt"])
    client = _client(db)
    db.rename(tmp_path / "moved.db")
    assert client.get("/db/failed").status_code == 503
    assert client.get("/db/failed.json").status_code == 503
    (tmp_path / "moved.db").rename(db)
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE errors")
    assert client.get("/db/failed.json").status_code == 500
