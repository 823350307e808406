"""Builders for reader fixtures: AO3-like HTML, EPUBs, hostile files.

All story text here is invented for the tests. The markup follows the shape of
AO3 downloads and FanFicFare EPUBs closely enough to exercise the readers.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

AO3_CHAPTER_ONE = [
    "The lighthouse keeper counted the ships twice, because the first count never felt true.",
    "Marisol climbed the spiral stairs with a lantern, her boots ringing on the iron.",
    "\u201cYou\u2019re late,\u201d said the keeper, not unkindly.",
]
AO3_CHAPTER_TWO = [
    "By morning the storm had gone, leaving salt on every window.",
    "They walked the shore together & found a bottle with no message in it.",
]
AO3_SUMMARY = "A keeper, a visitor, and a storm that will not end."
AO3_NOTES_DECLARATION = "TW: brief description of a shipwreck and drowning"
AO3_END_NOTE_DECLARATION = "Content warning - next chapter has blood"


def ao3_html(*, multi_chapter: bool = True) -> str:
    """An AO3 "Download > HTML"-style page."""

    def paras(lines: list[str]) -> str:
        return "\n".join(f"<p>{line.replace('&', '&amp;')}</p>" for line in lines)

    if multi_chapter:
        chapters = f"""
<div id="chapters" class="userstuff">
  <div class="meta group">
    <h2 class="heading">Chapter 1: The Light</h2>
    <p>Chapter Notes</p>
    <blockquote class="userstuff"><p>Warnings for this chapter: peril at sea</p></blockquote>
  </div>
  <div class="userstuff">{paras(AO3_CHAPTER_ONE)}</div>
  <div class="meta group">
    <h2 class="heading">Chapter 2: Salt</h2>
  </div>
  <div class="userstuff">{paras(AO3_CHAPTER_TWO)}</div>
  <div id="endnotes2"><p>Chapter End Notes</p>
    <blockquote class="userstuff"><p>Thanks for reading!</p></blockquote></div>
</div>"""
    else:
        chapters = f"""
<div id="chapters" class="userstuff">
  <div class="userstuff">{paras(AO3_CHAPTER_ONE)}</div>
</div>"""
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8"/>
<title>The Keeper of Small Lights - lanternfish - Original Work [Archive of Our Own]</title>
<style type="text/css">body {{ font-family: serif; }}</style>
</head>
<body>
<div id="preface">
  <p class="message">
    <b>The Keeper of Small Lights</b><br/>
    Posted originally on the <a href="http://archiveofourown.org/">Archive of Our Own</a> at
    <a href="http://archiveofourown.org/works/99999999">http://archiveofourown.org/works/99999999</a>.
  </p>
  <div class="meta">
    <dl class="tags">
      <dt>Rating:</dt>
      <dd><a href="http://archiveofourown.org/tags/Mature/works">Mature</a></dd>
      <dt>Archive Warnings:</dt>
      <dd><a href="#">Graphic Depictions Of Violence</a>, <a href="#">Major Character Death</a></dd>
      <dt>Category:</dt>
      <dd><a href="#">F/F</a></dd>
      <dt>Fandom:</dt>
      <dd><a href="#">Original Work</a></dd>
      <dt>Relationship:</dt>
      <dd><a href="#">Keeper/Marisol (Original Characters)</a></dd>
      <dt>Characters:</dt>
      <dd><a href="#">Keeper (Original Character)</a>, <a href="#">Marisol</a></dd>
      <dt>Additional Tags:</dt>
      <dd><a href="#">Angst</a>, <a href="#">Shipwrecks</a>, <a href="#">Blood and Injury</a></dd>
      <dt>Language:</dt>
      <dd>English</dd>
      <dt>Stats:</dt>
      <dd>Published: 2021-03-04 Completed: 2021-04-01 Words: 120 Chapters: 2/2</dd>
    </dl>
    <h1>The Keeper of Small Lights</h1>
    <div class="byline">by <a rel="author" href="http://archiveofourown.org/users/lanternfish">lanternfish</a></div>
    <p>Summary</p>
    <blockquote class="userstuff"><p>{AO3_SUMMARY}</p></blockquote>
    <p>Notes</p>
    <blockquote class="userstuff"><p>Written for a prompt.</p>
      <p>{AO3_NOTES_DECLARATION}</p></blockquote>
  </div>
</div>
{chapters}
<div id="afterword">
  <div id="work_endnotes"><p>End Notes</p>
    <blockquote class="userstuff"><p>{AO3_END_NOTE_DECLARATION}</p></blockquote></div>
</div>
</body>
</html>
"""


def ao3_work_page(*, multi_chapter: bool = True) -> str:
    """The work of ``ao3_html`` as its AO3 work page saved from a browser ("Save page as"; the
    "Entire Work" view when ``multi_chapter``): site chrome around ``dl.work.meta`` (the tags),
    ``div.preface.group`` (title, byline, summary, notes), ``div#chapters`` (one ``div.chapter``
    per chapter, its body under an ``h3.landmark`` "Chapter Text") and the end notes."""

    def paras(lines: list[str]) -> str:
        return "\n".join(f"<p>{line.replace('&', '&amp;')}</p>" for line in lines)

    def tags(kind: str, label: str, values: list[str]) -> str:
        items = "".join(f'<li><a class="tag" href="/tags/{i}/works">{v}</a></li>' for i, v in enumerate(values))
        return f'<dt class="{kind} tags">{label}</dt>\n<dd class="{kind} tags"><ul class="commas">{items}</ul></dd>'

    def chapter(number: int, title: str, body: list[str], notes: str = "", end_notes: str = "") -> str:
        return f"""
<div class="chapter" id="chapter-{number}" role="article">
  <div class="chapter preface group" role="complementary">
    <h3 class="title"><a href="/works/99999999/chapters/{number}">Chapter {number}</a>: {title}</h3>{notes}
  </div>
  <div class="userstuff module" role="article">
    <h3 class="landmark heading" id="work">Chapter Text</h3>
{paras(body)}
  </div>{end_notes}
</div>"""

    if multi_chapter:
        chapter_notes = """
    <div id="notes" class="notes module" role="complementary"><h3 class="heading">Notes:</h3>
      <blockquote class="userstuff"><p>Warnings for this chapter: peril at sea</p></blockquote></div>"""
        end_notes = """
  <div class="chapter preface group" role="complementary">
    <div id="chapter_2_endnotes" class="end notes module"><h3 class="heading">Notes:</h3>
      <blockquote class="userstuff"><p>Thanks for reading!</p></blockquote></div>
  </div>"""
        chapters = (
            chapter(1, "The Light", AO3_CHAPTER_ONE, chapter_notes)
            + chapter(2, "Salt", AO3_CHAPTER_TWO, end_notes=end_notes)
            + "\n"
        )
        counts = 'Words:</dt><dd class="words">120</dd><dt class="chapters">Chapters:</dt><dd class="chapters">2/2'
    else:
        chapters = f"""
<h3 class="landmark heading" id="work">Work Text:</h3>
<div class="userstuff">{paras(AO3_CHAPTER_ONE)}</div>
"""
        counts = 'Words:</dt><dd class="words">60</dd><dt class="chapters">Chapters:</dt><dd class="chapters">1/1'
    meta = "\n".join(
        [
            tags("rating", "Rating:", ["Mature"]),
            tags("warning", "Archive Warnings:", ["Graphic Depictions Of Violence", "Major Character Death"]),
            tags("category", "Category:", ["F/F"]),
            tags("fandom", "Fandom:", ["Original Work"]),
            tags("relationship", "Relationship:", ["Keeper/Marisol (Original Characters)"]),
            tags("character", "Characters:", ["Keeper (Original Character)", "Marisol"]),
            tags("freeform", "Additional Tags:", ["Angst", "Shipwrecks", "Blood and Injury"]),
        ]
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<title>The Keeper of Small Lights - lanternfish - Original Work [Archive of Our Own]</title>
<link rel="stylesheet" href="./page_files/site.css"/>
</head>
<body class="logged-out">
<div id="outer" class="wrapper">
<ul id="skiplinks"><li><a href="#main">Main Content</a></li></ul>
<header id="header" class="region">
  <h1 class="heading"><a href="/"><span>Archive of Our Own</span><sup> beta</sup></a></h1>
  <nav aria-label="Site"><ul class="primary navigation actions"><li><a href="/menu/fandoms">Fandoms</a></li></ul></nav>
  <p class="user">Log In | Site Map</p>
</header>
<div id="inner" class="wrapper">
<div id="main" class="works-show region" role="main">
<div class="flash"></div>
<h3 class="landmark heading">Actions</h3>
<ul class="work navigation actions" role="menu">
  <li><a href="/works/99999999/navigate">Chapter Index</a></li>
  <li><a href="/works/99999999/kudos">Leave Kudos</a></li>
  <li class="download">Download</li>
</ul>
<h3 class="landmark heading">Work Header</h3>
<div class="wrapper">
<dl class="work meta group">
{meta}
<dt class="language">Language:</dt>
<dd class="language" lang="en">English</dd>
<dt class="stats">Stats:</dt>
<dd class="stats"><dl class="stats"><dt class="published">Published:</dt><dd class="published">2021-03-04</dd>\
<dt class="status">Completed:</dt><dd class="status">2021-04-01</dd><dt class="words">{counts}</dd>\
<dt class="kudos">Kudos:</dt><dd class="kudos">12</dd><dt class="hits">Hits:</dt><dd class="hits">340</dd></dl></dd>
</dl>
</div>
<div id="workskin">
<div class="preface group">
  <h2 class="title heading">The Keeper of Small Lights</h2>
  <h3 class="byline heading"><a rel="author" href="/users/lanternfish/pseuds/lanternfish">lanternfish</a></h3>
  <div class="summary module"><h3 class="heading">Summary:</h3>
    <blockquote class="userstuff"><p>{AO3_SUMMARY}</p></blockquote></div>
  <div class="notes module"><h3 class="heading">Notes:</h3>
    <blockquote class="userstuff"><p>Written for a prompt.</p>
      <p>{AO3_NOTES_DECLARATION}</p></blockquote>
    <p class="jump">(See the end of the work for <a href="#work_endnotes">more notes</a>.)</p></div>
</div>
<div id="chapters" role="article">{chapters}</div>
<div class="afterword preface group">
  <div id="work_endnotes" class="end notes module"><h3 class="heading">Notes:</h3>
    <blockquote class="userstuff"><p>{AO3_END_NOTE_DECLARATION}</p></blockquote></div>
</div>
</div>
<div id="feedback" class="feedback">
  <h3 class="landmark heading">Actions</h3>
  <ul class="actions"><li><a href="#main">\u2191 Top</a></li><li>Kudos \u2665</li><li><a href="#comments">Comments (3)</a></li></ul>
  <div id="kudos"><p class="kudos">reader_one, reader_two and 10 more users as well as 40 guests left kudos on this work!</p></div>
  <div id="comments_placeholder"><h3 class="heading">Comments</h3>
    <ol class="thread"><li class="comment"><h4 class="heading byline">reader_one on Chapter 2</h4>
    <blockquote class="userstuff"><p>This made me cry so much, the drowning scene was brutal. Warning: I need tissues.</p></blockquote>
    </li></ol></div>
</div>
</div>
</div>
<div id="footer" role="contentinfo" class="region">
  <h3 class="landmark heading">Footer</h3>
  <ul class="navigation actions"><li>About the Archive</li><li>Terms of Service</li></ul>
  <p>Archive of Our Own is a project of the Organization for Transformative Works.</p>
</div>
</div>
</body>
</html>
"""


CONTAINER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>"""


def xhtml(body: str, title: str = "Chapter") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml">
<head><title>{title}</title></head>
<body>
{body}
</body>
</html>"""


def write_epub(
    path: Path,
    docs: Sequence[tuple[str, str | bytes]],
    *,
    metadata: str = "",
    container: bool = True,
) -> Path:
    """An EPUB with the given ``(file name, xhtml)`` spine documents under OEBPS/ (bytes: as they are;
    text: in UTF-8)."""
    manifest = "\n".join(f'<item id="{Path(n).stem}" href="{n}" media-type="application/xhtml+xml"/>' for n, _ in docs)
    spine = "\n".join(f'<itemref idref="{Path(n).stem}"/>' for n, _ in docs)
    opf = f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
{metadata}
  </metadata>
  <manifest>
    <item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
{manifest}
  </manifest>
  <spine toc="ncx">
{spine}
  </spine>
</package>"""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        if container:
            zf.writestr("META-INF/container.xml", CONTAINER_XML, zipfile.ZIP_DEFLATED)
            zf.writestr("OEBPS/content.opf", opf, zipfile.ZIP_DEFLATED)
        for name, content in docs:
            zf.writestr(f"OEBPS/{name}", content, zipfile.ZIP_DEFLATED)
    return path


FFF_CHAPTERS = [
    ("Chapter 1: Embers", ["The forge had been cold for a year.", "Tamsin lit it anyway."]),
    ("Chapter 2: Iron", ["Iron remembers every blow, her father said.", "She believed him."]),
]


def fff_epub(path: Path) -> Path:
    """A FanFicFare-style EPUB: title page, table of contents, two chapters."""
    title_page = xhtml(
        """<h3><a href="https://example.org/s/1">Embers and Iron</a>
 by <a href="#">quietsmith</a></h3>
<div>
<b>Category:</b> Original Fiction<br />
<b>Genre:</b> Drama, Hurt/Comfort<br />
<b>Language:</b> English<br />
<b>Characters:</b> Tamsin, Old Bram<br />
<b>Status:</b> Completed<br />
<b>Published:</b> 2019-06-01<br />
<b>Rating:</b> Teen And Up Audiences<br />
<b>Warnings:</b> No Archive Warnings Apply<br />
<b>Chapters:</b> 2<br />
<b>Words:</b> 30<br />
<b>Summary:</b> A smith relights her father&#8217;s forge.<br />
</div>""",
        "Embers and Iron",
    )
    toc = xhtml(
        '<h1>Table of Contents</h1><p><a href="file0001.xhtml">Chapter 1: Embers</a></p>'
        '<p><a href="file0002.xhtml">Chapter 2: Iron</a></p>',
        "Contents",
    )
    docs = [("title_page.xhtml", title_page), ("toc_page.xhtml", toc)]
    for i, (title, paras) in enumerate(FFF_CHAPTERS, start=1):
        body = f"<h2>{title}</h2>\n" + "\n".join(f"<p>{p}</p>" for p in paras)
        docs.append((f"file{i:04d}.xhtml", xhtml(body, title)))
    metadata = """<dc:title>Embers and Iron</dc:title>
<dc:creator>quietsmith</dc:creator>
<dc:subject>Drama</dc:subject>
<dc:subject>Hurt/Comfort</dc:subject>
<dc:description>&lt;p&gt;A smith relights her father&amp;#8217;s forge.&lt;/p&gt;</dc:description>
<dc:language>en</dc:language>
<dc:source>https://example.org/s/1</dc:source>"""
    return write_epub(path, docs, metadata=metadata)


def ao3_epub(path: Path) -> Path:
    """An AO3-style EPUB: preface document with dl.tags, then the chapters."""
    page = ao3_html(multi_chapter=True)
    start = page.index('<div id="preface">')
    split = page.index('<div id="chapters"')
    end = page.index('<div id="afterword">')
    docs = [
        ("preface.xhtml", xhtml(page[start:split], "Preface")),
        ("chapters.xhtml", xhtml(page[split:end], "Chapters")),
        ("afterword.xhtml", xhtml(page[end : page.index("</body>")], "Afterword")),
    ]
    metadata = "<dc:title>The Keeper of Small Lights</dc:title>\n<dc:creator>lanternfish</dc:creator>"
    return write_epub(path, docs, metadata=metadata)


def zip_bomb(path: Path, *, size: int = 300 * 1024 * 1024) -> Path:
    """An EPUB-looking zip with one member of ``size`` zero bytes, written streaming."""
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        with zf.open("OEBPS/chapter.xhtml", "w", force_zip64=True) as fh:
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return path


def without_utf8_flag(path: Path) -> Path:
    """Clear the "names are UTF-8" flag, as the ``zip`` tool leaves it: zipfile then shows cp437 mojibake."""
    data = bytearray(path.read_bytes())
    for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local and central headers
        pos = data.find(signature)
        while pos != -1:
            data[pos + flags + 1] &= ~0x08 & 0xFF  # bit 11 (0x800) of the little-endian flags
            pos = data.find(signature, pos + 4)
    path.write_bytes(bytes(data))
    return path
