"""What each labeled passage is to training: which heads it trains and calibrates, where it is a
background negative, and the cue sentences a focus head reads."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

from forewarn.evaluate import NO_WARNING, LabeledPassage

WRITTEN_SOURCE = "forewarn-written"


def lexicon_view(passages: list[LabeledPassage], labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Two ``(passages, labels)`` boolean matrices: does the lexicon flag the passage for the
    label (``cued``), and does the cascade's gate send it to the label's head (``routed``)?"""
    from forewarn.score.cascade import LEXICON_THRESHOLD, CascadeScorer

    scorer = CascadeScorer()
    col = {w: i for i, w in enumerate(scorer.labels_)}
    probs, cues = scorer.lexicon_view([p.text for p in passages])
    cued = np.zeros((len(passages), len(labels)), dtype=bool)
    routed = np.zeros((len(passages), len(labels)), dtype=bool)
    for k, w in enumerate(labels):
        if w in col:
            cued[:, k] = probs[:, col[w]] >= LEXICON_THRESHOLD
            routed[:, k] = [w in c for c in cues]
    return cued, routed


def own_rows(
    warnings: np.ndarray, y: np.ndarray, labels: list[str], routed: np.ndarray, background: np.ndarray
) -> np.ndarray:
    """Per passage: does it train (and calibrate) the head of its own warning?

    Heads trained with background negatives judge every passage in ``thorough`` mode,
    so all their passages count; AO3-trained heads see only passages the gate routes,
    unless the routed ones lack a class (then all of the warning's passages count).
    """
    col = {w: k for k, w in enumerate(labels)}
    k = np.array([col.get(w, 0) for w in warnings], dtype=int)
    has_background: np.ndarray = np.asarray(background.any(axis=0))
    out = (routed[np.arange(len(warnings)), k] | has_background[k]) & (warnings != NO_WARNING)
    for w in labels:
        m = warnings == w
        if len(set(y[m & out].tolist())) < 2:
            out[m] = True
    return out


def real_rows(passages: list[LabeledPassage]) -> np.ndarray:
    """Per passage: does it calibrate its warning's head?

    Written passages train the heads of warnings that also have AO3 passages, but the
    probabilities and thresholds are fitted on the AO3 ones only: real prose is what is
    scanned. Warnings with written passages only are calibrated on those.
    """
    written = np.array([p.source == WRITTEN_SOURCE for p in passages])
    warn = np.array([p.warning for p in passages])
    has_real = {w for w in set(warn.tolist()) if (~written[warn == w]).any()}
    return ~(written & np.isin(warn, sorted(has_real)))


def background_matrix(passages: list[LabeledPassage], labels: list[str], cued: np.ndarray) -> np.ndarray:
    """``(passages, labels)`` booleans: may this passage serve as a presumed negative for this label?

    Only for labels whose examples are all project-written; only AO3 passages labeled for
    another warning and passages written to warrant no warning (``NO_WARNING``; AO3 passages are
    keyword-picked dark prose, but 480 such ordinary passages made the heads flag more AO3 prose,
    not less: the model card's Experiments), and only where the lexicon finds no cue for the label.
    """
    out = np.zeros((len(passages), len(labels)), dtype=bool)
    warn = np.array([p.warning for p in passages])
    pool = np.array([p.source != WRITTEN_SOURCE for p in passages]) | (warn == NO_WARNING)
    for k, w in enumerate(labels):
        if all(p.source == WRITTEN_SOURCE for p in passages if p.warning == w):
            out[:, k] = pool & (warn != w) & ~cued[:, k]
    return out


@lru_cache(maxsize=1)
def packaged_lexicon_version() -> str:
    """The version of the lexicon training reads (routes, background, cue sentences)."""
    from forewarn.score.lexicon import LexiconScorer

    return LexiconScorer().version_


def focus_labels(passages: list[LabeledPassage]) -> set[str]:
    """The warnings whose heads read cue sentences: those with AO3 passages, which the gate
    routes by cue. Written-only warnings' heads judge every passage in ``thorough`` mode and
    learn from background passages that have no cue for them, so they read the passage only."""
    return {p.warning for p in passages if p.source != WRITTEN_SOURCE and p.warning != NO_WARNING}


def focus_texts(passages: list[LabeledPassage]) -> list[str]:
    """Per passage, the sentences holding its own warning's cues and topic words
    (``forewarn.score.focus``); the passage itself when there are none or its warning is not a
    focus label."""
    from forewarn.score.focus import cue_sentences, hit_spans
    from forewarn.score.lexicon import LexiconScorer

    lexicon = LexiconScorer()
    labels = focus_labels(passages)
    out = []
    for p in passages:
        spans = hit_spans(lexicon.hits(p.text)).get(p.warning, []) if p.warning in labels else []
        out.append(cue_sentences(p.text, spans))  # as the cascade's routes give them at scan time
    return out


def focus_embeddings(
    passages: list[LabeledPassage], embeddings: np.ndarray, encode: Callable[[list[str]], np.ndarray]
) -> np.ndarray:
    """``(passages, dim)``: each passage's cue-sentence embedding for its own warning (its own
    embedding where the cue sentences are the whole passage); ``encode`` embeds a list of texts."""
    texts = focus_texts(passages)
    out = np.array(embeddings, copy=True)
    rows = [i for i, (p, t) in enumerate(zip(passages, texts, strict=True)) if t != p.text]
    if rows:
        out[rows] = encode([texts[i] for i in rows])
    return out


def data_checksum(paths: list[str]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    return h.hexdigest()


def arrays_of(passages: list[LabeledPassage]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    texts = [p.text for p in passages]
    warnings = np.array([p.warning for p in passages])
    y = np.array([p.label for p in passages])
    target = np.array([p.target for p in passages])
    groups = np.array([p.work_id for p in passages])
    return texts, warnings, y, target, groups
