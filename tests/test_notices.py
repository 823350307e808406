"""A reader's "Read in part" notices in the HTML report and the web pages: the EPUB member paths
they name are untrusted text, escaped and isolated in <bdi>."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import pytest
from conftest import STORY
from readers_fixtures import write_epub, xhtml

from forewarn.readers.decode import nul_notice
from forewarn.readers.notices import about_document, missing_documents, notice_parts, unreadable_documents

# A right-to-left member name ("chapter" in Hebrew) with markup: unisolated, it turned the words
# after it (" (2nd of 3) is listed in its spine...") around; unescaped, it would be markup.
RTL = "פרק<b>2.xhtml"


def _partly_read_epub(tmp_path: Path, missing: str = RTL) -> Path:
    """An EPUB whose spine lists ``missing`` (under OEBPS/), a document the archive lacks."""
    docs = [("c1.xhtml", xhtml(f"<p>{STORY}</p>")), ("lost.xhtml", xhtml("x")), ("c3.xhtml", xhtml("<p>The end.</p>"))]
    whole = zipfile.ZipFile(write_epub(tmp_path / "whole.epub", docs))
    opf = whole.read("OEBPS/content.opf").decode().replace('href="lost.xhtml"', f'href="{html.escape(missing)}"')
    path = tmp_path / "part.epub"
    with zipfile.ZipFile(path, "w") as zf:
        for info in whole.infolist():
            if info.filename == "OEBPS/content.opf":
                zf.writestr(info, opf)
            elif info.filename != "OEBPS/lost.xhtml":
                zf.writestr(info, whole.read(info))
    return path


ISOLATED = f"Read in part: EPUB is damaged: <bdi>{html.escape('OEBPS/' + RTL)}</bdi> (2nd of 3) is listed in its spine"


@pytest.mark.parametrize(
    "lost",
    [
        [("OEBPS/c2.xhtml", 2)],
        [("a.xhtml", 1), (RTL, 4)],
        [("x (1st of 5); y.xhtml", 2)],  # a name that looks like the list itself
        [("with\nnewline; and is listed in its spine.xhtml", 3), ("z.xhtml", 5)],
    ],
)
def test_a_notice_splits_into_its_words_and_the_paths_it_names(lost: list[tuple[str, int]]) -> None:
    notice = missing_documents(lost, listed=5)
    parts = notice_parts(notice)
    assert "".join(text for text, _ in parts) == notice
    assert parts[0] == ("EPUB is damaged: ", False) and parts[-1][0].startswith((" is listed", " are listed"))
    for text, is_path in parts[1:-1]:  # the list: paths, and their places in the spine
        assert is_path or re.fullmatch(r" \(\d+(st|nd|rd|th) of 5\)(; )?", text), text
    paths = [text for text, is_path in parts if is_path]
    if "(1st of 5); " not in lost[0][0]:  # that name may be cut in two, each part a path
        assert paths == [name for name, _ in lost]
    assert notice_parts("not a notice we know (2nd of 3)") == [("not a notice we know (2nd of 3)", False)]


def test_the_html_report_isolates_a_right_to_left_member_path(tmp_path: Path) -> None:
    """Regression: the HTML report's "Read in part" line escaped the member path but did not
    isolate it, so a right-to-left name turned the notice's own words after it."""
    from forewarn.pipeline import scan_work
    from forewarn.readers import read
    from forewarn.report.html import render_html
    from forewarn.score.cascade import CascadeScorer

    work = read(_partly_read_epub(tmp_path))
    assert work.notices and RTL in work.notices[0]
    page = render_html(scan_work(work, scorer=CascadeScorer()))
    assert ISOLATED in page and "<b>2" not in page


def test_the_web_pages_isolate_a_right_to_left_member_path(tmp_path: Path) -> None:
    """The upload's page (the HTML report) and the stored page of /db/ID, with and without the
    file (the latter renders the stored notices itself)."""
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from forewarn.batch import run_batch
    from forewarn.score.cascade import CascadeScorer
    from forewarn.web.app import create_app

    folder = tmp_path / "c"
    folder.mkdir()
    epub = _partly_read_epub(tmp_path).rename(folder / "part.epub")
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    client = TestClient(create_app(scorer=CascadeScorer(), db_path=db))
    url = client.post("/api/scan", files={"file": ("part.epub", epub.read_bytes())}).json()["url"]
    for page in (client.get(url).text, client.get("/db/1").text):
        assert ISOLATED in page and "<b>2" not in page
    epub.unlink()
    stored = client.get("/db/1").text
    assert "no longer at its path" in stored
    assert f'<p class="notice">{ISOLATED}' in stored and "<b>2" not in stored


@pytest.mark.parametrize("drm", [False, True])
def test_an_unreadable_documents_notice_splits_into_its_paths(drm: bool) -> None:
    """The notice for spine documents that are not text names them too (with why, which may
    hold brackets of its own)."""
    docs = [(RTL, "2nd of 4", "binary file (not text, HTML or EPUB)"), ("OEBPS/c; 4.xhtml", "4th of 4", "x (y)")]
    notice = unreadable_documents(docs, drm=drm)
    parts = notice_parts(notice)
    assert "".join(text for text, _ in parts) == notice
    assert [text for text, is_path in parts if is_path] == [RTL, "OEBPS/c; 4.xhtml"]
    assert ("(DRM?)" in notice) is drm


def test_a_nul_notice_names_its_document_as_a_path() -> None:
    notice = about_document(RTL, nul_notice(2))
    assert notice_parts(notice) == [(RTL, True), (notice[len(RTL) :], False)]
    assert notice_parts(nul_notice(2)) == [(nul_notice(2), False)]  # a text file's: no path


def test_the_html_report_isolates_an_unreadable_document_path(tmp_path: Path) -> None:
    from forewarn.pipeline import scan_work
    from forewarn.readers import read
    from forewarn.report.html import render_html
    from forewarn.score.cascade import CascadeScorer

    docs = [("c1.xhtml", xhtml(f"<p>{STORY}</p>")), (RTL, bytes(range(256)) * 4), ("c3.xhtml", xhtml("<p>End.</p>"))]
    page = render_html(scan_work(read(write_epub(tmp_path / "junk.epub", docs)), scorer=CascadeScorer()))
    assert f"EPUB is damaged: <bdi>{html.escape('OEBPS/' + RTL)}</bdi> (2nd of 3) is not readable" in page
    assert "<b>2" not in page
