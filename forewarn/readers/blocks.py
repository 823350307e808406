"""Block text extraction from an HTML tree, shared by the HTML, AO3 and EPUB readers.

Inline runs become paragraphs at block boundaries; whitespace is collapsed as a browser
would, and only ``<br>`` (and ``<pre>``) break lines inside a paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.etree

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
_SPACE = re.compile(r"[ \t\n\r\f\v]+")


@dataclass(frozen=True)
class Block:
    """One paragraph of extracted text; ``heading`` is 1-6 for h1-h6, else 0; ``collapsed``:
    inside a ``<details>`` block (a toggle), ``toggle``: the first paragraph of an outermost
    one (adjacent toggles are separate blocks); ``summary``: inside a ``<summary>``, the depth
    of its ``<details>`` (1: the label of an outermost toggle), else 0."""

    text: str
    heading: int = 0
    collapsed: bool = False
    toggle: bool = False
    summary: int = 0


def tag_name(el: lxml.etree._Element) -> str:
    """Lower-case local tag name ('' for comments and processing instructions)."""
    if not isinstance(el.tag, str):
        return ""
    # Not QName: the HTML parser accepts tag names QName would reject.
    return el.tag.rsplit("}", 1)[-1].lower()


def element_text(el: lxml.etree._Element) -> str:
    """Text of an element with whitespace collapsed (for titles and tag lists)."""
    return _SPACE.sub(" ", "".join(el.itertext())).strip()


_Step = tuple[str, lxml.etree._Element, int, bool]  # ("open" | "tail" | "close", element, heading, pre)


class _Extractor:
    """Walks a tree, turning inline runs into paragraphs at block boundaries."""

    def __init__(self, skip: frozenset[str]) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.skip = skip
        self.collapsed = 0  # open <details> elements
        self.summaries: list[int] = []  # the depth of the <details> of each open <summary> (0: none)
        self.toggle = False  # an outermost <details> is open and none of its paragraphs taken yet

    def flush(self, heading: int = 0, pre: bool = False) -> None:
        raw = "".join(self.buffer)
        self.buffer = []
        lines = raw.split("\n")
        if not pre:
            lines = [_SPACE.sub(" ", ln).strip() for ln in lines]
        para: list[str] = []
        for line in [*lines, ""]:
            if line.strip():
                para.append(line.rstrip())
            elif para:
                summary = self.summaries[-1] if self.summaries else 0
                text = "\n".join(para).strip()
                self.blocks.append(Block(text, heading, self.collapsed > 0, self.toggle, summary))
                self.toggle = False
                para = []

    def walk(self, root: lxml.etree._Element) -> None:
        """Visit ``root`` in document order with a stack: trees run 2,000 levels deep."""
        todo: list[_Step] = [("open", root, 0, False)]
        while todo:
            step, el, heading, pre = todo.pop()
            if step == "tail":
                if el.tail:
                    self.buffer.append(self._clean(el.tail, pre))
            elif step == "close":
                self.flush(heading, pre)
                self.close(tag_name(el))
            else:
                todo.extend(self.open(el, heading, pre))

    def open(self, el: lxml.etree._Element, heading: int, pre: bool) -> list[_Step]:
        """Start ``el``; return its remaining steps, last first (they go on a stack)."""
        name = tag_name(el)
        if name in self.skip or not name:
            return []
        if name == "br":
            self.buffer.append("\n")
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
        if el.text:
            self.buffer.append(self._clean(el.text, in_pre))
        steps: list[_Step] = [("close", el, level, in_pre)] if block else []
        for child in reversed(el):
            steps += [("tail", child, level, in_pre), ("open", child, level, in_pre)]
        return steps

    def close(self, name: str) -> None:
        """End a block element ``name`` (its text is flushed)."""
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
