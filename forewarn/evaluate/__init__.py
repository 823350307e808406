"""Measure quality per warning (``forewarn evaluate``).

Passage-level metrics on labeled JSONL (the shared format: ``warning``,
``labels`` (annotator votes) or ``label``, ``text``, ``work_id``): precision,
recall, F1 and balanced accuracy at the model's thresholds, ROC-AUC and
expected calibration error. Cross-validation splits by work, so no work is in
both training and test; thresholds and calibration are fitted on a validation
part of the training folds only, never on the test fold.

The package's modules: ``labeled`` (the labeled-passage format), ``metrics`` (figures,
intervals, Platt scaling, thresholds), ``crossval`` (cross-validation), ``works`` (work-level
evaluation) and ``tables`` (the printed tables). A scorer's evaluation on labeled passages is
here; every name is importable from ``forewarn.evaluate`` itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from forewarn.evaluate.crossval import CVResult, FixedHeads, cross_validate, grouped_folds, own_columns
from forewarn.evaluate.labeled import NO_WARNING, LabeledPassage, load_labeled, read_jsonl
from forewarn.evaluate.metrics import (
    CI_DRAWS,
    CI_METRICS,
    OBJECTIVES,
    balanced_accuracy,
    binary_metrics,
    ece,
    f1_score,
    fit_platt,
    interval,
    mean_metrics,
    pick_threshold,
    roc_auc,
)
from forewarn.evaluate.tables import format_table, format_work_table
from forewarn.evaluate.works import LabeledWork, evaluate_works, load_works

__all__ = [
    "CI_DRAWS",
    "CI_METRICS",
    "NO_WARNING",
    "OBJECTIVES",
    "CVResult",
    "FixedHeads",
    "LabeledPassage",
    "LabeledWork",
    "balanced_accuracy",
    "binary_metrics",
    "cross_validate",
    "ece",
    "evaluate_model",
    "evaluate_works",
    "f1_score",
    "fit_platt",
    "format_table",
    "format_work_table",
    "grouped_folds",
    "interval",
    "load_labeled",
    "load_works",
    "mean_metrics",
    "own_columns",
    "pick_threshold",
    "read_jsonl",
    "roc_auc",
]


def evaluate_model(scorer: Any, passages: list[LabeledPassage]) -> dict[str, dict[str, Any]]:
    """A scorer as ``forewarn scan`` runs it (``forewarn.score.cascade.CascadeScorer``) on
    labeled data: each passage judged for the warning it was labeled for."""
    texts = [p.text for p in passages]
    warn = np.array([p.warning for p in passages])
    y = np.array([p.label for p in passages])
    result = scorer.score(texts)
    col = {w: i for i, w in enumerate(result.labels)}
    out = {}
    for w in sorted(set(warn)):
        if w not in col:
            continue
        m = warn == w
        p = result.probs[m, col[w]]
        out[w] = binary_metrics(y[m], p, p >= result.thresholds[w])
    return out
