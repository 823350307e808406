"""Readers: each format -> a Work with exact offsets; bad input -> one clear ReadError."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from readers_fixtures import (
    AO3_HTML,
    GENERIC_HTML,
    STORY,
    ao3_epub,
    fanficfare_epub,
    write_epub,
    xhtml,
)

from forewarn.readers import read, read_text
from forewarn.work import ReadError, Work


def paragraphs(work: Work) -> list[str]:
    return [work.text[p.start : p.end] for c in work.chapters for p in c.paragraphs]


def assert_chapters_tile(work: Work) -> None:
    assert work.chapters[0].start == 0
    assert work.chapters[-1].end == len(work.text)
    for a, b in zip(work.chapters, work.chapters[1:], strict=False):
        assert a.end == b.start
    for c in work.chapters:
        for p in c.paragraphs:
            assert c.start <= p.start < p.end <= c.end


def test_plain_text_paragraphs_chapters_and_header(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(
        "Title: The Keeper\nAuthor: lampwright\nRating: Mature\nWarnings: violence, blood\n\n"
        f"Chapter 1\n\n{STORY[0]}\n\n{STORY[1]}\n\nChapter Two: Morning\n\n{STORY[2]}\n",
        encoding="utf-8",
    )
    work = read(path)
    assert work.metadata.title == "The Keeper" and work.metadata.authors == ["lampwright"]
    assert work.metadata.rating == "Mature"
    assert work.metadata.declaration_lines == ["Warnings: violence, blood"]
    assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter Two: Morning"]
    assert STORY[0] in paragraphs(work) and STORY[2] in paragraphs(work)
    assert_chapters_tile(work)


def test_text_without_blank_lines_uses_lines_as_paragraphs() -> None:
    work = read_text("one line here\nanother line\nthird line\nfourth line\nfifth line\n")
    assert paragraphs(work) == ["one line here", "another line", "third line", "fourth line", "fifth line"]


def test_markdown_headings_start_chapters(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text(f"# Part the first\n\n{STORY[0]}\n\n## The second\n\n{STORY[1]}\n", encoding="utf-8")
    work = read(path)
    assert [c.title for c in work.chapters] == ["Part the first", "The second"]
    assert_chapters_tile(work)


def test_sample_reads_with_its_declaration(sample_path: Path) -> None:
    work = read(sample_path)
    assert work.metadata.declaration_lines[0].startswith("Warnings: This fic will contain")
    assert len(work.chapters) == 1 and work.word_count > 2000
    assert work.text == sample_path.read_text(encoding="utf-8")


def test_generic_html_skips_scripts_and_recovers_from_bad_markup(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(GENERIC_HTML, encoding="utf-8")
    work = read(path)
    text = work.text
    assert "not text" not in text and "color: red" not in text and "Home | About" not in text
    assert f"{STORY[0]}\nSecond line." in paragraphs(work)
    assert "Unclosed paragraph bold italic text" in text
    assert [c.title for c in work.chapters] == ["Chapter 1", "Chapter 2: After"]
    assert work.metadata.title == "A Plain Page"
    assert_chapters_tile(work)


def test_ao3_html_preface_is_metadata_not_story(tmp_path: Path) -> None:
    path = tmp_path / "ao3.html"
    path.write_text(AO3_HTML, encoding="utf-8")
    work = read(path)
    m = work.metadata
    assert work.source_format == "ao3-html"
    assert m.title == "The Keeper" and m.authors == ["lampwright"] and m.rating == "Mature"
    assert m.archive_warnings == ["Graphic Depictions Of Violence", "Major Character Death"]
    assert m.freeform_tags == ["Angst", "Self-Harm", "Lighthouses"]
    assert m.characters == ["The Keeper", "The Sea"] and m.fandoms == ["Original Work"]
    assert m.summary == "A keeper, a storm, a long night."
    assert "TW: self harm, suicidal ideation" in m.declaration_lines
    assert "CW: blood" in m.declaration_lines
    assert [c.title for c in work.chapters] == ["Chapter 1: Fog", "Chapter 2: Morning"]
    assert (
        paragraphs(work) == ["Chapter 1: Fog", STORY[0], STORY[1], "Chapter 2: Morning", STORY[2]]
        or paragraphs(work) == STORY
    )
    assert "Archive Warning" not in work.text and "Thanks for reading" not in work.text
    assert_chapters_tile(work)


def test_fanficfare_epub_metadata_and_chapters(tmp_path: Path) -> None:
    work = read(fanficfare_epub(tmp_path / "fff.epub"))
    m = work.metadata
    assert m.title == "The Keeper" and m.authors == ["lampwright"]
    assert m.rating == "Teen And Up Audiences"
    assert "Warnings: Violence, Mentions of Drug Use" in m.declaration_lines
    assert "Angst" in m.freeform_tags and m.source_url == "https://example.org/works/1"
    assert [c.title for c in work.chapters] == ["Chapter 1: Fog", "Chapter 2: Morning"]
    assert "Status" not in work.text
    assert all(s in paragraphs(work) for s in STORY)
    assert_chapters_tile(work)


def test_ao3_epub_preface_parsed(tmp_path: Path) -> None:
    work = read(ao3_epub(tmp_path / "ao3.epub"))
    assert work.metadata.archive_warnings == ["Graphic Depictions Of Violence", "Major Character Death"]
    assert work.metadata.rating == "Mature"
    assert len(work.chapters) == 2 and all(s in paragraphs(work) for s in STORY)
    assert "Additional Tags" not in work.text


def test_epub_without_container_falls_back_to_documents(tmp_path: Path) -> None:
    path = write_epub(tmp_path / "bare.epub", [("a.xhtml", xhtml(f"<p>{STORY[0]}</p>"))], container=False)
    assert STORY[0] in paragraphs(read(path))


def test_mojibake_and_legacy_encodings_are_repaired(tmp_path: Path) -> None:
    path = tmp_path / "moji.txt"
    path.write_bytes("She didn’t know — café.".encode().decode("cp1252", errors="replace").encode())
    assert "didn’t" in read(path).text
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Naïve café — “quoted”.".encode("cp1252"))
    assert read(latin).text.startswith("Naïve café — “quoted”")
    utf16 = tmp_path / "u16.txt"
    utf16.write_bytes("Hello there, reader.".encode("utf-16"))
    w = read(utf16)
    assert w.text == "Hello there, reader." and w.encoding == "utf-16"


def test_invalid_utf8_bytes_do_not_stop_reading(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"A long enough opening line of ordinary prose. " * 5 + b"\xff\xfe" + b" and the end.")
    assert "and the end." in read(path).text


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n \t\n", "empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(500), "binary"),
        ("broken.epub", b"PK\x03\x04" + b"\x00" * 50, "EPUB is damaged"),
    ],
)
def test_bad_bytes_raise_read_error(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError, match=message):
        read(path)


def test_truncated_epub(tmp_path: Path) -> None:
    full = fanficfare_epub(tmp_path / "full.epub").read_bytes()
    cut = tmp_path / "cut.epub"
    cut.write_bytes(full[: len(full) // 2])
    with pytest.raises(ReadError, match="EPUB is damaged"):
        read(cut)


def test_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    path = tmp_path / "bomb.epub"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip")
        with z.open("OEBPS/huge.xhtml", "w", force_zip64=True) as f:
            block = b"\0" * (1024 * 1024)
            for _ in range(300):
                f.write(block)
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(ReadError, match="zip bomb"):
        read(path)


def test_too_large_file_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    with pytest.raises(ReadError, match="over the 25 MiB limit"):
        read(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no such file"):
        read(tmp_path / "nope.txt")
    with pytest.raises(ReadError, match="directory"):
        read(tmp_path)
