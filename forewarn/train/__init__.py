"""Train the learned scorer and write a model bundle (``forewarn train``).

The model is an ensemble per warning: logistic regression on frozen MiniLM
sentence embeddings (trained on the annotators' vote share, so their
disagreement is kept) averaged with logistic regression on word TF-IDF. The
ensemble score is Platt-calibrated and thresholded; calibration and threshold
are fitted on out-of-fold scores, never on the passages they are applied to.

Warnings whose only examples are project-written (short plain sentences) also
learn from AO3 prose: passages annotated for another warning that have no
lexicon cue for this one serve as presumed negatives ("background"). Without
them such heads fire on nearly every passage of a real work (measured).
The AO3-trained heads are used behind the cascade's lexicon gate (a passage
reaches a head only when the lexicon finds a cue or topic word for its
warning), so they learn, and fit calibration and thresholds, on such passages
only: the gate itself answers "no" for the rest (measured in the model card).

Needs scikit-learn (the ``train`` extra); the encoder is the bundle's ONNX file.

The package's modules: ``heads`` (settings and fitting the heads), ``data`` (what each passage
trains, calibrates or serves as background for; cue sentences), ``thresholds`` (calibration,
thresholds and the ``thorough`` heads' selection) and ``bundle`` (the trained model and writing
it). The out-of-fold scores and ``train`` itself are here, and every name is importable from
``forewarn.train``. ``train`` and ``oof_scores`` look ``fit_heads`` up here at call time, so
replacing it on ``forewarn.train`` (``bench/experiments/cue_sentences.py``) changes what they fit.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np

from forewarn.evaluate import NO_WARNING, LabeledPassage, grouped_folds
from forewarn.train.bundle import TrainedModel, save_bundle
from forewarn.train.data import (
    WRITTEN_SOURCE,
    arrays_of,
    background_matrix,
    data_checksum,
    focus_embeddings,
    focus_labels,
    focus_texts,
    lexicon_view,
    own_rows,
    packaged_lexicon_version,
    real_rows,
)
from forewarn.train.heads import Heads, HeadsConfig, fit_heads
from forewarn.train.thresholds import (
    Selection,
    above_ordinary,
    background_thresholds,
    calibrate_columns,
    calibration_from_oof,
    qualifying,
    selection_record,
)

__all__ = [
    "WRITTEN_SOURCE",
    "Heads",
    "HeadsConfig",
    "Selection",
    "TrainedModel",
    "above_ordinary",
    "arrays_of",
    "background_matrix",
    "background_thresholds",
    "calibrate_columns",
    "calibration_from_oof",
    "data_checksum",
    "fit_heads",
    "focus_embeddings",
    "focus_labels",
    "focus_texts",
    "lexicon_view",
    "oof_scores",
    "own_rows",
    "packaged_lexicon_version",
    "qualifying",
    "real_rows",
    "save_bundle",
    "selection_record",
    "train",
]


def oof_scores(
    texts: list[str],
    emb: np.ndarray,
    warnings: np.ndarray,
    y: np.ndarray,
    target: np.ndarray,
    groups: np.ndarray,
    sources: np.ndarray,
    *,
    labels: list[str],
    config: HeadsConfig,
    folds: int,
    background: np.ndarray | None = None,
    include: np.ndarray | None = None,
    focus: np.ndarray | None = None,
    focus_for: Collection[str] = (),
) -> np.ndarray:
    """Out-of-fold ensemble scores ``(passages, labels)``: each passage scored by every head,
    by heads that never saw its work."""
    out = np.zeros((len(texts), len(labels)))
    for tr, te in grouped_folds(warnings, y, groups, sources, folds=folds, seed=config.seed):
        heads = fit_heads(
            [texts[i] for i in tr],
            emb[tr],
            warnings[tr],
            y[tr],
            target[tr],
            labels=labels,
            config=config,
            background=None if background is None else background[tr],
            include=None if include is None else include[tr],
            focus=None if focus is None else focus[tr],
            focus_for=focus_for,
        )
        out[te] = heads.scores(
            emb[te], [texts[i] for i in te], config.w_emb, focus=None if focus is None else focus[te]
        )
    return out


def train(
    passages: list[LabeledPassage],
    embeddings: np.ndarray,
    *,
    config: HeadsConfig = HeadsConfig(),
    data_files: list[str] | None = None,
    metrics: dict[str, Any] | None = None,
    select: Selection | None = None,
    focus: np.ndarray | None = None,
) -> TrainedModel:
    """Fit calibration/thresholds on out-of-fold scores, then the heads on all data; ``select``
    (never trained on) decides which background-trained heads ``thorough`` uses; ``focus``
    (from :func:`focus_embeddings`) lets the gated heads read cue sentences."""
    t0 = time.perf_counter()
    texts, warnings, y, target, groups = arrays_of(passages)
    labels = sorted(set(warnings.tolist()) - {NO_WARNING})
    focus_for = focus_labels(passages) if focus is not None else set()
    cued, routed = lexicon_view(passages, labels)
    bg = background_matrix(passages, labels, cued)
    include = own_rows(warnings, y, labels, routed, bg) if config.gated else None
    scores = oof_scores(
        texts,
        embeddings,
        warnings,
        y,
        target,
        groups,
        np.array([p.source for p in passages]),
        labels=labels,
        config=config,
        folds=config.inner_folds + 1,
        background=bg,
        include=include,
        focus=focus,
        focus_for=focus_for,
    )
    col = {w: k for k, w in enumerate(labels)}
    own = scores[np.arange(len(texts)), [col.get(w, 0) for w in warnings]]  # NO_WARNING rows: unused
    calibrate_on = real_rows(passages) if include is None else include & real_rows(passages)
    calibration, thresholds = calibration_from_oof(
        own, warnings, y, labels, include=calibrate_on, objective=config.objective
    )
    candidates = background_thresholds(scores, own, warnings, y, bg, labels, calibration, thresholds, config)
    heads = fit_heads(
        texts,
        embeddings,
        warnings,
        y,
        target,
        labels=labels,
        config=config,
        background=bg,
        include=include,
        focus=focus,
        focus_for=focus_for,
    )
    if select is None:  # out of fold on the heads' own passages
        judged_w, judged_y, judged_cued = warnings, y, cued
        judged = calibrate_columns(scores, labels, calibration)
    else:
        _, judged_w, judged_y, _, _ = arrays_of(select.passages)
        judged_cued, _ = lexicon_view(select.passages, labels)
        raw = heads.scores(select.embeddings, [p.text for p in select.passages], config.w_emb)
        judged = calibrate_columns(raw, labels, calibration)
    ordinary = np.zeros(len(judged_w), dtype=bool) if select is None else select.ordinary()
    records = {}
    for w, thr in candidates.items():
        k = labels.index(w)
        m = judged_w == w
        if len(set(judged_y[m].tolist())) == 2:
            thr = above_ordinary(thr, judged[ordinary & (judged_w != w), k])
            records[w] = selection_record(judged_y[m], judged_cued[m, k], judged[m, k], thr)
    ungated = qualifying(records, config)
    files = data_files or []
    return TrainedModel(
        heads,
        ungated,
        [w for k, w in enumerate(labels) if bg[:, k].any() and w not in ungated],
        records,
        calibration,
        thresholds,
        config,
        metrics or {},
        data_checksum(files) if files else "",
        [Path(f).name for f in files],
        round(time.perf_counter() - t0, 1),
        [Path(f).name for f in select.files] if select else [],
        data_checksum(select.files) if select else "",
        packaged_lexicon_version(),
    )
