from __future__ import annotations

import copy
import dataclasses
import re
import time
import zipfile
from collections import Counter
from html import escape as html_escape
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from readers_fixtures import (
    AO3_CHAPTER_ONE,
    AO3_CHAPTER_TWO,
    AO3_END_NOTE_DECLARATION,
    AO3_NOTES_DECLARATION,
    AO3_SUMMARY,
    CONTAINER_XML,
    FFF_CHAPTERS,
    ao3_epub,
    ao3_html,
    ao3_work_page,
    fff_epub,
    without_utf8_flag,
    write_epub,
    xhtml,
    zip_bomb,
)

from forewarn.readers import SUPPORTED_SUFFIXES, format_size, parse_size, read, read_text, sniff
from forewarn.work import ReadError, Work

SAMPLE = Path("/work/shared/samples/000_91f485cde857f4d1.txt")


def paragraphs(work: Work) -> list[str]:
    return [work.text[p.start : p.end] for c in work.chapters for p in c.paragraphs]


def check_invariants(work: Work) -> None:
    """Chapters tile the text; paragraphs are ordered, inside their chapter, stripped."""
    assert work.chapters[0].start == 0
    assert work.chapters[-1].end == len(work.text)
    for i, (a, b) in enumerate(zip(work.chapters, work.chapters[1:], strict=False)):
        assert a.end == b.start
        assert a.index == i
    last = 0
    for chapter in work.chapters:
        for p in chapter.paragraphs:
            assert chapter.start <= p.start < p.end <= chapter.end
            assert p.start >= last
            last = p.end
            chunk = work.text[p.start : p.end]
            assert chunk == chunk.strip() and chunk


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


# --- plain text -----------------------------------------------------------------

STORY = """Title: Ash and Ember
Author: wren
Rating: Explicit
Fandom: Original Work
Relationships: Ash/Ember
Tags: Angst, Hurt/Comfort
Summary: Two fires meet.
TW: self-harm, blood

Chapter 1: Smoke

The first line of smoke rose at dawn.
It curled over the roofs.

Ash watched it from the hill.

CHAPTER II

Nobody came to put it out.

Epilogue

It rained for a week.

A/N: Content warnings - implied character death
"""


def test_text_paragraphs_chapters_and_header(tmp_path: Path) -> None:
    work = read(write(tmp_path, "story.txt", STORY))
    check_invariants(work)
    assert work.source_format == "text"
    assert [c.title for c in work.chapters] == ["Chapter 1: Smoke", "CHAPTER II", "Epilogue"]
    # The header block belongs to the first chapter rather than a chapter of its own.
    assert work.chapters[0].paragraphs[0].start == 0
    assert paragraphs(work)[0].startswith("Title: Ash and Ember\nAuthor: wren")
    assert paragraphs(work)[1:5] == [
        "Chapter 1: Smoke",
        "The first line of smoke rose at dawn.\nIt curled over the roofs.",
        "Ash watched it from the hill.",
        "CHAPTER II",
    ]
    meta = work.metadata
    assert meta.title == "Ash and Ember"
    assert meta.authors == ["wren"]
    assert meta.rating == "Explicit"
    assert meta.fandoms == ["Original Work"]
    assert meta.relationships == ["Ash/Ember"]
    assert meta.freeform_tags == ["Angst", "Hurt/Comfort"]
    assert meta.summary == "Two fires meet."
    assert meta.declaration_lines == [
        "TW: self-harm, blood",
        "A/N: Content warnings - implied character death",
    ]


@pytest.mark.parametrize(
    "line",
    ["Chapter 12: The Fall", "CHAPTER IV", "Chapter One", "Prologue", "Part 2", "Chapter 3 - Rain"],
)
def test_heading_forms_start_chapters(line: str) -> None:
    opening = "Opening words of a scene before any heading. " * 30  # story, not a short preface
    work = read_text(f"{opening}\n\n{line}\n\nBody text here.")
    check_invariants(work)
    assert [c.title for c in work.chapters] == [None, line]


_PARA = "The rain went on all afternoon and nobody left the house by the river. " * 3


@pytest.mark.parametrize("form", ["Ch. {n}", "Ch {n}", "Chapter {n} of 10", "Chapter {n}/10", "Chapter {n} (of 10)"])
@pytest.mark.parametrize("rest", ["", ": Rain", " - Rain"])
def test_abbreviated_and_counted_chapter_headings_start_chapters(tmp_path: Path, form: str, rest: str) -> None:
    """Regression: "Ch. 3", "Ch 3", "Chapter 3 of 10", "Chapter 3/10" and "Chapter 3 (of 10)"
    (with a title after or not) were story text, so the work was one chapter."""
    from forewarn.work import heading_number

    titles = [form.format(n=n) + rest for n in (1, 2, 3)]
    text = "".join(f"{title}\n\n{_PARA}\n\n" for title in titles)
    for work in (read_text(text), read(write(tmp_path, "ch.txt", text))):
        check_invariants(work)
        assert [c.title for c in work.chapters] == titles
        assert [heading_number(c.title) for c in work.chapters] == [1, 2, 3]


@pytest.mark.parametrize(
    ("numbers", "gap"),
    [
        (["1.", "2.", "3."], "\n\n"),
        (["1", "2", "3"], "\n\n"),
        (["I.", "II.", "III."], "\n\n"),
        (["1.", "2.", "3."], "\n"),  # the number right over its chapter's first line
    ],
)
def test_bare_numbers_in_sequence_are_chapter_headings(tmp_path: Path, numbers: list[str], gap: str) -> None:
    """Regression: chapters numbered "1." / "1" / "I." alone on a line were story text. They are
    headings when they make a sequence (at least two, from 1 or going on from the heading before)."""
    from forewarn.work import heading_number

    text = "The Ferry\n\n" + "".join(f"{n}{gap}{_PARA}\n\n" for n in numbers)
    for work in (read_text(text), read(write(tmp_path, "n.txt", text))):
        check_invariants(work)
        assert [c.title for c in work.chapters] == numbers
        assert [heading_number(c.title) for c in work.chapters] == [1, 2, 3]
        assert paragraphs(work)[:3] == ["The Ferry", numbers[0], _PARA.strip()]
    # Going on from a heading: "Chapter 1", then "2." and "3.".
    work = read_text(f"Chapter 1\n\n{_PARA}\n\n2.\n\n{_PARA}\n\n3.\n\n{_PARA}\n")
    assert [c.title for c in work.chapters] == ["Chapter 1", "2.", "3."]
    work = read_text(f"Prologue\n\n{_PARA}\n\n1.\n\n{_PARA}\n\n2.\n\n{_PARA}\n")
    assert [c.title for c in work.chapters] == ["Prologue", "1.", "2."]
    # Numbered scenes of numbered chapters are not chapters.
    scenes = f"1.\n\n{_PARA}\n\n2.\n\n{_PARA}\n\n"
    work = read_text(f"Chapter 1\n\n{scenes}Chapter 2\n\n{scenes}")
    assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter 2"]


@pytest.mark.parametrize(
    "text",
    [
        f"{_PARA}\n\n1.\n\n{_PARA}\n",  # one number alone
        f"{_PARA}\n\n2.\n\n{_PARA}\n\n3.\n\n{_PARA}\n",  # not from 1, nothing before it
        f"{_PARA}\n\n1.\n\n{_PARA}\n\n3.\n\n{_PARA}\n",  # not a sequence
        f"{_PARA}\n\n1. Buy bread\n2. Feed the cat\n3. Call Mara\n\n{_PARA}\n",  # a numbered list
        f"{_PARA}\n\n1. Buy bread\n\n2. Feed the cat\n\n{_PARA}\n",
        f"{_PARA}\n\nPart one of the plan was simple.\n\nPart two of the plan was not.\n\n{_PARA}\n",
    ],
)
def test_numbers_that_are_no_sequence_or_a_list_are_story(text: str) -> None:
    work = read_text(text)
    check_invariants(work)
    assert [c.title for c in work.chapters] == [None]


DEDICATION = "This story is dedicated to my sister, who read every draft and told me honestly when it was bad."


@pytest.mark.parametrize(
    "preface",
    [
        f"The Long Rain\n\nby wren\n\n{DEDICATION}",
        "Summary: Lena and the river.\n\nTwo sisters, one river, and a letter that comes too late.",
        "\u201cAll rivers run to the sea.\u201d\n\n\u2014 Ecclesiastes",
    ],
)
@pytest.mark.parametrize("first", ["Chapter 1", "Chapter One: Rain", "Prologue", "CHAPTER I"])
def test_a_short_preface_before_chapter_one_is_front_matter(tmp_path: Path, preface: str, first: str) -> None:
    """Regression: a dedication or summary sentence before "Chapter 1" made an untitled chapter,
    so "Chapter 2" was chapter 3 in every report."""
    calm = "The morning was quiet and Lena walked along the river, counting the boats."
    text = f"{preface}\n\n{first}\n\n{calm}\n\nChapter 2\n\n{calm}\n"
    html = "".join(f"<p>{p}</p>" for p in preface.split("\n\n"))
    page = f"<html><body>{html}<h2>{first}</h2><p>{calm}</p><h2>Chapter 2</h2><p>{calm}</p></body></html>"
    for work in (read_text(text), read(write(tmp_path, "p.txt", text)), read(write(tmp_path, "p.html", page))):
        check_invariants(work)
        assert [c.title for c in work.chapters] == [first, "Chapter 2"]
        assert paragraphs(work)[0] == preface.split("\n\n")[0]  # kept, in the first chapter
    # Story text before a later chapter's heading, or a long text, stays a chapter of its own.
    assert [c.title for c in read_text(f"{DEDICATION}\n\nChapter 5\n\n{calm}\n").chapters] == [None, "Chapter 5"]
    scene = "\n\n".join([calm] * 8)
    assert [c.title for c in read_text(f"{scene}\n\n{first}\n\n{calm}\n").chapters] == [None, first]
    # A warnings line in such a preface is read as the preface's, not as story prose.
    declared = f"{DEDICATION}\n\nWarnings: grief, a funeral, Lena's mum dies off-page\n\n{first}\n\n{calm}\n\n{calm}\n"
    assert read_text(declared).metadata.declaration_lines == ["Warnings: grief, a funeral, Lena's mum dies off-page"]


def test_key_value_lines_in_the_story_are_not_metadata(tmp_path: Path) -> None:
    """Regression: "Key: value" lines were read as metadata from any of the first 30 lines, so a
    story line "Summary: the guard stabbed her..." in chapter 1 became the work's summary. They
    count only in the header block and the end notes, where the scorer blanks them too."""
    from forewarn.pipeline import meta_spans

    story = [
        "The gate stood open when they reached the yard, and nobody came out to meet them.",
        "Mara counted the windows twice, the way her father had taught her to count exits.",
        "The stones were wet from the night's rain and the air smelled of smoke and iron.",
        "Somewhere inside a door banged, once, and then the house was quiet again.",
        "Summary: the guard stabbed her twice and blood pooled on the stones, Mara said later.",
        "Characters: she had met too many of them that winter, and none of them kind.",
        "They left before dawn and did not look back at the house on the hill.",
        "The road south was empty all the way to the river, and the ferry was late.",
    ]
    text = "\n\n".join(story) + "\n"
    for work in (read_text(text), read(write(tmp_path, "s.txt", text))):
        assert work.metadata.summary is None
        assert work.metadata.characters == []
    assert meta_spans(text) == []  # the reader and the scorer agree: both lines are story
    # In the header block and the end notes they are still read (the header's first).
    notes = "Summary: Notes on the ending.\nCharacters: Ferryman"
    meta = read_text(f"Title: Yard\nSummary: A house on a hill.\n\n{text}\n{notes}\n").metadata
    assert (meta.title, meta.summary, meta.characters) == ("Yard", "A house on a hill.", ["Ferryman"])


@pytest.mark.parametrize(
    "line",
    [
        "Chapter one was the hardest part of her life.",
        "Part of me wanted to stay.",
        "Prologues bore me.",
    ],
)
def test_sentences_are_not_headings(line: str) -> None:
    work = read_text(f"Opening words.\n\n{line}\n\nBody text here.")
    assert len(work.chapters) == 1


def test_lines_are_paragraphs_without_blank_lines(tmp_path: Path) -> None:
    work = read(write(tmp_path, "flat.txt", "  First line.  \nSecond line.\r\nThird line.\n"))
    check_invariants(work)
    assert paragraphs(work) == ["First line.", "Second line.", "Third line."]
    assert len(work.chapters) == 1 and work.chapters[0].title is None


def test_markdown_headings(tmp_path: Path) -> None:
    md = "# The Saga\n\n## Part the First\n\nText one.\n\n## Part the Second\n\nText two.\n"
    work = read(write(tmp_path, "saga.md", md))
    check_invariants(work)
    assert work.source_format == "markdown"
    assert work.metadata.title == "The Saga"
    # A heading-only chapter ("# The Saga") is folded into the next one.
    assert [c.title for c in work.chapters] == ["Part the First", "Part the Second"]
    assert work.text[work.chapters[1].start :].startswith("## Part the Second")
    # In a .txt file a "#" line is just text.
    assert len(read(write(tmp_path, "saga.txt", md)).chapters) == 1


def test_markdown_setext_headings(tmp_path: Path) -> None:
    """Regression: in a .md file a title underlined with "===" or "---" (Markdown's other heading
    form) was a paragraph, so its chapters were one. They are level-1 and level-2 headings, as
    "# Title" and "## Title" are; in a .txt file "---" stays a scene break."""
    md = (
        "The Saga\n========\n\nChapter 1: Rain\n---------------\n\nText one.\n\n---\n\nMore of one.\n\n"
        "The Second Part\n---\n\nText two.\n"
    )
    work = read(write(tmp_path, "saga.md", md))
    check_invariants(work)
    assert work.metadata.title == "The Saga"
    assert [c.title for c in work.chapters] == ["Chapter 1: Rain", "The Second Part"]
    assert paragraphs(work)[3:] == ["---", "More of one.", "The Second Part\n---", "Text two."]
    assert work.text[work.chapters[1].start :].startswith("The Second Part\n---")
    # A sentence over "---" is story before a scene break; a .txt file has no such headings.
    story = "It was over.\n---\n\nThe next day came.\n\nRain\n---\n\nIt rained.\n"
    assert [c.title for c in read(write(tmp_path, "s.md", story)).chapters] == [None, "Rain"]
    assert len(read(write(tmp_path, "saga.txt", md)).chapters) == 1


def test_an_empty_numbered_chapter_keeps_its_place(tmp_path: Path) -> None:
    """Regression: "Chapter 2" with no text (its body an image, or left empty) was folded into
    chapter 3 like a "Part One" divider, so every later chapter was reported one lower than its
    title (violence in "Chapter 3" was "chapter 2")."""
    text = "Chapter 1\n\nIt rained.\n\nChapter 2\n\nChapter 3\n\nHe stabbed the guard.\n"
    work = read(write(tmp_path, "gap.txt", text))
    check_invariants(work)
    assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter 2", "Chapter 3"]
    assert work.text[work.chapters[2].start :].startswith("Chapter 3")
    parts = "Part One\n\nChapter 1\n\nText one.\n\nChapter 2\n\nText two.\n"  # a divider still folds
    assert [c.title for c in read(write(tmp_path, "parts.txt", parts)).chapters] == ["Chapter 1", "Chapter 2"]


def test_table_of_contents_lines_are_not_chapters(tmp_path: Path) -> None:
    """Regression: a table of contents atop a text ("Contents" over "Chapter 1: Rain", "Chapter 2:
    Dawn") made a chapter of each of its lines, so the work had six chapters and "Chapter 2: Dawn"
    was reported as chapter 5."""
    text = (
        "The Drip\nby lenka\n\nContents\nChapter 1: Rain\nChapter 2: Dawn\nChapter 3: Hill\n\n"
        "Chapter 1: Rain\n\nIt rained.\n\nChapter 2: Dawn\n\nThey came.\n\nChapter 3: Hill\n\nThey buried him.\n"
    )
    work = read(write(tmp_path, "toc.txt", text))
    check_invariants(work)
    assert [c.title for c in work.chapters] == ["Chapter 1: Rain", "Chapter 2: Dawn", "Chapter 3: Hill"]
    assert work.text[work.chapters[1].start :].startswith("Chapter 2: Dawn\n\nThey came.")
    page = "<h1>The Drip</h1><ul>" + "".join(f"<li>Chapter {i}</li>" for i in (1, 2)) + "</ul>"
    page += "".join(f"<h2>Chapter {i}</h2><p>Text {i}.</p>" for i in (1, 2))
    work = read(page.encode(), name="toc.html")
    assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter 2"]
    assert work.text[work.chapters[1].start :] == "Chapter 2\n\nText 2."


def test_markdown_leading_title_is_not_chapter_one(tmp_path: Path) -> None:
    """Regression: "# Title" became chapter 1, so "## Chapter 1: Rain" was reported as chapter 2."""
    md = "# The Long Rain\n\nby wren\n\n## Chapter 1: Rain\n\nIt rained.\n\n## Chapter 2: Sun\n\nIt stopped.\n"
    for work in (read(write(tmp_path, "rain.md", md)), read_text(md)):
        check_invariants(work)
        assert work.metadata.title == "The Long Rain"
        assert [c.title for c in work.chapters] == ["Chapter 1: Rain", "Chapter 2: Sun"]
        assert work.text[work.chapters[1].start : work.chapters[1].end].startswith("## Chapter 2: Sun")
    # Several level-1 headings are chapters (or parts), not a title.
    parts = "# Part One\n\nText one.\n\n# Part Two\n\nText two.\n"
    assert [c.title for c in read_text(parts).chapters] == ["Part One", "Part Two"]
    # A work opening with "# Chapter 1" has no title of its own (it was titled "Chapter 1").
    chapters = read(write(tmp_path, "ch.md", "# Chapter 1\n\nText one.\n\n# Chapter 2\n\nText two.\n"))
    assert chapters.metadata.title is None and [c.title for c in chapters.chapters] == ["Chapter 1", "Chapter 2"]


def test_markdown_chapters_named_by_level_one_headings_give_no_title(tmp_path: Path) -> None:
    """Regression: "# Rain", "# Dawn", "# Hill" over three chapters titled the work "Rain" (its
    first chapter's name, in the report's header and JSON), as "# Chapter 1" once did."""
    md = "# Rain\n\nIt rained.\n\n# Dawn\n\nThey came.\n\n# Hill\n\nThey buried him.\n"
    for work in (read(write(tmp_path, "names.md", md)), read_text(md)):
        assert [c.title for c in work.chapters] == ["Rain", "Dawn", "Hill"]
        assert work.metadata.title is None
    # A title over "# Chapter 1" headings is still the work's, as is a lone heading.
    titled = "# The Drip\n\nby lenka\n\n# Chapter 1\n\nIt rained.\n\n# Chapter 2\n\nThey came.\n"
    assert read_text(titled).metadata.title == "The Drip"
    assert read_text("# The Drip\n\nIt rained.\n").metadata.title == "The Drip"


def test_heading_titles_leave_out_emphasis_markers(tmp_path: Path) -> None:
    """Regression: "## Chapter 1: **Rain**" was titled with its markers (shown so in the reading
    mode's headings and chapter list), and a .txt heading "Chapter 1: **Rain**" lost only its
    last two ("Chapter 1: **Rain"). Markers that are not emphasis stay ("2*3*4")."""
    from forewarn.pipeline import scan_work
    from forewarn.report.html import render_html

    md = "# *The* Long Rain\n\n## Chapter 1: **Rain**\n\nIt rained.\n\n## Chapter 2: _Sun_ 2*3*4\n\nIt stopped.\n"
    for work in (read(write(tmp_path, "rain.md", md)), read_text(md)):
        check_invariants(work)
        assert work.metadata.title == "The Long Rain"
        assert [c.title for c in work.chapters] == ["Chapter 1: Rain", "Chapter 2: Sun 2*3*4"]
    txt = "Chapter 1: **Rain**\n\nIt rained.\n\n**Chapter 2**\n\nIt stopped.\n"
    work = read(write(tmp_path, "rain.txt", txt))
    assert [c.title for c in work.chapters] == ["Chapter 1: Rain", "Chapter 2"]
    assert work.text == txt  # titles change, the text never does
    html = render_html(scan_work(read_text(md), scorer="lexicon"))
    assert "**" not in html.split('id="reading"', 1)[1].split("<article", 1)[0]  # the chapter list
    assert re.findall(r'<h3 class="chapter"[^>]*>([^<]*)</h3>', html) == ["Chapter 1: Rain", "Chapter 2: Sun 2*3*4"]


def test_pasted_text_is_read_as_markdown_and_says_so(tmp_path: Path) -> None:
    """Regression: a str was read as Markdown ("# " headings start chapters) but reported as
    "text", the format of the same text's bytes, which give other chapters."""
    md = "# The Storm\n\nHe stabbed the guard.\n\n# Aftermath\n\nShe walked home in the rain.\n"
    pasted, as_md, as_txt = read_text(md), read(write(tmp_path, "s.md", md)), read(write(tmp_path, "s.txt", md))
    assert pasted.source_format == as_md.source_format == "markdown"
    assert [c.title for c in pasted.chapters] == [c.title for c in as_md.chapters] == ["The Storm", "Aftermath"]
    assert as_txt.source_format == "text" and len(as_txt.chapters) == 1  # a .txt has no markdown headings
    assert read(md.encode()).source_format == "text"  # bytes without a name: plain text


@pytest.mark.parametrize("mark", ["# # #", "## * * *", "# ~~~", "# ---", "#  -o-", "# \u2042", "# \u2766"])
def test_a_markdown_heading_of_only_marks_is_a_scene_break(tmp_path: Path, mark: str) -> None:
    """Regression: pasted text is read as Markdown, and "# # #" made chapters titled "#" that
    the same text uploaded as .txt did not have, so the two gave different places."""
    calm = "Lena walked by the river and counted the boats tied to the posts. " * 3
    text = f"{calm}\n\n{calm}\n\n{mark}\n\nHe stabbed the guard.\n\n{mark}\n\n{calm}\n"
    for work in (read_text(text), read(write(tmp_path, "s.md", text)), read(write(tmp_path, "s.txt", text))):
        check_invariants(work)
        assert [c.title for c in work.chapters] == [None]
        assert work.metadata.title is None
        assert mark in paragraphs(work)
    # A title over a scene break is still the title, and real headings are still chapters.
    titled = f"# The Saga\n\n## Chapter 1\n\n{calm}\n\n{mark}\n\n{calm}\n\n## Chapter 2\n\n{calm}\n"
    work = read_text(titled)
    assert work.metadata.title == "The Saga"
    assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter 2"]


@pytest.mark.parametrize(
    ("body", "title", "chapters"),
    [
        ("<h1>Chapter 1:</h1><p>Rain.</p><h1>Chapter 2: Sun</h1>x", "The Long Rain", ["Chapter 1:", "Chapter 2: Sun"]),
        ("<h1>Rain</h1><p>by wren</p><h2>Chapter 1</h2>y<h2>Chapter 2</h2>x", "Rain", ["Chapter 1", "Chapter 2"]),
    ],
)
def test_html_title_is_not_a_chapter_heading(tmp_path: Path, body: str, title: str, chapters: list[str]) -> None:
    """Regression: <title> was ignored and an <h1>Chapter 1:</h1> became the work's title."""
    page = f"<html><head><title>The Long Rain</title></head><body>{body}</body></html>"
    work = read(write(tmp_path, "rain.html", page))
    check_invariants(work)
    assert work.metadata.title == title
    assert [c.title for c in work.chapters] == chapters


def test_sample_file_reads_with_declaration() -> None:
    work = read(SAMPLE)
    check_invariants(work)
    assert len(work.chapters) == 1
    assert work.metadata.declaration_lines == [
        "Warnings: This fic will contain: Violence, torture, strong language, blood play and strong sexual themes."
    ]
    assert work.text == SAMPLE.read_text(encoding="utf-8")
    assert len(paragraphs(work)) > 20


def test_read_text_pasted() -> None:
    work = read_text("\ufeffCW: violence\r\n\r\nShe ran.\r\n", name="pasted")
    check_invariants(work)
    assert paragraphs(work) == ["CW: violence", "She ran."]
    assert work.metadata.declaration_lines == ["CW: violence"]
    assert work.source_path == "pasted"
    with pytest.raises(ReadError, match="nothing to scan"):
        read_text(" \n\t ")


def test_chinese_and_japanese_prose_is_not_front_matter(tmp_path: Path) -> None:
    """Regression: a line of Chinese or Japanese was one "word" and ended in no "." known, so
    every story line looked like a title line: the whole story counted as its preface."""
    from forewarn.readers.text import is_front_matter

    assert not is_front_matter("他拔出刀，刺向守卫的腹部，血溅在石头上。")
    assert not is_front_matter("朝の川辺は静かで、レナは舟を数えながら歩いた")  # over 8 words
    assert not is_front_matter("「行かないで」")
    assert is_front_matter("漫长的雨") and is_front_matter("作者：wren")
    story = "漫长的雨\n\n献给我的妹妹。\n\n他拔出刀，刺向守卫的腹部，血溅在石头上。\n"
    work = read(write(tmp_path, "zh.txt", story))
    check_invariants(work)
    assert work.word_count == 4 + 6 + 17  # one per character, punctuation aside


# --- decoding -------------------------------------------------------------------


def test_mojibake_is_fixed(tmp_path: Path) -> None:
    work = read(write(tmp_path, "moji.txt", "I donâ€™t know, she said. â€œFine.â€\x9d"))
    assert "don\u2019t" in work.text
    assert "\u201cFine.\u201d" in work.text


def test_offsets_are_documented_as_indices_into_the_repaired_text(tmp_path: Path) -> None:
    """Regression: offsets were documented as indices into "the decoded file with newlines
    normalised", but the mojibake repair shortens the text, so a JSON client slicing its own
    decoding of the file got spans shifted after every repair. They index ``work.text``."""
    import json

    data = "Caf\u00e9 \u2019 Chapter 1\r\n\r\nHe stabbed the guard.\r\n".encode().decode("latin-1").encode()
    work = read(write(tmp_path, "moji.txt", data))
    check_invariants(work)
    plain = data.decode(work.encoding).replace("\r\n", "\n")
    assert work.text.startswith("Caf\u00e9 \u2019 Chapter 1") and len(work.text) == len(plain) - 3
    root = Path(__file__).resolve().parent.parent
    schema = json.loads((root / "forewarn" / "schema" / "report-v1.json").read_text(encoding="utf-8"))
    characters = schema["$defs"]["report"]["properties"]["work"]["properties"]["characters"]
    described = schema["description"] + characters.get("description", "")
    assert "work.text" in described and "mojibake repaired" in described
    readme = (root / "README.md").read_text(encoding="utf-8")
    offsets = readme[readme.index("Offsets are character offsets") :].split("\n\n", 1)[0]
    assert "`work.text`" in offsets and "mojibake repaired" in offsets


def test_cp1252_file(tmp_path: Path) -> None:
    raw = "Caf\u00e9 au lait, \u201cna\u00efve\u201d \u2013 it\u2019s fine.".encode("cp1252")
    work = read(write(tmp_path, "old.txt", raw))
    assert work.text == "Caf\u00e9 au lait, \u201cna\u00efve\u201d \u2013 it\u2019s fine."
    assert work.encoding == "cp1252"


def test_epub_encoding_is_what_its_documents_were_decoded_with(tmp_path: Path) -> None:
    """Regression: an EPUB's ``work.encoding`` was "utf-8" whatever its documents were decoded
    with. It is the encoding most of its documents were decoded with (the first of those
    tied), as the JSON schema says."""
    import json

    def doc(body: str) -> bytes:
        return xhtml(body).replace('encoding="utf-8"', 'encoding="windows-1252"').encode("cp1252")

    chapters = [
        ("c1.xhtml", doc("<h2>Chapter 1</h2><p>In\u00e8s said \u201cno\u201d \u2013 caf\u00e9 noir.</p>")),
        ("c2.xhtml", doc("<h2>Chapter 2</h2><p>P\u00e1vel bled on the stairs\u2026</p>")),
        ("c3.xhtml", xhtml("<h2>Chapter 3</h2><p>Plain \u2019 UTF-8.</p>").encode()),
    ]
    work = read(write_epub(tmp_path / "cp1252.epub", chapters))
    assert "In\u00e8s said \u201cno\u201d" in work.text
    assert work.encoding == "cp1252"
    utf8 = [(name, xhtml("<h2>Chapter 1</h2><p>Caf\u00e9.</p>")) for name in ("a.xhtml", "b.xhtml")]
    assert read(write_epub(tmp_path / "utf8.epub", utf8)).encoding == "utf-8"
    root = Path(__file__).resolve().parent.parent
    schema = json.loads((root / "forewarn" / "schema" / "report-v1.json").read_text(encoding="utf-8"))
    encoding = schema["$defs"]["report"]["properties"]["work"]["properties"]["encoding"]
    assert "EPUB" in encoding["description"] and "most" in encoding["description"]


def test_utf16_with_bom(tmp_path: Path) -> None:
    raw = "Chapter 1\r\n\r\nShe didn\u2019t look back.\r\n".encode("utf-16")
    work = read(write(tmp_path, "wide.txt", raw))
    check_invariants(work)
    assert paragraphs(work) == ["Chapter 1", "She didn\u2019t look back."]
    assert "\r" not in work.text and "\ufeff" not in work.text


def test_utf16_without_bom(tmp_path: Path) -> None:
    work = read(write(tmp_path, "le.txt", "Plain words, caf\u00e9.\n".encode("utf-16-le")))
    assert paragraphs(work) == ["Plain words, caf\u00e9."]


def test_invalid_utf8_bytes_fall_back(tmp_path: Path) -> None:
    raw = "Caf\u00e9 \u2014 d\u00e9j\u00e0 vu. ".encode() * 3 + b"broken \xff\xfe byte \x93q\x94."
    work = read(write(tmp_path, "mixed.txt", raw))
    assert work.text.startswith("Caf\u00e9 \u2014 d\u00e9j\u00e0 vu.")
    assert "\u201cq\u201d" in work.text


# --- bad inputs -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("empty.txt", b"", "empty file: nothing to scan"),
        ("blank.txt", b"  \n\n\t \r\n", "nothing to scan"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 20, "binary file"),
        ("image", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 20, "binary file"),
        ("fake.epub", b"this is not a zip at all", "EPUB is damaged"),
        ("empty.html", b"<html><body>  </body></html>", "nothing to scan"),
    ],
)
def test_bad_inputs(tmp_path: Path, name: str, content: bytes, fragment: str) -> None:
    with pytest.raises(ReadError, match=fragment):
        read(write(tmp_path, name, content))


_NUL_STORY = "Chapter 1\n\nShe walked along the harbour where the lights burned low.\n\n" * 10


@pytest.mark.parametrize(("name", "wrap"), [("story.txt", str), ("story.html", lambda t: f"<p>{t}</p>")])
def test_nul_bytes_in_good_text_are_left_out_and_the_rest_read(tmp_path: Path, name: str, wrap: object) -> None:
    """Regression: a run of NULs inside a text or HTML file (a crash's padding, a bad copy) made
    the whole file "binary file": nothing was scanned. They are left out, with a notice."""
    data = wrap(_NUL_STORY).encode()  # type: ignore[operator]
    work = read(write(tmp_path, name, data[:300] + b"\x00" * 16 + data[300:]))
    assert "She walked along the harbour" in work.text and "\x00" not in work.text
    assert work.text.count("harbour") == 10
    assert work.notices == ["16 NUL bytes (damage, not text) left out; all else was read"]


def test_a_nul_in_pasted_text_is_left_out_as_in_a_file() -> None:
    work = read_text(_NUL_STORY[:200] + "\x00" + _NUL_STORY[200:])
    assert work.text == _NUL_STORY
    assert work.notices == ["1 NUL character (damage, not text) left out; all else was read"]


def test_nul_bytes_in_an_epub_document_are_left_out_with_a_notice_naming_it(tmp_path: Path) -> None:
    two = xhtml("<h1>Chapter 2</h1><p>Second.</p>").encode().replace(b"Second", b"Sec\x00\x00ond")
    work = read(write_epub(tmp_path / "nul.epub", [("c1.xhtml", xhtml("<p>First.</p>")), ("c2.xhtml", two)]))
    assert paragraphs(work) == ["First.", "Chapter 2", "Second."]
    assert work.notices == ["OEBPS/c2.xhtml: 2 NUL bytes (damage, not text) left out; all else was read"]


@pytest.mark.parametrize("data", [b"She ran.\x00", b"\x00" * 100, _NUL_STORY.encode() + b"\x00" * 200])
def test_text_that_is_more_than_a_tenth_nul_is_still_binary(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ReadError, match="binary file"):
        read(write(tmp_path, "story.txt", data))
    with pytest.raises(ReadError, match="binary data"):
        read_text(data.decode())


def test_a_tar_archive_is_refused_not_read_as_one_story(tmp_path: Path) -> None:
    """Regression: once a few NULs no longer made a file binary, a tar of text files (mostly
    text, its headers NUL-padded) was read as one story with the headers' names and numbers in it."""
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for i in range(2):
            story = (_NUL_STORY * 40).encode()
            info = tarfile.TarInfo(f"story{i}.txt")
            info.size = len(story)
            tar.addfile(info, io.BytesIO(story))
    data = buf.getvalue()
    assert data.count(0) < 0.1 * len(data)  # few enough NULs to pass as damaged text
    message = "tar archive (not text, HTML or EPUB): extract its files, then scan them"
    for name in ("stories.tar", "stories.txt"):
        with pytest.raises(ReadError, match=re.escape(message)):
            read(write(tmp_path, name, data))
    with pytest.raises(ReadError, match=re.escape(message)):
        sniff(data, "stories.tar")


RTF = rb"{\rtf1\ansi\deff0 {\fonttbl {\f0 Times New Roman;}}\f0\fs24 She ran to the river.\par}"


@pytest.mark.parametrize(
    ("name", "content", "what"),
    [
        ("story.rtf", RTF, "RTF document"),
        ("story.txt", RTF, "RTF document"),  # by content, whatever the name
        ("story", b"\xef\xbb\xbf\r\n" + RTF, "RTF document"),
        ("story.md", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n", "PDF file"),
    ],
)
def test_rtf_and_pdf_are_refused_in_one_line(tmp_path: Path, name: str, content: bytes, what: str) -> None:
    """Regression: an RTF file was read as text and its markup shown as the story."""
    message = f"{what} (not text, HTML or EPUB): save it as plain text or HTML to scan it"
    with pytest.raises(ReadError) as err:
        read(write(tmp_path, name, content))
    assert str(err.value) == message
    with pytest.raises(ReadError, match=re.escape(message)):  # the web app and batch sniff first
        sniff(content, name)
    with pytest.raises(ReadError, match="RTF|PDF"):
        read(content)  # bytes without a name (stdin)
    # Only the start counts: a story that mentions RTF markup is still a story.
    assert read(b"She saved it as {\\rtf1 by mistake.", name="x.txt").text.startswith("She saved")


def test_too_large_file_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.truncate(int(52.4 * 1024 * 1024))  # sparse: nothing is written to disk
    with pytest.raises(ReadError, match=r"file is 52.4 MiB, over the 25 MiB limit \(pass a larger max_bytes\)"):
        read(path)
    with pytest.raises(ReadError, match="over the"):
        read(b"x" * 101, max_bytes=100)


@pytest.mark.parametrize(
    ("size", "limit", "message"),
    [
        (50_000_198, 25 * 1024**2, "file is 47.7 MiB, over the 25 MiB limit"),
        (2000, 1024, "file is 2 KiB, over the 1 KiB limit"),
        (101, 100, "file is 101 bytes, over the 100 bytes limit"),
        (25 * 1024**2 + 1, 25 * 1024**2, "file is 26,214,401 bytes, over the 26,214,400-byte limit"),
    ],
)
def test_size_limit_messages_use_binary_units_and_read_well(size: int, limit: int, message: str) -> None:
    """Regression: limits were checked in MiB but printed as 'MB', and 1 KiB as '0.000976562 MB'."""
    with pytest.raises(ReadError) as err:
        read(b"x" * size, max_bytes=limit)
    assert str(err.value) == f"{message} (pass a larger max_bytes)"


def test_the_size_error_names_the_option_of_the_api_or_the_cli_it_came_from(tmp_path: Path) -> None:
    """Regression: fw.scan and run_batch said "(use --max-size)", an option only the CLI has."""
    import forewarn as fw
    from forewarn.batch import run_batch
    from forewarn.cli import main

    path = tmp_path / "c" / "story.txt"
    path.parent.mkdir()
    path.write_text("She walked along the harbour wall. " * 60, encoding="utf-8")
    with pytest.raises(fw.ReadError, match=r"over the 1 KiB limit \(pass a larger max_bytes\)$"):
        fw.scan(path, max_bytes=1024)
    summary = run_batch(path.parent, db=tmp_path / "r.db", workers=1, mode="lexicon", max_bytes=1024)
    assert summary.errors == [(str(path), "file is 2.1 KiB, over the 1 KiB limit (pass a larger max_bytes)")]
    result = CliRunner().invoke(main, ["scan", "--scorer", "lexicon", str(path), "--max-size", "1KiB"])
    assert result.exit_code == 2 and "over the 1 KiB limit (use --max-size)" in result.stderr, result.output


def test_parse_size_is_binary_and_rejects_nonsense() -> None:
    assert parse_size("25MB") == parse_size("25 MiB") == parse_size("25m") == 25 * 1024**2
    assert parse_size("1KB") == 1024 and parse_size("1.5G") == 3 * 1024**3 // 2 and parse_size("4096") == 4096
    assert format_size(parse_size("1KB")) == "1 KiB"
    for bad in ("", "abc", "-1", "0", "25 TB"):
        with pytest.raises(ValueError, match="not a size"):
            parse_size(bad)


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="file not found"):
        read(tmp_path / "nope.txt")
    with pytest.raises(ReadError, match="unknown format"):
        read(b"text", format="pdf")


def test_bytes_input_sniffs_html_and_uses_format() -> None:
    work = read(b"<!DOCTYPE html><html><body><p>Hello there.</p></body></html>")
    assert work.source_format == "html" and paragraphs(work) == ["Hello there."]
    assert read(b"<p>kept as text</p>", format="text").text == "<p>kept as text</p>"
    md = read(b"# Head\n\nBody", name="x.md")
    assert md.source_format == "markdown" and md.source_path == "x.md"
    assert {".txt", ".md", ".html", ".htm", ".xhtml", ".epub"} <= SUPPORTED_SUFFIXES


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_html_bytes_are_sniffed_as_html(codec: str) -> None:
    """Regression: stdin (bytes, no name) in UTF-16 was read as text with its tags left in."""
    markup = '<!DOCTYPE html><html><head><meta charset="utf-16"></head><body><p>Hello there.</p></body></html>'
    data = markup.encode(codec)
    assert sniff(data) == "html"
    work = read(data)
    assert work.source_format == "html" and paragraphs(work) == ["Hello there."]


# --- HTML -----------------------------------------------------------------------

HTML = """<html><head><title>Page Title</title><style>p { color: red }</style>
<script>var x = "<p>not text</p>";</script></head>
<body><nav><a href="/">Home</a></nav>
<h1>Night Train</h1>
<p>TW: kidnapping</p>
<h2>Chapter 1</h2>
<p>The  train
left at <em>midnight</em>.<br/>Nobody waved.</p>
<div>Loose text in a div.<p>Nested para.</p>tail text</div>
<h2>Chapter 2: Arrival</h2>
<blockquote>A letter, quoted.</blockquote>
<ul><li>one item</li><li>two &amp; three</li></ul>
<pre>  keep   this
  spacing</pre>
</body></html>"""


def test_generic_html(tmp_path: Path) -> None:
    work = read(write(tmp_path, "page.html", HTML))
    check_invariants(work)
    assert work.source_format == "html"
    assert work.metadata.title == "Night Train"
    assert work.metadata.declaration_lines == ["TW: kidnapping"]
    assert paragraphs(work) == [
        "Night Train",
        "TW: kidnapping",
        "Chapter 1",
        "The train left at midnight.\nNobody waved.",
        "Loose text in a div.",
        "Nested para.",
        "tail text",
        "Chapter 2: Arrival",
        "A letter, quoted.",
        "one item",
        "two & three",
        "keep   this\n  spacing",
    ]
    # The title and the TW line before "Chapter 1" belong to chapter 1, not to a chapter of their own.
    assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter 2: Arrival"]
    assert "not text" not in work.text and "Home" not in work.text


def test_malformed_html_still_reads(tmp_path: Path) -> None:
    markup = "<html><body><p>First <b>bold<p>Second<div>Third</span></p><p>Fourth"
    work = read(write(tmp_path, "broken.htm", markup))
    check_invariants(work)
    assert paragraphs(work) == ["First bold", "Second", "Third", "Fourth"]


def test_double_br_splits_paragraphs(tmp_path: Path) -> None:
    markup = "<html><body><div>One line.<br><br>Two line.<br>\nStill two.</div></body></html>"
    work = read(write(tmp_path, "br.html", markup))
    assert paragraphs(work) == ["One line.", "Two line.\nStill two."]


def test_html_legacy_charset(tmp_path: Path) -> None:
    markup = '<html><head><meta charset="windows-1252"></head><body><p>na\u00efve \u2013 ok</p>'
    work = read(write(tmp_path, "legacy.html", markup.encode("cp1252")))
    assert paragraphs(work) == ["na\u00efve \u2013 ok"]


def _unclosed_fonts(count: int) -> str:
    return "<body>" + "".join(f"<p><font color=red>Paragraph {i}: the storm broke." for i in range(count))


def test_deeply_nested_html_reads_every_paragraph(tmp_path: Path) -> None:
    """Regression: lxml stopped at 255 levels, so only 127 of 1,000 unclosed-<font> paragraphs were read.

    1,000 paragraphs nest 2,000 levels deep, past Python's recursion limit too.
    """
    work = read(write(tmp_path, "fonts.html", _unclosed_fonts(1000)))
    check_invariants(work)
    assert len(paragraphs(work)) == 1000 and paragraphs(work)[-1] == "Paragraph 999: the storm broke."
    epub = read(write_epub(tmp_path / "fonts.epub", [("c1.xhtml", _unclosed_fonts(1000))]))
    assert len(paragraphs(epub)) == 1000


def test_html_too_deep_to_read_whole_is_an_error(tmp_path: Path) -> None:
    """Past lxml's hard limit (2,048 levels) part of the text would be lost: say so instead."""
    with pytest.raises(ReadError, match="nested too deeply"):
        read(write(tmp_path, "fonts.html", _unclosed_fonts(1500)))
    with pytest.raises(ReadError, match="nested too deeply"):
        read(write_epub(tmp_path / "fonts.epub", [("c1.xhtml", _unclosed_fonts(1500))]))


def test_meta_charset_utf16_over_single_byte_text_is_not_utf16(tmp_path: Path) -> None:
    """Regression: Windows-1252 bytes of even length declared utf-16 decoded as CJK (1 word).

    As in the HTML standard, a utf-16 meta is taken as utf-8: real UTF-16 shows in its bytes.
    """
    markup = '<html><head><meta charset="utf-16"></head><body><p>She said \u201cno\u201d and left.</p></body></html>'
    data = markup.encode("cp1252")
    work = read(write(tmp_path, "u16.html", data if len(data) % 2 == 0 else data + b" "))
    assert paragraphs(work) == ["She said \u201cno\u201d and left."]


# --- AO3 ------------------------------------------------------------------------


SPOILER = "In the last chapter Lena's grandmother dies and Theo turns out to be her brother."
DETAILS = (
    "<details><summary>Detailed warnings (major spoilers)</summary>"
    f"<p>{SPOILER}</p><p>TW: character death</p><details><summary>more</summary><p>blood</p></details></details>"
)


def test_details_block_is_read_as_notes_and_kept_in_the_story(tmp_path: Path) -> None:
    """An author's collapsed block (<details>) is read as notes (its declarations count) and
    stays in the story, where it is scanned: blocks of up to 150 words were taken out, so
    three 90-word self-harm drabbles in toggles gave no warning. Its spans are recorded
    (``Work.collapsed``) and its declaration lines are blanked for scoring."""
    from forewarn import scan
    from forewarn.declared import declared_from_metadata
    from forewarn.pipeline import scoring_texts
    from forewarn.split import split_work
    from forewarn.taxonomy import load_taxonomy

    one = (
        f"{DETAILS}<h2>Chapter 1</h2><p>Lena walked by the river.</p>"
        "<p>She stopped<details><summary>A/N</summary>Thanks to my beta!</details> at the bridge.</p>"
    )
    two = "<h2>Chapter 2</h2><p>He stabbed the guard.</p>"
    page = f"<html><head><title>The River</title></head><body><h1>The River</h1><p>by wren</p>{one}{two}</body></html>"
    html = read(write(tmp_path, "secret.html", page))
    epub = read(write_epub(tmp_path / "secret.epub", [("c1.xhtml", xhtml(one)), ("c2.xhtml", xhtml(two))]))
    for work in (html, epub):
        check_invariants(work)
        assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter 2"]
        for shown in (SPOILER, "Detailed warnings", "Thanks to my beta", "blood", "She stopped", "at the bridge."):
            assert shown in work.text
        collapsed = [work.text[s.start : s.end] for s in work.collapsed]  # one span per toggle
        assert collapsed == [
            f"Detailed warnings (major spoilers)\n\n{SPOILER}\n\nTW: character death\n\nmore\n\nblood",
            "A/N\n\nThanks to my beta!",
        ]
        labels = [work.text[s.start : s.end] for s in work.collapsed_summaries]  # not the nested "more"
        assert labels == ["Detailed warnings (major spoilers)", "A/N"]
        notes = work.metadata.notes or ""
        assert SPOILER in notes and "Thanks to my beta!" in notes and "blood" in notes
        assert "TW: character death" in work.metadata.declaration_lines
        declared = declared_from_metadata(work.metadata, taxonomy=load_taxonomy())
        assert "death" in {d.warning_id for d in declared}
        scored = "".join(scoring_texts(work, split_work(work)))
        assert "TW: character death" not in scored and SPOILER in scored  # the declaration is not story
    # An AO3 chapter body: the same.
    ao3 = ao3_html().replace(f"<p>{AO3_CHAPTER_TWO[0]}</p>", f"{DETAILS}<p>{AO3_CHAPTER_TWO[0]}</p>")
    work = read(write(tmp_path, "ao3.html", ao3))
    assert work.source_format == "ao3-html" and SPOILER in work.text
    assert SPOILER in (work.metadata.notes or "") and "Written for a prompt." in (work.metadata.notes or "")
    assert "TW: character death" in work.metadata.declaration_lines
    # Short drabbles in toggles are scanned (review s14 finding 5).
    drabble = " ".join(["She held the razor over her wrist and pressed until the blood came, hating herself."] * 6)
    page = "<html><body><h1>Drabbles</h1><p>A collection of short pieces written for prompts this month.</p>"
    page += "".join(f"<details><summary>Drabble {i}</summary><p>{drabble}</p></details>" for i in (1, 2, 3))
    work = read(write(tmp_path, "drabbles.html", page + "</body></html>"))
    assert work.text.count(drabble) == 3 and len(work.collapsed) == 3
    assert "blood" in {w.id for w in scan(work, scorer="lexicon").warnings}


def test_adjacent_toggles_are_recorded_one_span_each_with_their_own_label(tmp_path: Path) -> None:
    """Regression: the readers recorded one collapsed span per paragraph, so adjacent <details>
    (three drabbles in a row) could not be told apart. Each toggle is one span, from its first
    paragraph to its last, and its <summary> paragraph is recorded as its label; a toggle
    without a <summary> has none, and a label that comes after the toggle's text still counts."""
    toggles = (
        "<details><summary>Drabble 1</summary><p>Rain on the roof.</p><p>She slept.</p></details>"
        "<details><summary>Drabble 2</summary><p>The kettle sang.</p></details>"
        "<details><p>No label here.</p></details>"
        "<details><p>Text first.</p><summary>Label last</summary></details>"
        "<details></details><p>Open text.</p>"
    )
    page = f"<html><body><h1>Drabbles</h1><p>Short pieces for a prompt.</p>{toggles}</body></html>"
    html = read(write(tmp_path, "d.html", page))
    epub = read(write_epub(tmp_path / "d.epub", [("c1.xhtml", xhtml(f"<h1>Drabbles</h1>{toggles}"))]))
    for work in (html, epub):
        check_invariants(work)
        assert [work.text[s.start : s.end] for s in work.collapsed] == [
            "Drabble 1\n\nRain on the roof.\n\nShe slept.",
            "Drabble 2\n\nThe kettle sang.",
            "No label here.",
            "Text first.\n\nLabel last",
        ]
        labels = [work.text[s.start : s.end] for s in work.collapsed_summaries]
        assert labels == ["Drabble 1", "Drabble 2", "Label last"]


def test_a_toggles_summary_that_reads_as_a_heading_starts_no_chapter(tmp_path: Path) -> None:
    """Regression: "<summary>Part two</summary>" made a chapter "Part two" of a collapsed scene.
    A <summary> is its toggle's label, also as an <h2> ("<summary><h2>Chapter 3</h2>") and in an
    EPUB chapter (where it became the chapter's title); real headings still start chapters."""
    one = (
        "<h2>Chapter 1</h2><p>She walked to the harbour.</p>"
        "<details><summary>Part two</summary><p>The hidden scene.</p></details>"
        "<details><summary><h2>Chapter 3</h2></summary><p>Another hidden scene.</p></details>"
        "<p>She went home.</p>"
    )
    two = "<h2>Chapter 2</h2><p>The ferry left.</p>"
    html = read(write(tmp_path, "s.html", f"<html><body><h1>Salt</h1>{one}{two}</body></html>"))
    epub = read(write_epub(tmp_path / "s.epub", [("c1.xhtml", xhtml(one)), ("c2.xhtml", xhtml(two))]))
    for work in (html, epub):
        check_invariants(work)
        assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter 2"]
        assert [work.text[s.start : s.end] for s in work.collapsed_summaries] == ["Part two", "Chapter 3"]
    # Outside a toggle such a line is still a heading.
    work = read(write(tmp_path, "p.html", "<html><body><p>Part one</p><p>A.</p><p>Part two</p><p>B.</p></body></html>"))
    assert [c.title for c in work.chapters] == ["Part one", "Part two"]


EMPHASIS_BODY = (
    "<h2>Chapter 1</h2><p>She <em>really</em> <b>meant <i>it</i></b>,<strong> twice </strong>.</p>"
    "<p><i>Roses are red,<br>he said</i> &lt;3 <em>&lt;script&gt;alert(1)&lt;/script&gt;</em></p>"
    "<details><summary><b>Drabble</b> 1</summary><p>A <i>quiet</i> one.</p></details>"
    "<p><b>bold<span> run</span></b><i></i><em> </em>end</p>"
)


def _emphasised(work: Work) -> list[tuple[str, str]]:
    return [(work.text[e.start : e.end], e.kind) for e in work.emphasis]


def test_emphasis_is_recorded_and_the_text_and_offsets_stay_the_same(tmp_path: Path) -> None:
    """Regression: italics and bold were lost (the reading mode showed none). The readers record
    them (``Work.emphasis``, offsets into ``text``, without whitespace at their ends) for HTML,
    EPUB and AO3 chapters; the text, chapters, paragraphs, declarations and toggles are exactly
    those of the same work without the tags."""
    plain = re.sub(r"</?(?:em|i|b|strong)>", "", EMPHASIS_BODY)
    expected = [
        ("really", "em"),
        ("meant it", "strong"),
        ("it", "em"),
        ("twice", "strong"),
        ("Roses are red,\nhe said", "em"),
        ("<script>alert(1)</script>", "em"),
        ("Drabble", "strong"),
        ("quiet", "em"),
        ("bold run", "strong"),
    ]
    ao3 = ao3_html().replace(f"<p>{AO3_CHAPTER_TWO[0]}</p>", EMPHASIS_BODY.replace("h2>", "h3>"))
    ao3_plain = ao3_html().replace(f"<p>{AO3_CHAPTER_TWO[0]}</p>", plain.replace("h2>", "h3>"))
    pairs = [
        (
            write(tmp_path, "e.html", f"<html><body>{EMPHASIS_BODY}</body></html>"),
            write(tmp_path, "p.html", f"<html><body>{plain}</body></html>"),
        ),
        (
            write_epub(tmp_path / "e.epub", [("c1.xhtml", xhtml(EMPHASIS_BODY))]),
            write_epub(tmp_path / "p.epub", [("c1.xhtml", xhtml(plain))]),
        ),
        (write(tmp_path, "ao3e.html", ao3), write(tmp_path, "ao3p.html", ao3_plain)),
    ]
    for (tagged, untagged), source_format in zip(pairs, ["html", "epub", "ao3-html"], strict=True):
        work, bare = read(tagged), read(untagged)
        check_invariants(work)
        assert work.source_format == bare.source_format == source_format
        assert _emphasised(work) == expected, tagged.name
        assert bare.emphasis == []
        assert work.text == bare.text and paragraphs(work) == paragraphs(bare)
        assert [(c.title, c.start, c.end) for c in work.chapters] == [(c.title, c.start, c.end) for c in bare.chapters]
        assert (work.meta_spans, work.collapsed, work.collapsed_summaries) == (
            bare.meta_spans,
            bare.collapsed,
            bare.collapsed_summaries,
        )
        assert work.metadata == bare.metadata
        for e in work.emphasis:
            chunk = work.text[e.start : e.end]
            assert chunk == chunk.strip() and "\n\n" not in chunk  # inside one paragraph


def test_many_emphasis_elements_in_one_paragraph_read_in_linear_time() -> None:
    """Regression: each ``<i>``/``<b>`` summed the paragraph read so far, so a page of ``<br>``
    lines with italics (one paragraph to the extractor) was quadratic: these 230 KB took 10 s."""
    page = "<html><body><p>" + "She said <i>no</i> and <b>left</b>.<br>" * 6000 + "</p></body></html>"
    started = time.perf_counter()
    work = read(page.encode(), name="many.html")
    assert time.perf_counter() - started < 3
    assert len(work.emphasis) == 12000
    assert _emphasised(work)[-2:] == [("no", "em"), ("left", "strong")]


def test_paragraphs_inside_many_unclosed_emphasis_elements_get_one_range_each() -> None:
    """Regression: each paragraph inside N open ``<b>`` got N identical ranges: 1,500 unclosed
    ``<b>`` over 1,000 paragraphs (40 KB) made 1.5 million and took 20 s. One per kind now."""
    page = "<html><body>" + "<b>" * 1500 + "<i>" + "<div>Rain fell.</div>" * 1000 + "</body></html>"
    started = time.perf_counter()
    work = read(page.encode(), name="bold.html")
    assert time.perf_counter() - started < 3
    assert _emphasised(work)[:2] == [("Rain fell.", "strong"), ("Rain fell.", "em")]
    assert len(work.emphasis) == 2000


def test_emphasis_across_paragraphs_is_cut_at_each() -> None:
    """An emphasis element holding block elements (<b>...<div>...</div>...</b>) is recorded in
    each paragraph it covers, never across the blank line between them."""
    work = read(b"<html><body><b>bold<div>in a div</div>after</b> plain</body></html>", name="b.html")
    assert work.text == "bold\n\nin a div\n\nafter plain"
    assert _emphasised(work) == [("bold", "strong"), ("in a div", "strong"), ("after", "strong")]


_LEAF = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab &<\n\t\u00a0\u3000")), max_size=6).map(html_escape),
    st.just("<br>"),
)
_MARKUP = st.recursive(
    _LEAF,
    lambda kids: st.tuples(
        st.sampled_from(["em", "i", "b", "strong", "span", "p", "div", "pre", "details", "summary"]),
        st.lists(kids, max_size=4),
    ).map(lambda t: f"<{t[0]}>{''.join(t[1])}</{t[0]}>"),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_MARKUP, min_size=1, max_size=4))
def test_emphasis_never_changes_the_extracted_text(parts: list[str]) -> None:
    """Whatever the markup, the paragraphs are those of the same tree without its <em>, <i>, <b>
    and <strong>; each emphasis range lies in its paragraph, non-empty, without whitespace at
    its ends."""
    import lxml.etree

    from forewarn.readers.blocks import BLOCK_TAGS, extract_blocks, tag_name
    from forewarn.readers.html import parse_document

    try:
        root = parse_document(f"<html><body>{''.join(parts)}</body></html>")
    except ReadError:
        return
    bare = copy.deepcopy(root)
    lxml.etree.strip_tags(bare, "em", "i", "b", "strong")
    blocks, plain = extract_blocks(root), extract_blocks(bare)
    assert [dataclasses.replace(b, emphasis=()) for b in blocks] == plain
    for block in blocks:
        for e in block.emphasis:
            chunk = block.text[e.start : e.end]
            assert 0 <= e.start < e.end <= len(block.text) and chunk == chunk.strip()
    # Each emphasis element within one paragraph (no block, <br> or blank line inside: a blank
    # line in <pre> ends a paragraph) is one range of its text.
    expected: Counter[str] = Counter()
    for el in root.iter("em", "i", "b", "strong"):
        whole = not any(tag_name(d) in BLOCK_TAGS or tag_name(d) == "br" for d in el.iterdescendants())
        whole = whole and not re.search(r"\n[^\S\n]*\n", "".join(el.itertext()))
        words = " ".join("".join(el.itertext()).split())
        if whole and words:
            expected[words] += 1
    found = Counter(" ".join(b.text[e.start : e.end].split()) for b in blocks for e in b.emphasis)
    assert expected - found == Counter()  # found has more: the pieces of the other elements


MARKDOWN_EMPHASIS = (
    "Chapter 1\n\nShe *really* **meant _it_**, __twice__. ***Both*** at once.\n\n"
    '"*Yes*," she said. *sigh* *eye\nroll* and *<script>alert(1)</script>*\n\n'
    "* * *\n\n*\n\n***\n\n*~*~*~*\n\n"
    "2*3*4 is 24; snake_case_names and f*ck; \\*escaped* and 4 * 5 * 6.\n\n"
    "* a bullet\n* another *item*\n\n"
    "*unmatched here\n\nand there* too; **half* and _mixed*; ****four****.\n"
)


def test_markdown_emphasis_is_recorded_with_its_markers_and_the_text_is_unchanged(tmp_path: Path) -> None:
    """Markdown's and plain text's ``*italics*``, ``_italics_``, ``**bold**`` and ``__bold__`` are
    the work's emphasis, as HTML's tags are: each range covers its markers (``markers`` at each
    end), so it slices the text as read. Conservative: products, snake_case, a word with an
    asterisk, scene breaks, bullets, escaped and unmatched markers and emphasis across a blank
    line are text. The same in a .txt file, a .md file and pasted text."""
    text = MARKDOWN_EMPHASIS
    expected = [
        ("*really*", "em", 1),
        ("**meant _it_**", "strong", 2),
        ("_it_", "em", 1),
        ("__twice__", "strong", 2),
        ("***Both***", "em", 1),
        ("**Both**", "strong", 2),
        ("*Yes*", "em", 1),
        ("*sigh*", "em", 1),
        ("*eye\nroll*", "em", 1),
        ("*<script>alert(1)</script>*", "em", 1),
        ("*item*", "em", 1),
    ]
    works = [read_text(text), read(write(tmp_path, "e.md", text)), read(write(tmp_path, "e.txt", text))]
    assert [w.source_format for w in works] == ["markdown", "markdown", "text"]
    for work in works:
        check_invariants(work)
        assert work.text == text
        assert [(work.text[e.start : e.end], e.kind, e.markers) for e in work.emphasis] == expected
        spans = [p for c in work.chapters for p in c.paragraphs]
        for e in work.emphasis:
            assert any(p.start <= e.start < e.end <= p.end for p in spans)


_MD_TEXT = st.text(alphabet=st.sampled_from(list("ab2 *_\\\n~.#-")), min_size=1, max_size=60)


@settings(max_examples=400, deadline=None)
@given(_MD_TEXT, st.booleans())
def test_markdown_emphasis_never_changes_the_text(text: str, markdown: bool) -> None:
    """Whatever the markers, the text is the text given, and each emphasis range lies inside one
    paragraph, opens and closes with the same ``markers`` marker characters and holds a letter
    or digit between them; the chapters, paragraphs and metadata are those of the same text
    read without emphasis."""
    from forewarn.readers.text import parse_text, read_plain

    if not text.strip():
        return
    work = read_plain(text, markdown=markdown)
    assert work.text == text
    chapters, meta, spans = parse_text(text, markdown=markdown)
    assert (work.chapters, work.metadata, work.meta_spans) == (chapters, meta, spans)
    paras = [p for c in work.chapters for p in c.paragraphs]
    assert work.emphasis == sorted(work.emphasis, key=lambda e: (e.start, -e.end))
    for e in work.emphasis:
        assert any(p.start <= e.start < e.end <= p.end for p in paras)
        assert e.markers == (1 if e.kind == "em" else 2)
        opening, closing = text[e.start : e.start + e.markers], text[e.end - e.markers : e.end]
        assert opening == closing and len(set(opening)) == 1 and opening[0] in "*_"
        inner = text[e.start + e.markers : e.end - e.markers]
        assert any(c.isalnum() for c in inner) and inner == inner.strip()
        assert "\n\n" not in text[e.start : e.end]


def test_ao3_multi_chapter(tmp_path: Path) -> None:
    work = read(write(tmp_path, "ao3.html", ao3_html()))
    check_invariants(work)
    assert work.source_format == "ao3-html"
    assert [c.title for c in work.chapters] == ["Chapter 1: The Light", "Chapter 2: Salt"]
    assert paragraphs(work) == [
        "Chapter 1: The Light",
        *AO3_CHAPTER_ONE,
        "Chapter 2: Salt",
        *AO3_CHAPTER_TWO,
    ]
    meta = work.metadata
    assert meta.title == "The Keeper of Small Lights"
    assert meta.authors == ["lanternfish"]
    assert meta.rating == "Mature"
    assert meta.archive_warnings == ["Graphic Depictions Of Violence", "Major Character Death"]
    assert meta.categories == ["F/F"]
    assert meta.fandoms == ["Original Work"]
    assert meta.characters == ["Keeper (Original Character)", "Marisol"]
    assert meta.freeform_tags == ["Angst", "Shipwrecks", "Blood and Injury"]
    assert meta.language == "English"
    assert meta.summary == AO3_SUMMARY
    assert meta.source_url == "http://archiveofourown.org/works/99999999"
    assert meta.notes is not None and "Written for a prompt." in meta.notes
    assert set(meta.declaration_lines) == {
        AO3_NOTES_DECLARATION,
        AO3_END_NOTE_DECLARATION,
        "Warnings for this chapter: peril at sea",
    }
    assert "Words: 120" in meta.extra["stats"]
    # The preface is metadata, not story text.
    assert AO3_SUMMARY not in work.text and "Archive Warning" not in work.text
    assert "Thanks for reading" not in work.text


def test_ao3_single_chapter(tmp_path: Path) -> None:
    work = read(write(tmp_path, "one.html", ao3_html(multi_chapter=False)))
    check_invariants(work)
    assert len(work.chapters) == 1
    assert paragraphs(work) == AO3_CHAPTER_ONE
    assert work.metadata.rating == "Mature"


def test_ao3_single_chapter_keeps_the_story_blockquotes(tmp_path: Path) -> None:
    """Regression: a one-chapter download has its story straight in div#chapters, and every
    blockquote there was dropped as a note: a letter quoted in the story ("They are coming with
    knives") was not read. Notes there (in a div.meta, or under a "Notes" label) still are not."""
    letter = "They are coming with knives on the new moon."
    body = (
        '<div id="chapters" class="userstuff">\n<p>The letter said only this:</p>\n'
        f"<blockquote><p>{letter}</p></blockquote>\n<p>She burned it.</p>\n"
        '<p>Notes</p><blockquote class="userstuff"><p>TW: knives</p></blockquote>\n'
        '<div class="meta group"><blockquote class="userstuff"><p>Thanks for reading!</p></blockquote></div>\n</div>\n'
    )
    page = ao3_html(multi_chapter=False)
    page = page[: page.index('<div id="chapters"')] + body + page[page.index('<div id="afterword">') :]
    work = read(write(tmp_path, "letter.html", page))
    check_invariants(work)
    assert work.source_format == "ao3-html"
    assert paragraphs(work) == ["The letter said only this:", letter, "She burned it."]
    assert "TW: knives" in work.metadata.declaration_lines


def test_ao3_page_with_control_characters_is_read(tmp_path: Path) -> None:
    """Regression: a control character (U+000F) after the preface made the whole AO3 page
    "cannot read html input: ValueError": lxml's parser keeps it, but ``drop_tree`` cannot set
    it. Characters XML cannot hold are dropped (form feed and vertical tab are spaces)."""
    page = ao3_html().replace('<div id="chapters"', '\x0f\x1b<div id="chapters"')
    page = page.replace(AO3_CHAPTER_TWO[0], AO3_CHAPTER_TWO[0].replace("the storm", "the\x0cstorm\x01"))
    work = read(write(tmp_path, "ctrl.html", page))
    check_invariants(work)
    assert work.source_format == "ao3-html"
    assert paragraphs(work) == paragraphs(read(write(tmp_path, "clean.html", ao3_html())))


def test_ao3_comment_before_a_preface_blockquote(tmp_path: Path) -> None:
    """Regression: an HTML comment before the summary's blockquote made the whole page "cannot
    read html input: ValueError" (lxml takes no text of a comment); the label before it counts."""
    page = ao3_html().replace("<p>Summary</p>", "<p>Summary</p><!-- the summary -->")
    work = read(write(tmp_path, "comment.html", page))
    check_invariants(work)
    assert work.source_format == "ao3-html"
    assert work.metadata.summary == AO3_SUMMARY
    assert paragraphs(work) == paragraphs(read(write(tmp_path, "clean.html", ao3_html())))


def test_ao3_empty_chapter_heading_is_an_untitled_chapter(tmp_path: Path) -> None:
    """Regression: an empty ``<h2 class="heading">`` was an empty paragraph (a span of length 0)
    and the work's text started with a blank line; it starts an untitled chapter."""
    page = ao3_html().replace("Chapter 1: The Light</h2>", "</h2>")
    work = read(write(tmp_path, "empty.html", page))
    check_invariants(work)
    assert [c.title for c in work.chapters] == [None, "Chapter 2: Salt"]
    assert paragraphs(work) == [*AO3_CHAPTER_ONE, "Chapter 2: Salt", *AO3_CHAPTER_TWO]
    assert work.text.startswith(AO3_CHAPTER_ONE[0])


_AO3_TAGS = '<div id="preface"><dl class="tags"><dt>Rating:</dt><dd>Mature</dd></dl></div>'
_CHAPTER = '<div id="chapters"><div class="userstuff"><p>Rain fell on the town.</p></div></div>'


@pytest.mark.parametrize(
    "body",
    [
        '<div id="preface">' * 300 + "<p>Rain fell on the town.</p>" * 3000,
        _AO3_TAGS
        + '<div id="chapters">'
        + "<div>" * 1500
        + '<h2 class="heading">Chapter 1</h2><div class="userstuff"><p>Rain fell.</p></div>' * 1500,
        "<div>" * 1500 + "<details><summary>Part</summary>Rain fell.</details>" * 3000,
        _AO3_TAGS + _CHAPTER + '<div id="afterword">' * 1500 + "<blockquote><p>TW: blood</p></blockquote>" * 3000,
        '<div id="preface">'
        + '<dl class="tags"><dt>Rating:</dt><dd>Mature</dd><dt>Fandom:</dt><dd><a>x</a>. <div class="meta">' * 300
        + "<a>f</a> " * 12000
        + "</div>"
        + _CHAPTER,
        _AO3_TAGS.replace("</div>", "") + '<div class="byline">by <a href="#">x</a> ' * 1500 + "</div>" + _CHAPTER,
        _AO3_TAGS + '<div id="chapters">' + '<h2 class="heading">' * 1500 + "<blockquote><p>x</p></blockquote>" * 3000,
        '<dl class="work meta group"><dd class="rating tags">Mature</dd></dl>'
        + '<div class="preface group"><h2 class="title heading">T</h2>' * 1500
        + "<blockquote><p>TW: blood</p></blockquote>" * 3000
        + '<div id="workskin"><div id="chapters"><div class="userstuff"><p>Rain fell.</p></div></div></div>',
    ],
    ids=[
        "nested-prefaces",
        "ao3-chapters-deep",
        "details-deep",
        "nested-afterwords",
        "nested-tags",
        "nested-bylines",
        "nested-headings",
        "work-page-nested-prefaces",
    ],
)
def test_deeply_nested_pages_read_in_linear_time(body: str) -> None:
    """Regression: thousands of unclosed tags over many elements were quadratic or worse (each
    element's ancestors looked at, XPath's "//div[@id='preface']//dl", or the text of each of
    300 nested tag lists): these pages of 60-160 KB took 5-15 s; 180 KB of nested prefaces
    over ten minutes."""
    started = time.perf_counter()
    work = read(f"<html><body>{body}</body></html>".encode(), name="deep.html")
    assert time.perf_counter() - started < 3
    check_invariants(work)


def test_ao3_blockquote_inside_a_note_is_read_once(tmp_path: Path) -> None:
    """A blockquote quoted inside a note is part of that note, not a second note of its own."""
    quoted = "<blockquote><p>An epigraph, quoted.</p></blockquote>"
    page = ao3_html().replace("<p>Written for a prompt.</p>", f"<p>Written for a prompt.</p>{quoted}")
    notes = read(write(tmp_path, "quoted.html", page)).metadata.notes
    assert notes is not None and notes.count("An epigraph, quoted.") == 1


def test_ao3_afterword_that_is_also_a_chapter_meta_block(tmp_path: Path) -> None:
    """Found by fuzzing the change that made these lookups linear: a div#afterword.meta inside
    div#chapters was dropped twice when counting the story's words (an AssertionError in lxml)."""
    note = '<div id="afterword" class="meta"><blockquote><p>See you soon.</p></blockquote></div>'
    page = ao3_html().replace('<div id="endnotes2">', note + '<div id="endnotes2">')
    work = read(write(tmp_path, "afterword.html", page))
    check_invariants(work)
    assert work.source_format == "ao3-html"
    assert paragraphs(work) == paragraphs(read(write(tmp_path, "clean.html", ao3_html())))


def _without_url_and_stats(work: Work) -> dict[str, object]:
    meta = dataclasses.asdict(work.metadata)
    meta.pop("source_url")
    meta["extra"].pop("stats")
    return meta


@pytest.mark.parametrize("multi_chapter", [True, False])
def test_ao3_work_page_saved_from_the_browser_reads_as_the_download(tmp_path: Path, multi_chapter: bool) -> None:
    """Regression: an AO3 work page saved with "Save page as" (not AO3's Download) was read as a
    generic page: titled "Archive of Our Own", nothing declared (its rating and tags were not
    read), the site's menus and comments read as story, and each "Chapter Text" landmark a
    chapter. It reads as the download of the same work: the same text, chapters, title, author,
    tags, summary, notes and declarations."""
    page = read(write(tmp_path, "page.html", ao3_work_page(multi_chapter=multi_chapter)))
    download = read(write(tmp_path, "download.html", ao3_html(multi_chapter=multi_chapter)))
    check_invariants(page)
    assert page.source_format == "ao3-html"
    assert page.text == download.text
    assert [(c.title, c.start, c.end, c.paragraphs) for c in page.chapters] == [
        (c.title, c.start, c.end, c.paragraphs) for c in download.chapters
    ]
    assert _without_url_and_stats(page) == _without_url_and_stats(download)
    assert page.metadata.title == "The Keeper of Small Lights"
    assert page.metadata.rating == "Mature"
    assert "Words: 120" in page.metadata.extra["stats"] or not multi_chapter
    assert page.meta_spans == download.meta_spans
    for chrome in ("Chapter Text", "Work Text", "Archive of Our Own", "Kudos", "tissues", "Chapter Index"):
        assert chrome not in page.text


def test_ao3_work_page_declares_as_the_download(tmp_path: Path) -> None:
    """The warnings the author declared come out the same from the saved page and the download."""
    from forewarn.declared import declared_from_metadata
    from forewarn.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    page = read(write(tmp_path, "page.html", ao3_work_page()))
    download = read(write(tmp_path, "download.html", ao3_html()))
    declared = declared_from_metadata(page.metadata, taxonomy=taxonomy)
    assert declared and declared == declared_from_metadata(download.metadata, taxonomy=taxonomy)


SITE_PAGE = """<html><head><title>My Story - Chapter 2</title></head><body>
<div id="chapters"><a href="ch1.html">Chapter 1</a> | <a href="ch2.html">Chapter 2</a></div>
<p>Also posted on <a href="https://archiveofourown.org/works/123">AO3</a>.</p>
<div id="story">
<p>The ferry left without them, and the harbour lights went out one by one.</p>
<p>They waited on the pier until morning, counting the boats that never came.</p>
</div>
</body></html>"""


def test_page_with_chapter_menu_and_ao3_link_is_not_an_ao3_download(tmp_path: Path) -> None:
    """Regression: div#chapters plus any AO3 link made it "AO3", and only the menu was read."""
    work = read(write(tmp_path, "site.html", SITE_PAGE))
    check_invariants(work)
    assert work.source_format == "html"
    assert "counting the boats that never came." in work.text


def test_ao3_reader_that_keeps_too_little_falls_back_to_the_page(tmp_path: Path) -> None:
    """An AO3-looking preface over a page whose story is outside div#chapters: nothing is dropped."""
    page = ao3_html(multi_chapter=False)
    start, end = page.index('<div id="chapters"'), page.index('<div id="afterword">')
    story = "\n".join(f"<p>{line}</p>" for line in AO3_CHAPTER_ONE)
    page = page[:start] + f'<div id="chapters"><a href="#">Chapter 1</a></div>\n<div>{story}</div>' + page[end:]
    work = read(write(tmp_path, "mirror.html", page))
    check_invariants(work)
    assert work.source_format == "html"
    assert all(line in paragraphs(work) for line in AO3_CHAPTER_ONE)


# --- EPUB -----------------------------------------------------------------------


def test_fanficfare_epub(tmp_path: Path) -> None:
    work = read(fff_epub(tmp_path / "fff.epub"))
    check_invariants(work)
    assert work.source_format == "epub"
    assert [c.title for c in work.chapters] == [t for t, _ in FFF_CHAPTERS]
    expected = [line for title, paras in FFF_CHAPTERS for line in (title, *paras)]
    assert paragraphs(work) == expected
    meta = work.metadata
    assert meta.title == "Embers and Iron"
    assert meta.authors == ["quietsmith"]
    assert meta.rating == "Teen And Up Audiences"
    assert meta.archive_warnings == ["No Archive Warnings Apply"]
    assert meta.characters == ["Tamsin", "Old Bram"]
    assert set(meta.freeform_tags) == {"Drama", "Hurt/Comfort"}
    assert meta.summary == "A smith relights her father\u2019s forge."
    assert meta.language == "en"
    assert meta.source_url == "https://example.org/s/1"
    # Title page and table of contents are not story text.
    assert "Rating" not in work.text and "Table of Contents" not in work.text


def test_ao3_epub(tmp_path: Path) -> None:
    work = read(ao3_epub(tmp_path / "ao3.epub"))
    check_invariants(work)
    assert [c.title for c in work.chapters] == ["Chapter 1: The Light", "Chapter 2: Salt"]
    meta = work.metadata
    assert meta.rating == "Mature"
    assert meta.archive_warnings == ["Graphic Depictions Of Violence", "Major Character Death"]
    assert meta.freeform_tags == ["Angst", "Shipwrecks", "Blood and Injury"]
    assert meta.summary == AO3_SUMMARY
    assert AO3_NOTES_DECLARATION in meta.declaration_lines
    assert AO3_END_NOTE_DECLARATION in meta.declaration_lines
    assert AO3_SUMMARY not in work.text


def test_ao3_epub_chapter_split_over_two_files_is_one_chapter(tmp_path: Path) -> None:
    """Regression: AO3 makes its EPUBs with calibre, which splits a long chapter over several
    files; the file that goes on with it (a div.userstuff without a chapter heading) was a chapter
    of its own, so "Chapter 2" was reported as chapter 3."""

    def ao3_doc(body: str) -> str:
        return xhtml(f'<div id="chapters" class="userstuff">{body}</div>')

    def heading(title: str) -> str:
        return f'<div class="meta group"><h2 class="heading">{title}</h2></div>'

    page = ao3_html()
    preface = page[page.index('<div id="preface">') : page.index('<div id="chapters"')]
    docs = [
        ("w_split_000.xhtml", xhtml(preface)),
        ("w_split_001.xhtml", ao3_doc(heading("Chapter 1: Long") + '<div class="userstuff"><p>First half.</p></div>')),
        ("w_split_002.xhtml", ao3_doc('<div class="userstuff"><p>Second half.</p></div>')),
        ("w_split_003.xhtml", ao3_doc(heading("Chapter 2: Short") + '<div class="userstuff"><p>The end.</p></div>')),
    ]
    work = read(write_epub(tmp_path / "split.epub", docs))
    check_invariants(work)
    assert [c.title for c in work.chapters] == ["Chapter 1: Long", "Chapter 2: Short"]
    assert paragraphs(work) == ["Chapter 1: Long", "First half.", "Second half.", "Chapter 2: Short", "The end."]


def test_epub_without_container_falls_back(tmp_path: Path) -> None:
    docs = [
        ("b.xhtml", xhtml("<h1>Chapter 2</h1><p>Second.</p>")),
        ("a.xhtml", xhtml("<h1>Chapter 1</h1><p>First &amp; foremost.</p>")),
    ]
    work = read(write_epub(tmp_path / "bare.epub", docs, container=False))
    check_invariants(work)
    assert paragraphs(work) == ["Chapter 1", "First & foremost.", "Chapter 2", "Second."]


def test_epub_utf8_names_without_the_utf8_flag(tmp_path: Path) -> None:
    """Regression: zipfile shows such names as cp437 ("kapitel_\u251c\u00f1"), so the chapter vanished."""
    docs = [
        ("kapitel_\u00e4.xhtml", xhtml("<h1>Chapter 1</h1><p>The ice cracked.</p>")),
        ("two.xhtml", xhtml("<p>Tea.</p>")),
    ]
    path = without_utf8_flag(write_epub(tmp_path / "umlaut.epub", docs))
    assert "OEBPS/kapitel_\u251c\u00f1.xhtml" in zipfile.ZipFile(path).namelist()
    assert paragraphs(read(path)) == ["Chapter 1", "The ice cracked.", "Tea."]


def _without(path: Path, out: Path, *missing: str) -> Path:
    """A copy of the EPUB at ``path`` lacking the ``missing`` members."""
    whole = zipfile.ZipFile(path)
    with zipfile.ZipFile(out, "w") as zf:
        for info in whole.infolist():
            if info.filename not in missing:
                zf.writestr(info, whole.read(info))
    return out


def test_epub_spine_document_missing_from_the_archive_is_read_around_with_a_notice(tmp_path: Path) -> None:
    """A chapter the spine lists but the zip lacks must not vanish silently, nor hide the others."""
    docs = [(f"c{n}.xhtml", xhtml(f"<p>{text}</p>")) for n, text in enumerate(["First.", "Second.", "Third."], 1)]
    work = read(_without(write_epub(tmp_path / "whole.epub", docs), tmp_path / "lost.epub", "OEBPS/c2.xhtml"))
    check_invariants(work)
    assert paragraphs(work) == ["First.", "Third."]
    (notice,) = work.notices
    assert notice.startswith("EPUB is damaged: OEBPS/c2.xhtml (2nd of 3) is listed in its spine but missing")
    assert read(tmp_path / "whole.epub").notices == []


def test_epub_with_every_spine_document_missing_is_an_error(tmp_path: Path) -> None:
    docs = [("c1.xhtml", xhtml("<p>First.</p>")), ("c2.xhtml", xhtml("<p>Second.</p>"))]
    whole = write_epub(tmp_path / "whole.epub", docs)
    lost = _without(whole, tmp_path / "lost.epub", "OEBPS/c1.xhtml", "OEBPS/c2.xhtml")
    with pytest.raises(ReadError, match="EPUB is damaged: none of the 2 documents its spine lists is in the archive"):
        read(lost)


def test_epub_spine_document_that_is_not_text_is_read_around_with_a_notice(tmp_path: Path) -> None:
    """Regression: a listed chapter of binary bytes (damaged, or encrypted) was left out silently."""
    docs = [
        ("c1.xhtml", xhtml("<p>First.</p>")),
        ("c2.xhtml", bytes(range(256)) * 4),
        ("c3.xhtml", xhtml("<p>Third.</p>")),
    ]
    work = read(write_epub(tmp_path / "junk.epub", docs))
    assert paragraphs(work) == ["First.", "Third."]
    assert work.notices == [
        "EPUB is damaged: OEBPS/c2.xhtml (2nd of 3) is not readable (binary file (not text, HTML or EPUB)), not"
        " scanned; chapter numbers after it count only what was read"
    ]
    empty = [("c1.xhtml", xhtml("<p>First.</p>")), ("c2.xhtml", b"")]  # an empty placeholder holds no story
    assert read(write_epub(tmp_path / "empty.epub", empty)).notices == []


def test_epub_whose_spine_documents_are_all_unreadable_says_so(tmp_path: Path) -> None:
    docs = [("c1.xhtml", bytes(range(256)) * 4), ("c2.xhtml", bytes(range(255, -1, -1)) * 4)]
    none = r"^EPUB is damaged: none of the 2 documents its spine lists is readable \("
    with pytest.raises(ReadError, match=none) as err:
        read(write_epub(tmp_path / "junk.epub", docs))
    assert "(binary file" in str(err.value)  # why, not the first document's place ("1st of 2")
    path = write_epub(tmp_path / "drm.epub", docs)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("META-INF/encryption.xml", "<encryption/>")
    with pytest.raises(ReadError, match=r"its documents are encrypted \(DRM\?\)"):
        read(path)


def _epub_members(opf_path: str, opf: str | None) -> dict[str, str]:
    """An EPUB's members: its container naming ``opf_path``, the package ``opf`` (None: left out)
    at OEBPS/content.opf, and two chapters whose names sort against their spine order."""
    members = {
        "mimetype": "application/epub+zip",
        "META-INF/container.xml": CONTAINER_XML.replace("OEBPS/content.opf", opf_path),
        "OEBPS/b.xhtml": xhtml("<h1>Chapter 1</h1><p>First.</p>"),
        "OEBPS/a.xhtml": xhtml("<h1>Chapter 2</h1><p>Second.</p>"),
    }
    if opf is not None:
        members["OEBPS/content.opf"] = opf
    return members


_SPINE_OPF = (
    '<package xmlns="http://www.idpf.org/2007/opf"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
    "<dc:title>Tides</dc:title></metadata><manifest>"
    '<item id="b" href="b.xhtml" media-type="application/xhtml+xml"/>'
    '<item id="a" href="a.xhtml" media-type="application/xhtml+xml"/></manifest>'
    '<spine><itemref idref="b"/><itemref idref="a"/></spine></package>'
)


def test_epub_whose_container_names_a_missing_package_reads_its_documents_with_a_notice(tmp_path: Path) -> None:
    """Regression: the documents were read in name order (chapter 2 first here) and nothing said
    the order was a guess; a package document elsewhere in the archive was not looked for."""
    work = read(_zip(tmp_path / "lost.epub", _epub_members("OPS/package.opf", None)))
    assert [c.title for c in work.chapters] == ["Chapter 2", "Chapter 1"]
    assert work.notices == [
        "EPUB is damaged: its container.xml names OPS/package.opf, which is not in the archive; its 2"
        " documents were read in the order of their names, which may not be the story's"
    ]
    moved = read(_zip(tmp_path / "moved.epub", _epub_members("OPS/package.opf", _SPINE_OPF)))
    assert [c.title for c in moved.chapters] == ["Chapter 1", "Chapter 2"]
    assert (moved.metadata.title, moved.notices) == ("Tides", [])


def test_epub_whose_package_is_unreadable_reads_its_documents_with_a_notice(tmp_path: Path) -> None:
    """Regression: an unparseable package document was "no readable text found": its spine was
    empty, so its readable chapters were never read."""
    work = read(_zip(tmp_path / "bad.epub", _epub_members("OEBPS/content.opf", "<package><manifest><item id=")))
    assert paragraphs(work) == ["Chapter 2", "Second.", "Chapter 1", "First."]
    (notice,) = work.notices
    assert notice.startswith("EPUB is damaged: its package document lists no documents in its spine; its 2 doc")


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return path


@pytest.mark.parametrize(
    ("name", "members", "message"),
    [
        ("no-opf.epub", {"mimetype": "application/epub+zip", "images/cover.jpg": "x"}, "not an EPUB \\(no package"),
        (
            "lost-opf.epub",
            {"mimetype": "application/epub+zip", "META-INF/container.xml": CONTAINER_XML},
            "^EPUB is damaged: its container.xml names OEBPS/content.opf, which is not in the archive: nothing",
        ),
        ("notes.zip", {"notes/a.csv": "a,b", "readme.md": "# hi"}, "unsupported archive"),
        ("report.docx", {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}, "unsupported archive"),
    ],
)
def test_zip_without_package_says_why(tmp_path: Path, name: str, members: dict[str, str], message: str) -> None:
    """Regression: these were reported as 'no readable text found'."""
    with pytest.raises(ReadError, match=message):
        read(_zip(tmp_path / name, members))


def test_epub_divider_page_folds_into_next_chapter(tmp_path: Path) -> None:
    docs = [
        ("c1.xhtml", xhtml("<h2>Chapter 1</h2><p>Before the war.</p>")),
        ("part2.xhtml", xhtml("<h1>Part Two</h1>")),
        ("c2.xhtml", xhtml("<h2>Chapter 2</h2><p>After it.</p>")),
        ("cover.xhtml", xhtml('<div><img src="cover.jpg"/></div>')),
    ]
    work = read(write_epub(tmp_path / "parts.epub", docs), name="display-name.epub")
    check_invariants(work)
    assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter 2"]
    assert paragraphs(work)[2:] == ["Part Two", "Chapter 2", "After it."]
    assert work.text[work.chapters[1].start :].startswith("Part Two")


def test_epub_heading_over_two_lines_is_number_and_title(tmp_path: Path) -> None:
    """Regression: "<h1>Chapter 1<br/>The Storm</h1>" titled the chapter "Chapter 1"; the title
    under the number is the chapter's too, joined as AO3 joins them: "Chapter 1: The Storm"."""
    docs = [
        ("c1.xhtml", xhtml("<h1>Chapter 1<br/>The Storm</h1><p>It rained for three days.</p>")),
        ("c2.xhtml", xhtml("<h1>Chapter 2:<br/>  Dawn </h1><p>The soldiers came at dawn.</p>")),
        ("c3.xhtml", xhtml("<h1>Chapter 3: Hill<br/>In which they bury him</h1><p>Nobody sang.</p>")),
        ("c4.xhtml", xhtml("<h1>The Last Day<br/>Chapter 4</h1><p>It ended.</p>")),
    ]
    work = read(write_epub(tmp_path / "two-line.epub", docs))
    check_invariants(work)
    assert [c.title for c in work.chapters] == [
        "Chapter 1: The Storm",
        "Chapter 2: Dawn",
        "Chapter 3: Hill",  # it has its title: the line below is not
        "The Last Day",
    ]
    assert paragraphs(work)[0] == "Chapter 1\nThe Storm"  # the text is as it was


def test_epub_chapter_of_one_paragraph_without_heading_is_a_chapter(tmp_path: Path) -> None:
    """Regression: a spine document without a heading whose text is one paragraph (lines joined by
    <br>, a drabble) was folded into the next chapter like a "Part Two" divider: three documents
    were two chapters, and the violence in the second was reported in the third's chapter."""
    docs = [
        ("c1.xhtml", xhtml("<p>It rained for three days.</p><p>She burned the letter.</p>")),
        ("c2.xhtml", xhtml("<div>The soldiers came at dawn.<br/>They beat him in the street.</div>")),
        ("c3.xhtml", xhtml("<p>They buried him on the hill.</p><p>Nobody sang.</p>")),
    ]
    work = read(write_epub(tmp_path / "drabbles.epub", docs))
    check_invariants(work)
    assert len(work.chapters) == 3
    assert work.text[work.chapters[1].start : work.chapters[1].end].startswith("The soldiers came")
    assert work.text[work.chapters[2].start :].startswith("They buried him")
    # An untitled divider page that reads as a heading still folds into the next chapter.
    docs[1] = ("part.xhtml", xhtml("<p>Part Two</p>"))
    work = read(write_epub(tmp_path / "divider.epub", docs))
    assert len(work.chapters) == 2 and work.text[work.chapters[1].start :].startswith("Part Two")


def test_epub_running_header_is_not_every_chapters_title(tmp_path: Path) -> None:
    """Regression: an EPUB repeating the book's title in <h1> atop each chapter file, before
    <h2>Chapter N</h2>, had every chapter titled with the book's title."""
    docs = [(f"c{i}.xhtml", xhtml(f"<h1>The Long Rain</h1><h2>Chapter {i}</h2><p>Text {i}.</p>")) for i in (1, 2, 3)]
    for title in ("The Long Rain", "Another Title"):  # the book's title, or a heading atop every file
        work = read(write_epub(tmp_path / "rain.epub", docs, metadata=f"<dc:title>{title}</dc:title>"))
        check_invariants(work)
        assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter 2", "Chapter 3"]
    # A file with no other heading keeps it; titles that repeat as a file's only heading stay.
    docs = [("c1.xhtml", xhtml("<h1>The Long Rain</h1><p>Text.</p>"))]
    docs += [(f"i{i}.xhtml", xhtml(f"<h2>Interlude</h2><p>Text {i}.</p>")) for i in (1, 2)]
    work = read(write_epub(tmp_path / "one.epub", docs, metadata="<dc:title>The Long Rain</dc:title>"))
    assert [c.title for c in work.chapters] == ["The Long Rain", "Interlude", "Interlude"]


def test_truncated_epub(tmp_path: Path) -> None:
    data = fff_epub(tmp_path / "whole.epub").read_bytes()
    with pytest.raises(ReadError, match="EPUB is damaged"):
        read(write(tmp_path, "half.epub", data[: len(data) // 2]))


def test_corrupt_member_is_damaged(tmp_path: Path) -> None:
    data = bytearray(fff_epub(tmp_path / "whole.epub").read_bytes())
    # Flip bytes inside the first chapter's compressed data; the directory stays valid.
    with zipfile.ZipFile(tmp_path / "whole.epub") as zf:
        info = zf.getinfo("OEBPS/file0001.xhtml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 5
    for i in range(start, start + 20):
        data[i] ^= 0xFF
    with pytest.raises(ReadError, match="EPUB is damaged"):
        read(bytes(data), name="bad.epub")


def _damaged(tmp_path: Path, damage: str) -> bytes:
    """An EPUB damaged so that zipfile raises what it is not documented to: each found by fuzzing."""
    body = xhtml("<p>" + "The rain fell on the roofs. " * 40 + "</p>")
    if damage == "lzma":  # a corrupt LZMA member: _lzma.LZMAError escaped as a crash
        buf = tmp_path / "lzma.epub"
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("c1.xhtml", body, compress_type=zipfile.ZIP_LZMA)
        data = bytearray(buf.read_bytes())
        for i in range(30 + len("c1.xhtml") + 10, 30 + len("c1.xhtml") + 40):
            data[i] ^= 0x55
        return bytes(data)
    data = bytearray(write_epub(tmp_path / "ok.epub", [("c1.xhtml", body)]).read_bytes())
    if damage == "offset":  # the end record puts the directory past where it is: "negative seek value"
        end = data.rfind(b"PK\x05\x06")
        offset = int.from_bytes(data[end + 16 : end + 20], "little")
        data[end + 16 : end + 20] = (offset + 50).to_bytes(4, "little")
    else:  # a name flagged UTF-8 that is not: UnicodeDecodeError
        for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            pos = data.find(signature)
            while pos != -1:
                data[pos + flags + 1] |= 0x08
                pos = data.find(signature, pos + 4)
        data = bytearray(bytes(data).replace(b"c1.xhtml", b"c\xe9.xhtml"))
    return bytes(data)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("lzma", "EPUB is damaged: corrupt input data"),
        ("offset", "EPUB is damaged: an entry lies outside the file"),
        ("name", "EPUB is damaged: an entry's name is marked UTF-8 but is not"),
    ],
)
def test_zip_damage_is_one_clear_line(tmp_path: Path, damage: str, message: str) -> None:
    """Regression: these raised LZMAError (a crash), or "cannot read epub input: ValueError"."""
    with pytest.raises(ReadError) as err:
        read(_damaged(tmp_path, damage), name="bad.epub")
    assert str(err.value) == message


def test_zip_entry_with_an_empty_name_is_skipped(tmp_path: Path) -> None:
    """Regression: an entry whose name starts with a NUL (zipfile cuts it to "") made the whole
    EPUB "cannot read epub input: IndexError"; no package can name it, so it is skipped."""
    path = write_epub(tmp_path / "nul.epub", [("c1.xhtml", xhtml("<p>The rain fell.</p>"))])
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("NULNAME", b"junk")
    data = path.read_bytes().replace(b"NULNAME", b"\x00ULNAME")
    work = read(data, name="nul.epub")
    check_invariants(work)
    assert paragraphs(work) == ["The rain fell."]


# Each zip-safety message names the limit that was hit.


def test_zip_bomb(tmp_path: Path) -> None:
    path = zip_bomb(tmp_path / "bomb.epub")
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(ReadError, match=r"^EPUB expands to 300 MiB, over the 200 MiB limit \(possible zip bomb\)$"):
        read(path)


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    # Under the total limit but compressing far beyond any real book.
    with pytest.raises(
        ReadError, match=r"^an EPUB entry expands [\d,]+-fold \(.+ to 20 MiB\), over the limit of 200-fold"
    ):
        read(zip_bomb(tmp_path / "dense.epub", size=20 * 1024 * 1024))


def test_too_many_members(tmp_path: Path) -> None:
    """Regression: 5,001 empty entries were reported as expanding past the size limit."""
    path = tmp_path / "many.epub"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(5001):
            zf.writestr(f"x/{i}.txt", "")
    with pytest.raises(ReadError, match=r"^EPUB has 5,001 entries, over the limit of 5,000$"):
        read(path)


def test_ao3_warnings_after_a_sentence_in_summary_and_notes_count(tmp_path: Path) -> None:
    """Regression: a warnings line was found only when it started the summary or notes paragraph."""
    page = ao3_html().replace(
        f"<p>{AO3_SUMMARY}</p>",
        "<p>Two keepers, one lamp, a long winter. Warnings: self-harm, suicidal ideation.</p>",
    )
    page = page.replace("<p>Written for a prompt.</p>", "<p>Written for a prompt! CW: drowning, blood.</p>")
    page = page.replace(
        "<p>Thanks for reading!</p>", "<p>Thanks for reading. <b>Trigger warning:</b> grief next time.</p>"
    )
    meta = read(write(tmp_path, "ao3.html", page)).metadata
    assert "Warnings: self-harm, suicidal ideation." in meta.declaration_lines
    assert "CW: drowning, blood." in meta.declaration_lines
    assert "Trigger warning: grief next time." in meta.declaration_lines


def test_plain_text_note_counts_warnings_after_a_sentence_but_story_prose_does_not() -> None:
    text = (
        "The Kettle\n\nA/N: Thanks to my beta! TW: burns\n\n"
        "Rosa filled the kettle and set it on the ring, the way her mother always had.\n\n"
        "She turned. Warning: the stove is hot, she said, and he laughed at her.\n\n"
        "They drank their tea by the window and watched the rain come in off the hills."
    )
    assert read_text(text).metadata.declaration_lines == ["TW: burns"]


def test_epub_description_subjects_and_title_page_summary_declare(tmp_path: Path) -> None:
    """Regression: <dc:description> and a FanFicFare title-page summary were never searched for
    declarations, and archive warnings among <dc:subject> were kept as freeform tags."""
    title_page = xhtml(
        "<div><b>Rating:</b> Mature<br/><b>Genre:</b> Angst<br/><b>Status:</b> Completed<br/>"
        "<b>Summary:</b> A ferry, a storm, a missing brother. CW: drowning<br/></div>",
        "Title Page",
    )
    docs = [
        ("title_page.xhtml", title_page),
        ("c1.xhtml", xhtml("<h2>Chapter 1</h2><p>The ferry left at noon without him.</p>")),
    ]
    description = "&lt;p&gt;Nobody waits for the last ferry.&lt;/p&gt;&lt;p&gt;TW: blood, kidnapping&lt;/p&gt;"
    metadata = f"""<dc:title>The Crossing</dc:title>
<dc:subject>Major Character Death</dc:subject>
<dc:subject>Implied/Referenced Suicide</dc:subject>
<dc:subject>Slow Burn</dc:subject>
<dc:description>{description}</dc:description>"""
    meta = read(write_epub(tmp_path / "crossing.epub", docs, metadata=metadata)).metadata
    assert meta.summary == "Nobody waits for the last ferry.\n\nTW: blood, kidnapping"
    assert meta.declaration_lines == ["TW: blood, kidnapping", "CW: drowning"]
    assert meta.archive_warnings == ["Major Character Death"]
    assert meta.freeform_tags == ["Implied/Referenced Suicide", "Slow Burn", "Angst"]


FRONT_MATTER_MD = """---
title: "The <Quiet> Harbour"
author: 'Lark O''Neill'   # pen name
rating: Mature
tags: [found family, "hurt/comfort, mostly", self-harm]
warnings:
  - self-harm
  - mentions of suicide
summary: >
  Two keepers and one lamp.
  A long winter. CW: blood
---

# The Quiet Harbour

## Chapter 1

The lamp went out at midnight and nobody came to light it.
"""


def test_markdown_front_matter_is_read_as_yaml(tmp_path: Path) -> None:
    """Regression: quotes stayed in the title and "tags: [a, b]" gave the tag "b]"."""
    work = read(write(tmp_path, "harbour.md", FRONT_MATTER_MD))
    check_invariants(work)
    meta = work.metadata
    assert meta.title == "The <Quiet> Harbour"
    assert meta.authors == ["Lark O'Neill"]
    assert meta.rating == "Mature"
    assert meta.freeform_tags == ["found family", "hurt/comfort, mostly", "self-harm"]
    assert meta.summary == "Two keepers and one lamp. A long winter. CW: blood"
    assert meta.declaration_lines == ["Warnings: self-harm, mentions of suicide", "CW: blood"]
    assert [c.title for c in work.chapters] == ["Chapter 1"]
    # Pasted text reads the same way.
    assert read_text(FRONT_MATTER_MD).metadata == meta


def test_front_matter_needs_a_closing_line_and_keys() -> None:
    unclosed = "---\ntitle: Loose Ends\n\nThe rope frayed where she had tied it, and the boat drifted."
    assert read_text(unclosed).metadata.title == "Loose Ends"  # still a "Title:" header line
    assert read_text("---\n\nOnly a rule.\n\n---\n\nThen prose.").metadata.title is None


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ('"Caf\\u00e9"', "Caf\u00e9"),
        ('"Caf\\xe9 \\U0001F30A"', "Caf\u00e9 \U0001f30a"),
        ('"She said \\"hi\\" \\\\ \\/ \\t"', 'She said "hi" \\ / \t'),
        ('"a\\_b \\N"', "a\u00a0b \u0085"),
        ('"C:\\q and \\ud800"', "C:\\q and \\ud800"),  # not YAML escapes: kept as written
    ],
)
def test_front_matter_double_quoted_escapes(raw: str, value: str) -> None:
    """Regression: "Caf\\u00e9" became "Cafu00e9" (the backslash dropped, the rest kept)."""
    assert read_text(f"---\ntitle: {raw}\n---\n\nThe kettle sang.").metadata.title == value


def test_epub_subject_rating_is_the_declared_rating(tmp_path: Path) -> None:
    """Regression: an AO3 EPUB's subject "Explicit" was read as a free-form tag, so the
    declared rating was missing from the comparison."""
    subjects = "".join(f"<dc:subject>{s}</dc:subject>" for s in ("Explicit", "Graphic Depictions Of Violence", "Angst"))
    work = read(write_epub(tmp_path / "r.epub", [("c1.xhtml", xhtml("<p>Text.</p>"))], metadata=subjects))
    assert work.metadata.rating == "Explicit"
    assert work.metadata.archive_warnings == ["Graphic Depictions Of Violence"]
    assert work.metadata.freeform_tags == ["Angst"]


def test_ao3_epub_subjects_the_preface_types_are_not_free_form_tags(tmp_path: Path) -> None:
    """Regression: an AO3 EPUB lists every tag among its subjects, characters and fandoms too,
    and they were read as free-form tags besides: a Good Omens work with the characters "War
    (Good Omens)" and "Death (Good Omens)" declared war and death as tags, which the same work
    downloaded as HTML does not."""
    tags = {"Fandom": ["Good Omens (TV)"], "Characters": ["War (Good Omens)", "Death (Good Omens)"]}
    tags["Additional Tags"] = ["Angst"]
    dl = "".join(f"<dt>{k}:</dt><dd>{', '.join(f'<a>{v}</a>' for v in vs)}</dd>" for k, vs in tags.items())
    preface = xhtml(f'<div id="preface"><div class="meta"><dl class="tags">{dl}</dl></div></div>')
    chapter = xhtml('<div id="chapters" class="userstuff"><div class="userstuff"><p>Text.</p></div></div>')
    subjects = "".join(f"<dc:subject>{v}</dc:subject>" for vs in tags.values() for v in vs)
    work = read(write_epub(tmp_path / "go.epub", [("p.xhtml", preface), ("c1.xhtml", chapter)], metadata=subjects))
    assert work.metadata.characters == ["War (Good Omens)", "Death (Good Omens)"]
    assert work.metadata.fandoms == ["Good Omens (TV)"]
    assert work.metadata.freeform_tags == ["Angst"]
    # Without a preface to type them, subjects stay free-form tags.
    work = read(write_epub(tmp_path / "bare.epub", [("c1.xhtml", chapter)], metadata=subjects))
    assert len(work.metadata.freeform_tags) == 4


@pytest.mark.parametrize(
    ("first", "second", "numbers"),
    [
        ("第一章", "第二章　雨の日", [1, 2]),
        ("第1話：出会い", "第2話", [1, 2]),
        ("序章", "第一章", [None, 1]),
        ("제1장", "제2장", [1, 2]),
    ],
)
def test_chinese_japanese_and_korean_chapter_headings_start_chapters(first: str, second: str, numbers: list) -> None:  # type: ignore[type-arg]
    """ "第一章" was story text, so a Japanese work was one chapter and locations said nothing of
    where to skip to."""
    from forewarn.work import chapter_number, heading_number

    para = "雨が降っていた。彼女は窓の外を見ていた。" * 3
    for data in (f"{first}\n\n{para}\n\n{second}\n\n{para}\n", f"{first}\n\n{para}\n\n{second}\n\n{para}\n".encode()):
        work = read(data) if isinstance(data, bytes) else read_text(data)
        check_invariants(work)
        assert [c.title for c in work.chapters] == [first, second]
        assert [chapter_number(work.chapters, i) for i in (0, 1)] == [1, 2]
    assert [heading_number(t) for t in (first, second)] == numbers
    assert heading_number("第十二話") == 12 and heading_number("第二十章") == 20
    prose = read_text(f"第一章は好きだ。\n\n{para}\n\n第一次世界大戦の話\n\n{para}")
    assert len(prose.chapters) == 1  # a sentence that starts like a heading is story


def test_chapter_numbers_in_words_beyond_twelve_are_read_where_headings_are_found() -> None:
    """The text reader found "Chapter Fifteen" a heading while heading_number() knew words
    only up to twelve (two lists); one table now serves both."""
    from forewarn.work import heading_number

    para = "The rain went on all afternoon and nobody left the house. " * 4
    work = read_text(f"Chapter Fourteen\n\n{para}\n\nChapter Fifteen\n\n{para}\n")
    assert [c.title for c in work.chapters] == ["Chapter Fourteen", "Chapter Fifteen"]
    assert [heading_number(c.title) for c in work.chapters] == [14, 15]
    assert heading_number("Part Twenty") == 20 and heading_number("Chapter Twelve") == 12


def test_chapter_numbers_in_words_past_fifty_start_chapters() -> None:
    """Regression: the number words stopped at "fifty", so "Chapter Sixty" and later were story
    text: a long work's chapters 60 on were read as part of chapter 59."""
    from forewarn.work import heading_number

    para = "The rain went on all afternoon and nobody left the house. " * 4
    titles = ["Chapter Fifty-Nine", "Chapter Sixty", "Chapter Sixty-One", "Chapter Ninety-Nine"]
    work = read_text("".join(f"{title}\n\n{para}\n\n" for title in titles))
    assert [c.title for c in work.chapters] == titles
    assert [heading_number(t) for t in titles] == [59, 60, 61, 99]
    assert heading_number("Chapter Twenty-One") == 21 and heading_number("Part Thirty Two") == 32


_QUIET = "Mara walked to the lighthouse in the rain and brought the keeper bread and cheese.\n"


@pytest.mark.parametrize(
    "header",
    [
        "Title: Quiet\nArchive Warnings: Major Character Death, Underage",
        "**Archive Warning:** Major Character Death; Underage.",
        "Title: Quiet\nArchive Warnings:\n- Major Character Death\n- Underage",
        "---\ntitle: Quiet\narchive warnings: [Major Character Death, Underage]\n---",  # as before
    ],
)
def test_an_archive_warnings_line_gives_ao3_archive_warnings(header: str) -> None:
    """Regression: a text "Archive Warnings:" line was a free-form warnings line, so Major
    Character Death was never suggested and Underage (without sexual content) was dropped,
    while the same in YAML front matter suggested both."""
    from forewarn.declared import declared_from_metadata
    from forewarn.rating import suggest_archive_warnings
    from forewarn.taxonomy import load_taxonomy

    meta = read_text(f"{header}\n\n{_QUIET}").metadata
    assert meta.archive_warnings == ["Major Character Death", "Underage"] and meta.declaration_lines == []
    tax = load_taxonomy()
    declared = declared_from_metadata(meta, taxonomy=tax)
    suggested = [s.name for s in suggest_archive_warnings([], taxonomy=tax, declared=declared)]
    assert suggested == ["Major Character Death", "Underage"]


AO3_PAGE_COPIED = """Rating:
    Mature
Archive Warning:
    Graphic Depictions Of Violence, Major Character Death
Fandom:
    Original Work
Characters:
    Maren Holt, Tobiah Quill
Additional Tags:
    Angst, Blood and Injury
Language:
    English

The Lantern Keeper
wren_writes
Summary:

Maren keeps the light on the northern rock.

Chapter 1: Salt
Chapter Text

"""


def test_an_ao3_page_copied_as_text_gives_its_tags() -> None:
    """Regression: an AO3 work page copied as text (for "pbpaste | forewarn scan -") puts each tag
    list on the line below its label ("Rating:" over "Mature"): nothing was read, so the declared
    rating and archive warnings were missing and the violence was reported as undeclared."""
    meta = read_text(AO3_PAGE_COPIED + _QUIET).metadata
    assert meta.rating == "Mature"
    assert meta.archive_warnings == ["Graphic Depictions Of Violence", "Major Character Death"]
    assert meta.fandoms == ["Original Work"] and meta.characters == ["Maren Holt", "Tobiah Quill"]
    assert meta.freeform_tags == ["Angst", "Blood and Injury"] and meta.language == "English"
    assert meta.declaration_lines == [] and meta.summary == "Maren keeps the light on the northern rock."
    # Only the line right below: a bare "Warnings:" over prose still declares nothing.
    assert read_text(f"Warnings:\n\n{_QUIET}").metadata.declaration_lines == ["Warnings:"]


def test_an_archive_warnings_line_of_other_values_stays_a_warnings_line() -> None:
    """Only AO3's own values are archive warnings; others stay visible as a warnings line."""
    meta = read_text(f"Archive Warnings: Major Character Death, gremlins\n\n{_QUIET}").metadata
    assert meta.archive_warnings == [] and meta.declaration_lines == [
        "Archive Warnings: Major Character Death, gremlins"
    ]
