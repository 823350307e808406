"""A paragraph of the work as the reading mode shows it: its text escaped, the source's italics
and bold (``Work.emphasis``) as ``<em>`` and ``<strong>``, its line breaks as ``<br>``, and
empty anchors where passages start. The work's text is never markup: only these tags are
added, around escaped text, and they always nest."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from html import escape

from forewarn.work import Emphasis


class Inline:
    """Renders pieces of ``text``; the emphasis is sorted once per work."""

    def __init__(self, text: str, emphasis: Sequence[Emphasis], *, line_breaks: bool) -> None:
        self.text = text
        self.emphasis = sorted((e for e in emphasis if e.start < e.end), key=lambda e: e.start)
        self.starts = [e.start for e in self.emphasis]
        self.longest = max((e.end - e.start for e in self.emphasis), default=0)
        self.line_breaks = line_breaks

    def html(self, lo: int, hi: int, anchors: Sequence[tuple[int, str]] = ()) -> str:
        """``text[lo:hi]`` as HTML, with an empty ``<span class="passage" id>`` per anchor
        ``(offset, id)`` (offsets in ``[lo, hi]``, in order). Emphasis is cut to the piece and
        nested as in the source (an outer span first); where it changes, the tags that no longer
        apply are closed, with any opened inside them, so that tags nest even when hand-made
        spans cross."""
        found = self.emphasis[bisect_left(self.starts, lo - self.longest) : bisect_left(self.starts, hi)]
        spans = [e for e in found if e.end > lo]
        edges = [max(e.start, lo) for e in spans] + [min(e.end, hi) for e in spans]
        points = sorted({lo, hi, *edges, *(at for at, _ in anchors)})
        out: list[str] = []
        opened: list[str] = []
        k = 0
        for i, at in enumerate(points):
            active = sorted((e for e in spans if e.start <= at < e.end), key=lambda e: (e.start, -e.end))
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
            if i + 1 < len(points):
                out.append(self._text(at, points[i + 1]))
        return "".join(out)

    def _text(self, lo: int, hi: int) -> str:
        piece = escape(self.text[lo:hi], quote=True)
        return piece.replace("\n", "<br>") if self.line_breaks else piece
