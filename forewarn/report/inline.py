"""A paragraph of the work as the reading mode shows it: its text escaped, the source's italics
and bold (``Work.emphasis``) as ``<em>`` and ``<strong>``, without the Markdown markers that
wrote them (``Emphasis.markers``), its line breaks as ``<br>`` (but a plain text's hard wraps,
see ``hard_wraps``), and empty anchors where passages start. The work's text is never markup:
only these tags are added, around escaped text, and they always nest; the markers are the only
text left out."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Sequence
from html import escape

from forewarn.work import Emphasis, Span

# Narrower text is written line by line (a poem, lyrics, text messages), not wrapped to a width.
_MIN_WRAP = 50


def hard_wraps(text: str, paragraphs: Iterable[Span]) -> frozenset[int]:
    """The newlines of ``text``'s paragraphs that are hard wraps, not line breaks: a plain text
    wrapped to a width (FanFicFare's, Project Gutenberg's) reflows; every other newline inside
    a paragraph is a line break (a poem, song lyrics, a text-message exchange, a header block).

    The width is the work's: its longest lines but a few (the 95th percentile of the lengths of
    the lines that a newline ends), at least 50 characters. A paragraph is wrapped when each of
    its lines is full: the next line's first word would not have fitted after it. Lines
    written one by one are rarely all full, so they keep their breaks."""
    found: list[tuple[int, list[str]]] = []  # paragraphs of several lines: start, lines
    ended: list[int] = []  # lengths of the lines that a newline ends
    for span in paragraphs:
        chunk = text[span.start : span.end]
        if "\n" in chunk:
            found.append((span.start, chunk.split("\n")))
            ended += [len(line.rstrip()) for line in found[-1][1][:-1]]
    if not ended:
        return frozenset()
    width = sorted(ended)[int(0.95 * (len(ended) - 1))]
    if width < _MIN_WRAP:
        return frozenset()
    wraps: set[int] = set()
    for start, lines in found:
        firsts = [(line.split() or [""])[0] for line in lines[1:]]
        if all(len(line.rstrip()) + 1 + len(first) > width for line, first in zip(lines, firsts, strict=False)):
            at = start
            for line in lines[:-1]:
                at += len(line)
                wraps.add(at)
                at += 1
    return frozenset(wraps)


def _markers(spans: Iterable[Emphasis]) -> list[tuple[int, int]]:
    """The ranges of the spans' markers (``Emphasis.markers`` at each end), which the reading mode
    leaves out; none for a span that would be left empty (a hand-made one)."""
    return [
        r
        for e in spans
        if 0 < 2 * e.markers < e.end - e.start
        for r in ((e.start, e.start + e.markers), (e.end - e.markers, e.end))
    ]


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """``ranges`` as sorted, disjoint ranges covering the same offsets."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


class Inline:
    """Renders pieces of ``text``; the emphasis is sorted once per work. A newline is a ``<br>``
    unless it is one of ``wraps`` (hard wraps, shown as the space they stand for)."""

    def __init__(self, text: str, emphasis: Sequence[Emphasis], *, wraps: Collection[int] = frozenset()) -> None:
        self.text = text
        self.emphasis = sorted((e for e in emphasis if e.start < e.end), key=lambda e: e.start)
        self.starts = [e.start for e in self.emphasis]
        self.longest = max((e.end - e.start for e in self.emphasis), default=0)
        self.wraps = wraps

    def html(self, lo: int, hi: int, anchors: Sequence[tuple[int, str]] = ()) -> str:
        """``text[lo:hi]`` as HTML, with an empty ``<span class="passage" id>`` per anchor
        ``(offset, id)`` (offsets in ``[lo, hi]``, in order). Emphasis is cut to the piece and
        nested as in the source (an outer span first); where it changes, the tags that no longer
        apply are closed, with any opened inside them, so that tags nest even when hand-made
        spans cross."""
        found = self.emphasis[bisect_left(self.starts, lo - self.longest) : bisect_left(self.starts, hi)]
        # Outermost first; swept once: the spans open at each point were found anew for each
        # point, and the markers likewise, so a paragraph of 16,000 "*a*" took 146 s.
        spans = sorted((e for e in found if e.end > lo), key=lambda e: (e.start, -e.end))
        hidden = _markers(spans)
        edges = [at for a, b in [*((e.start, e.end) for e in spans), *hidden] for at in (a, b) if lo < at < hi]
        points = sorted({lo, hi, *edges, *(at for at, _ in anchors)})
        gaps = _merged(hidden)
        gap_starts = [a for a, _ in gaps]
        out: list[str] = []
        opened: list[str] = []
        active: list[Emphasis] = []
        k = n = 0
        for i, at in enumerate(points):
            while n < len(spans) and spans[n].start <= at:
                active.append(spans[n])
                n += 1
            active = [e for e in active if at < e.end]  # still in (start, -end) order
            want: list[str] = list(dict.fromkeys(e.kind for e in active)) if at < hi else []  # outermost first
            keep = 0  # the tags open now that stay open
            while keep < min(len(opened), len(want)) and opened[keep] == want[keep]:
                keep += 1
            out += [f"</{tag}>" for tag in reversed(opened[keep:])]
            while k < len(anchors) and anchors[k][0] <= at:
                out.append(f'<span class="passage" id="{escape(anchors[k][1])}"></span>')
                k += 1
            out += [f"<{tag}>" for tag in want[keep:]]
            opened = want
            g = bisect_right(gap_starts, at) - 1
            if i + 1 < len(points) and not (g >= 0 and at < gaps[g][1]):  # not in a marker
                out.append(self._text(at, points[i + 1]))
        return "".join(out)

    def plain(self, lo: int, hi: int) -> str:
        """``text[lo:hi]`` as text, its hard wraps as spaces (for a quote, which shows newlines)."""
        return "".join("\n" if part is None else part.replace("\n", " ") for part in self._lines(lo, hi))

    def _text(self, lo: int, hi: int) -> str:
        return "".join("<br>" if part is None else escape(part, quote=True) for part in self._lines(lo, hi))

    def _lines(self, lo: int, hi: int) -> list[str | None]:
        """``text[lo:hi]`` in pieces, a line break as None between them (a hard wrap stays in its
        piece, a newline that HTML shows as a space)."""
        parts: list[str | None] = []
        at = lo
        newline = self.text.find("\n", lo, hi)
        while newline >= 0:
            if newline not in self.wraps:
                parts += [self.text[at:newline], None]
                at = newline + 1
            newline = self.text.find("\n", newline + 1, hi)
        parts.append(self.text[at:hi])
        return parts
