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
    assert '<details><summary>Show evidence (spoilers)<span class="vh">: Violence</span></summary>' in html
    assert '<section class="flagged"' in html and "Skip past it" in html
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


CALM = "They walked home along the harbour wall and talked about the weather, the nets and the ferry times. " * 6
FIGHT = "He stabbed the guard in the narrow alley and the guard fell against the wall and did not get up. " * 6


def two_chapter_report():  # type: ignore[no-untyped-def]
    """Chapter 1: calm, three fights in a row, calm, one fight; chapter 2: calm."""
    one = "\n\n".join([CALM, FIGHT, FIGHT, FIGHT, CALM, FIGHT])
    return report_for(f"Chapter 1: Salt\n\n{one}\n\nChapter 2: After\n\n{CALM}\n\n{CALM}")


def flagged_sections(html: str) -> list[str]:
    return re.findall(r'<section class="flagged".*?</section>', html, flags=re.S)


def test_each_flagged_block_has_a_labelled_start_and_end_marker_that_quotes_no_text() -> None:
    html = render_html(two_chapter_report())
    sections = flagged_sections(html)
    assert sections
    for sec in sections:
        start = re.search(r'<p class="marker start">(.*?)</p>', sec, flags=re.S)
        end = re.search(r'<p class="marker end"[^>]*>(.*?)</p>', sec, flags=re.S)
        assert start and end
        assert "Violence" in start.group(1) and "starts" in start.group(1)
        assert "Violence" in end.group(1) and "ends" in end.group(1)
        assert "stabbed" not in start.group(1) + end.group(1)
        assert 'href="#end-' in start.group(1)  # the skip link lands on the end marker


def test_hiding_needs_no_javascript_and_a_noscript_note_says_what_does() -> None:
    html = render_html(two_chapter_report())
    style = re.search(r"<style>(.*?)</style>", html, flags=re.S)
    assert style
    rule = '#reading:has(input[name="hide"][value="violence"]:checked) .flagged[data-warnings~="violence"]'
    assert rule in style.group(1) and "display:none" in style.group(1)
    assert '<input type="checkbox" class="reveal"' in html  # "Show it anyway" is a checkbox, no script
    assert re.search(r"<noscript>.*not remembered.*</noscript>", html, flags=re.S)


def test_a_notice_says_shown_once_show_it_anyway_is_ticked_with_or_without_javascript() -> None:
    """Regression: a hidden block's notice still said "hidden, as you chose" after the reader
    ticked "Show it anyway". The notice holds both wordings and the CSS shows one, by :has() and
    by the script's .shown class (for browsers without :has()); display:none hides the other from
    screen readers too."""
    html = render_html(two_chapter_report())
    notice = re.search(r'<p class="notice">(.*?)</p>', html, flags=re.S)
    assert notice
    assert re.search(r'<span class="if-hidden">\d+ paragraphs? hidden, as you chose\.</span>', notice.group(1))
    assert re.search(r'<span class="if-shown">\d+ paragraphs? shown anyway, though you chose', notice.group(1))
    style = re.search(r"<style>(.*?)</style>", html, flags=re.S)
    assert style
    css = re.sub(r"\s+", " ", style.group(1))
    assert ".notice .if-shown { display: none; }" in css
    for when in (".notice:has(.reveal:checked)", ".flagged.shown .notice"):
        assert f"{when} .if-hidden {{ display: none; }}" in css and f"{when} .if-shown {{ display: inline; }}" in css


def test_without_javascript_the_page_does_not_promise_to_remember_choices() -> None:
    """Regression (reader review): without JavaScript the fieldset still said "Your choices are
    remembered in this browser" (the noscript note saying the opposite came after the chapter
    list), so a reader who hid Violence found it shown when they reopened the page. The promise
    is hidden until the script shows it, and the noscript note stands in its place, by the boxes."""
    html = render_html(two_chapter_report())
    fieldset = html[html.index("<fieldset>") : html.index("</fieldset>")]
    assert '<p class="note" id="remembered" hidden>Your choices are remembered' in fieldset
    assert re.search(r"<noscript>.*not remembered.*</noscript>", fieldset, flags=re.S)


def test_consecutive_flagged_passages_are_one_block_with_one_skip_link() -> None:
    report = two_chapter_report()
    flagged = report.warnings[0].passages
    html = render_html(report)
    sections = flagged_sections(html)
    runs = [re.findall(r'<span class="passage" id="p-(\d+)"', s) for s in sections]
    assert [int(i) for run in runs for i in run] == flagged
    assert len(runs) == 2 and len(runs[0]) >= 2, runs  # the fights in a row, then the lone one
    assert html.count("Skip past it") == 2


def test_chapters_have_ids_and_their_title_once() -> None:
    html = render_html(two_chapter_report())
    assert '<h3 class="chapter" id="ch-1" dir="auto">Chapter 1: Salt</h3>' in html
    assert '<h3 class="chapter" id="ch-2" dir="auto">Chapter 2: After</h3>' in html
    assert html.count("Chapter 2: After") == 2  # the heading and the chapter navigation, not the text


def test_where_is_shown_outside_the_spoilers_and_bar_links_are_labelled() -> None:
    report = two_chapter_report()
    html = render_html(report)
    row = re.search(r'<td data-label="Where">(.*?)<details>', html, flags=re.S)
    assert row, "the Where cell lists positions before the evidence toggle"
    where = re.search(r'<span class="where">(.*?)</span>', row.group(1))
    assert where and where.group(1).startswith("chapter 1: ") and "%" in where.group(1)
    assert where.group(1).count("chapter 1") == 2  # the run of fights is one span, the lone fight another
    assert 'role="img"' not in html  # a bar of links is a group, not an image hiding them
    assert 'class="bar" role="group" aria-label="Violence: where in the work"' in html
    labels = re.findall(r'<a class="mark" href="#r-\d+"[^>]*aria-label="([^"]*)"', html)
    assert labels and all(
        re.fullmatch(r"Violence: chapter 1, \d+% in, jump to passage \(shows text\)", x) for x in labels
    )


def test_the_warnings_table_has_a_heading_in_the_pages_outline() -> None:
    """Regression: the table had only a caption, so a screen reader's list of headings went
    from the work's title straight to "How to read this"; a clean report too."""
    headings = re.compile(r"<h([1-3])[^>]*>(.*?)</h\1>", re.S)
    found = [h for _, h in headings.findall(render_html(two_chapter_report()))]
    assert found.index("Detected warnings") < found.index("How to read this")
    assert 'aria-labelledby="detected-h"' in render_html(two_chapter_report())
    calm = render_html(report_for("They walked along the harbour and talked about the weather and the boats.\n"))
    clean = [h for _, h in headings.findall(calm)]
    assert clean.index("Detected warnings") < clean.index("How to read this") and "No warnings detected" in calm


def test_the_bars_chapter_ticks_are_where_the_chapters_passages_are() -> None:
    """The marks are placed by the passages' positions, which leave out the author's header;
    the chapter ticks must be measured the same way or a chapter's first mark sits off its tick."""
    summary = "A quiet summary about friendship and the sea. " * 20
    report = report_for(
        f"Title: Sea\nSummary: {summary}\n\nChapter 1\n\n{CALM}\n\n{CALM}\n\nChapter 2\n\n{FIGHT}\n\n{CALM}"
    )
    html = render_html(report)
    (tick,) = set(re.findall(r'<span class="tick" style="left:([\d.]+)%"></span>', html))
    first = next(p for p in report.passages if p.chapter == 1)
    marks = re.findall(r'<a class="mark" href="#r-\d+" style="left:([\d.]+)%', html)
    assert float(tick) == first.position and f"{first.position:.2f}" in marks


def test_a_skip_link_comes_first_and_the_table_stacks_on_narrow_screens() -> None:
    html = render_html(two_chapter_report())
    body = html.split("<body>", 1)[1]
    assert body.startswith('<a class="skip" href="#reading-h">Skip to reading mode</a>')
    assert 'id="reading-h" tabindex="-1"' in html
    assert '<td data-label="Severity">' in html and '<td data-label="Where">' in html
    assert "td[data-label]::before" in html and "nth-child(3) { display: none" not in html


def test_evidence_quotes_are_cut_at_a_word_with_an_ellipsis() -> None:
    long = "He stabbed the guard " + "and the guard staggered backwards into the wall " * 20
    html = render_html(report_for(long + "\n\n" + CALM))
    quote = re.search(r'<blockquote dir="auto">(.*?)</blockquote>', html, flags=re.S)
    assert quote and quote.group(1).endswith("\u2026")
    assert quote.group(1)[:-1].split()[-1] in long.split()  # the last word is whole


def test_low_confidence_undeclared_detections_are_not_styled_as_the_authors_fault() -> None:
    from forewarn.report.html_summary import _status

    report = two_chapter_report()
    warning = report.warnings[0]
    assert warning.id in report.comparison.missing
    assert 'class="bad"' in _status(report, warning)
    warning.confidence = 0.4
    soft = _status(report, warning)
    assert 'class="maybe"' in soft and "low confidence" in soft and 'class="bad"' not in soft


def test_a_how_to_read_section_and_the_model_in_the_footer() -> None:
    report = two_chapter_report()
    html = render_html(report)
    how = re.search(r'<section id="how".*?</section>', html, flags=re.S)
    assert how
    for words in ("Confidence", "mentioned", "implied", "depicted", "graphic", "Declared", "AO3", "forewarn warnings"):
        assert words in how.group(0), words
    assert "Not detected does not mean absent" in how.group(0)
    header = re.search(r"<header>.*?</header>", html, flags=re.S)
    footer = re.search(r"<footer>.*?</footer>", html, flags=re.S)
    assert header and footer
    assert report.model_version not in header.group(0) and report.model_version in footer.group(0)


def test_a_clean_result_says_detection_misses_implied_content() -> None:
    html = render_html(report_for(CALM + "\n\n" + CALM))
    assert "No warnings detected; detection misses implied content" in html
    assert "above threshold." not in html


def test_remembered_choices_are_explained_next_to_the_controls_with_a_reset() -> None:
    html = render_html(two_chapter_report())
    fieldset = re.search(r"<fieldset>.*?</fieldset>", html, flags=re.S)
    assert fieldset and "applied to every forewarn report" in fieldset.group(0)
    assert '<button type="button" id="forget" hidden>Forget my choices</button>' in fieldset.group(0)


_ANCHOR = re.compile(r'<span class="passage" id="p-\d+"></span>')


def _reading_paragraphs(html: str) -> list[str]:
    """The reading mode's paragraphs (without the empty anchors where passages start)."""
    article = _ANCHOR.sub("", html[html.index('<article class="work"') : html.index("</article>")])
    return re.findall(r'<p dir="auto">(.*?)</p>', article, flags=re.S)


def test_a_paragraph_per_line_text_keeps_its_paragraphs() -> None:
    """Regression: one paragraph per line came out as one <p> (the browser ran the lines
    together) and the notice said "1 paragraph hidden"."""
    lines = ['"Where were you?" she asked.', '"Out," he said.', "He stabbed the guard.", "He died.", '"Good."']
    html = render_html(report_for("\n".join(lines) + "\n"))
    assert _reading_paragraphs(html) == [line.replace('"', "&quot;") for line in lines]
    assert "5 paragraphs hidden" in html and "(5 paragraphs)" in html


def test_line_breaks_of_an_html_work_are_kept_and_no_text_is_lost() -> None:
    """Regression: <br> lines of an HTML work were one run-on line in the reading mode."""
    from forewarn.readers import read

    page = b"<html><body><p>Roses are red,<br>he stabbed the guard.</p><p>The end &lt;3</p></body></html>"
    html = render_html(scan_work(read(page, name="poem.html"), scorer=scorer()))
    assert _reading_paragraphs(html) == ["Roses are red,<br>he stabbed the guard.", "The end &lt;3"]


def test_every_skip_block_names_its_own_severity() -> None:
    """A block's marker gave a severity only when one of the warning's three evidence passages
    was in it: the fourth and fifth fights were marked "Violence" with no severity."""
    calm = "They walked home by the harbour and talked about the weather and the price of bread. " * 20
    fights = [
        f"In the {place} he stabbed the guard, and stabbed him again."
        for place in ("hall", "yard", "mill", "barn", "lane")
    ]
    report = report_for("\n\n".join(x for fight in fights for x in (calm, fight)) + "\n\n" + calm)
    violence = next(w for w in report.warnings if w.id == "violence")
    assert len(violence.passages) >= 4 and len(violence.evidence) == 3
    assert len(violence.passage_severities) == len(violence.passages)
    labels = re.findall(r'<p class="marker start"><strong>([^<]*): starts', render_html(report))
    assert len(labels) == len(violence.passages)
    assert all(re.search(r"Violence, (mentioned|implied|depicted|graphic)", label) for label in labels), labels


def _luminance(colour: str) -> float:
    hexes = colour.lstrip("#")
    if len(hexes) == 3:
        hexes = "".join(c * 2 for c in hexes)
    channels = [int(hexes[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_focus_outline_has_3_to_1_contrast_on_the_page_and_on_the_bar_marks() -> None:
    """Regression: the focus outline (#f5a623) was 1.97:1 on the page, 2.68:1 on a mark."""
    from forewarn.report.html import _asset

    css = _asset("report.css")
    colours = dict(re.findall(r"--(\w+):\s*(#[0-9a-fA-F]{3,6})", css))
    outlines = re.findall(r":focus[^{]*\{[^}]*outline:\s*\d+px solid (#[0-9a-fA-F]{3,6})", css)
    assert outlines
    for outline in outlines:
        for behind in (colours["bg"], colours["mark"], "#e8e6df", "#fff3cd"):  # page, mark, bar, notice
            assert _contrast(outline, behind) >= 3, (outline, behind)


def test_the_cli_titles_the_report_with_the_file_name_not_its_path(tmp_path: Path) -> None:
    """Regression: `forewarn scan --html` put the whole local path in <title> and <h1>."""
    from click.testing import CliRunner

    from forewarn.cli import main

    folder = tmp_path / "Downloads"
    folder.mkdir()
    story = folder / "story.txt"
    story.write_text("He stabbed the guard. Blood pooled on the stones.\n\nThey walked home.\n")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["scan", "--scorer", "lexicon", "--html", str(out), str(story)])
    assert result.exit_code in (0, 1), result.output
    page = out.read_text()
    assert "<title>forewarn: story.txt</title>" in page and '<h1 dir="auto">story.txt</h1>' in page
    assert str(folder) not in page and "Downloads" not in page


def test_a_title_from_the_work_wins_over_the_file_name() -> None:
    from forewarn.report.html import _file_name

    report = report_for("Title: Night Train\n\nHe stabbed the guard.\n")
    report.work.source_path = "/home/someone/Downloads/night.txt"
    assert '<h1 dir="auto">Night Train</h1>' in render_html(report)
    assert _file_name("C:\\Users\\me\\story.epub") == "story.epub"
    assert _file_name("<stdin>") == "<stdin>" and _file_name(None) is None


def test_chose_not_to_warn_is_not_shown_as_naming_no_warning() -> None:
    """Regression: "Creator Chose Not To Use Archive Warnings" read "no warning named", like "No
    Archive Warnings Apply" (the opposite), and the terminal's chose-not-to-warn line was missing."""
    chose = render_html(report_for(f"Archive Warning: Creator Chose Not To Use Archive Warnings\n\n{FIGHT}\n\n{CALM}"))
    named = "Creator Chose Not To Use Archive Warnings</bdi> &rarr; no warning named (the author chose not to warn)"
    assert named in chose
    assert "<p>The author chose not to use archive warnings.</p>" in chose
    none = render_html(report_for(f"Archive Warning: No Archive Warnings Apply\n\n{FIGHT}\n\n{CALM}"))
    assert "No Archive Warnings Apply</bdi> &rarr; no warning named" in none
    assert "chose not to" not in none


def test_what_the_author_declared_is_isolated_from_the_pages_own_words() -> None:
    """Regression: a declared item or rating holding a right-to-left override (U+202E) turned the
    page's own words after it around ("&rarr; not in the taxonomy" read "ymonoxat eht ni ton"):
    they were not isolated as the title is. Each is in a <bdi> now, its text escaped as before."""
    rlo = "\u202e"
    report = report_for(f"Rating: Mature {rlo}x\nWarnings: blood, {rlo}{XSS}\n\n{FIGHT}")
    html = render_html(report)
    assert report.work.metadata.rating == f"Mature {rlo}x"
    assert f"<li><bdi>{rlo}&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert f"(declared: <bdi>Mature {rlo}x</bdi>)" in html
    isolating = r"<(bdi|blockquote|p|h[1-6]|a)\b[^>]*dir=\"auto\"[^>]*>.*?</\1>|<bdi>.*?</bdi>"
    outside = re.sub(isolating, "", html, flags=re.S)
    assert rlo not in outside  # every override is inside an isolating element


def _article(html: str) -> str:
    return html[html.index('<article class="work"') :]


def test_decorated_chapter_headings_appear_once_without_their_markup() -> None:
    """Regression: a heading was dropped only when its text equalled the cleaned title, so
    "# Chapter One", "**Chapter 3**" and "=== Chapter 4 ===" were shown again as paragraphs."""
    heads = ["# Chapter One", "## Chapter Two: Blood", "**Chapter 3**", "=== Chapter 4 ==="]
    html = render_html(report_for("\n\n".join(f"{h}\n\n{FIGHT}\n\n{CALM}" for h in heads)))
    article = _article(html)
    for head in heads:
        assert _e_text(head) not in article, head
    titles = re.findall(r'<h3 class="chapter"[^>]*>(.*?)</h3>', article)
    assert titles == ["Chapter One", "Chapter Two: Blood", "Chapter 3", "Chapter 4"]
    assert article.count("Chapter Two: Blood") == 1


def _e_text(text: str) -> str:
    from html import escape

    return escape(text, quote=True)


def test_a_multi_line_html_heading_is_one_heading_with_its_subtitle() -> None:
    """Regression: "<h2>Chapter 2<br>The Knife</h2>" gave the heading "Chapter 2" and then the
    paragraph "Chapter 2<br>The Knife" (the subtitle only in the duplicate)."""
    from forewarn.readers import read

    page = (
        f"<html><body><h2>Chapter 1</h2><p>{CALM}</p><h2>Chapter 2<br>The Knife</h2><p>{FIGHT}</p><p>{CALM}</p>"
        "</body></html>"
    )
    article = _article(render_html(scan_work(read(page.encode(), name="s.html"), scorer=scorer())))
    assert '<h3 class="chapter" id="ch-2" dir="auto">Chapter 2<br>The Knife</h3>' in article
    assert article.count("The Knife") == 1 and '<p dir="auto">Chapter 2' not in article


def test_an_epub_heading_over_two_lines_is_shown_once(tmp_path: Path) -> None:
    """An EPUB's "<h1>Chapter 2<br/>The Knife</h1>" titles its chapter "Chapter 2: The Knife":
    the reading view shows that heading once, not again as a paragraph, nor the title twice."""
    from readers_fixtures import write_epub, xhtml

    from forewarn.readers import read

    path = write_epub(
        tmp_path / "knife.epub",
        [
            ("c1.xhtml", xhtml(f"<h1>Chapter 1<br/>The Rain</h1><p>{CALM}</p>")),
            ("c2.xhtml", xhtml(f"<h1>Chapter 2<br/>The Knife</h1><p>{FIGHT}</p><p>{CALM}</p>")),
        ],
    )
    article = _article(render_html(scan_work(read(path), scorer=scorer())))
    assert '<h3 class="chapter" id="ch-2" dir="auto">Chapter 2: The Knife</h3>' in article
    assert article.count("The Knife") == 1


def test_a_paragraph_equal_to_the_chapter_title_is_story_text_and_kept(tmp_path: Path) -> None:
    """Regression: every paragraph equal to the chapter's title was dropped ("Run" in the
    chapter "Run"), so a reader in the reading mode never saw it."""
    from readers_fixtures import write_epub, xhtml

    from forewarn.readers import read

    def doc(title: str, *paras: str) -> str:
        return xhtml(f"<h2>{title}</h2>" + "".join(f"<p>{p}</p>" for p in paras))

    path = write_epub(
        tmp_path / "refrain.epub",
        [("c1.xhtml", doc("Run", FIGHT, "Run", CALM, "Run", "She ran.")), ("c2.xhtml", doc("Home", CALM))],
        metadata="<dc:title>Refrain</dc:title>",
    )
    work = read(path)
    assert [c.title for c in work.chapters] == ["Run", "Home"]
    html = render_html(scan_work(work, scorer=scorer()))
    article = _article(html)
    assert (
        _reading_paragraphs(html).count("Run") == 2 and '<h3 class="chapter" id="ch-1" dir="auto">Run</h3>' in article
    )
    assert "She ran." in _reading_paragraphs(html) and "Home" not in _reading_paragraphs(html)


def test_a_long_paragraph_cut_into_passages_is_one_paragraph_and_counted_once() -> None:
    """Regression: split.py cuts a paragraph over 250 words at sentences, and each piece was its
    own <p> (breaks the author never wrote); the notice counted the pieces as paragraphs."""
    fight = " ".join([FIGHT.strip()] * 7)  # about 140 sentences' worth: cut into several passages
    calm = " ".join([CALM.strip()] * 8)
    report = report_for("\n\n".join([CALM, fight, CALM, calm, "The end came softly, with tea."]))
    assert len(report.passages) >= 6
    html = render_html(report)
    assert _reading_paragraphs(html) == [_e_text(t.strip()) for t in (CALM, fight, CALM, calm)] + [
        "The end came softly, with tea."
    ]
    (section,) = flagged_sections(html)  # the fight and the calm paragraph its last piece shares a passage with
    assert "2 paragraphs hidden" in section and "(2 paragraphs)" in section
    anchors = re.findall(r'<span class="passage" id="p-(\d+)"></span>', html)
    assert [int(i) for i in anchors] == [p.index for p in report.passages]  # every passage can be linked


def test_evidence_quotes_keep_their_paragraph_breaks() -> None:
    """Regression: a quote's paragraphs ran together ("Kill me." into the next paragraph). A line
    break inside a paragraph is kept too, as the reading mode keeps it (hard wraps are joined:
    see ``test_a_plain_texts_hard_wraps_are_joined_and_its_other_line_breaks_kept``)."""
    text = '"Kill me," she said.\n\nHe stabbed the guard, and he\nstabbed him again <b>twice</b>.\n\n' + CALM
    html = render_html(report_for(text))
    quote = re.search(r'<blockquote dir="auto">(.*?)</blockquote>', html, flags=re.S)
    assert quote
    assert quote.group(1).startswith(
        "&quot;Kill me,&quot; she said.\n\nHe stabbed the guard, and he\nstabbed him again &lt;b&gt;twice&lt;/b&gt;."
    )  # paragraphs apart, the line break kept, escaped
    assert re.search(r"blockquote \{[^}]*white-space: pre-line", html)


def test_evidence_links_go_to_their_block_which_stays_visible_when_hidden() -> None:
    """Regression: evidence linked to #p-N inside the block's content, which is display:none when
    the reader hides the warning, so the link did nothing. It goes to the block (#r-N)."""
    report = two_chapter_report()
    html = render_html(report)
    links = re.findall(r'<li><a href="#([^"]+)" data-passage="p-(\d+)">', html)
    assert links and len(links) == len(report.warnings[0].evidence)
    sections = {
        m.group(1): m.group(0) for m in re.finditer(r'<section class="flagged" id="(r-\d+)".*?</section>', html)
    }
    for target, passage in links:
        assert target in sections, target
        assert f'<span class="passage" id="p-{passage}">' in sections[target]  # its passage is in that block


def test_the_works_text_carries_its_language_and_finds_its_own_direction(tmp_path: Path) -> None:
    """Regression: the page was lang="en" throughout and paragraphs were left to right, so an
    Arabic or Hebrew paragraph's final "!" jumped to its start and screen readers read it with
    an English voice. The chrome stays English; the work's text is in its language, dir=auto."""
    from readers_fixtures import write_epub, xhtml

    from forewarn.readers import read

    arabic = "كان الصباح هادئاً، ومشت لينا على طول النهر (ببطء)!"
    path = write_epub(
        tmp_path / "ar.epub",
        [("c1.xhtml", xhtml(f"<h2>Chapter 1</h2><p>{arabic}</p><p>{FIGHT}</p>")), ("c2.xhtml", xhtml("<p>x</p>"))],
        metadata="<dc:title>نهر</dc:title><dc:language>ar</dc:language>",
    )
    html = render_html(scan_work(read(path), scorer=scorer()))
    assert html.startswith('<!DOCTYPE html><html lang="en">')
    assert '<article class="work" lang="ar">' in html and '<h1 dir="auto" lang="ar">نهر</h1>' in html
    assert arabic in _reading_paragraphs(html)  # each <p dir="auto">
    assert re.search(r'<blockquote dir="auto" lang="ar">', html)
    assert '<a href="#ch-1" dir="auto" lang="ar">Chapter 1</a>' in html
    assert re.search(r'<h3 class="chapter" id="ch-1" dir="auto">', html)
    # The English markers and notices inside the article say they are English; the text is not.
    section = re.search(r'<section class="flagged"[^>]*>', html)
    assert section and section.group(0).endswith(' lang="en">')
    assert re.search(r'<div class="content" id="c-r-\d+" lang="ar">', html)


def test_a_language_name_is_mapped_and_anything_else_is_left_out() -> None:
    from forewarn.report.html_common import work_language

    assert work_language("Deutsch") == "de" and work_language("English") == "en"
    assert work_language("Português brasileiro") == "pt-BR" and work_language("中文-普通话 國語") == "zh"
    assert work_language("pt_BR") == "pt-BR" and work_language(" he ") == "he"
    for unknown in (None, "", "Klingon", 'en"><script>alert(1)</script>', "x", "en-"):
        assert work_language(unknown) is None, unknown
    report = report_for(f"{FIGHT}\n\n{CALM}")
    report.work.metadata.language = "Deutsch"
    assert '<article class="work" lang="de">' in render_html(report)
    report.work.metadata.language = 'de" onmouseover="alert(1)'
    page = render_html(report)
    assert '<article class="work">' in page and "onmouseover" not in page


# An opening too long to be the first chapter's preface (readers fold up to 3 short paragraphs).
NOTE = "A note before we start: this story grew out of a long winter and a lot of tea. " * 4
PREFACE = f"The Long Rain\n\nby wren\n\nFor my sister, who read every draft.\n\n{NOTE}\n\n{NOTE}\n\n"
PREFACE += f"Chapter 1\n\n{CALM}\n\n{CALM}\n\n"
PREFACE += f"Chapter 2\n\n{CALM}\n\n{FIGHT}\n\n{CALM}"


def test_text_before_chapter_1_is_the_opening_and_chapters_keep_the_works_numbers() -> None:
    """Regression: a dedication before "Chapter 1" became an untitled "Chapter 1", so the fight
    under the heading "Chapter 2" was located in "chapter 3", the navigation listed Chapter 1
    twice and the header counted 3 chapters."""
    report = report_for(PREFACE)
    assert [c.title for c in report.work.chapters] == [None, "Chapter 1", "Chapter 2"]  # as read
    html = render_html(report)
    where = dict(re.findall(r'<th scope="row">(\w+)</th>.*?<span class="where">(.*?)</span>', html))
    assert re.fullmatch(r"chapter 2: \d+(&ndash;\d+)?%", where["Violence"]), where
    assert re.fullmatch(r"opening: \d+(&ndash;\d+)?%", where["War"]), where  # the cascade's "war" cue
    places = re.findall(r'data-passage="p-\d+">(.*?)</a>', html)
    assert places and all(re.fullmatch(r"(chapter 2|opening), \d+% in", x) for x in places), places
    assert re.findall(r'<h3 class="chapter"[^>]*>(.*?)</h3>', html) == ["Opening", "Chapter 1", "Chapter 2"]
    nav = re.search(r"<nav.*?</nav>", html)
    assert nav and re.findall(r"<li[^>]*>", nav.group(0)) == [
        '<li class="opening">',
        '<li value="1">',
        '<li value="2">',
    ]
    assert '<p class="meta">' in html and "words, 2 chapters</p>" in html
    fit = re.search(r"<h2>AO3 fit</h2>.*?</ul>", html, flags=re.S)
    assert fit and "chapter 3" not in html.lower()  # the AO3 reasons count chapters as the page does
    assert "violence depicted (chapter 2, " in report.rating.reason
    assert "<em>opening</em>" in html  # How to read this says what the opening is


def test_chapters_of_a_work_without_an_opening_are_numbered_as_before() -> None:
    from forewarn.report.terminal import chapter_number, has_opening
    from forewarn.work import Chapter

    def chapters(*titles: str | None) -> list[Chapter]:
        return [Chapter(i, t, i, i + 1) for i, t in enumerate(titles)]

    assert not has_opening(chapters("Chapter 1", "Chapter 2"))
    assert not has_opening(chapters(None, None, None))  # an EPUB of untitled chapters
    assert not has_opening(chapters(None))
    assert has_opening(chapters(None, "Prologue", None))
    # Regression: story text before "Chapter 2" is chapter 1 with its heading left out, not an
    # opening (the scene under "Chapter 2" was located in "ch1").
    assert not has_opening(chapters(None, "Chapter 2", "Chapter 3"))
    assert not has_opening(chapters(None, "Chapter Two: Blood")) and not has_opening(chapters(None, "Part II"))
    assert has_opening(chapters(None, "Chapter 1", "Chapter 2")) and has_opening(chapters(None, "Chapter I"))
    assert [chapter_number(chapters(None, "Chapter 2"), i) for i in (0, 1)] == [1, 2]
    assert [chapter_number(chapters(None, None), i) for i in (0, 1)] == [1, 2]
    assert [chapter_number(chapters(None, "One", "Two"), i) for i in (0, 1, 2)] == [None, 1, 2]
    html = render_html(two_chapter_report())
    assert '<li value="1"><a href="#ch-1"' in html and '<li class="opening">' not in html


# --- The author's collapsed blocks (<details>) ---------------------------------------------

SPOILER = "In the last chapter Lena's grandmother dies and Theo turns out to be her brother."


def _html_work(body: str):  # type: ignore[no-untyped-def]
    from forewarn.readers import read

    page = f"<html><head><title>The River</title></head><body>{body}</body></html>"
    return read(page.encode(), name="secret.html")


def _nesting_errors(markup: str) -> list[str]:
    """End tags that do not close the innermost open element (invalid nesting)."""
    from html.parser import HTMLParser

    void = {"br", "input", "img", "meta", "link", "hr", "wbr"}
    errors: list[str] = []
    stack: list[str] = []

    class Check(HTMLParser):
        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag not in void:
                stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            if not stack or stack[-1] != tag:
                errors.append(f"</{tag}> closes {stack[-1:]}")
            else:
                stack.pop()

    Check().feed(markup)
    return errors + [f"<{t}> left open" for t in stack]


def _article_only(html: str) -> str:
    return html[html.index('<article class="work"') : html.index("</article>") + len("</article>")]


def test_an_authors_collapsed_block_stays_closed_and_its_text_appears_once() -> None:
    """Regression (hunt-web #8): the text of an author's <details> spoiler block was shown as
    ordinary open paragraphs in the reading mode. It is in a closed <details>, its summary line
    as the summary, and every paragraph of the work appears once."""
    work = _html_work(
        f"<details><summary>Detailed warnings (major spoilers)</summary><p>{SPOILER}</p>"
        "<p>Theo leaves.</p></details>"
        "<h2>Chapter 1</h2><p>Lena walked by the river.</p>"
        "<details><p>Theo was the one who lit the fire.</p></details><p>She went home.</p>"
    )
    html = render_html(scan_work(work, scorer=scorer()))
    article = _article_only(html)
    assert not _nesting_errors(article)
    blocks = re.findall(r'<details class="author-collapsed">(.*?)</details>', article, flags=re.S)
    assert len(blocks) == 2
    assert '<details class="author-collapsed" open' not in article  # closed by default
    first = _ANCHOR.sub("", blocks[0])
    assert first.startswith('<summary dir="auto">Detailed warnings (major spoilers)</summary>')
    assert _e_text(SPOILER) in first and "Theo leaves." in first
    # No summary line: a sentence is never shown as the summary.
    assert blocks[1].startswith("<summary>Collapsed by the author</summary>")
    assert "Theo was the one who lit the fire." in blocks[1]
    # Every paragraph once; the open story stays open.
    plain = _ANCHOR.sub("", article)
    paragraphs = ["Detailed warnings (major spoilers)", SPOILER, "Theo leaves.", "Lena walked by the river."]
    for para in [*paragraphs, "Theo was the one who lit the fire.", "She went home."]:
        assert plain.count(_e_text(para)) == 1, para
    outside = re.sub(r'<details class="author-collapsed">.*?</details>', "", plain, flags=re.S)
    assert "grandmother" not in outside and "Theo" not in outside and "Detailed warnings" not in outside
    assert '<p dir="auto">Lena walked by the river.</p>' in outside and '<p dir="auto">She went home.</p>' in outside


def test_a_flagged_passage_inside_a_collapsed_block_can_still_be_hidden() -> None:
    """A fight inside an author's toggle is in a flagged block like any other: the <details> is
    inside the block's hideable content (the CSS hide rule and the checkboxes work on it), with
    its passage anchor, and nothing is nested across the block's edges."""
    work = _html_work(
        f"<h1>Salt</h1><p>{CALM}</p><p>{CALM}</p>"
        f"<details><summary>The fight (skip if you like)</summary><p>{FIGHT}</p></details>"
        f"<p>{CALM}</p><p>{CALM}</p><p>{CALM}</p>"
    )
    report = scan_work(work, scorer=scorer())
    html = render_html(report)
    article = _article_only(html)
    assert not _nesting_errors(article)
    sections = flagged_sections(html)
    assert sections and any("author-collapsed" in s for s in sections)
    for sec in sections:
        content = re.search(r'<div class="content" id="c-r-\d+"[^>]*>(.*)</div><p class="marker end"', sec, flags=re.S)
        assert content and "author-collapsed" in content.group(1) and _e_text(FIGHT.strip()) in content.group(1)
        assert '<span class="passage" id="p-' in content.group(1)
    assert '.flagged[data-warnings~="violence"]:not(:has(.reveal:checked)) .content{display:none}' in html
    assert _ANCHOR.sub("", article).count(_e_text(FIGHT.strip())) == 1
    assert _ANCHOR.sub("", article).count("The fight (skip if you like)") == 1


def test_a_collapsed_block_across_a_flagged_blocks_edge_is_collapsed_on_each_side() -> None:
    """A toggle holding calm text and a fight crosses the edge of the fight's flagged block: it is
    collapsed separately on each side (never a <details> opened outside the section and closed
    inside), and no paragraph is lost or shown twice."""
    paragraphs = [CALM, CALM, FIGHT, FIGHT, CALM, CALM]
    work = _html_work(
        "<h1>Salt</h1><p>Opening words before the toggle.</p><details><summary>The rest (spoilers)</summary>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</details><p>After the toggle.</p>"
    )
    html = render_html(scan_work(work, scorer=scorer()))
    article = _article_only(html)
    assert not _nesting_errors(article)
    sections = flagged_sections(html)
    assert sections
    assert article.count('<details class="author-collapsed">') >= 2  # before, inside (and after) the fight
    assert "<summary>Collapsed by the author</summary>" in article  # a part after the edge
    plain = _ANCHOR.sub("", article)
    assert plain.count(_e_text(CALM.strip())) == 4 and plain.count(_e_text(FIGHT.strip())) == 2
    assert plain.count("The rest (spoilers)") == 1
    outside = re.sub(r'<details class="author-collapsed">.*?</details>', "", plain, flags=re.S)
    assert CALM.strip()[:40] not in outside and FIGHT.strip()[:40] not in outside
    assert "Opening words before the toggle." in outside and "After the toggle." in outside


def test_adjacent_toggles_are_each_their_own_collapsed_block_with_their_own_summary() -> None:
    """Regression: three drabbles in adjacent <details> were one collapsed block, "Drabble 1" its
    summary and "Drabble 2" and "Drabble 3" paragraphs inside it. Each toggle is its own block
    with its own <summary>: a label that ends like a sentence is still the label, and a toggle
    without a <summary> is "Collapsed by the author" even when its first line is short."""
    work = _html_work(
        "<h1>Drabbles</h1><p>Short pieces written for a prompt this month.</p>"
        "<details><summary>Drabble 1</summary><p>Rain on the roof.</p></details>"
        "<details><summary>Drabble 2</summary><p>The kettle sang.</p><p>She slept.</p></details>"
        "<details><summary>Lena's grandmother dies.</summary><p>Theo leaves.</p></details>"
        "<details><p>Theo leaves</p><p>The house is quiet.</p></details>"
    )
    article = _ANCHOR.sub("", _article_only(render_html(scan_work(work, scorer=scorer()))))
    assert not _nesting_errors(article)
    blocks = re.findall(r'<details class="author-collapsed">(.*?)</details>', article, flags=re.S)
    assert blocks == [
        '<summary dir="auto">Drabble 1</summary><p dir="auto">Rain on the roof.</p>',
        '<summary dir="auto">Drabble 2</summary><p dir="auto">The kettle sang.</p><p dir="auto">She slept.</p>',
        '<summary dir="auto">Lena&#x27;s grandmother dies.</summary><p dir="auto">Theo leaves.</p>',
        '<summary>Collapsed by the author</summary><p dir="auto">Theo leaves</p><p dir="auto">The house is quiet.</p>',
    ]


def test_a_toggles_heading_like_summary_is_its_label_not_a_chapter() -> None:
    """Regression: "<summary>Part two</summary>" started a chapter "Part two" in the reading mode
    (its own <h3>, a link in the chapter list); it is the collapsed block's summary."""
    work = _html_work(
        "<h1>Salt</h1><p>She walked to the harbour and back again.</p>"
        "<details><summary>Part two</summary><p>The hidden scene.</p></details><p>She went home.</p>"
    )
    article = _ANCHOR.sub("", _article_only(render_html(scan_work(work, scorer=scorer()))))
    assert '<h3 class="chapter" id="ch-2"' not in article and "Part two</h3>" not in article
    assert re.findall(r'<details class="author-collapsed">(.*?)</details>', article, flags=re.S) == [
        '<summary dir="auto">Part two</summary><p dir="auto">The hidden scene.</p>'
    ]


def test_a_collapsed_blocks_summary_and_text_are_escaped() -> None:
    work = _html_work(
        f"<details><summary>Spoilers &lt;b&gt;{_html_escape(XSS)}</summary>"
        f"<p>{_html_escape(XSS)} and more.</p></details><p>He stabbed the guard.</p>"
    )
    html = render_html(scan_work(work, scorer=scorer()))
    article = _article_only(html)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>" not in article
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    block = re.search(r'<details class="author-collapsed">(.*?)</details>', article, flags=re.S)
    assert block and '<summary dir="auto">Spoilers &lt;b&gt;&lt;script&gt;' in _ANCHOR.sub("", block.group(1))
    assert not _nesting_errors(article)


def _html_escape(text: str) -> str:
    from html import escape

    return escape(text, quote=False)


# --- Emphasis ------------------------------------------------------------------------------


def test_emphasis_is_shown_in_the_reading_mode_and_its_text_stays_escaped() -> None:
    """Regression: italics and bold were lost in the reading mode. They are <em> and <strong>
    again (from <em>/<i> and <strong>/<b>), around escaped text: a <script> written inside
    <em> is text, and nothing else of the work becomes markup."""
    work = _html_work(
        f"<h1>Salt</h1><p>She <em>really</em> <b>meant <i>it</i></b>. <em>{_html_escape(XSS)}</em></p>"
        "<p><i>Roses are red,<br>he said</i> &lt;b&gt;not bold&lt;/b&gt;</p>"
    )
    html = render_html(scan_work(work, scorer=scorer()))
    assert "<script>alert" not in html and "<img src=x" not in html
    article = _article_only(html)
    assert not _nesting_errors(article)
    assert _reading_paragraphs(html) == [
        "Salt",
        "She <em>really</em> <strong>meant <em>it</em></strong>. "
        "<em>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=&quot;alert(2)&quot;&gt;</em>",
        "<em>Roses are red,<br>he said</em> &lt;b&gt;not bold&lt;/b&gt;",
    ]


def test_emphasis_across_a_flagged_blocks_edge_is_closed_and_reopened_on_each_side() -> None:
    """A long italic paragraph cut across passages (a fight in its middle) is shown in pieces
    inside and outside the flagged block: each piece has its own <em>, and no tag is left open
    across the block's edge or the passage anchors."""
    calm = CALM * 2
    work = _html_work(f"<h1>Salt</h1><p><i>{calm}{FIGHT}{FIGHT}{calm}</i></p><p>After.</p>")
    report = scan_work(work, scorer=scorer())
    html = render_html(report)
    article = _article_only(html)
    assert flagged_sections(html) and len(report.passages) > 2
    assert not _nesting_errors(article)
    plain = re.sub(r"</?em>", "", _ANCHOR.sub("", article))
    assert plain.count("He stabbed the guard") == FIGHT.count("He stabbed the guard") * 2
    for section in flagged_sections(html):
        content = re.search(r'<div class="content"[^>]*>(.*)</div><p class="marker end"', section, flags=re.S)
        assert content and content.group(1).count("<em>") == content.group(1).count("</em>") >= 1


def test_overlapping_emphasis_is_nested_whatever_the_spans() -> None:
    """A hand-made Work may give emphasis that crosses; the tags still nest, the text is whole."""
    from forewarn.report.inline import Inline
    from forewarn.work import Emphasis

    inline = Inline("abc<def", [Emphasis(0, 4, "strong"), Emphasis(2, 7, "em"), Emphasis(5, 5)])
    out = inline.html(0, 7, [(3, "p-1")])
    assert not _nesting_errors(out)
    assert re.sub(r"<[^>]*>", "", out) == "abc&lt;def"
    assert out == '<strong>ab<em>c<span class="passage" id="p-1"></span>&lt;</em></strong><em>def</em>'


def test_markdown_emphasis_is_shown_without_its_markers_and_quotes_keep_them() -> None:
    """Pasted text's and a .txt file's ``*italics*`` and ``**bold**`` are <em> and <strong> in the
    reading mode, their markers left out; what they hold stays escaped, other asterisks stay,
    and the evidence quotes the text as written."""
    from forewarn.readers import read

    source = (
        f"She *really* **meant _it_**. *{XSS}* 2*3*4\n\n"
        f"{CALM.strip()}\n\n*He stabbed the guard.* He stabbed the guard again, **twice**.\n"
    )
    for work in (read_text(source), read(source.encode(), name="s.txt")):
        html = render_html(scan_work(work, scorer=scorer()))
        assert "<script>alert" not in html and "<img src=x" not in html
        assert not _nesting_errors(_article_only(html))
        paras = _reading_paragraphs(html)
        assert paras[0] == f"She <em>really</em> <strong>meant <em>it</em></strong>. <em>{_e_text(XSS)}</em> 2*3*4"
        assert "<em>He stabbed the guard.</em> He stabbed the guard again, <strong>twice</strong>." in paras
        quotes = re.findall(r'<blockquote dir="auto">(.*?)</blockquote>', html, flags=re.S)
        assert quotes and all(q.startswith("She *really* **meant _it_**. *&lt;script&gt;") for q in quotes)


def test_markers_are_hidden_only_around_text() -> None:
    """A piece cut inside an emphasis still leaves out only its markers; a hand-made span whose
    markers would leave nothing shows them."""
    from forewarn.report.inline import Inline
    from forewarn.work import Emphasis

    inline = Inline("a **b c** *d*", [Emphasis(2, 9, "strong", 2), Emphasis(10, 13, "em", 2)])
    assert inline.html(0, 13) == "a <strong>b c</strong> <em>*d*</em>"
    assert inline.html(3, 6, [(3, "p-1")]) == '<span class="passage" id="p-1"></span><strong>b </strong>'
    assert inline.html(5, 8) == "<strong> c</strong>"


def test_a_paragraph_of_many_emphases_renders_in_linear_time() -> None:
    """Regression: each point of a paragraph looked through every emphasis in it for the ones
    open there, and through all their markers, so one paragraph of 16,000 "*a*" (64 KB pasted)
    took 146 s to render, and the web app's page of it stopped the server meanwhile. The spans
    are swept once; the HTML is the same."""
    import time

    from forewarn.report.inline import Inline
    from forewarn.work import Emphasis

    n = 20_000
    text = "*a* " * n
    inline = Inline(text, [Emphasis(4 * i, 4 * i + 3, "em" if i % 2 else "strong", 1) for i in range(n)])
    started = time.perf_counter()
    out = inline.html(0, len(text), [(4 * n // 2, "p-1")])
    assert time.perf_counter() - started < 5  # 0.2 s; over 200 s before
    assert out.count("<em>a</em>") == out.count("<strong>a</strong>") == n // 2
    assert out.count('<span class="passage" id="p-1"></span>') == 1 and "*" not in out


# --- Line breaks of plain text ---------------------------------------------------------------

POEM = "Roses are red,\nhe stabbed the guard,\nthe <b>night</b> was long\nand so are you."
TEXTS = "Mum: where are you\nMe: at Jo's\nMum: it's 2am\nMe: ok ok coming"


def test_a_plain_texts_line_breaks_inside_a_paragraph_are_shown() -> None:
    """Regression: a poem's, song lyrics' or text messages' lines (single newlines in plain text
    or Markdown) were joined into one line in the reading mode. They are <br>s, as an HTML
    work's <br> lines are; the work's text and offsets are unchanged."""
    from forewarn.readers import read

    source = f"{POEM}\n\n{CALM.strip()}\n\n{TEXTS}\n"
    for work in (read_text(source), read(source.encode(), name="poem.txt")):
        report = scan_work(work, scorer=scorer())
        assert report.work.text == source and work.source_format in ("markdown", "text")
        html = render_html(report)
        assert not _nesting_errors(_article_only(html))
        assert _reading_paragraphs(html) == [
            "Roses are red,<br>he stabbed the guard,<br>the &lt;b&gt;night&lt;/b&gt; was long<br>and so are you.",
            _e_text(CALM.strip()),
            "Mum: where are you<br>Me: at Jo&#x27;s<br>Mum: it&#x27;s 2am<br>Me: ok ok coming",
        ]
        quote = re.search(r'<blockquote dir="auto">(.*?)</blockquote>', html, flags=re.S)
        assert quote and quote.group(1).startswith("Roses are red,\nhe stabbed the guard,\n")  # as in the reading


def test_a_plain_texts_hard_wraps_are_joined_and_its_other_line_breaks_kept() -> None:
    """A text wrapped to a width (FanFicFare's .txt, Project Gutenberg) is not shown as ragged
    short lines: its wrapped paragraphs reflow, while a poem in it keeps its lines."""
    import textwrap

    prose = [textwrap.fill(CALM.strip() + f" Day {i}.", width=72) for i in range(6)]
    fight = textwrap.fill(FIGHT.strip(), width=72)
    short = textwrap.fill("He came home late and said nothing at all.", width=72)  # one line, no wrap
    source = "\n\n".join([*prose[:3], POEM, fight, short, *prose[3:]]) + "\n"
    work = read_text(source)
    assert work.text == source
    html = render_html(scan_work(work, scorer=scorer()))
    paragraphs = _reading_paragraphs(html)
    assert paragraphs[3] == (
        "Roses are red,<br>he stabbed the guard,<br>the &lt;b&gt;night&lt;/b&gt; was long<br>and so are you."
    )
    wrapped = [p for i, p in enumerate(paragraphs) if i != 3]
    assert len(wrapped) == 8 and all("<br>" not in p for p in wrapped)
    quotes = re.findall(r'<blockquote dir="auto">(.*?)</blockquote>', html, flags=re.S)
    joined = " ".join(fight.split("\n")[:3])  # hard wraps joined in the quotes too
    assert "\n" in fight[:200] and any(joined in q for q in quotes), quotes


def test_hard_wraps_are_found_only_in_text_wrapped_to_a_width() -> None:
    import textwrap

    from forewarn.report.inline import hard_wraps
    from forewarn.work import Span

    def spans(text: str) -> list[Span]:
        out, at = [], 0
        for para in text.split("\n\n"):
            out.append(Span(at, at + len(para)))
            at += len(para) + 2
        return out

    wrapped = textwrap.fill(FIGHT.strip(), width=66)
    text = f"{wrapped}\n\n{POEM}"
    wraps = hard_wraps(text, spans(text))
    assert wraps == {i for i, c in enumerate(wrapped) if c == "\n"} and wraps
    assert hard_wraps(POEM, spans(POEM)) == frozenset()
    assert hard_wraps(TEXTS, spans(TEXTS)) == frozenset()
    long_lines = "\n".join([CALM.strip()[:80], CALM.strip()[:55], CALM.strip()[:75]])  # not full: lines kept
    assert hard_wraps(f"{wrapped}\n\n{long_lines}", spans(f"{wrapped}\n\n{long_lines}")) == wraps


def test_evidence_gives_each_passages_confidence_in_the_pages_words() -> None:
    """Regression (reader review): an evidence passage read "(p=0.62, depicted)"; "p" is a
    statistician's letter that "How to read this" never explains. It says "confidence" as the table does."""
    html = render_html(two_chapter_report())
    evidence = re.findall(r"</a> \(([^)]*)\)<blockquote", html)
    assert evidence and all(
        re.fullmatch(r"confidence \d\.\d\d, (mentioned|implied|depicted|graphic)", e) for e in evidence
    )
    assert "p=" not in html


def test_the_table_points_to_how_to_read_it_and_low_confidence_has_its_number() -> None:
    """Regression (reader review): a first-time reader met "0.34" and "not declared (low
    confidence)" with the explanation further down and nothing pointing to it, and "How to read
    this" never said what "low" is (below 0.5, ``LOW_CONFIDENCE``)."""
    from forewarn.report.html import LOW_CONFIDENCE

    html = render_html(two_chapter_report())
    table = html.index('<table class="warnings"')
    pointer = html.rfind('<a href="#how">', html.index('id="detected-h"'), table)
    assert pointer > 0 and 'id="how"' in html
    assert f"with low confidence (below {LOW_CONFIDENCE:.1f})" in html


def test_where_a_declaration_was_read_is_said_in_words_apart_from_the_warning() -> None:
    """Regression (reader review): the declared list read "alcohol → drug-use header" (the source
    in small grey type, but one phrase to a screen reader), and an AO3 tag's source "ao3-tag"."""
    html = render_html(report_for(f"Warnings: violence, blood\n\n{FIGHT}\n\n{CALM}"))
    assert "violence</bdi> &rarr; violence <small>(from the author&#x27;s warnings line)</small>" in html
    assert "<small>header</small>" not in html
    from forewarn.report.html_summary import _SOURCES

    assert set(_SOURCES) == {"header", "ao3-archive-warning", "ao3-tag"}


def test_the_hide_choices_have_a_status_that_says_what_they_hid() -> None:
    """Regression (reader review): ticking "Violence" changed nothing within sight or hearing of
    the box (the blocks may be screens below); a status beside the boxes, written by the script,
    says how many places are hidden (tests/test_browser.py checks the script writes it)."""
    html = render_html(two_chapter_report())
    fieldset = html[html.index("<fieldset>") : html.index("</fieldset>")]
    assert '<p class="note" id="hide-status" role="status"></p>' in fieldset
    assert fieldset.index('name="hide"') < fieldset.index('id="hide-status"')


def test_the_position_bars_edges_have_3_to_1_contrast_on_the_page() -> None:
    """Regression (reader review): the bar's track (#e8e6df) was 1.22:1 on the page, so a low-vision
    reader saw a red mark with no start or end of the work to place it against (WCAG 1.4.11)."""
    from forewarn.report.html import _asset

    css = _asset("report.css")
    colours = dict(re.findall(r"--(\w+):\s*(#[0-9a-fA-F]{3,6})", css))
    bar = re.search(r"^\.bar \{([^}]*)\}", css, flags=re.M)
    assert bar
    border = re.search(r"border:\s*1px solid (#[0-9a-fA-F]{3,6})", bar.group(1))
    assert border and _contrast(border.group(1), colours["bg"]) >= 3


def test_each_show_evidence_control_names_its_warning_to_a_screen_reader() -> None:
    """Regression (reader review): a screen reader's list of controls gave "Show evidence
    (spoilers)" once per warning, the same words each time; each now ends with its warning's
    name, visually hidden (the visible words stay first, as WCAG 2.5.3 asks)."""
    report = report_for(f"{FIGHT}\n\nBlood pooled on the stones, blood on her hands.\n\n{CALM}")
    report.warnings[0].name = XSS  # names come from the taxonomy, but escape them all the same
    html = render_html(report)
    summaries = re.findall(r"<details><summary>(.*?)</summary>", html)
    assert len(summaries) == len(report.warnings) >= 2
    assert len(set(summaries)) == len(summaries)
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=&quot;alert(2)&quot;&gt;"
    assert summaries[0] == f'Show evidence (spoilers)<span class="vh">: {escaped}</span>'
    assert ".vh {" in html


def test_the_bar_marks_keep_a_colour_in_forced_colours_mode() -> None:
    """Regression (reader review): in forced colours (Windows High Contrast) a browser replaces
    backgrounds with the page's, and the marks, drawn by their background alone, vanished from
    every bar. A forced-colours rule gives them and the chapter ticks system colours."""
    from forewarn.report.html import _asset

    css = _asset("report.css")
    forced = re.search(r"@media \(forced-colors: active\) \{(.*?)\n\}", css, flags=re.S)
    assert forced
    rules = dict(re.findall(r"(\.bar \.\w+) \{([^}]*)\}", forced.group(1)))
    for selector, colour in ((".bar .mark", "LinkText"), (".bar .tick", "CanvasText")):
        assert f"background: {colour}" in rules[selector] and "forced-color-adjust: none" in rules[selector]


def test_how_to_read_names_the_bars_keys_only_where_the_script_makes_them_work() -> None:
    """Regression (reader review): a keyboard met every mark of every bar (176 for a 21,000-word
    work) before the next row; the script makes each bar one Tab stop moved along by arrow keys
    (tests/test_browser.py), and shows the sentence saying so, hidden without it."""
    html = render_html(two_chapter_report())
    how = html[html.index('<section id="how"') : html.index("</section>", html.index('<section id="how"'))]
    assert '<span id="bar-keys" hidden>On a keyboard, Tab stops at each bar once' in how
