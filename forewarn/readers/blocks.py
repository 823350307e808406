"""Block text extraction from an HTML tree, shared by the HTML, AO3 and EPUB readers.

Inline runs become paragraphs at block boundaries; whitespace is collapsed as a browser
would, and only ``<br>`` (and ``<pre>``) break lines inside a paragraph.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

import lxml.etree

from forewarn.work import Emphasis, EmphasisKind

# fmt: off
BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "main", "body", "html",
    "header", "footer", "aside", "figure", "figcaption", "center", "address", "details",
    "summary", "table", "thead", "tbody", "tr", "td", "th",
})
SKIP_TAGS = frozenset({
    "script", "style", "nav", "head", "noscript", "template", "svg", "iframe", "form",
    "button", "select", "textarea", "object", "embed", "canvas", "math", "title",
})
# fmt: on
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Inline elements whose text a browser shows in italics ("em") or bold ("strong").
_EMPHASIS: dict[str, EmphasisKind] = {"em": "em", "i": "em", "strong": "strong", "b": "strong"}
_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_NONSPACE = re.compile(r"\S")  # what str.strip() and split() keep: the same whitespace


@dataclass(frozen=True)
class Block:
    """One paragraph of extracted text; ``heading`` is 1-6 for h1-h6, else 0; ``collapsed``:
    inside a ``<details>`` block (a toggle), ``toggle``: the first paragraph of an outermost
    one (adjacent toggles are separate blocks); ``summary``: inside a ``<summary>``, the depth
    of its ``<details>`` (1: the label of an outermost toggle), else 0; ``emphasis``: its
    italics and bold, as offsets into ``text``."""

    text: str
    heading: int = 0
    collapsed: bool = False
    toggle: bool = False
    summary: int = 0
    emphasis: tuple[Emphasis, ...] = ()


def tag_name(el: lxml.etree._Element) -> str:
    """Lower-case local tag name ('' for comments and processing instructions)."""
    if not isinstance(el.tag, str):
        return ""
    # Not QName: the HTML parser accepts tag names QName would reject.
    return el.tag.rsplit("}", 1)[-1].lower()


def element_text(el: lxml.etree._Element) -> str:
    """Text of an element with whitespace collapsed (for titles and tag lists)."""
    return _SPACE.sub(" ", "".join(el.itertext())).strip()


def outermost(found: Iterable[lxml.etree._Element]) -> list[lxml.etree._Element]:
    """Those of ``found`` (elements in document order) inside none of the others.

    Checking each one's ancestors, or XPath's "//x//y", made thousands of unclosed tags
    quadratic (seconds to minutes for 200 KB): here each subtree is walked once, as the
    outermost elements' subtrees are disjoint.
    """
    outer: list[lxml.etree._Element] = []
    covered: set[lxml.etree._Element] = set()
    for el in found:
        if el not in covered:
            outer.append(el)
            covered.update(el.iter())
    return outer


_Step = tuple[str, lxml.etree._Element, int, bool]  # ("open" | "tail" | "close", element, heading, pre)


def _paragraphs(raw: str, pre: bool) -> list[str]:
    """The paragraphs of an inline run: its lines (whitespace collapsed unless ``pre``),
    split at blank lines."""
    lines = raw.split("\n")
    if not pre:
        lines = [_SPACE.sub(" ", ln).strip() for ln in lines]
    texts: list[str] = []
    para: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            para.append(line.rstrip())
        elif para:
            texts.append("\n".join(para).strip())
            para = []
    return texts


def _place(raw: str, texts: list[str], marks: list[tuple[int, int, EmphasisKind]]) -> list[tuple[Emphasis, ...]]:
    """The emphasis ranges ``marks`` of ``raw`` as offsets into each of its paragraphs ``texts``
    (``_paragraphs(raw)``), without whitespace at their ends; a range across paragraphs is cut
    at each. ``_paragraphs`` only drops or collapses whitespace, so the other characters are
    the same, in order, in ``raw`` and in ``texts``: they place each range."""
    srcs: list[Sequence[int]]  # per paragraph: where its characters are in ``raw``
    outs: list[Sequence[int]]  # and in the paragraph
    starts = _verbatim(raw, texts)
    if starts is not None:  # the usual paragraph: its text is in ``raw`` as it is
        srcs = [range(at, at + len(t)) for at, t in zip(starts, texts, strict=True)]
        outs = [range(len(t)) for t in texts]
    else:
        src = [m.start() for m in _NONSPACE.finditer(raw)]
        outs = [[m.start() for m in _NONSPACE.finditer(t)] for t in texts]
        if len(src) != sum(len(out) for out in outs):  # cannot happen; never a wrong offset if it does
            return [()] * len(texts)
        cuts = [0, *accumulate(len(out) for out in outs)]
        srcs = [src[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    placed: list[tuple[Emphasis, ...]] = []
    for text, src_i, out in zip(texts, srcs, outs, strict=True):
        found = []
        for a, b, kind in marks:
            lo, hi = bisect_left(src_i, a), bisect_left(src_i, b)
            while lo < hi and text[out[lo]].isspace():
                lo += 1
            while lo < hi and text[out[hi - 1]].isspace():
                hi -= 1
            if lo < hi:
                found.append(Emphasis(out[lo], out[hi - 1] + 1, kind))
        placed.append(tuple(sorted(found, key=lambda e: (e.start, -e.end))))
    return placed


def _verbatim(raw: str, texts: list[str]) -> list[int] | None:
    """Where each of ``texts`` starts in ``raw`` if each is there as it is, else None."""
    starts, at = [], 0
    for text in texts:
        found = _NONSPACE.search(raw, at)
        if found is None or not raw.startswith(text, found.start()):
            return None
        starts.append(found.start())
        at = found.start() + len(text)
    return starts


class _Extractor:
    """Walks a tree, turning inline runs into paragraphs at block boundaries."""

    def __init__(self, skip: frozenset[str]) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.buffered = 0  # characters in ``buffer``
        self.skip = skip
        self.collapsed = 0  # open <details> elements
        self.summaries: list[int] = []  # the depth of the <details> of each open <summary> (0: none)
        self.toggle = False  # an outermost <details> is open and none of its paragraphs taken yet
        self.marks: list[tuple[int, int, EmphasisKind]] = []  # emphasis ended in ``buffer``: start, end, kind
        # Open emphasis elements opened in this paragraph: kind, start in ``buffer``.
        self.emphasis: list[tuple[EmphasisKind, int]] = []
        # Those opened before it (outer first), which cover all of it, and how many of each kind:
        # one range per kind, where listing each made 1,900 nested <b> over 1,000 paragraphs
        # 1.9 million ranges (30 s for 42 KB).
        self.around: list[EmphasisKind] = []
        self.around_kinds: dict[EmphasisKind, int] = {}

    def add(self, text: str) -> None:
        """Append ``text`` to ``buffer``, counting it: summing the buffer at each emphasis
        element made a paragraph of many (a page of ``<br>`` lines in italics) quadratic, 17,000
        ``<b>`` in 200 KB took 15 s."""
        self.buffer.append(text)
        self.buffered += len(text)

    def flush(self, heading: int = 0, pre: bool = False) -> None:
        if not self.buffer:  # at most open emphasis, which starts at 0 either way
            self.carry()
            return
        raw = "".join(self.buffer)
        marks = self.marks + [(0, len(raw), kind) for kind in self.around_kinds]
        marks += [(start, len(raw), kind) for kind, start in self.emphasis]
        self.buffer, self.marks, self.buffered = [], [], 0
        self.carry()
        texts = _paragraphs(raw, pre)
        summary = self.summaries[-1] if self.summaries else 0
        placed = _place(raw, texts, marks) if marks else [()] * len(texts)
        for text, emphasis in zip(texts, placed, strict=True):
            self.blocks.append(Block(text, heading, self.collapsed > 0, self.toggle, summary, emphasis))
            self.toggle = False

    def carry(self) -> None:
        """The open emphasis elements go on in the next paragraph, all of which they cover."""
        for kind, _ in self.emphasis:
            self.around.append(kind)
            self.around_kinds[kind] = self.around_kinds.get(kind, 0) + 1
        self.emphasis = []

    def walk(self, root: lxml.etree._Element) -> None:
        """Visit ``root`` in document order with a stack: trees run 2,000 levels deep."""
        todo: list[_Step] = [("open", root, 0, False)]
        while todo:
            step, el, heading, pre = todo.pop()
            if step == "tail":
                if el.tail:
                    self.add(self._clean(el.tail, pre))
            elif step == "close":
                self.close(tag_name(el), heading, pre)
            else:
                todo.extend(self.open(el, heading, pre))

    def open(self, el: lxml.etree._Element, heading: int, pre: bool) -> list[_Step]:
        """Start ``el``; return its remaining steps, last first (they go on a stack)."""
        name = tag_name(el)
        if name in self.skip or not name:
            return []
        if name == "br":
            self.add("\n")
            return []
        block = name in BLOCK_TAGS
        level = _HEADINGS.get(name, heading)
        in_pre = pre or name == "pre"
        if block:
            self.flush(heading, pre)
        if name == "details":
            self.collapsed += 1
            self.toggle = self.toggle or self.collapsed == 1
        elif name == "summary":
            self.summaries.append(self.collapsed)
        elif name in _EMPHASIS:
            self.emphasis.append((_EMPHASIS[name], self.buffered))
        if el.text:
            self.add(self._clean(el.text, in_pre))
        steps: list[_Step] = [("close", el, level, in_pre)] if block or name in _EMPHASIS else []
        for child in reversed(el):
            steps += [("tail", child, level, in_pre), ("open", child, level, in_pre)]
        return steps

    def close(self, name: str, heading: int, pre: bool) -> None:
        """End a block element ``name`` (its text is flushed) or an emphasis element."""
        if name in _EMPHASIS:
            if self.emphasis:
                kind, start = self.emphasis.pop()
            else:  # opened before this paragraph
                kind, start = self.around.pop(), 0
                self.around_kinds[kind] -= 1
                if not self.around_kinds[kind]:
                    del self.around_kinds[kind]
            end = self.buffered
            if end > start:
                self.marks.append((start, end, kind))
            return
        self.flush(heading, pre)
        if name == "details":
            self.collapsed -= 1
            self.toggle = self.toggle and self.collapsed > 0  # an empty toggle starts no paragraph
        elif name == "summary":
            self.summaries.pop()

    @staticmethod
    def _clean(text: str, pre: bool) -> str:
        # Source newlines are just spaces in HTML; only <br> (and <pre>) break lines.
        return text if pre else _SPACE.sub(" ", text)


def extract_blocks(root: lxml.etree._Element, *, skip: frozenset[str] = SKIP_TAGS) -> list[Block]:
    """Paragraph blocks of ``root`` in document order."""
    ex = _Extractor(skip)
    ex.walk(root)
    ex.flush()
    return ex.blocks
