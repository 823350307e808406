"""The terminal summary's labels for people (the JSON keeps chapter indexes)."""

from __future__ import annotations

import io
import re

from rich.console import Console
from test_html_report import PREFACE, report_for

from forewarn.report.terminal import render


def terminal(report) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    render(report, console=Console(file=out, width=120, color_system=None, soft_wrap=False))
    return out.getvalue()


def test_text_before_chapter_1_is_the_opening_and_chapters_keep_the_works_numbers() -> None:
    """Regression: a dedication before "Chapter 1" made the fight under "Chapter 2" "ch3", and
    the header said 3 chapters; the HTML report says "chapter 2" too."""
    report = report_for(PREFACE)
    out = terminal(report)
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith(("Violence", "War"))}
    assert re.search(r" ch2 \d+%$", rows["Violence"]), rows
    assert re.search(r" opening \d+%$", rows["War"]), rows  # the cascade's "war" cue in the opening
    assert "opening: before the first chapter heading" in out
    assert "2 chapters," in out.splitlines()[0]
    assert "ch3" not in out


def test_pasted_text_is_titled_as_the_html_report_titles_it() -> None:
    """Regression: a str given to forewarn.scan was "pasted text" here, "Pasted text" in the HTML report."""
    import forewarn as fw
    from forewarn.report.html import render_html
    from forewarn.score.cascade import CascadeScorer

    report = fw.scan("He stabbed the guard and blood pooled on the stones.", scorer=CascadeScorer())
    assert terminal(report).startswith("Pasted text  ") and '<h1 dir="auto">Pasted text</h1>' in render_html(report)


def test_a_chapter_count_in_the_thousands_is_written_as_the_words_are() -> None:
    """Regression: "110,000 words, 10000 chapters, 10,000 passages" in the header (and the HTML
    report's): the chapter count had no thousands separator."""
    from forewarn.report.html import render_html

    report = report_for("".join(f"Chapter {n}\n\nShe walked on.\n\n" for n in range(1, 1201)))
    assert "6,000 words, 1,200 chapters," in terminal(report).splitlines()[0]
    assert "6,000 words, 1,200 chapters</p>" in render_html(report)
