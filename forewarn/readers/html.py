"""Generic HTML pages, and the ``Work`` the HTML, AO3 and EPUB readers build from blocks.

We rebuild the text from block elements (``forewarn.readers.blocks``) and join paragraphs
with a blank line, recording each paragraph's span while building, so offsets are exact by
construction rather than found again by searching.
"""

from __future__ import annotations

import codecs
import copy
import re

import lxml.etree
import lxml.html

from forewarn.readers.blocks import Block, element_text, extract_blocks, outermost, tag_name
from forewarn.readers.text import build_chapters, heading_title, is_front_matter, is_preface, scan_lines, scan_notes
from forewarn.work import Chapter, Emphasis, Metadata, ReadError, Span, Work

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_CHAPTERISH = re.compile(r"\b(?:chapter|prologue|epilogue)\b", re.IGNORECASE)
# Characters XML cannot hold. lxml's HTML parser keeps them in the tree, but its setters refuse
# them: a stray one (a control byte in a 2003 page) in a tail that ``drop_tree`` moves made the
# whole page "cannot read html input: ValueError". Form feed and vertical tab are spaces; the
# rest show as nothing in a browser.
_SPACES_FOR_XML = str.maketrans("\x0b\x0c", "  ")
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """The ``<meta charset>`` an HTML file declares in its first 4 KB.

    A UTF-16 (or -32) declaration means UTF-8, as in the HTML standard: a meta tag
    readable as ASCII is not UTF-16, and real UTF-16 shows in the bytes (BOM, NULs).
    """
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii")
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return name  # decode() skips a hint it cannot use
    return "utf-8" if codec.startswith(("utf-16", "utf-32")) else name


class NestingError(ReadError):
    """HTML nested deeper than lxml can parse: part of its text would be lost."""


def parse_document(markup: str) -> lxml.etree._Element:
    """Parse HTML/XHTML leniently; unclosed or stray tags are fine.

    Old fic pages leave a ``<font>`` open per paragraph, so nesting runs deep: without
    ``huge_tree`` lxml drops everything below 255 levels, and even with it, below 2,048.
    """
    markup = _XML_DECL.sub("", markup, count=1)
    markup = _NOT_XML.sub("", markup.translate(_SPACES_FOR_XML))
    if not markup.strip():
        raise ReadError("empty file: nothing to scan")
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(markup, parser=parser)
    except (lxml.etree.ParserError, ValueError) as err:
        raise ReadError(f"cannot parse HTML: {err}") from None
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        raise NestingError("cannot read HTML: tags are nested too deeply (thousands of unclosed tags?)")
    return root


def take_details(root: lxml.etree._Element, meta: Metadata) -> None:
    """Read the author's collapsed ``<details>`` blocks as notes, and leave them in the story.

    Authors hide detailed warnings behind such a toggle, so their text goes to ``meta.notes``
    and is read for declarations like AO3's notes (``scan_notes``). But they also hide the
    skippable scene itself, or drabbles: taken out of the story, three 90-word self-harm
    drabbles gave no warning. The story keeps them (``Block.collapsed`` marks their
    paragraphs, ``Work.collapsed`` their spans, one per toggle); their declaration lines are
    blanked for scoring like other declarations.
    """
    notes: list[str] = []
    for el in outermost(el for el in root.iter() if tag_name(el) == "details"):
        text = "\n\n".join(b.text for b in extract_blocks(el))
        if text:
            notes.append(text)
            scan_notes(text, meta)
    if notes:
        meta.notes = "\n\n".join([meta.notes, *notes] if meta.notes else notes)


def collapsed_spans(
    groups: list[tuple[str | None, list[Block]]], chapters: list[Chapter]
) -> tuple[list[Span], list[Span]]:
    """The toggles of ``join_groups(groups)``'s text: one span per outermost ``<details>``, from
    its first ``collapsed`` paragraph to its last, and the paragraph that is each one's label
    (its ``<summary>``), when it has one. Recorded per paragraph, three drabbles in adjacent
    toggles were one block with one summary."""
    blocks = [b for _, group in groups for b in group]
    spans = [p for c in chapters for p in c.paragraphs]
    toggles: list[Span] = []
    labels: list[Span] = []
    inside = False  # the previous paragraph is in the last toggle
    for block, span in zip(blocks, spans, strict=True):
        if not block.collapsed:
            inside = False
            continue
        if block.toggle or not inside:
            toggles.append(span)
        else:
            toggles[-1] = Span(toggles[-1].start, span.end)
        if block.summary == 1 and not (labels and labels[-1].start >= toggles[-1].start):
            labels.append(span)
        inside = True
    return toggles, labels


def emphasis_spans(groups: list[tuple[str | None, list[Block]]], chapters: list[Chapter]) -> list[Emphasis]:
    """The blocks' emphasis (``Block.emphasis``) as offsets into ``join_groups(groups)``'s text."""
    blocks = [b for _, group in groups for b in group]
    spans = [p for c in chapters for p in c.paragraphs]
    return [
        Emphasis(span.start + e.start, span.start + e.end, e.kind)
        for block, span in zip(blocks, spans, strict=True)
        for e in block.emphasis
    ]


def preface_end(text: str, chapters: list[Chapter]) -> int:
    """Where the first chapter's heading starts when a preface was folded into it (see
    ``fold_front_matter``), else 0: ``scan_lines`` reads the lines before it as the preface."""
    first = chapters[0] if chapters else None
    if first is None or first.title is None:
        return 0
    title = first.title.split("\n")[0]
    return next((p.start for p in first.paragraphs if text[p.start : p.end].split("\n")[0] == title), 0)


def work_from_groups(
    groups: list[tuple[str | None, list[Block]]],
    meta: Metadata,
    *,
    source_format: str,
    encoding: str | None,
    header: bool = True,
    fold_preface: bool = False,
    notices: list[str] | None = None,
) -> Work:
    """The ``Work`` of chapter groups, for the HTML, AO3 and EPUB readers alike: the joined text,
    where the author's collapsed blocks are, and which lines were read as declarations or
    metadata (``scan_lines`` fills ``meta``; scoring later blanks exactly those lines)."""
    text, chapters = join_groups(groups)
    collapsed, summaries = collapsed_spans([g for g in groups if g[1]], chapters)
    emphasis = emphasis_spans([g for g in groups if g[1]], chapters)
    preface = preface_end(text, chapters) if fold_preface else 0
    spans = scan_lines(text, meta, header=header, preface=preface, notes=collapsed)
    return Work(
        text=text,
        chapters=chapters,
        metadata=meta,
        source_format=source_format,
        encoding=encoding,
        notices=notices or [],
        meta_spans=spans,
        collapsed=collapsed,
        collapsed_summaries=summaries,
        emphasis=emphasis,
    )


def join_groups(groups: list[tuple[str | None, list[Block]]]) -> tuple[str, list[Chapter]]:
    """Join chapters of blocks into one text with exact paragraph spans.

    Paragraphs are separated by a blank line; empty groups are dropped.
    """
    parts: list[str] = []
    spans: list[Span] = []
    starts: list[tuple[int, str | None]] = []
    pos = 0
    for title, blocks in groups:
        if not blocks:
            continue
        starts.append((len(spans), title))
        for block in blocks:
            if parts:
                parts.append("\n\n")
                pos += 2
            parts.append(block.text)
            spans.append(Span(pos, pos + len(block.text)))
            pos += len(block.text)
    text = "".join(parts)
    return text, build_chapters(text, spans, starts)


def split_by_headings(blocks: list[Block]) -> list[tuple[str | None, list[Block]]]:
    """Chapters of a single HTML page: h1-h3 "Chapter ..." headings start them, and lines that
    read as one ("Part two"). Not a toggle's ``<summary>``: that is the toggle's label, and
    "Part two" over a collapsed scene made a chapter of it."""
    groups: list[tuple[str | None, list[Block]]] = [(None, [])]
    for block in blocks:
        first_line = block.text.split("\n", 1)[0]
        if not block.summary and (
            (1 <= block.heading <= 3 and _CHAPTERISH.search(first_line))
            or (block.heading == 0 and "\n" not in block.text and heading_title(block.text))
        ):
            groups.append((first_line, [block]))
        else:
            groups[-1][1].append(block)
    return fold_front_matter(groups)


def fold_front_matter(groups: list[tuple[str | None, list[Block]]]) -> list[tuple[str | None, list[Block]]]:
    """Put a leading untitled group of only title/header/note lines, or a short preface before
    "Chapter 1" (see ``is_preface``), into the first chapter.

    Otherwise "<h1>Title</h1><h2>Chapter 1</h2>" reports "Chapter 1" as chapter 2.
    """
    if len(groups) < 2 or groups[0][0] is not None:
        return groups
    lead = groups[0][1]
    prose = [b.text for b in lead if not b.heading and not all(is_front_matter(ln) for ln in b.text.split("\n"))]
    if prose and not is_preface(prose, groups[1][0]):
        return groups
    title, blocks = groups[1]
    return [(title, [*lead, *blocks]), *groups[2:]]


def page_title(root: lxml.etree._Element) -> str | None:
    """The work's title: the first ``<h1>`` unless it is a chapter heading, else ``<title>``.

    A page's own non-chapter ``<h1>`` is cleaner than ``<title>``, which often carries
    a site name ("Night Train - MySite"); an ``<h1>`` like "Chapter 1:" is never the title.
    """
    h1 = root.xpath("//h1")
    heading = element_text(h1[0]) if h1 else ""
    if heading and not _CHAPTERISH.search(heading) and heading_title(heading) is None:
        return heading
    found = root.xpath("//title")
    title = element_text(found[0]) if found else ""
    return title or None


def read_html_document(markup: str, *, encoding: str | None = None) -> Work:
    """A ``Work`` from an HTML page; AO3 downloads get their own reader.

    If the AO3 reader keeps under half of the page's text outside the preface and
    notes, the page only looked like AO3: it is read as a generic page instead.
    """
    from forewarn.readers import ao3

    root = parse_document(markup)
    meta = Metadata()
    take_details(root, meta)
    if ao3.is_ao3(root):
        work = ao3.read_ao3(copy.deepcopy(root), encoding=encoding, meta=copy.deepcopy(meta))  # it drops notes
        if 2 * work.word_count >= ao3.story_words(root):
            return work
    groups = split_by_headings(extract_blocks(root))
    work = work_from_groups(groups, meta, source_format="html", encoding=encoding, fold_preface=True)
    meta.title = meta.title or page_title(root)
    return work
