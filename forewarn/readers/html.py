"""HTML: block elements become paragraphs, headings start chapters.

``Work.text`` is built here, paragraph by paragraph joined with blank lines, so
the spans we record while building it are exact by construction. lxml's HTML
parser recovers from unclosed tags and other damage found in saved pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from forewarn.readers.decode import decode
from forewarn.readers.text import DECLARATION, HEADING
from forewarn.work import Chapter, Metadata, ReadError, Span, Work

BLOCKS = {
    "p",
    "li",
    "blockquote",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dd",
    "dt",
    "td",
    "th",
    "div",
    "section",
    "article",
    "hr",
}
SKIP = {"script", "style", "head", "nav", "noscript", "template", "svg", "form", "button", "select", "iframe", "object"}
HEADINGS = {"h1", "h2", "h3"}
_WS = re.compile(r"[ \t\r\f\v\u00a0]+")


@dataclass
class Block:
    tag: str
    text: str


def parse_html(data: bytes | str) -> etree._Element:
    """Parse possibly-broken HTML; bytes are decoded by our own detector."""
    text = decode(data)[0] if isinstance(data, bytes) else data
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as e:
        raise ReadError(f"cannot parse HTML: {e}") from None
    return root


def _inline_text(el: etree._Element) -> str:
    """Text of an element without its nested block children; <br> -> newline."""
    parts: list[str] = [el.text or ""]
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br":
            parts.append("\n")
        elif tag in SKIP or tag in BLOCKS:
            pass
        elif tag:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _norm(text: str) -> str:
    lines = [_WS.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def blocks(el: etree._Element) -> list[Block]:
    """Readable blocks in document order; nested blocks are not repeated."""
    out: list[Block] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if not tag or tag in SKIP:
            return
        if tag in BLOCKS or tag == "body":
            own = _norm(_inline_text(node))
            if own:
                out.append(Block("p" if tag == "body" else tag, own))
        for child in node:
            ctag = child.tag.lower() if isinstance(child.tag, str) else ""
            if ctag in BLOCKS or (ctag and _has_blocks(child)):
                walk(child)

    walk(el)
    return out


def _has_blocks(el: etree._Element) -> bool:
    return any(isinstance(d.tag, str) and d.tag.lower() in BLOCKS for d in el.iterdescendants())


class TextBuilder:
    """Accumulate paragraphs into one text, recording exact spans and chapters."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.chapters: list[Chapter] = []

    def start_chapter(self, title: str | None) -> None:
        if self.chapters and not self.chapters[-1].paragraphs:
            self.chapters[-1].title = self.chapters[-1].title or title
            return
        start = self.length + (2 if self.parts else 0)
        self.chapters.append(Chapter(len(self.chapters), title, start, start))

    def add(self, text: str) -> None:
        if not self.chapters:
            self.start_chapter(None)
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        self.chapters[-1].paragraphs.append(Span(start, self.length))

    def build(self, metadata: Metadata, *, source_format: str, encoding: str | None) -> Work:
        text = "".join(self.parts)
        chapters = [c for c in self.chapters if c.paragraphs]
        for i, c in enumerate(chapters):
            c.index = i
            c.start = 0 if i == 0 else c.paragraphs[0].start
        for i, c in enumerate(chapters):
            c.end = chapters[i + 1].start if i + 1 < len(chapters) else len(text)
        return Work(text=text, chapters=chapters, metadata=metadata, source_format=source_format, encoding=encoding)


def add_blocks(builder: TextBuilder, items: list[Block], metadata: Metadata, *, split_chapters: bool = True) -> None:
    for b in items:
        is_heading = b.tag in HEADINGS and (HEADING.match(b.text) is not None or b.tag in ("h1", "h2"))
        if split_chapters and is_heading and HEADING.match(b.text):
            builder.start_chapter(b.text)
        if DECLARATION.match(b.text) and b.text not in metadata.declaration_lines:
            metadata.declaration_lines.append(b.text.split("\n")[0] if len(b.text) > 300 else b.text)
        builder.add(b.text)


def read_html(data: bytes) -> Work:
    """Generic HTML, or an AO3 download (detected and handed to the AO3 reader)."""
    encoding = decode(data)[1]
    root = parse_html(data)
    from forewarn.readers.ao3 import is_ao3, read_ao3

    if is_ao3(root):
        return read_ao3(root, encoding=encoding)
    meta = Metadata()
    title = root.findtext(".//title") or root.findtext(".//h1")
    meta.title = _norm(title) if title and title.strip() else None
    body = root.find(".//body")
    builder = TextBuilder()
    add_blocks(builder, blocks(body if body is not None else root), meta)
    return builder.build(meta, source_format="html", encoding=encoding)
