"""The reading mode: the work itself, chapter by chapter, its flagged passages in blocks that
the reader's chosen warnings collapse behind notices (with CSS that does it without
JavaScript), the author's own collapsed blocks kept collapsed, and the paragraphs as
``forewarn.report.inline`` renders them."""

from __future__ import annotations

import re
from bisect import bisect_right

from forewarn.aggregate import SEVERITIES
from forewarn.pipeline import Report
from forewarn.readers.text import SETEXT_UNDERLINE, heading_lines_title, heading_title
from forewarn.report.html_common import _chapter_name, _e, _lang
from forewarn.report.inline import Inline, hard_wraps
from forewarn.split import Passage
from forewarn.work import Span, chapter_number

_BLANK = re.compile(r"\n\s*\n")
_ID = re.compile(r"[a-z0-9-]+")
# Formats whose readers make a newline only of <br> (and <pre> lines): none is a hard wrap.
_LINE_BREAK_FORMATS = {"html", "ao3-html", "epub"}


def _runs(report: Report, flags: dict[int, list[str]]) -> list[list[Passage]]:
    """Consecutive flagged passages of one chapter as one run (one notice, one skip), and the
    unflagged passages between them as one run too (a paragraph cut across passages is
    shown whole within a run)."""
    runs: list[list[Passage]] = []
    for p in report.passages:
        prev = runs[-1][-1] if runs else None
        if (
            prev is not None
            and (p.index in flags) == (prev.index in flags)
            and prev.chapter == p.chapter
            and prev.index == p.index - 1
        ):
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


def _run_label(run: list[Passage], ids: list[str], report: Report) -> str:
    """Which warnings a run has, each with its strongest severity in the run ("Self-harm, depicted")."""
    known: dict[str, str] = {}
    indices = {p.index for p in run}
    for w in report.warnings:
        for index, severity in zip(w.passages, w.passage_severities, strict=False):
            if index in indices and (w.id not in known or SEVERITIES.index(severity) > SEVERITIES.index(known[w.id])):
                known[w.id] = severity
    names = {w.id: w.name for w in report.warnings}
    return "; ".join(f"{names[i]}, {known[i]}" if i in known else names[i] for i in ids)


def _heading(report: Report, chapter: int) -> Span | None:
    """The span of a chapter's own heading paragraph, which its <h3> shows: the first paragraph
    whose first line is the title, as read ("Chapter 2" of "Chapter 2<br>The Knife" in a web
    page) or as cleaned ("## Chapter Two", "**Chapter 3**", "=== Chapter 4 ==="), or whose
    number and title lines are it (an EPUB's "Chapter 2: The Knife", see
    ``heading_lines_title``). Only that span is
    dropped: a body paragraph equal to the title ("Run" in the chapter "Run") is story text."""
    chapters = report.work.chapters
    if chapter >= len(chapters) or not chapters[chapter].title:
        return None
    title = (chapters[chapter].title or "").strip()
    markdown = report.work.source_format == "markdown"
    for span in chapters[chapter].paragraphs:
        block = report.work.text[span.start : span.end]
        first = block.split("\n", 1)[0].strip()
        if first == title or heading_title(first, markdown=markdown) == title or heading_lines_title(block) == title:
            return span
    return None


def _heading_html(report: Report, chapter: int, heading: Span | None) -> str:
    """The <h3>'s content: the title, with the heading's further lines (an EPUB's "Chapter
    2<br>The Knife": its subtitle was shown only in the duplicated heading paragraph)."""
    chapters = report.work.chapters
    title = chapters[chapter].title if chapter < len(chapters) else None
    if not title:
        return _e(_chapter_name(report, chapter, capital=True))
    block = report.work.text[heading.start : heading.end] if heading else ""
    more = block.split("\n")[1:]
    if more and heading_lines_title(block) == title.strip() != block.split("\n", 1)[0].strip():
        more = [line for line in more if line.strip()][1:]  # "Chapter 2" over "The Knife": in the title
    if report.work.source_format == "markdown":  # a setext heading's "===" or "---" underline
        more = [line for line in more if not SETEXT_UNDERLINE.match(line)]
    return _e(title.strip()) + "".join(f"<br>{_e(line.strip())}" for line in more if line.strip())


def _segments(report: Report, chapter: int, start: int, end: int, heading: Span | None) -> list[tuple[int, int]]:
    """``[start, end)`` of a chapter as the reader's paragraphs, offsets without surrounding
    whitespace: the chapter's paragraph spans, cut to the range, without its heading paragraph
    (``heading``, see ``_heading``) already shown as its <h3>. A paragraph that split.py cut
    across passages is one paragraph here when the range holds its pieces. Splitting at blank
    lines alone merged a text of one paragraph per line into one; text outside every span
    (there should be none) is kept, never dropped."""
    text, chapters = report.work.text, report.work.chapters
    spans = chapters[chapter].paragraphs if chapter < len(chapters) else []
    cuts, at = [], start
    for span in spans[bisect_right(spans, start, key=lambda s: s.end) :]:  # the first ending inside
        if span.start >= end:
            break
        lo, hi = max(span.start, start), min(span.end, end)
        if lo > at:
            cuts.append((at, lo))
        if span != heading:
            cuts.append((lo, hi))
        at = max(at, hi)
    cuts.append((at, end))
    out = []
    for lo, hi in cuts:
        at = lo
        for sep in [*_BLANK.finditer(text, lo, hi), None]:
            raw = text[at : sep.start() if sep else hi]
            if raw.strip():
                first = at + len(raw) - len(raw.lstrip())
                out.append((first, first + len(raw.strip())))
            if sep:
                at = sep.end()
    return out


def _collapsed_blocks(report: Report) -> list[Span]:
    """The author's collapsed blocks (``Work.collapsed``, one span per toggle), in order. Each
    toggle is its own block: adjacent ones (three drabbles in a row) are not merged."""
    return sorted(report.work.collapsed, key=lambda s: (s.start, s.end))


def _block_html(
    report: Report,
    segments: list[tuple[int, int]],
    anchors: list[tuple[int, str]],
    *,
    collapsed: list[Span],
    inline: Inline,
) -> str:
    """The segments as <p>s (``inline``: escaped, with the source's italics, bold and line
    breaks), with an empty ``<span id>`` per anchor ``(offset, id)`` where its passage starts
    (at the next paragraph when it starts between them) for links to it.

    Consecutive segments inside one of the author's ``collapsed`` blocks (``_collapsed_blocks``)
    are put in a closed ``<details class="author-collapsed">``, as the source showed them, so
    the author's spoilers are not read as open text (their text is still scanned, and hidden
    with a flagged block around it). Its summary is the toggle's own ``<summary>`` paragraph
    (``Work.collapsed_summaries``) when that is among the segments, whole, with text beside it
    (it is then shown there, not again inside), else "Collapsed by the author". Only the
    segments given are collapsed: a block crossing a flagged block's edge is collapsed on each
    side separately, never nested across it."""
    labels = {(s.start, s.end) for s in report.work.collapsed_summaries}
    paras: list[str] = []
    k = 0
    for lo, hi in segments:
        here = []
        while k < len(anchors) and anchors[k][0] < hi:
            here.append((min(max(anchors[k][0], lo), hi), anchors[k][1]))
            k += 1
        paras.append(inline.html(lo, hi, here))
    tail = "".join(f'<span class="passage" id="{key}"></span>' for _, key in anchors[k:])
    # The collapsed block each segment lies in, or None.
    inside: list[Span | None] = []
    for lo, hi in segments:
        b = bisect_right(collapsed, lo, key=lambda s: s.start) - 1
        inside.append(collapsed[b] if b >= 0 and collapsed[b].start <= lo and hi <= collapsed[b].end else None)
    en = ' lang="en"' if _lang(report) else ""
    out, i = [], 0
    while i < len(segments):
        block = inside[i]
        if block is None:
            out.append(f'<p dir="auto">{paras[i]}</p>')
            i += 1
            continue
        j = i
        while j < len(segments) and inside[j] == block:
            j += 1
        label = next((m for m in range(i, j) if segments[m] in labels), None) if j - i > 1 else None
        if label is None:
            summary = f"<summary{en}>Collapsed by the author</summary>"
        else:
            summary = f'<summary dir="auto">{paras[label]}</summary>'
        inner = "".join(f'<p dir="auto">{paras[m]}</p>' for m in range(i, j) if m != label)
        out.append(f'<details class="author-collapsed">{summary}{inner}</details>')
        i = j
    return "".join(out) + tail


def _chapter_nav(report: Report) -> str:
    """Links to each chapter of the reading mode (a long work is otherwise one scroll), numbered
    as the locations count them (an opening gets no number)."""
    chapters = report.work.chapters
    if len(chapters) < 2:
        return ""
    lang = _lang(report)
    links = []
    for c in chapters:
        number = chapter_number(chapters, c.index)
        item = '<li class="opening">' if number is None else f'<li value="{number}">'
        name = c.title or _chapter_name(report, c.index, capital=True)
        links.append(f'{item}<a href="#ch-{c.index + 1}" dir="auto"{lang if c.title else ""}>{_e(name)}</a></li>')
    return f'<nav class="chapters" aria-label="Chapters"><ol>{"".join(links)}</ol></nav>'


def _flags(report: Report) -> dict[int, list[str]]:
    """Passage index -> the ids of the warnings flagged there."""
    flags: dict[int, list[str]] = {}
    for w in report.warnings:
        for i in w.passages:
            flags.setdefault(i, []).append(w.id)
    return flags


def _run_starts(report: Report) -> dict[int, int]:
    """Flagged passage index -> the first passage of its run (its block's start marker)."""
    flags = _flags(report)
    return {p.index: run[0].index for run in _runs(report, flags) if run[0].index in flags for p in run}


def _inline(report: Report) -> Inline:
    """How the work's paragraphs are shown. HTML readers turn only <br> (and <pre> lines) into a
    newline, so each is a line break; in plain text and Markdown a newline inside a paragraph is
    one too (a poem's, a text-message exchange's: they were joined into one line), but for hard
    wraps (``hard_wraps``), which the browser reflows."""
    work = report.work
    if work.source_format in _LINE_BREAK_FORMATS:
        return Inline(work.text, work.emphasis)
    wraps = hard_wraps(work.text, (p for c in work.chapters for p in c.paragraphs))
    return Inline(work.text, work.emphasis, wraps=wraps)


def _reader(report: Report, inline: Inline) -> str:
    flags = _flags(report)
    collapsed = _collapsed_blocks(report)
    # The article is in the work's language; its markers and notices are the page's English.
    lang = _lang(report)
    en = ' lang="en"' if lang else ""
    out = []
    chapter = -1
    heading: Span | None = None
    for run in _runs(report, flags):
        first = run[0]
        if first.chapter != chapter:
            chapter = first.chapter
            heading = _heading(report, chapter)
            titled = chapter < len(report.work.chapters) and report.work.chapters[chapter].title
            out.append(
                f'<h3 class="chapter" id="ch-{chapter + 1}" dir="auto"{"" if titled else en}>'
                f"{_heading_html(report, chapter, heading)}</h3>"
            )
        segments = _segments(report, chapter, first.start, run[-1].end, heading)
        anchors = [(p.start, f"p-{p.index}") for p in run]
        body = _block_html(report, segments, anchors, collapsed=collapsed, inline=inline)
        if first.index not in flags:
            out.append(body)
            continue
        ids = list(dict.fromkeys(i for p in run for i in flags[p.index]))
        label = _e(_run_label(run, ids, report))
        n = len(segments)  # the work's paragraphs, a cut one once
        paragraphs = f"{n} paragraph{'s' if n != 1 else ''}"
        key = f"r-{first.index}"
        out.append(
            f'<section class="flagged" id="{key}" data-warnings="{_e(" ".join(ids))}" aria-label="{label}"{en}>'
            f'<p class="marker start"><strong>{label}: starts</strong> '
            f'<span class="count">({n} paragraph{"s" if n != 1 else ""})</span> '
            f'<a href="#end-{key}">Skip past it</a></p>'
            # Two wordings, one shown by the CSS as "Show it anyway" is ticked or not (display:none
            # keeps the other from screen readers too): a shown block no longer says "hidden".
            f'<p class="notice">{label}: <span class="if-hidden">{paragraphs} hidden, as you chose.</span>'
            f'<span class="if-shown">{paragraphs} shown anyway, though you chose to hide them.</span> '
            '<label><input type="checkbox" class="reveal" '
            f'aria-controls="c-{key}"> Show it anyway</label></p>'
            f'<div class="content" id="c-{key}"{lang}>{body}</div>'
            f'<p class="marker end" id="end-{key}" tabindex="-1"><strong>{label}: ends</strong></p></section>'
        )
    choices = "".join(
        f'<label><input type="checkbox" name="hide" value="{_e(w.id)}"> {_e(w.name)}</label>' for w in report.warnings
    )
    return (
        '<section id="reading" aria-labelledby="reading-h"><h2 id="reading-h" tabindex="-1">Reading mode</h2>'
        f"<fieldset><legend>Hide passages with</legend>{choices or '<p>Nothing to hide.</p>'}"
        # What the boxes hid, said where the reader ticked (the blocks may be screens below):
        # written by the script, announced by screen readers as a status.
        '<p class="note" id="hide-status" role="status"></p>'
        # Only the script remembers: without it the promise was false (a reader who hid Violence
        # found it shown on reopening), so the script shows it and the noscript note stands there.
        '<p class="note" id="remembered" hidden>Your choices are remembered in this browser and applied to '
        "every forewarn report you open in it. "
        '<button type="button" id="forget" hidden>Forget my choices</button></p>'
        '<noscript><p class="note">Without JavaScript, hiding works in current browsers but your choices '
        "are not remembered when you reopen the page.</p></noscript></fieldset>"
        f"{_chapter_nav(report)}"
        f'<article class="work"{lang}>{"".join(out)}</article></section>'
    )


def _hide_rules(report: Report) -> str:
    """CSS that hides chosen warnings' passages without JavaScript (one rule per warning)."""
    rules = []
    for w in report.warnings:
        if not _ID.fullmatch(w.id):  # ids come from the taxonomy; never put anything else into CSS
            continue
        rules.append(
            f'#reading:has(input[name="hide"][value="{w.id}"]:checked) .flagged[data-warnings~="{w.id}"]'
            ":not(:has(.reveal:checked)) .content{display:none}"
            f'#reading:has(input[name="hide"][value="{w.id}"]:checked) .flagged[data-warnings~="{w.id}"]'
            " .notice{display:block}"
        )
    return "".join(rules)
