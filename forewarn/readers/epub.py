"""EPUB (generic, FanFicFare, AO3): zipfile + lxml, with zip-bomb limits.

Sizes are checked from the zip directory before anything is inflated, and each
member is read through a capped reader, so a crafted archive cannot exhaust
memory. Title and preface pages feed metadata and are not story text.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from urllib.parse import unquote

from lxml import etree

from forewarn.readers.ao3 import is_ao3, parse_preface
from forewarn.readers.html import TextBuilder, _norm, add_blocks, blocks, parse_html
from forewarn.readers.text import DECLARATION
from forewarn.work import Metadata, ReadError, Work

MAX_MEMBERS = 5000
MAX_TOTAL = 200 * 1024 * 1024
MAX_RATIO = 200
_NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
_FFF_FIELD = re.compile(r"^\s*([A-Za-z][A-Za-z ]{1,30}):\s*(.+)$")


def _open(data: bytes) -> zipfile.ZipFile:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as e:
        raise ReadError(f"EPUB is damaged: {e}") from None
    if len(infos) > MAX_MEMBERS:
        raise ReadError(f"EPUB has {len(infos)} files, over the safety limit of {MAX_MEMBERS}")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL or any(
        i.compress_size and i.file_size / i.compress_size > MAX_RATIO and i.file_size > 1024 * 1024 for i in infos
    ):
        raise ReadError("EPUB expands past the safety limit (possible zip bomb)")
    return z


def _member(z: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = z.getinfo(name)
        with z.open(info) as f:
            data = f.read(info.file_size + 1)
    except KeyError:
        raise ReadError(f"EPUB is damaged: missing {name}") from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zipfile.LargeZipFile) as e:
        raise ReadError(f"EPUB is damaged: {e}") from None
    if len(data) > info.file_size:
        raise ReadError("EPUB expands past the safety limit (possible zip bomb)")
    return data


def _xml(data: bytes) -> etree._Element:
    try:
        return etree.fromstring(data, parser=etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as e:
        raise ReadError(f"EPUB is damaged: {e}") from None


def _spine(z: zipfile.ZipFile, meta: Metadata) -> list[str]:
    """Story documents in reading order, filling metadata from the OPF."""
    names = z.namelist()
    opf_path = None
    if "META-INF/container.xml" in names:
        container = _xml(_member(z, "META-INF/container.xml"))
        if container is not None:
            found = container.xpath("//c:rootfile/@full-path", namespaces=_NS)
            opf_path = str(found[0]) if found else None
    if opf_path is None:
        opf_path = next((n for n in names if n.endswith(".opf")), None)
    if opf_path is None or opf_path not in names:
        return sorted(n for n in names if n.lower().endswith((".xhtml", ".html", ".htm")))
    opf = _xml(_member(z, opf_path))
    if opf is None:
        raise ReadError("EPUB is damaged: unreadable package file")
    dc = lambda tag: [_norm("".join(e.itertext())) for e in opf.iter(f"{{{_NS['dc']}}}{tag}")]  # noqa: E731
    meta.title = next(iter(dc("title")), None) or None
    meta.authors = [a for a in dc("creator") if a]
    meta.freeform_tags = [s for s in dc("subject") if s]
    desc = next(iter(dc("description")), None)
    meta.summary = (
        _norm(etree.tostring(parse_html(desc), method="text", encoding="unicode")) if desc and "<" in desc else desc
    )
    meta.language = next(iter(dc("language")), None)
    source = next(iter(dc("source")), None)
    meta.source_url = source if source and source.startswith("http") else None
    base = posixpath.dirname(opf_path)
    manifest = {
        item.get("id"): posixpath.normpath(posixpath.join(base, unquote(item.get("href", ""))))
        for item in opf.iter(f"{{{_NS['opf']}}}item")
    }
    order = [manifest.get(ref.get("idref")) for ref in opf.iter(f"{{{_NS['opf']}}}itemref")]
    return [n for n in order if n and n in names and not n.lower().endswith((".ncx", ".css"))]


def _title_page(root: etree._Element, meta: Metadata) -> bool:
    """FanFicFare title pages and AO3 prefaces: metadata, not story. True if one."""
    if is_ao3(root) or root.xpath('//dl[contains(@class, "tags")]'):
        parse_preface(root, meta)
        return True
    text = "\n".join(b.text for b in blocks(root))
    fields = [m for line in text.split("\n") if (m := _FFF_FIELD.match(line))]
    keys = {m.group(1).strip().lower() for m in fields}
    if (
        len(
            keys
            & {
                "rating",
                "warnings",
                "status",
                "words",
                "category",
                "characters",
                "genre",
                "published",
                "updated",
                "chapters",
                "summary",
            }
        )
        < 3
    ):
        return False
    for m in fields:
        key, value = m.group(1).strip().lower(), m.group(2).strip()
        if key == "rating":
            meta.rating = value
        elif key in ("warnings", "warning", "archive warning", "archive warnings"):
            meta.declaration_lines.append(f"Warnings: {value}")
        elif key in ("characters", "character"):
            meta.characters = [v.strip() for v in value.split(",") if v.strip()]
        elif key in ("relationships", "pairing", "pairings"):
            meta.relationships = [v.strip() for v in value.split(",") if v.strip()]
        elif key in ("category", "fandom", "fandoms"):
            meta.fandoms = [v.strip() for v in value.split(",") if v.strip()]
        elif key in ("genre", "freeform tags", "additional tags", "tags"):
            meta.freeform_tags += [v.strip() for v in value.split(",") if v.strip()]
        elif DECLARATION.match(m.group(0)):
            meta.declaration_lines.append(m.group(0).strip())
    return True


def read_epub(data: bytes) -> Work:
    z = _open(data)
    meta = Metadata()
    docs = _spine(z, meta)
    if not docs:
        raise ReadError("EPUB has no readable chapters")
    builder = TextBuilder()
    for i, name in enumerate(docs):
        root = parse_html(_member(z, name))
        if i < 3 and _title_page(root, meta):
            continue
        items = blocks(root.find(".//body") if root.find(".//body") is not None else root)
        if not items:
            continue
        first = items[0]
        builder.start_chapter(first.text if first.tag in ("h1", "h2", "h3") and len(first.text) < 150 else None)
        add_blocks(builder, items, meta, split_chapters=False)
    return builder.build(meta, source_format="epub", encoding="utf-8")
