"""The passages as scored (the author's declarations and metadata blanked), and the scorer run
over them: in chunks for progress, with ``thorough``'s head-only flags found."""

from __future__ import annotations

import bisect
import inspect
import re
from collections.abc import Callable, Collection, Iterable, Sequence

import numpy as np

from forewarn.aggregate import WorkWarning
from forewarn.pipeline.options import check_scorer
from forewarn.readers.frontmatter import parse_front_matter
from forewarn.readers.text import read_plain, scan_lines
from forewarn.score.cascade import CascadeScorer, ScoreResult, default_scorer
from forewarn.split import Passage
from forewarn.taxonomy import Taxonomy
from forewarn.work import Metadata, Span, Work


def meta_spans(text: str, *, taxonomy: Taxonomy | None = None) -> list[tuple[int, int]]:
    """The ``[start, end)`` ranges of ``text``, read as a text work, that the reader took as
    the author's declarations or metadata rather than story: kept out of scoring (offsets
    unchanged). They are the spans the reader records (``Work.meta_spans``, see
    ``forewarn.readers.headerlines.scan_lines``), so what is read as declared is exactly what is
    blanked: its YAML front matter; in the preface (a short one before "Chapter 1" too), the
    header block and the end notes, declaration lines (with a bullet list under a bare
    "Warnings:") and "Key: value" header lines; in the story, only a declaration line that
    is a list of known warnings ("TW: blood, SA"). So a line of prose that starts like one
    ("Warning: anyone who comes closer will be shot", "Summary: the guard stabbed her") is
    scored like any other.
    """
    return [(s.start, s.end) for s in _work_spans(read_plain(text, markdown=True), taxonomy)]


def _work_spans(work: Work, taxonomy: Taxonomy | None = None) -> list[Span]:
    if work.meta_spans is not None:
        return work.meta_spans
    front = parse_front_matter(work.text)
    end = front[1] if front is not None else 0
    found = scan_lines(work.text[end:], Metadata(), taxonomy=taxonomy)
    return ([Span(0, end)] if end else []) + [Span(end + s.start, end + s.end) for s in found]


def _blank(text: str, spans: Iterable[tuple[int, int]], offset: int = 0) -> str:
    """``text`` (at ``offset`` in the work) with the parts inside ``spans`` (in order) replaced
    by spaces, newlines kept."""
    parts, pos = [], 0
    for start, end in spans:
        a, b = max(start - offset, pos), min(end - offset, len(text))
        if a < b:
            parts += [text[pos:a], re.sub(r"[^\n]", " ", text[a:b])]
            pos = b
    return "".join([*parts, text[pos:]])


def scoring_text(text: str, *, taxonomy: Taxonomy | None = None) -> str:
    """``text``, read as a whole work, as scored: what ``meta_spans`` finds replaced by spaces."""
    return _blank(text, meta_spans(text, taxonomy=taxonomy))


def scoring_texts(work: Work, passages: Sequence[Passage], *, taxonomy: Taxonomy | None = None) -> list[str]:
    """Each passage's text as scored: what the reader took as the work's declarations and
    metadata (``Work.meta_spans``, see ``meta_spans``) blanked."""
    spans = [(s.start, s.end) for s in _work_spans(work, taxonomy)]
    ends = [b for _, b in spans]  # in order and disjoint
    texts = []
    for p in passages:
        inside, k = [], bisect.bisect_right(ends, p.start)
        while k < len(spans) and spans[k][0] < p.start + len(p.text):
            inside.append(spans[k])
            k += 1
        texts.append(_blank(p.text, inside, p.start) if inside else p.text)
    return texts


def _get_scorer(scorer: CascadeScorer | str | None) -> CascadeScorer:
    check_scorer(scorer)
    if isinstance(scorer, str):
        return default_scorer(scorer)
    return scorer or default_scorer()


def _score(scorer: CascadeScorer, texts: list[str], labels: Collection[str] | None) -> ScoreResult:
    # ``labels`` only to a ``score`` that takes it: any object with ``score(texts)`` is a scorer
    # (a subclass overriding it, a test double); it then scores every warning, as before.
    if labels is None or "labels" not in inspect.signature(scorer.score).parameters:
        return scorer.score(texts)
    return scorer.score(texts, labels=labels)


def head_only(warnings: Sequence[WorkWarning], cues: Sequence[dict[str, str]], scorer: CascadeScorer) -> set[str]:
    """Warnings that only ``thorough``'s written-data heads found: no flagged passage has a
    lexicon cue for them. On AO3 prose 2 of 29 such flags were right (data/audit/), so they
    stay unsure (confidence at most ``HEAD_ONLY``, however many passages) and do not set the
    AO3 rating or archive warnings: one suggested Rape/Non-Con for a 100,000-word text."""
    model = scorer.model
    heads = set(model.ungated_) if model is not None and scorer.mode == "thorough" else set()
    evidence = ("mention", "depiction", "graphic")  # a negated cue says the opposite
    return {w.id for w in warnings if w.id in heads and not any(cues[i].get(w.id) in evidence for i in w.passages)}


def score_in_chunks(
    scorer: CascadeScorer,
    texts: list[str],
    *,
    on_progress: Callable[[int, int], None] | None = None,
    chunk: int = 64,
    labels: Collection[str] | None = None,
) -> ScoreResult:
    """``scorer.score`` over all texts, in chunks when progress is reported (same result).

    Progress starts with ``(0, total)`` so a bar knows its length before the first chunk.
    """
    if on_progress is not None:
        on_progress(0, len(texts))
    if on_progress is None or len(texts) <= chunk:
        result = _score(scorer, texts, labels)
        if on_progress is not None:
            on_progress(len(texts), len(texts))
        return result
    parts = []
    for start in range(0, len(texts), chunk):
        parts.append(_score(scorer, texts[start : start + chunk], labels))
        on_progress(min(start + chunk, len(texts)), len(texts))
    return ScoreResult(
        labels=parts[0].labels,
        probs=np.concatenate([p.probs for p in parts]),
        thresholds=parts[0].thresholds,
        cues=[c for p in parts for c in p.cues],
        encoded=sum(p.encoded for p in parts),
        spans=[c for p in parts for c in p.spans],
    )
