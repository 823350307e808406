"""EPUB: container -> OPF -> spine documents; the zip and its bomb limits are ``epubzip``'s.

Uses only zipfile and lxml. Title/preface pages written by FanFicFare and by
AO3 carry the work's tags; they fill ``Metadata`` and are left out of the
story text. Every spine document with text becomes one chapter.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from urllib.parse import unquote

import lxml.etree
import lxml.html

from forewarn.readers import ao3
from forewarn.readers.blocks import Block, element_text, extract_blocks
from forewarn.readers.decode import decode
from forewarn.readers.epubzip import Archive
from forewarn.readers.html import NestingError, parse_document, take_details, work_from_groups
from forewarn.readers.notices import ENCRYPTED, about_document, missing_documents, ordinal, unreadable_documents
from forewarn.readers.text import add_unique, heading_lines_title, scan_notes
from forewarn.taxonomy import AO3_ARCHIVE_VALUES
from forewarn.work import Metadata, ReadError, Work

_XML_PARSER = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
_DOC_TYPES = {"application/xhtml+xml", "text/html", "application/xml", "text/xml"}
_AO3_RATINGS = {"general audiences", "teen and up audiences", "mature", "explicit", "not rated"}
_FFF_LABEL = re.compile(
    r"^(rating|warnings?|genre|characters|relationships|pairings?|ships|status|category|"
    r"categories|published|updated|packaged|words|chapters|summary|language|publisher|"
    r"story url|freeform tags|extra tags|additional tags|fandoms?|author|title|site|"
    r"story id|author id)\s*:\s*(.*)$",
    re.IGNORECASE,
)


def _xml(data: bytes, what: str) -> lxml.etree._Element:
    try:
        root = lxml.etree.fromstring(data, parser=_XML_PARSER)
    except lxml.etree.XMLSyntaxError as err:
        raise ReadError(f"EPUB is damaged: unreadable {what} ({err})") from None
    if root is None:
        raise ReadError(f"EPUB is damaged: unreadable {what}")
    return root


def _local(root: lxml.etree._Element, path: str) -> list[lxml.etree._Element]:
    """Namespace-agnostic xpath: ``a/b`` means local names a then b, anywhere."""
    steps = "/".join(f"*[local-name()='{s}']" for s in path.split("/"))
    return list(root.xpath(f"//{steps}"))


def _html_text(value: str) -> str:
    """OPF descriptions are often escaped HTML: keep only their text."""
    if "<" not in value:
        return value.strip()
    try:
        frag = lxml.html.fragment_fromstring(value, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return value.strip()
    return "\n\n".join(b.text for b in extract_blocks(frag))


def _opf_metadata(opf: lxml.etree._Element, meta: Metadata) -> None:
    def values(name: str) -> list[str]:
        return [element_text(el) for el in _local(opf, f"metadata/{name}") if element_text(el)]

    titles = values("title")
    meta.title = meta.title or (titles[0] if titles else None)
    add_unique(meta.authors, values("creator"))
    # FanFicFare and AO3 list archive warnings among the subjects, beside the tags.
    # AO3's own downloads list the rating there too ("Explicit"): a declared rating, not a tag.
    subjects = values("subject")
    ratings = [v for v in subjects if v.lower() in _AO3_RATINGS]
    meta.rating = meta.rating or (ratings[0] if ratings else None)
    add_unique(meta.archive_warnings, [v for v in subjects if v.lower() in AO3_ARCHIVE_VALUES])
    add_unique(meta.freeform_tags, [v for v in subjects if v.lower() not in AO3_ARCHIVE_VALUES | _AO3_RATINGS])
    descriptions = [el.text or "" for el in _local(opf, "metadata/description")]
    if descriptions and descriptions[0].strip():
        # The work's summary (FanFicFare copies it here), where authors put "TW: ..." lines.
        description = _html_text(descriptions[0])
        meta.summary = meta.summary or description
        scan_notes(description, meta)
    languages = values("language")
    meta.language = meta.language or (languages[0] if languages else None)
    for url in values("source") + values("identifier"):
        if url.startswith(("http://", "https://")) and not meta.source_url:
            meta.source_url = url


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _fff_fields(blocks: list[Block]) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    for line in "\n".join(b.text for b in blocks).split("\n"):
        m = _FFF_LABEL.match(line.strip())
        if m:
            fields.append((m.group(1).lower(), m.group(2).strip()))
        elif fields and fields[-1][0] == "summary":  # summaries run over several lines
            fields[-1] = ("summary", (fields[-1][1] + "\n" + line).strip())
    return fields


def _apply_fff(fields: list[tuple[str, str]], meta: Metadata) -> None:
    """Fill ``meta`` from FanFicFare title-page "Label: value" lines."""
    for label, value in fields:
        if not value:
            continue
        if label == "rating":
            meta.rating = meta.rating or value
        elif label.startswith("warning"):
            items = _split(value)
            if all(i.lower() in AO3_ARCHIVE_VALUES for i in items):
                add_unique(meta.archive_warnings, items)
            else:
                add_unique(meta.declaration_lines, [f"Warnings: {value}"])
        elif label in ("category", "categories", "fandom", "fandoms"):
            add_unique(meta.fandoms, _split(value))
        elif label in ("genre", "freeform tags", "extra tags", "additional tags"):
            add_unique(meta.freeform_tags, _split(value))
        elif label == "characters":
            add_unique(meta.characters, _split(value))
        elif label in ("relationships", "pairing", "pairings", "ships"):
            add_unique(meta.relationships, _split(value))
        elif label == "summary":
            meta.summary = meta.summary or value
            scan_notes(value, meta)
        elif label == "language":
            meta.language = meta.language or value
        elif label == "story url":
            meta.source_url = meta.source_url or value
        else:
            meta.extra.setdefault(f"fff {label}", value)


def _is_toc(name: str, root: lxml.etree._Element, properties: str) -> bool:
    if "nav" in properties.split():
        return True
    if not re.search(r"toc|nav|contents", posixpath.basename(name), re.IGNORECASE):
        return False
    total = len(element_text(root))
    linked = sum(len(element_text(a)) for a in root.iter("a"))
    return total == 0 or linked >= total / 2


def _no_package(archive: Archive, *, has_container: bool) -> str:
    """Why a zip without a package document and without (X)HTML cannot be read."""
    mimetype = archive.find("mimetype")
    is_epub = has_container or (mimetype is not None and archive.read(mimetype).strip() == b"application/epub+zip")
    if is_epub:
        return "not an EPUB (no package document): nothing to scan"
    return "unsupported archive: a zip file that is not an EPUB (forewarn reads .txt, .md, .html and .epub)"


def _package(archive: Archive, container: str | None) -> tuple[str | None, str]:
    """The package document's member name, or None and why there is none to read.

    One named by the container but not there (a renamed folder) is looked for: the archive's
    only ``.opf`` member gives the story's order and metadata, where name order is a guess.
    """
    why = ""
    if container:
        try:
            paths = _xml(archive.read(container), "container.xml").xpath("//*[local-name()='rootfile']/@full-path")
        except ReadError:
            paths = None
        if not paths:
            why = "its container.xml names no package document"
        elif (name := archive.find(str(paths[0]))) is not None:
            return name, ""
        else:
            why = f"its container.xml names {str(paths[0])[:100]}, which is not in the archive"
    packages = [n for n in archive.infos if n.lower().endswith(".opf")]
    return (packages[0], "") if len(packages) == 1 else (None, why)


def _by_name(archive: Archive, why: str, notices: list[str], *, has_container: bool) -> list[tuple[str, str, str, str]]:
    """Every (X)HTML member in name order, when no package document says which and in what order."""
    names = sorted(n for n in archive.infos if n.lower().endswith((".xhtml", ".html", ".htm")))
    if not names:
        raise ReadError(
            f"EPUB is damaged: {why}: nothing to scan" if why else _no_package(archive, has_container=has_container)
        )
    if why:
        notices.append(
            f"EPUB is damaged: {why}; its {len(names)} documents were read in the order of their names, "
            "which may not be the story's"
        )
    return [(n, n, "", f"{ordinal(i)} of {len(names)}") for i, n in enumerate(names, 1)]


def _spine(archive: Archive, meta: Metadata, notices: list[str]) -> list[tuple[str, str, str, str]]:
    """``(member name, manifest id, properties, place in the spine)`` of the story documents in order.

    A listed document missing from the archive is read around, with a notice: refusing the
    whole EPUB would hide every other chapter from the reader too. So is a missing or unreadable
    package document: every (X)HTML document is read, in name order, with a notice.
    """
    container = archive.find("META-INF/container.xml")
    opf_name, why = _package(archive, container)
    if opf_name is None:
        return _by_name(archive, why, notices, has_container=container is not None)
    opf = _xml(archive.read(opf_name), "package file")
    _opf_metadata(opf, meta)
    base = posixpath.dirname(opf_name)
    manifest: dict[str, tuple[str, str, str]] = {}
    for item in _local(opf, "manifest/item"):
        href = unquote((item.get("href") or "").split("#", 1)[0])
        manifest[item.get("id") or ""] = (
            posixpath.normpath(posixpath.join(base, href)),
            item.get("media-type") or "",
            item.get("properties") or "",
        )
    listed: list[tuple[str, str, str]] = []
    for ref in _local(opf, "spine/itemref"):
        idref = ref.get("idref") or ""
        if idref not in manifest or ref.get("linear") == "no":
            continue
        href, media, props = manifest[idref]
        if media in _DOC_TYPES or href.lower().endswith((".xhtml", ".html", ".htm")):
            listed.append((href, idref, props))
    if not listed:
        why = "its package document lists no documents in its spine"
        return _by_name(archive, why, notices, has_container=container is not None)
    docs: list[tuple[str, str, str, str]] = []
    lost: list[tuple[str, int]] = []
    for number, (href, idref, props) in enumerate(listed, 1):
        name = archive.find(href)
        place = f"{ordinal(number)} of {len(listed)}"
        if name is None:  # a chapter left out silently could be the one that needs a warning
            lost.append((href, number))
        else:
            docs.append((name, idref, props, place))
    if lost and not docs:
        raise ReadError(f"EPUB is damaged: none of the {len(listed)} documents its spine lists is in the archive")
    if lost:
        notices.append(missing_documents(lost, listed=len(listed)))
    return docs


def _folded(heading: str) -> str:
    return " ".join(heading.split()).casefold()


def _running_headers(headings: dict[int, list[str]], title: str | None) -> set[str]:
    """Headings that repeat at the top of the documents rather than title them (folded).

    Books that repeat their title ("<h1>The Long Rain</h1><h2>Chapter 3</h2>") in every
    chapter file had every chapter titled with the book's title. The book's title, and a
    first heading that opens at least two documents and half of them, are such headers.
    """
    firsts: dict[str, int] = {}
    for found in headings.values():
        if found:
            firsts[_folded(found[0])] = firsts.get(_folded(found[0]), 0) + 1
    running = {h for h, n in firsts.items() if n >= 2 and 2 * n >= len(headings)}
    return running | ({_folded(title)} if title else set())


def _add_ao3_chapters(
    groups: list[tuple[str | None, list[Block]]], found: list[tuple[str | None, list[Block]]], last: int
) -> int:
    """Add the AO3 chapters of a document to ``groups``; return the index of the last group.

    AO3 makes its EPUBs with calibre, which splits a long chapter over several files: a file
    whose text comes before any chapter heading goes on with the AO3 chapter before it (a
    chapter of its own, it put every later chapter one above its heading).
    """
    if not found:
        return last
    if found[0][0] is None and last == len(groups) - 1 >= 0:
        groups[-1] = (groups[-1][0], [*groups[-1][1], *found[0][1]])
        found = found[1:]
    groups.extend(found)
    return len(groups) - 1


def read_epub(data: bytes) -> Work:
    """A ``Work`` from EPUB bytes."""
    archive = Archive(data)
    meta = Metadata()
    groups: list[tuple[str | None, list[Block]]] = []
    notices: list[str] = []
    headings: dict[int, list[str]] = {}  # group index -> h1-h3 headings of its document
    ao3_from = -1  # the index of the last group if it is an AO3 chapter, else -1
    encodings: list[str] = []  # what each document read was decoded with
    docs = _spine(archive, meta, notices)
    unreadable: list[tuple[str, str, str]] = []  # spine documents that are not text: (path, place, why)
    for name, item_id, props, place in docs:
        raw = archive.read(name)  # damage and bomb errors must propagate
        decoded: list[str] = []  # what decoding left out (NULs)
        try:
            markup, encoding = decode(raw, notices=decoded)
        except ReadError as err:  # binary: damaged or encrypted, and its story lost
            if raw.strip():
                unreadable.append((name, place, str(err)))
            continue
        try:
            root = parse_document(markup)
        except NestingError:
            raise  # a chapter too deep to read whole would lose text silently
        except ReadError:
            continue  # an empty spine document (cover placeholder) holds no story
        encodings.append(encoding)
        notices += [about_document(name, notice) for notice in decoded]
        take_details(root, meta)
        if root.xpath("//dl[contains(concat(' ', @class, ' '), ' tags ')]"):
            ao3.parse_preface(root, meta)
            if root.xpath("//div[@id='chapters']"):
                ao3_from = _add_ao3_chapters(groups, ao3.chapter_groups(root, meta), ao3_from)
            continue
        if root.xpath("//div[@id='afterword']") and not root.xpath("//div[@id='chapters']"):
            ao3.parse_preface(root, meta)
            continue
        blocks = extract_blocks(root)
        fields = _fff_fields(blocks[:40])
        is_title_page = re.search("title", f"{item_id} {posixpath.basename(name)}", re.I)
        if len(fields) >= 3 and (is_title_page or len(fields) >= len(blocks) / 2):
            _apply_fff(fields, meta)
            continue
        if _is_toc(name, root, props):
            continue
        if root.xpath(
            "//h2[contains(concat(' ', @class, ' '), ' heading ')]"
            " | //div[contains(concat(' ', @class, ' '), ' userstuff ')]"
        ):
            ao3_from = _add_ao3_chapters(groups, ao3.chapter_groups(root, meta), ao3_from)
            continue
        # A toggle's <summary> is its label, never the chapter's title.
        headings[len(groups)] = [heading_lines_title(b.text) for b in blocks if 1 <= b.heading <= 3 and not b.summary]
        groups.append((None, blocks))
    if unreadable:
        drm = ENCRYPTED if archive.find("META-INF/encryption.xml") else ""
        if not groups and len(unreadable) == len(docs):
            why = unreadable[0][2]
            raise ReadError(
                f"EPUB is damaged: none of the {len(docs)} documents its spine lists is readable ({why}){drm}"
            )
        notices.append(unreadable_documents(unreadable, drm=bool(drm)))
    # The OPF lists every tag among its subjects; those the preface or title page typed
    # (a character "Death (Good Omens)", a fandom) are not free-form tags: on AO3 a tag has one type.
    typed = {v.casefold() for v in [*meta.fandoms, *meta.categories, *meta.relationships, *meta.characters]}
    meta.freeform_tags = [t for t in meta.freeform_tags if t.casefold() not in typed]
    running = _running_headers(headings, meta.title)
    for i, found in headings.items():
        # The first heading that is the document's own; a running header only if there is none.
        title = next((h for h in found if _folded(h) not in running), found[0] if found else None)
        groups[i] = (title, groups[i][1])
    # The encoding most documents were decoded with (the first of those tied; most_common keeps
    # the order of first appearance); utf-8, an EPUB's own, if none was read.
    encoding = Counter(encodings).most_common(1)[0][0] if encodings else "utf-8"
    return work_from_groups(groups, meta, source_format="epub", encoding=encoding, notices=notices)
