"""Per-warning figures (precision, recall, F1, balanced accuracy, ROC-AUC, ECE), their bootstrap
intervals, and the Platt scaling and threshold choice that training fits with them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def roc_auc(y: np.ndarray, score: np.ndarray) -> float | None:
    """Mann-Whitney ROC-AUC with tie handling; None when only one class is present."""
    pos, neg = int(y.sum()), int(len(y) - y.sum())
    if pos == 0 or neg == 0:
        return None
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    s = score[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def ece(y: np.ndarray, prob: np.ndarray, *, bins: int = 10) -> float:
    """Expected calibration error over equal-width probability bins."""
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(prob, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.sum() / len(y) * abs(prob[m].mean() - y[m].mean())
    return float(total)


def binary_metrics(y: np.ndarray, prob: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    """The figures of one warning at a threshold, with the confusion counts they come from and
    95% bootstrap intervals for F1 and balanced accuracy (``interval``)."""
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    tn = int((~pred & (y == 0)).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    tnr = tn / (tn + fp) if tn + fp else 0.0
    both = 0 < tp + fn < len(y)  # with one class only, balanced accuracy (like ROC-AUC) is undefined
    auc = roc_auc(y, prob)
    confusion = {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "balanced_accuracy": round((recall + tnr) / 2, 4) if both else None,
        "roc_auc": None if auc is None else round(auc, 4),
        "ece": round(ece(y, prob), 4),
        "support": int(len(y)),
        "positives": int(y.sum()),
        "confusion": confusion,
        "f1_ci": interval([confusion], "f1"),
        "balanced_accuracy_ci": interval([confusion], "balanced_accuracy") if both else None,
    }


CI_DRAWS = 2000
CI_METRICS = ("f1", "balanced_accuracy")


def interval(
    confusions: Sequence[dict[str, int]], metric: str, *, draws: int = CI_DRAWS, seed: int = 0
) -> list[float] | None:
    """95% percentile-bootstrap interval of ``metric`` ("f1" or "balanced_accuracy") averaged
    over warnings, each given by its confusion counts; None if there are none.

    Why: 80 passages a warning leave an F1 uncertain by about 0.1, so a figure is weighed against
    a bar or a held-out split only with its interval. Resampling a warning's passages with
    replacement draws its four counts from a multinomial, so the counts are enough (a stored
    ``metrics.json`` can be re-read). Warnings are resampled independently, the thresholds held
    fixed: this is the test set's sampling error, not the training's. Draws where a warning has
    one class only (balanced accuracy undefined) are left out. Deterministic for a ``seed``.
    """
    if not confusions:
        return None
    rng = np.random.default_rng(seed)
    values = np.zeros(draws)
    for c in confusions:
        counts = np.array([c["tp"], c["fp"], c["fn"], c["tn"]], dtype=float)
        n = int(counts.sum())
        if n == 0:
            return None
        tp, fp, fn, tn = rng.multinomial(n, counts / n, size=draws).T
        with np.errstate(divide="ignore", invalid="ignore"):
            if metric == "f1":
                denom = 2 * tp + fp + fn
                values += np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
            elif metric == "balanced_accuracy":
                values += np.where((tp + fn > 0) & (tn + fp > 0), (tp / (tp + fn) + tn / (tn + fp)) / 2, np.nan)
            else:
                raise ValueError(f"no interval for {metric!r} (one of: {', '.join(CI_METRICS)})")
    values = values[~np.isnan(values)] / len(confusions)
    if not len(values):
        return None
    lo, hi = np.percentile(values, [2.5, 97.5])
    return [round(float(lo), 4), round(float(hi), 4)]


def _means(per_warning: dict[str, dict[str, Any]], keys: tuple[str, ...]) -> dict[str, float | None]:
    """Each key's mean over the warnings where it is defined; None where it is nowhere."""
    out: dict[str, float | None] = {}
    for k in keys:
        values = [m[k] for m in per_warning.values() if m[k] is not None]
        out[k] = float(np.mean(values)) if values else None
    return out


def mean_metrics(per_warning: dict[str, dict[str, Any]], keys: Sequence[str] = ()) -> dict[str, Any]:
    """The mean of each figure over the warnings where it is defined (None where it is nowhere),
    with the 95% bootstrap interval of the mean F1 and balanced accuracy (``interval``)."""
    keys = keys or ("precision", "recall", "f1", "balanced_accuracy", "roc_auc", "ece")
    out: dict[str, Any] = {k: None if v is None else round(v, 4) for k, v in _means(per_warning, tuple(keys)).items()}
    for k in CI_METRICS:
        if k in keys:
            defined = [m["confusion"] for m in per_warning.values() if m.get(k) is not None and "confusion" in m]
            out[f"{k}_ci"] = interval(defined, k)
    return out


def fit_platt(logits: np.ndarray, y: np.ndarray, *, iters: int = 200) -> tuple[float, float]:
    """Platt scaling by Newton's method (a tiny 2-parameter logistic regression)."""
    a, b = 1.0, 0.0
    t = np.where(y == 1, (y.sum() + 1) / (y.sum() + 2), 1 / (len(y) - y.sum() + 2))
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(a * logits + b)))
        g = np.array([((p - t) * logits).sum(), (p - t).sum()])
        w = p * (1 - p) + 1e-9
        h = np.array([[(w * logits * logits).sum() + 1e-6, (w * logits).sum()], [(w * logits).sum(), w.sum() + 1e-6]])
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-7:
            break
    return float(a), float(b)


def f1_score(y: np.ndarray, pred: np.ndarray) -> float:
    """Positive-class F1 of boolean predictions (0 when there is nothing to find or flag)."""
    tp = int((pred & (y == 1)).sum())
    n = int(pred.sum()) + int(y.sum())
    return 2 * tp / n if n else 0.0


def balanced_accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    """Mean of recall on positives and on negatives (0.5 for constant answers)."""
    pos = y == 1
    tpr = float(pred[pos].mean()) if pos.any() else 0.0
    tnr = float((~pred[~pos]).mean()) if (~pos).any() else 0.0
    return (tpr + tnr) / 2


OBJECTIVES = {"f1": f1_score, "balanced_accuracy": balanced_accuracy}


def pick_threshold(prob: np.ndarray, y: np.ndarray, *, objective: str = "f1") -> float:
    """The probability cut that maximises ``objective`` (ties: the higher cut).

    Balanced accuracy weighs a missed warning against a false alarm by class size,
    so it sets lower cuts (more recall) than F1 on warnings with few positives.
    """
    metric = OBJECTIVES[objective]
    best, best_t = -1.0, 0.5
    for t in np.unique(np.round(prob, 4)):
        value = metric(y, prob >= t)
        if value >= best:
            best, best_t = value, float(t)
    return best_t
