"""A self-contained HTML report with a reading mode (``forewarn scan --html``).

One file, no external assets: the summary (declared vs detected, AO3 fit,
where each warning occurs), evidence hidden until asked for, and the work
itself with the reader's chosen warnings collapsed behind notices. Every
string that comes from the work is escaped; the page's script reads only
data attributes and never inserts markup built from the work's text.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from html import escape
from importlib import resources

from forewarn.aggregate import SEVERITIES, PassageRef, WorkWarning
from forewarn.declared import AO3_NO_WARNING, NO_WARNINGS_APPLY, names_no_warning
from forewarn.pipeline import Report
from forewarn.readers.text import heading_title
from forewarn.report import comparison_notes, quote
from forewarn.report.inline import Inline, hard_wraps
from forewarn.split import Passage
from forewarn.work import Span, chapter_number, has_opening

_BLANK = re.compile(r"\n\s*\n")
_ID = re.compile(r"[a-z0-9-]+")
# Formats whose readers make a newline only of <br> (and <pre> lines): none is a hard wrap.
_LINE_BREAK_FORMATS = {"html", "ao3-html", "epub"}
# Below this an undeclared detection is shown as unsure rather than as the author's omission.
LOW_CONFIDENCE = 0.5


# A BCP 47 language tag, loosely: "de", "pt-BR", "zh-Hant-TW", "ar" ("en_GB" is read as en-GB).
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
# Language names as AO3 (its own names), FanFicFare and text headers give them, lowercase.
_LANG_NAMES = {
    "english": "en", "deutsch": "de", "german": "de", "español": "es", "spanish": "es",
    "français": "fr", "french": "fr", "italiano": "it", "italian": "it", "português": "pt",
    "português brasileiro": "pt-BR", "português europeu": "pt-PT", "portuguese": "pt",
    "русский": "ru", "russian": "ru", "polski": "pl", "polish": "pl", "nederlands": "nl",
    "dutch": "nl", "svenska": "sv", "swedish": "sv", "dansk": "da", "danish": "da",
    "norsk": "no", "norwegian": "no", "suomi": "fi", "finnish": "fi", "čeština": "cs",
    "czech": "cs", "magyar": "hu", "hungarian": "hu", "română": "ro", "romanian": "ro",
    "türkçe": "tr", "turkish": "tr", "ελληνικά": "el", "greek": "el", "українська": "uk",
    "ukrainian": "uk", "català": "ca", "catalan": "ca", "tiếng việt": "vi", "vietnamese": "vi",
    "bahasa indonesia": "id", "indonesian": "id", "bahasa malaysia": "ms", "malay": "ms",
    "filipino": "fil", "tagalog": "tl", "العربية": "ar", "arabic": "ar", "עברית": "he",
    "hebrew": "he", "فارسی": "fa", "persian": "fa", "farsi": "fa", "اردو": "ur", "urdu": "ur",
    "हिन्दी": "hi", "hindi": "hi", "ไทย": "th", "thai": "th", "日本語": "ja", "japanese": "ja",
    "한국어": "ko", "korean": "ko", "中文": "zh", "中文-普通话 國語": "zh", "中文-广东话 粵語": "yue",
    "chinese": "zh",
}  # fmt: skip


def work_language(language: str | None) -> str | None:
    """The work's language as a tag for ``lang`` ("Deutsch" -> "de", "pt_BR" -> "pt-BR"), or
    None when it is unknown or not a language ("Klingon", anything else: no attribute)."""
    value = (language or "").strip()
    if value.lower() in _LANG_NAMES:
        return _LANG_NAMES[value.lower()]
    tag = value.replace("_", "-")
    return tag if _LANG_TAG.fullmatch(tag) and len(tag) <= 35 else None


def _lang(report: Report) -> str:
    """` lang="..."` for an element of the work's own text (the page's chrome stays English), so
    screen readers read it in its language; nothing when the language is unknown."""
    tag = work_language(report.work.metadata.language)
    return f' lang="{_e(tag)}"' if tag else ""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _asset(name: str) -> str:
    return (resources.files("forewarn") / "report" / "assets" / name).read_text(encoding="utf-8")


def _passage_map(report: Report) -> dict[int, Passage]:
    return {p.index: p for p in report.passages}


def _bar(
    report: Report, passages: list[int], label: str, *, by_index: dict[int, Passage], starts: dict[int, int]
) -> str:
    """Where a warning is, as links; a group of labelled links (an image role would hide them).
    ``by_index`` and ``starts`` (see ``_run_starts``) are computed once per report."""
    marks = []
    for i in passages:
        p = by_index.get(i)
        if p is None:
            continue
        width = max(p.end_position - p.position, 0.6)
        where = _place(report, p)
        marks.append(
            f'<a class="mark" href="#r-{starts.get(p.index, p.index)}" '
            f'style="left:{p.position:.2f}%;width:{width:.2f}%" '
            f'aria-label="{_e(label)}: {where}, jump to passage (shows text)" '
            f'title="{where}: jump to passage (shows text)"></a>'
        )
    ticks = "".join(
        f'<span class="tick" style="left:{100 * c.start / max(len(report.work.text), 1):.2f}%"></span>'
        for c in report.work.chapters[1:]
    )
    return f'<div class="bar" role="group" aria-label="{_e(label)}: where in the work">{ticks}{"".join(marks)}</div>'


def _chapter_name(report: Report, chapter: int, *, capital: bool = False) -> str:
    """ "chapter 2", counted as the reader does from the first chapter heading (the terminal's
    ``chapter_number``), or "opening" for the text before it."""
    number = chapter_number(report.work.chapters, chapter)
    name = "opening" if number is None else f"chapter {number}"
    return name.capitalize() if capital else name


def _place(report: Report, p: Passage | PassageRef) -> str:
    """ "chapter 2, 5% in" (into the chapter, as a reader on a chapter page skips) or "36% in"."""
    if len(report.work.chapters) > 1:
        return f"{_chapter_name(report, p.chapter)}, {p.chapter_position:.0f}% in"
    return f"{p.position:.0f}% in"


def _locations(report: Report, passages: list[int], *, by_index: dict[int, Passage]) -> str:
    """Chapters and positions of a warning's passages, runs merged ("chapter 2: 36-45%", within
    the chapter; the whole work's % for one chapter); no text."""
    many = len(report.work.chapters) > 1
    spans: list[tuple[int, float, float, int]] = []  # chapter, from %, to %, last index
    for i in passages:
        p = by_index.get(i)
        if p is None:
            continue
        lo, hi = (p.chapter_position, p.chapter_end_position) if many else (p.position, p.end_position)
        if spans and spans[-1][0] == p.chapter and spans[-1][3] == i - 1:
            spans[-1] = (p.chapter, spans[-1][1], hi, i)
        else:
            spans.append((p.chapter, lo, hi, i))
    parts = []
    for chapter, lo, hi, _ in spans:
        at = f"{lo:.0f}%" if round(hi) - round(lo) < 2 else f"{lo:.0f}&ndash;{hi:.0f}%"
        parts.append(f"{_chapter_name(report, chapter)}: {at}" if many else at)
    return "; ".join(parts)


def _status(report: Report, warning: WorkWarning) -> str:
    if warning.id not in set(report.comparison.missing):
        return '<span class="ok">declared</span>'
    if warning.confidence < LOW_CONFIDENCE:  # an unsure detection: no blame on the author
        return '<span class="maybe">not declared (low confidence)</span>'
    return '<span class="bad">not declared</span>'


def _evidence_target(index: int, starts: dict[int, int]) -> str:
    """Where an evidence link goes: its block (``r-N``, as the bar marks), whose notice is shown
    when the reader hid the text; a link into hidden text went nowhere. The script sends it on
    to the passage itself (``data-passage``) when its text is shown."""
    return f"r-{starts[index]}" if index in starts else f"p-{index}"


def _quote_text(report: Report, e: PassageRef, inline: Inline) -> str:
    """The evidence, cut, its paragraphs apart by a blank line (the quote's ``white-space:
    pre-line`` shows them: "Kill me." ran into the next paragraph), and its line breaks as the
    reading mode shows them (``inline``: a plain text's hard wraps are joined)."""
    paras = [inline.plain(lo, hi) for lo, hi in _segments(report, e.chapter, e.start, e.end, None)]
    if report.work.source_format not in _LINE_BREAK_FORMATS:
        paras = ["\n".join(" ".join(line.split()) for line in p.split("\n")) for p in paras]
    return quote("\n\n".join(paras))


def _summary(report: Report, inline: Inline) -> str:
    rows = []
    by_index, starts = _passage_map(report), _run_starts(report)
    for w in report.warnings:
        evidence = "".join(
            f'<li><a href="#{_evidence_target(e.index, starts)}" data-passage="p-{e.index}">{_place(report, e)}</a> '
            f"(p={e.probability:.2f}, {_e(e.severity)})"
            f'<blockquote dir="auto"{_lang(report)}>{_e(_quote_text(report, e, inline))}</blockquote></li>'
            for e in w.evidence
        )
        count = f"{w.passage_count} passage{'s' if w.passage_count != 1 else ''}"
        where = _locations(report, w.passages, by_index=by_index)
        rows.append(
            f'<tr><th scope="row">{_e(w.name)}</th><td data-label="Confidence">{w.confidence:.2f}</td>'
            f'<td data-label="Severity">{_e(w.severity)}</td><td data-label="Declared?">{_status(report, w)}</td>'
            f'<td data-label="Where">{count}: <span class="where">{where}</span>'
            f"{_bar(report, w.passages, w.name, by_index=by_index, starts=starts)}"
            f"<details><summary>Show evidence (spoilers)</summary><ol>{evidence}</ol></details></td></tr>"
        )
    if not rows:
        return (
            '<p class="ok">No warnings detected; detection misses implied content, '
            'so this is not a promise that none apply (see <a href="#how">How to read this</a>).</p>'
        )
    return (
        '<table class="warnings"><caption>Detected warnings</caption><thead><tr><th scope="col">Warning</th>'
        '<th scope="col">Confidence</th><th scope="col">Severity</th><th scope="col">Declared?</th>'
        f'<th scope="col">Where</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


HOW_TO_READ = (
    '<section id="how" class="how" aria-labelledby="how-h"><h2 id="how-h">How to read this</h2>'
    "<p><strong>Confidence</strong> (0 to 1) is how sure the model is that the warning applies somewhere in the "
    "work; it is not how intense the content is.</p>"
    "<p><strong>Severity</strong>, mildest first: <em>mentioned</em> (named or referred to), <em>implied</em> "
    "(suggested, not shown), <em>depicted</em> (happens on the page), <em>graphic</em> (shown in explicit "
    "detail). The table gives the strongest passage.</p>"
    "<p><strong>Where</strong> gives how far into the chapter a passage starts (for a work of one chapter, into "
    "the work); the bar shows the whole work, chapter breaks as ticks. Chapters are counted from the first "
    "chapter heading; the text before it, if any, is the <em>opening</em>.</p>"
    "<p><strong>Declared</strong> is what the author tagged or wrote in a warnings line; <strong>detected</strong> "
    "is what forewarn found in the text. 'Not declared' means the text suggests a warning the author did not "
    "list; with low confidence it may be a false alarm.</p>"
    "<p><strong>AO3 fit</strong> suggests the rating and archive warnings the detections would call for on "
    "Archive of Our Own; it is a suggestion, not a ruling.</p>"
    "<p><strong>Not detected does not mean absent.</strong> Implied content without telling words is often "
    "missed, especially implied self-harm, abuse, sexual assault and child abuse. Each warning's measured "
    "precision and recall are listed by <code>forewarn warnings</code> and in the model card.</p></section>"
)


def _partial(report: Report) -> str:
    """A note when --only/--ignore left warnings out: the suggestions below may be too low."""
    if not report.filtered:
        return ""
    only, ignore = report.settings.get("only"), report.settings.get("ignore")
    chosen = "; ".join(f"{what}: {', '.join(ids)}" for what, ids in (("only", only), ("ignoring", ignore)) if ids)
    return (
        f'<p class="note partial">From the selected warnings only ({_e(chosen)}): a scan of every warning '
        "may suggest a higher rating or more archive warnings.</p>"
    )


def _unmapped(raw: str) -> str:
    """What a declared item without a warning id is: "none" and AO3's no-warning values are known.
    "Creator Chose Not To Use Archive Warnings" is no "none": undeclared content is to be expected."""
    value = raw.strip().lower()
    if value in AO3_NO_WARNING and value != NO_WARNINGS_APPLY:
        return "no warning named (the author chose not to warn)"
    return "no warning named" if names_no_warning(raw) else "not in the taxonomy"


def _declared(report: Report) -> str:
    items = (
        "".join(
            f"<li>{_e(d.raw)} &rarr; {_e(d.warning_id or _unmapped(d.raw))}"
            f"{' (' + _e(d.qualifier) + ')' if d.qualifier else ''} <small>{_e(d.source)}</small></li>"
            for d in report.declared
        )
        or "<li>Nothing declared (no warnings line, archive warnings or tags found).</li>"
    )
    comp = report.comparison
    extra = f"<p>Declared but not detected: {_e(', '.join(comp.extra))}</p>" if comp.extra else ""
    extra += "".join(f"<p>{_e(note)}</p>" for note in comparison_notes(comp))
    if comp.chose_not_to_warn:  # as the terminal says it
        extra += "<p>The author chose not to use archive warnings.</p>"
    archive = "".join(f"<li><strong>{_e(s.name)}</strong>: {_e(s.reason)}</li>" for s in report.archive_warnings)
    declared_rating = f" (declared: {_e(report.work.metadata.rating)})" if report.work.metadata.rating else ""
    return (
        f"<h2>What the author declared</h2><ul>{items}</ul>{extra}"
        f"<h2>AO3 fit</h2>{_partial(report)}"
        f"<p>Rating: <strong>{_e(report.rating.name)}</strong>: {_e(report.rating.reason)}"
        f"{declared_rating}</p><p>Archive warnings:</p><ul>{archive}</ul>"
    )


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
    whose first line is the title, as read ("Chapter 2" of "Chapter 2<br>The Knife") or as
    cleaned ("## Chapter Two", "**Chapter 3**", "=== Chapter 4 ==="). Only that span is
    dropped: a body paragraph equal to the title ("Run" in the chapter "Run") is story text."""
    chapters = report.work.chapters
    if chapter >= len(chapters) or not chapters[chapter].title:
        return None
    title = (chapters[chapter].title or "").strip()
    markdown = report.work.source_format == "markdown"
    for span in chapters[chapter].paragraphs:
        first = report.work.text[span.start : span.end].split("\n", 1)[0].strip()
        if first == title or heading_title(first, markdown=markdown) == title:
            return span
    return None


def _heading_html(report: Report, chapter: int, heading: Span | None) -> str:
    """The <h3>'s content: the title, with the heading's further lines (an EPUB's "Chapter
    2<br>The Knife": its subtitle was shown only in the duplicated heading paragraph)."""
    chapters = report.work.chapters
    title = chapters[chapter].title if chapter < len(chapters) else None
    if not title:
        return _e(_chapter_name(report, chapter, capital=True))
    more = report.work.text[heading.start : heading.end].split("\n")[1:] if heading else []
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
        key = f"r-{first.index}"
        out.append(
            f'<section class="flagged" id="{key}" data-warnings="{_e(" ".join(ids))}" aria-label="{label}"{en}>'
            f'<p class="marker start"><strong>{label}: starts</strong> '
            f'<span class="count">({n} paragraph{"s" if n != 1 else ""})</span> '
            f'<a href="#end-{key}">Skip past it</a></p>'
            f'<p class="notice">{label}: {n} paragraph{"s" if n != 1 else ""} hidden, as you chose. '
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
        '<p class="note" id="remembered">Your choices are remembered in this browser and applied to every '
        "forewarn report you open in it. "
        '<button type="button" id="forget" hidden>Forget my choices</button></p></fieldset>'
        f"{_chapter_nav(report)}"
        '<noscript><p class="note">Without JavaScript, hiding works in current browsers but your choices '
        "are not remembered when you reopen the page.</p></noscript>"
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


def _notices(report: Report) -> str:
    """What the reader could not read, above everything else: the report covers only the rest."""
    return "".join(f'<p class="read-in-part" role="alert">Read in part: {_e(n)}</p>' for n in report.work.notices)


def _file_name(path: str | None) -> str | None:
    """A path's last part ("story.txt"), as the web app names an upload: a shared report
    should not carry the folders of the machine that wrote it (/home/NAME/Downloads/...)."""
    if not path:
        return None
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1] or path


def render_html(report: Report) -> str:
    """The report as one HTML document (str)."""
    work = report.work
    title = work.metadata.title or _file_name(work.source_path) or "Pasted text"
    title_lang = _lang(report) if work.metadata.title else ""  # a file name is in no language
    chapters = len(work.chapters) - has_opening(work.chapters)  # as the work counts them
    data = json.dumps({"warnings": [w.id for w in report.warnings]}).replace("<", "\\u003c")
    inline = _inline(report)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">"
        f"<title>forewarn: {_e(title)}</title><style>{_asset('report.css')}{_hide_rules(report)}</style></head><body>"
        '<a class="skip" href="#reading-h">Skip to reading mode</a>'
        f'<header><h1 dir="auto"{title_lang}>{_e(title)}</h1>'
        f'<p class="meta">{work.word_count:,} words, {chapters} chapter{"s" if chapters != 1 else ""}</p>'
        f"{_notices(report)}"
        '<p class="note">forewarn assists; it does not replace your judgement. Evidence is hidden until you ask.</p>'
        f"</header><main>{_summary(report, inline)}{HOW_TO_READ}{_declared(report)}{_reader(report, inline)}</main>"
        f'<footer><p class="meta">Detected by forewarn, model {_e(report.model_version)}.</p></footer>'
        f'<script type="application/json" id="forewarn-data">{data}</script>'
        f"<script>{_asset('report.js')}</script></body></html>"
    )
