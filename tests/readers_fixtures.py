"""Builders for reader fixtures. All content is invented for these tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

STORY = [
    "The lighthouse keeper counted the ships as they passed, one by one, into the fog.",
    "When the storm came, it came all at once, and the lamp guttered twice before it held.",
    "By morning the beach was littered with rope and splintered oars, and nobody spoke of it.",
]

AO3_HTML = """<!DOCTYPE html>
<html><head><meta charset="UTF-8"><title>The Keeper - Anon - Original Work [Archive of Our Own]</title></head>
<body>
<div id="preface">
  <p class="message"><b>The Keeper</b><br/>Posted originally on the <a href="http://archiveofourown.org/">Archive of Our Own</a></p>
  <div class="meta">
    <dl class="tags">
      <dt>Rating:</dt><dd><a href="#">Mature</a></dd>
      <dt>Archive Warning:</dt><dd><a href="#">Graphic Depictions Of Violence</a>, <a href="#">Major Character Death</a></dd>
      <dt>Category:</dt><dd><a href="#">Gen</a></dd>
      <dt>Fandom:</dt><dd><a href="#">Original Work</a></dd>
      <dt>Relationship:</dt><dd><a href="#">Keeper/Sea</a></dd>
      <dt>Characters:</dt><dd><a href="#">The Keeper</a>, <a href="#">The Sea</a></dd>
      <dt>Additional Tags:</dt><dd><a href="#">Angst</a>, <a href="#">Self-Harm</a>, <a href="#">Lighthouses</a></dd>
      <dt>Language:</dt><dd>English</dd>
      <dt>Stats:</dt><dd>Published: 2020-01-01 Words: 60 Chapters: 2/2</dd>
    </dl>
    <h1>The Keeper</h1>
    <div class="byline">by <a rel="author" href="#">lampwright</a></div>
    <p>Summary</p>
    <blockquote class="userstuff"><p>A keeper, a storm, a long night.</p></blockquote>
    <p>Notes</p>
    <blockquote class="userstuff"><p>TW: self harm, suicidal ideation</p><p>Thanks for reading!</p></blockquote>
  </div>
</div>
<div id="chapters" class="userstuff">
  <div class="meta group"><h2 class="heading">Chapter 1: Fog</h2></div>
  <div class="userstuff"><p>{0}</p><p>{1}</p></div>
  <div class="meta group"><h2 class="heading">Chapter 2: Morning</h2>
    <p>Chapter Notes</p><blockquote class="userstuff"><p>CW: blood</p></blockquote></div>
  <div class="userstuff"><p>{2}</p></div>
</div>
<div id="afterword"><p>End Notes</p><blockquote class="userstuff"><p>Kudos welcome.</p></blockquote></div>
</body></html>
""".format(*STORY)

GENERIC_HTML = """<html><head><title>A Plain Page</title><script>var x = "<p>not text</p>";</script>
<style>p {{ color: red }}</style></head><body>
<nav>Home | About</nav>
<h1>Chapter 1</h1><p>{0}<br>Second line.</p><div><p>{1}</p></div>
<h2>Chapter 2: After</h2><p>{2}
<p>Unclosed paragraph <b>bold <i>italic</b> text
</body></html>""".format(*STORY)


def write_epub(path: Path, docs: list[tuple[str, str]], *, opf_meta: str = "", container: bool = True) -> Path:
    """A minimal valid EPUB with the given (file name, xhtml) documents in spine order."""
    manifest = "".join(
        f'<item id="d{i}" href="{n}" media-type="application/xhtml+xml"/>' for i, (n, _) in enumerate(docs)
    )
    spine = "".join(f'<itemref idref="d{i}"/>' for i in range(len(docs)))
    opf = f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">{opf_meta}</metadata>
<manifest>{manifest}</manifest><spine>{spine}</spine></package>"""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        if container:
            z.writestr(
                "META-INF/container.xml",
                '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
                '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
            )
        z.writestr("OEBPS/content.opf", opf)
        for name, body in docs:
            z.writestr(f"OEBPS/{name}", body)
    return path


def xhtml(body: str) -> str:
    return f'<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body>{body}</body></html>'


FFF_TITLE = xhtml(
    "<h3>The Keeper</h3><div><b>Category:</b> Original Work<br/><b>Rating:</b> Teen And Up Audiences<br/>"
    "<b>Warnings:</b> Violence, Mentions of Drug Use<br/><b>Status:</b> Completed<br/><b>Words:</b> 60<br/>"
    "<b>Characters:</b> The Keeper, The Sea<br/><b>Summary:</b> A long night.</div>"
)
OPF_META = (
    "<dc:title>The Keeper</dc:title><dc:creator>lampwright</dc:creator>"
    "<dc:subject>Angst</dc:subject><dc:subject>Hurt/Comfort</dc:subject>"
    "<dc:description>A keeper, a storm.</dc:description><dc:language>en</dc:language>"
    "<dc:source>https://example.org/works/1</dc:source>"
)


def fanficfare_epub(path: Path) -> Path:
    return write_epub(
        path,
        [
            ("title_page.xhtml", FFF_TITLE),
            ("file0001.xhtml", xhtml(f"<h2>Chapter 1: Fog</h2><p>{STORY[0]}</p><p>{STORY[1]}</p>")),
            ("file0002.xhtml", xhtml(f"<h2>Chapter 2: Morning</h2><p>{STORY[2]}</p>")),
        ],
        opf_meta=OPF_META,
    )


def ao3_epub(path: Path) -> Path:
    preface = AO3_HTML.split('<div id="chapters"')[0] + "</body></html>"
    return write_epub(
        path,
        [
            ("preface.xhtml", preface),
            (
                "chapter1.xhtml",
                xhtml(
                    f'<div class="meta group"><h2 class="heading">Chapter 1: Fog</h2></div><div class="userstuff"><p>{STORY[0]}</p><p>{STORY[1]}</p></div>'
                ),
            ),
            (
                "chapter2.xhtml",
                xhtml(f'<h2 class="heading">Chapter 2: Morning</h2><div class="userstuff"><p>{STORY[2]}</p></div>'),
            ),
        ],
        opf_meta=OPF_META,
    )
