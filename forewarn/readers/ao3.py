"""AO3 "Download > HTML" files (and the same markup inside AO3 EPUBs), and AO3 work pages
saved from a browser ("Save page as").

The preface (tags, summary, notes) describes the work and is not story text:
it fills ``Metadata`` and its notes are searched for declaration lines, while
``Work.text`` holds only the chapters. A saved work page reads as the download of
the same work: its site chrome (header, menus, kudos, comments, footer) is not story.
"""

from __future__ import annotations

import copy
import re

import lxml.etree

from forewarn.readers.blocks import Block, element_text, extract_blocks, outermost, tag_name
from forewarn.readers.html import work_from_groups
from forewarn.readers.text import add_unique, scan_notes
from forewarn.work import Metadata, Work, count_words

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
    "additional tag": "freeform_tags",
}


_TAGS = ".//dl[contains(concat(' ', @class, ' '), ' tags ')]"
_META = ".//div[contains(concat(' ', @class, ' '), ' meta ')]"


def _class_test(*names: str) -> str:
    """An XPath predicate: the element has each of the classes ``names``."""
    return " and ".join(f"contains(concat(' ', normalize-space(@class), ' '), ' {n} ')" for n in names)


# A work page's tag list ("dl.work.meta.group"), its preface and afterword ("div.preface.group":
# the work's, each chapter's "div.chapter.preface.group", the "div.afterword.preface.group").
_WORK_META = f"//dl[{_class_test('work', 'meta')}]"
_PAGE_PREFACE = f"//div[{_class_test('preface', 'group')}]"
# The dd classes of a work page's tag list and the fields they fill (the dt labels say the same
# in the singular or plural: "Archive Warning:", "Archive Warnings:").
_PAGE_FIELDS = {
    "warning": "archive_warnings",
    "category": "categories",
    "fandom": "fandoms",
    "relationship": "relationships",
    "character": "characters",
    "freeform": "freeform_tags",
}


def _has_class(el: lxml.etree._Element, name: str) -> bool:
    return name in (el.get("class") or "").split()


def _within(root: lxml.etree._Element, div_id: str, path: str | None = None) -> list[lxml.etree._Element]:
    """The outermost ``div`` elements with id ``div_id``, or what the relative XPath ``path``
    finds inside them, in document order.

    Not "//div[@id=...]//x": libxml2 merges each such div's matches into one node set, checking
    for duplicates, so nested divs made it superlinear; 300 unclosed ``<div id="preface">`` over
    3,000 paragraphs (30 KB) took 6 s to tell whether the page is AO3's, 180 KB over ten minutes.
    """
    outer = outermost(root.xpath(f"//div[@id='{div_id}']"))
    return outer if path is None else [el for div in outer for el in div.xpath(path)]


def is_work_page(root: lxml.etree._Element) -> bool:
    """An AO3 work page saved from a browser: its tag list (``dl.work.meta`` with a ``dd.tags``),
    or the work skin's ``div#chapters`` (a work without tags shows none)."""
    return bool(
        root.xpath(f"{_WORK_META}[dd[{_class_test('tags')}]]") or _within(root, "workskin", ".//div[@id='chapters']")
    )


def is_ao3(root: lxml.etree._Element) -> bool:
    """AO3 markup: a preface with a tag list, the generator marker, div#chapters after a
    preface linking to the work on AO3, or a saved work page (``is_work_page``).

    Any AO3 link beside a div#chapters is not enough: fic sites put a chapter menu
    in one and link their AO3 mirror.
    """
    if _within(root, "preface", _TAGS) or is_work_page(root):
        return True
    if root.xpath("//meta[@name='generator' and contains(@content, 'Archive of Our Own')]"):
        return True
    return bool(
        root.xpath("//div[@id='chapters']")
        and _within(root, "preface", ".//a[contains(@href, 'archiveofourown.org/works/')]")
    )


def story_words(root: lxml.etree._Element) -> int:
    """Words of the page outside the preface, afterword and chapter notes (and a saved work
    page's site chrome, see ``page_chrome``): what ``read_ao3`` should keep."""
    page = copy.deepcopy(root)
    notes = _within(page, "chapters", f".//blockquote | {_META}")
    chrome = page_chrome(page) if is_work_page(page) else []
    # Once each: a div#afterword.meta inside div#chapters is both, and a second drop fails.
    for el in outermost(dict.fromkeys([*_within(page, "preface"), *_within(page, "afterword"), *notes, *chrome])):
        el.drop_tree()
    return sum(count_words(b.text) for b in extract_blocks(page))


def _tag_values(dd: lxml.etree._Element) -> list[str]:
    links = [element_text(a) for a in dd.iter("a")]
    links = [v for v in links if v]
    if links:
        return links
    return [v.strip() for v in element_text(dd).split(",") if v.strip()]


def parse_tags(dl: lxml.etree._Element, meta: Metadata) -> None:
    """Fill ``meta`` from the ``dl.tags`` dt/dd pairs of an AO3 preface."""
    label: str | None = None
    for child in dl:
        name = tag_name(child)
        if name == "dt":
            label = element_text(child).rstrip(":").strip().lower()
        elif name == "dd" and label:
            field = _LIST_FIELDS.get(label)
            if field:
                add_unique(getattr(meta, field), _tag_values(child))
            elif label == "rating":
                meta.rating = meta.rating or ", ".join(_tag_values(child))
            elif label == "language":
                meta.language = meta.language or element_text(child)
            else:
                meta.extra[label] = element_text(child)
            label = None


def _blocks_text(el: lxml.etree._Element) -> str:
    return "\n\n".join(b.text for b in extract_blocks(el))


def _previous_element(el: lxml.etree._Element) -> lxml.etree._Element | None:
    """The element before ``el``, past comments and processing instructions: an HTML comment
    between "<p>Summary</p>" and its blockquote is no label, and lxml cannot take its text."""
    return next((p for p in el.itersiblings(preceding=True) if isinstance(p.tag, str)), None)


def parse_preface(root: lxml.etree._Element, meta: Metadata) -> None:
    """Title, authors, tags, summary and notes of an AO3 preface."""
    # A tag list or byline inside another (unclosed tags) is read as part of the other only.
    for dl in outermost(root.xpath(_TAGS)):
        parse_tags(dl, meta)
    preface = root.xpath("//div[@id='preface']")
    scope = preface[0] if preface else root
    h1 = scope.xpath(".//h1")
    if h1 and not meta.title:
        meta.title = element_text(h1[0]) or None
    add_unique(meta.authors, [element_text(a) for a in scope.xpath(".//a[@rel='author']")])
    if not meta.authors:
        for byline in outermost(scope.xpath(".//*[contains(concat(' ', @class, ' '), ' byline ')]")):
            name = re.sub(r"^by\s+", "", element_text(byline), flags=re.IGNORECASE)
            add_unique(meta.authors, [name])
    for a in scope.xpath(".//a[contains(@href, '/works/')]"):
        if not meta.source_url:
            meta.source_url = a.get("href")
    notes: list[str] = []
    # A blockquote inside another is in the other's text already (it was a second note).
    for quote in outermost(scope.xpath(".//blockquote")) if preface else []:
        prev = _previous_element(quote)
        label = element_text(prev).lower() if prev is not None else ""
        text = _blocks_text(quote)
        if "summary" in label or (not label and meta.summary is None and not notes):
            meta.summary = meta.summary or text
        else:
            notes.append(text)
        scan_notes(text, meta)
    for afterword in outermost(_within(root, "afterword", ".//blockquote")):
        text = _blocks_text(afterword)
        notes.append(text)
        scan_notes(text, meta)
    if notes:
        meta.notes = "\n\n".join([meta.notes, *notes] if meta.notes else notes)


# The label AO3 puts before a note's blockquote ("Notes", "Chapter End Notes", "Summary").
_NOTE_LABEL = re.compile(r"^(?:chapter\s+)?(?:end\s+)?(?:notes|summary):?$", re.IGNORECASE)


def _is_note(quote: lxml.etree._Element) -> bool:
    """A blockquote of notes: inside a div.meta, or under a label paragraph ("Notes")."""
    if any(_has_class(div, "meta") for div in quote.iterancestors("div")):
        return True
    prev = _previous_element(quote)
    return prev is not None and _NOTE_LABEL.match(element_text(prev)) is not None


def chapter_groups(root: lxml.etree._Element, meta: Metadata) -> list[tuple[str | None, list[Block]]]:
    """Story chapters: ``h2.heading`` titles and ``div.userstuff`` bodies.

    Chapter notes (blockquotes outside the story bodies) only feed declarations.
    """
    containers = root.xpath("//div[@id='chapters']")
    container = containers[0] if containers else root
    groups: list[tuple[str | None, list[Block]]] = []
    bodies: set[lxml.etree._Element] = set()
    # Every element of the bodies: asking each element for its ancestors was quadratic in
    # thousands of unclosed tags. The bodies' subtrees are disjoint, so each is walked once.
    in_body: set[lxml.etree._Element] = set()
    # And of the headings: a heading inside another (unclosed <h2>) is part of its title, not
    # a chapter of its own; 1,900 of them made text of each one's rest of the page (34 s).
    in_heading: set[lxml.etree._Element] = set()
    for el in container.iter():
        if el in in_body:
            continue
        name = tag_name(el)
        is_heading = _has_class(el, "heading") or _has_class(el, "toc-heading")
        if name == "h2" and is_heading and el not in in_heading:
            in_heading.update(el.iter())
            title = element_text(el)
            # An empty heading still starts a chapter, untitled: as a block it was an empty
            # paragraph, and the text started with its blank line.
            groups.append((title or None, [Block(title, 2)] if title else []))
        elif name == "div" and _has_class(el, "userstuff") and el is not container:
            bodies.add(el)
            in_body.update(el.iter())
            if not groups:
                groups.append((None, []))
            groups[-1][1].extend(extract_blocks(el))
    # Single-chapter downloads may put the story straight into div#chapters: there only a
    # blockquote in a div.meta or under a "Notes" label is a note, others are the story's (a
    # letter it quotes).
    single = not bodies and bool(containers)
    notes = [q for q in container.xpath(".//blockquote") if q not in in_body and (not single or _is_note(q))]
    for quote in outermost(notes):
        scan_notes(_blocks_text(quote), meta)
    if single:
        labels = [p for q in notes if (p := _previous_element(q)) is not None and _NOTE_LABEL.match(element_text(p))]
        skip = {*notes, *labels, *container.xpath(".//div[contains(@class, 'meta')]")}
        for q in outermost(el for el in container.iter() if el in skip):
            q.drop_tree()
        groups = [(g[0], g[1]) for g in groups] or [(None, [])]
        groups[-1][1].extend(b for b in extract_blocks(container) if b.heading != 2)
    return groups


# --- work pages saved from a browser ----------------------------------------------------------

# What a saved work page shows besides the work: AO3's header, menus and landmarks, the work's
# tag list, kudos, comments and the footer. ``story_words`` leaves them out.
_CHROME = (
    "//header | //footer | //div[@id='header'] | //div[@id='footer'] | //ul[@id='skiplinks']"
    f" | {_WORK_META} | //div[@id='feedback'] | //div[@id='kudos'] | //div[@id='comments_placeholder']"
    f" | //ul[{_class_test('navigation')}] | //ul[{_class_test('actions')}] | //h3[{_class_test('landmark')}]"
    f" | {_PAGE_PREFACE}"
)


def page_chrome(root: lxml.etree._Element) -> list[lxml.etree._Element]:
    """The outermost elements of a saved work page that are not story (see ``_CHROME``)."""
    found = {id(el) for el in root.xpath(_CHROME)}
    return outermost(el for el in root.iter() if id(el) in found)


def _page_tags(dl: lxml.etree._Element, meta: Metadata) -> None:
    """Fill ``meta`` from a work page's ``dl.work.meta``: each ``dd`` by its class (``dd.rating.tags``,
    ``dd.warning.tags``...), else by the label before it, as in a download (``parse_tags``)."""
    label: str | None = None
    for child in dl:
        name = tag_name(child)
        if name == "dt":
            label = element_text(child).rstrip(":").strip().lower()
            continue
        if name != "dd":
            continue
        classes = (child.get("class") or "").split()
        field = next((_PAGE_FIELDS[c] for c in classes if c in _PAGE_FIELDS), None)
        if field:
            add_unique(getattr(meta, field), _tag_values(child))
        elif "rating" in classes:
            meta.rating = meta.rating or ", ".join(_tag_values(child))
        elif "language" in classes:
            meta.language = meta.language or element_text(child)
        elif "stats" in classes:  # "Words: 120 Chapters: 2/2", from a dl of its own
            parts = [element_text(el) for el in child.iterdescendants("dt", "dd")]
            meta.extra["stats"] = " ".join(p for p in parts if p) or element_text(child)
        elif label:
            fake = lxml.etree.Element("dl")
            dt = lxml.etree.SubElement(fake, "dt")
            dt.text = label
            fake.append(copy.deepcopy(child))
            parse_tags(fake, meta)
        label = None


def _quotes(el: lxml.etree._Element) -> list[lxml.etree._Element]:
    return outermost(el.xpath(".//blockquote"))


def parse_page_preface(root: lxml.etree._Element, meta: Metadata, chapters: set[lxml.etree._Element]) -> None:
    """Title, authors, tags, summary and notes of a saved work page: the tag list, the work's
    ``div.preface.group`` (the first outside div#chapters, whose elements are ``chapters``) and
    its afterword (``div#work_endnotes``). Notes fill ``meta.notes`` as a download's do."""
    for dl in outermost(root.xpath(_WORK_META)):
        _page_tags(dl, meta)
    groups = [el for el in outermost(root.xpath(_PAGE_PREFACE)) if el not in chapters]
    preface = next((g for g in groups if not _has_class(g, "afterword") and not _has_class(g, "chapter")), None)
    notes: list[str] = []
    if preface is not None:
        title = preface.xpath(f".//h2[{_class_test('title')}]")
        if title and not meta.title:
            meta.title = element_text(title[0]) or None
        for byline in outermost(preface.xpath(f".//*[{_class_test('byline')}]")):
            names = [element_text(a) for a in byline.xpath(".//a[@rel='author']")]
            add_unique(meta.authors, names or [re.sub(r"^by\s+", "", element_text(byline), flags=re.IGNORECASE)])
        # Each subtree once: asking each quote for its ancestors was quadratic in unclosed divs.
        summary = {el for div in outermost(preface.xpath(f".//div[{_class_test('summary')}]")) for el in div.iter()}
        for quote in _quotes(preface):
            text = _blocks_text(quote)
            if quote in summary:
                meta.summary = meta.summary or text
            else:
                notes.append(text)
            scan_notes(text, meta)
    for group in groups:
        if group is preface:
            continue
        for quote in _quotes(group):
            text = _blocks_text(quote)
            notes.append(text)
            scan_notes(text, meta)
    if notes:
        meta.notes = "\n\n".join([meta.notes, *notes] if meta.notes else notes)


def page_chapter_groups(root: lxml.etree._Element, meta: Metadata) -> list[tuple[str | None, list[Block]]]:
    """The chapters of a saved work page: each ``div.chapter`` in div#chapters, titled by its
    ``h3.title`` ("Chapter 1: Rain", a heading paragraph as in a download), its story the
    ``div.userstuff`` without the "Chapter Text" landmark; a one-chapter work's ``div.userstuff``
    straight in div#chapters, untitled. Chapter summaries and notes only feed declarations."""
    containers = _within(root, "chapters")
    groups: list[tuple[str | None, list[Block]]] = []
    for container in containers:
        # Children only: a story's own markup (a work skin's classes) may say "chapter" too.
        chapters = container.xpath(f"./div[{_class_test('chapter')} and not({_class_test('preface')})]")
        for chapter in chapters or [container]:
            prefaces = chapter.xpath(f"./div[{_class_test('preface')}]")
            in_preface = {el for p in prefaces for el in p.iter()}
            heading = next(iter(h for p in prefaces for h in p.xpath(f".//h3[{_class_test('title')}]")), None)
            title = element_text(heading) if heading is not None and chapters else ""
            blocks = [Block(title, 2)] if title else []
            bodies = [b for b in outermost(chapter.xpath(f".//div[{_class_test('userstuff')}]")) if b not in in_preface]
            for body in bodies:
                for landmark in body.xpath(f".//h3[{_class_test('landmark')}]"):
                    landmark.drop_tree()
                blocks.extend(extract_blocks(body))
            for quote in outermost(q for p in prefaces for q in _quotes(p)):
                scan_notes(_blocks_text(quote), meta)
            groups.append((title or None, blocks))
    return groups or [(None, [])]


def read_work_page(root: lxml.etree._Element, *, encoding: str | None = None, meta: Metadata | None = None) -> Work:
    """A ``Work`` from a parsed AO3 work page saved from a browser (see ``is_work_page``)."""
    meta = meta if meta is not None else Metadata()
    chapters = {el for div in _within(root, "chapters") for el in div.iter()}
    parse_page_preface(root, meta, chapters)
    groups = page_chapter_groups(root, meta)
    return work_from_groups(groups, meta, source_format="ao3-html", encoding=encoding, header=False)


def read_ao3(root: lxml.etree._Element, *, encoding: str | None = None, meta: Metadata | None = None) -> Work:
    """A ``Work`` from a parsed AO3 HTML download, or a saved work page (``meta``: what is
    already known, e.g. its ``<details>`` notes)."""
    if is_work_page(root):
        return read_work_page(root, encoding=encoding, meta=meta)
    meta = meta if meta is not None else Metadata()
    parse_preface(root, meta)
    groups = chapter_groups(root, meta)
    return work_from_groups(groups, meta, source_format="ao3-html", encoding=encoding, header=False)
