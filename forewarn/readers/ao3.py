"""AO3 downloads (HTML, and the preface page of AO3 EPUBs).

The preface's tag list is where authors declare rating, archive warnings and
tags; it becomes ``Metadata`` and is kept out of the story text. Chapter notes
are searched for free-form warnings lines ("TW: ...") too.
"""

from __future__ import annotations

import re

from lxml import etree

from forewarn.readers.html import TextBuilder, _norm, add_blocks, blocks
from forewarn.readers.text import DECLARATION
from forewarn.work import Metadata, Work

_LIST_FIELDS = {
    "archive warning": "archive_warnings",
    "archive warnings": "archive_warnings",
    "category": "categories",
    "categories": "categories",
    "fandom": "fandoms",
    "fandoms": "fandoms",
    "relationship": "relationships",
    "relationships": "relationships",
    "character": "characters",
    "characters": "characters",
    "additional tags": "freeform_tags",
}


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def is_ao3(root: etree._Element) -> bool:
    """An AO3 download has a preface with a tag list, or says it came from AO3."""
    if root.xpath('//div[@id="preface"]//dl[contains(@class, "tags")]'):
        return True
    text = " ".join(root.xpath('//div[@id="preface"]//text()'))[:2000]
    return "Archive of Our Own" in text


def _dd_items(dd: etree._Element) -> list[str]:
    links = [_norm("".join(a.itertext())) for a in dd.iter("a")]
    if links:
        return [x for x in links if x]
    return [x.strip() for x in re.split(r",", _norm("".join(dd.itertext()))) if x.strip()]


def parse_tags(dl: etree._Element, meta: Metadata) -> None:
    """Fill metadata from an AO3 ``<dl class="tags">`` (dt label, dd values)."""
    label = None
    for el in dl:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "dt":
            label = _norm("".join(el.itertext())).rstrip(":").strip().lower()
        elif tag == "dd" and label:
            if label == "rating" or label == "ratings":
                items = _dd_items(el)
                meta.rating = items[0] if items else None
            elif label in _LIST_FIELDS:
                getattr(meta, _LIST_FIELDS[label]).extend(_dd_items(el))
            elif label == "language":
                meta.language = _norm("".join(el.itertext())) or None
            elif label in ("stats", "series", "collections"):
                meta.extra[label] = _norm(" ".join(el.itertext()))
            label = None


def _notes(el: etree._Element, meta: Metadata) -> None:
    text = "\n".join(b.text for b in blocks(el))
    if not text:
        return
    meta.notes = f"{meta.notes}\n\n{text}" if meta.notes else text
    for line in text.split("\n"):
        if DECLARATION.match(line) and line not in meta.declaration_lines:
            meta.declaration_lines.append(line)


def parse_preface(root: etree._Element, meta: Metadata) -> None:
    """Title, byline, tags, summary and notes from an AO3 preface."""
    for dl in root.xpath('//dl[contains(@class, "tags")]'):
        parse_tags(dl, meta)
    h1 = root.find(".//h1")
    if h1 is not None:
        meta.title = _norm("".join(h1.itertext())) or None
    meta.authors = [_norm("".join(a.itertext())) for a in root.xpath('//a[@rel="author"]')]
    # "Summary" / "Notes" labels are <p> elements followed by a userstuff blockquote.
    for p in root.xpath('//div[@id="preface"]//p | //div[@id="afterword"]//p'):
        label = _norm("".join(p.itertext())).lower().rstrip(":")
        sibling = p.getnext()
        if sibling is None or sibling.tag != "blockquote":
            continue
        if label == "summary" and meta.summary is None:
            meta.summary = "\n".join(b.text for b in blocks(sibling)) or None
        elif "notes" in label:
            _notes(sibling, meta)
    for bq in root.xpath('//div[@id="afterword"]//blockquote'):
        _notes(bq, meta)


def read_ao3(root: etree._Element, *, encoding: str | None) -> Work:
    meta = Metadata()
    parse_preface(root, meta)
    chapters_el = root.find('.//div[@id="chapters"]')
    builder = TextBuilder()
    if chapters_el is None:
        body = root.find(".//body")
        add_blocks(builder, blocks(body if body is not None else root), meta)
        return builder.build(meta, source_format="ao3-html", encoding=encoding)
    multi = chapters_el.xpath('.//h2[contains(@class, "heading")]')
    if not multi:
        add_blocks(builder, blocks(chapters_el), meta, split_chapters=False)
        return builder.build(meta, source_format="ao3-html", encoding=encoding)
    for el in chapters_el.iterdescendants():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "h2" and "heading" in _classes(el):
            builder.start_chapter(_norm("".join(el.itertext())) or None)
        elif el.tag == "blockquote" and el.getparent() is not None and "meta" in _classes(el.getparent()):
            _notes(el, meta)
        elif el.tag == "div" and "userstuff" in _classes(el):
            add_blocks(builder, blocks(el), meta, split_chapters=False)
    return builder.build(meta, source_format="ao3-html", encoding=encoding)
