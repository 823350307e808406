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


# A hostile title: an override (U+202E), an escape sequence, a carriage return and a newline
# that would start a forged line of the report.
HOSTILE = "Evil \u202e\x1b[31mred\r\nDetected: no warnings"
RTL_PATH = "OEBPS/\u05e4\u05e8\u05e7.xhtml"  # "chapter" in Hebrew: it turned " (2nd of 3)" after it


def _hostile_report():  # type: ignore[no-untyped-def]
    from forewarn.readers.notices import missing_documents

    report = report_for("He stabbed the guard and blood pooled on the stones.")
    report.work.metadata.title = HOSTILE
    report.work.metadata.rating = "\u202eMature"
    report.work.notices.append(missing_documents([(RTL_PATH, 2)], listed=3))
    return report


def _render(report, **options) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    render(report, console=Console(file=out, width=100, color_system=None, soft_wrap=False, **options))
    return out.getvalue()


def test_a_hostile_title_stays_on_its_line_and_paths_are_isolated_as_in_html() -> None:
    """Regression: a newline in a title printed a forged "Detected: no warnings" line, a U+202E
    turned the report's words after it around, and a right-to-left EPUB member path in a "Read
    in part" notice reordered the notice's words (the HTML report puts both in <bdi>)."""
    out = _render(_hostile_report(), force_terminal=True)
    lines = out.splitlines()
    assert not any(line.startswith("Detected") for line in lines), out
    assert lines[0].startswith("\u2068Evil \ufffd\ufffd[31mred\ufffd\ufffdDetected: no warnings\u2069  10 words")
    assert "\x1b" not in out and "\r" not in out and "\u202e" not in out
    notice = " ".join(line for line in lines if line.startswith(("Read in part", "the archive")))
    assert f"Read in part: EPUB is damaged: \u2068{RTL_PATH}\u2069 (2nd of 3) is listed" in notice
    assert "; declared: \u2068\ufffdMature\u2069" in out


def test_isolates_are_for_terminals_that_can_print_them() -> None:
    """Into a file or a pipe, no isolates (a script gets the names as they are), but still one
    line and no override; a terminal whose encoding lacks them gets no "?" for them."""
    piped = _render(_hostile_report())
    assert "\u202e" not in piped and not any(line.startswith("Detected") for line in piped.splitlines())
    assert "\u2068" not in piped and "\u2069" not in piped and f"EPUB is damaged: {RTL_PATH} (2nd" in piped
    raw = io.BytesIO()
    ascii_out = io.TextIOWrapper(raw, encoding="ascii")
    render(_hostile_report(), console=Console(file=ascii_out, width=100, color_system=None, force_terminal=True))
    ascii_out.flush()
    assert raw.getvalue().decode("ascii").startswith("Evil ??[31mred??Detected: no warnings  10 words")


def test_a_title_wrapped_over_lines_is_isolated_on_each() -> None:
    """Each printed line is its own paragraph to a terminal laying out bidi text: a long title
    wrapped in its isolate left the rest of it, on the next line, unisolated."""
    report = report_for("He stabbed the guard and blood pooled on the stones.")
    report.work.metadata.title = " ".join(["\u05e4\u05e8\u05e7"] * 30)
    out = io.StringIO()
    render(report, console=Console(file=out, width=40, color_system=None, force_terminal=True))
    title_lines = [line for line in out.getvalue().splitlines() if "\u05e4" in line]
    assert len(title_lines) > 2
    for line in title_lines:
        assert line.startswith("\u2068") and line.count("\u2068") == line.count("\u2069") == 1, line
