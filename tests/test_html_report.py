"""The self-contained HTML report: escaping, no external assets, hidden evidence."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import FakeModel

from forewarn.pipeline import scan_work
from forewarn.readers import read_text
from forewarn.report.html import render_html
from forewarn.score.cascade import CascadeScorer

XSS = '<script>alert(1)</script> <img src=x onerror="alert(2)">'


def scorer() -> CascadeScorer:
    return CascadeScorer(model=FakeModel({"violence": "stabbed"}))


def report_for(text: str):  # type: ignore[no-untyped-def]
    return scan_work(read_text(text), scorer=scorer())


def test_work_text_and_title_are_escaped() -> None:
    text = f"Title: {XSS}\nTW: {XSS}\n\n" + f"He stabbed the man. {XSS} He stabbed him again and blood pooled.\n\n" * 3
    html = render_html(report_for(text))
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, flags=re.S)
    assert all("alert" not in s for s in scripts)


def test_self_contained_and_evidence_hidden() -> None:
    text = "\n\n".join(["He stabbed the guard and blood pooled on the stones."] * 4 + ["A quiet walk home."] * 4)
    html = render_html(report_for(text))
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<link" not in html
    assert "<details><summary>Show evidence (spoilers)</summary>" in html
    assert 'class="passage flagged"' in html and "Skip past it" in html
    assert 'name="hide" value="violence"' in html


def test_cli_writes_html(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from forewarn.cli import main

    story = tmp_path / "s.txt"
    story.write_text("He stabbed the guard. Blood pooled on the stones.\n\nThey walked home.\n")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["scan", "--scorer", "lexicon", "--html", str(out), str(story)])
    assert result.exit_code in (0, 1), result.output
    assert out.read_text().startswith("<!DOCTYPE html>")
