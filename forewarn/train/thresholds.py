"""Calibration and thresholds from out-of-fold scores, and the choice of the background-trained
heads that judge every passage in ``thorough`` mode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from forewarn.evaluate import NO_WARNING, LabeledPassage, fit_platt, pick_threshold
from forewarn.score.model import calibrate
from forewarn.train.heads import HeadsConfig


def calibration_from_oof(
    scores: np.ndarray,
    warnings: np.ndarray,
    y: np.ndarray,
    labels: list[str],
    *,
    include: np.ndarray | None = None,
    objective: str = "f1",
) -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    """Per label: Platt parameters on the score's logit, then the threshold on the calibrated score."""
    cal: dict[str, tuple[float, float]] = {}
    thr: dict[str, float] = {}
    for w in labels:
        m = (warnings == w) & (True if include is None else include)
        s = np.clip(scores[m], 1e-6, 1 - 1e-6)
        a, b = fit_platt(np.log(s / (1 - s)), y[m])
        cal[w] = (a, b)
        thr[w] = pick_threshold(calibrate(scores[m], np.array(a), np.array(b)), y[m], objective=objective)
    return cal, thr


def background_thresholds(
    scores: np.ndarray,
    own: np.ndarray,
    warnings: np.ndarray,
    y: np.ndarray,
    background: np.ndarray,
    labels: list[str],
    calibration: dict[str, tuple[float, float]],
    thresholds: dict[str, float],
    config: HeadsConfig,
) -> dict[str, float]:
    """Per background-trained head good enough to judge uncued passages: the probability above
    which it may add flags.

    A head is a candidate when its out-of-fold ROC-AUC on its own passages is at least
    ``ungated_min_auc``; its threshold is raised until at most ``ungated_max_flag`` of the
    AO3 background passages would be flagged out of fold (not counting ordinary written ones:
    easy negatives, they would lower it).
    """
    from forewarn.evaluate import roc_auc

    out: dict[str, float] = {}
    for k, w in enumerate(labels):
        if not background[:, k].any():
            continue
        m = warnings == w
        auc = roc_auc(y[m], own[m])
        if auc is None or auc < config.ungated_min_auc:
            continue
        a, b = calibration[w]
        ao3 = background[:, k] & (warnings != NO_WARNING)  # the easy ordinary ones would lower it
        bg_prob = calibrate(scores[ao3, k], np.array(a), np.array(b))
        out[w] = round(max(thresholds[w], float(np.quantile(bg_prob, 1.0 - config.ungated_max_flag))), 4)
    return out


def selection_record(y: np.ndarray, lexicon: np.ndarray, prob: np.ndarray, threshold: float) -> dict[str, Any]:
    """Lexicon alone against lexicon-or-head on one warning's selection passages."""
    from forewarn.evaluate import balanced_accuracy, f1_score

    both = lexicon | (prob > threshold)
    return {
        "n": int(y.size),
        "positives": int(y.sum()),
        "threshold": threshold,
        "lexicon_balanced_accuracy": round(float(balanced_accuracy(y, lexicon)), 4),
        "with_head_balanced_accuracy": round(float(balanced_accuracy(y, both)), 4),
        "lexicon_f1": round(f1_score(y, lexicon), 4),
        "with_head_f1": round(f1_score(y, both), 4),
    }


def qualifying(records: dict[str, dict[str, Any]], config: HeadsConfig) -> dict[str, float]:
    """The heads that add at least ``ungated_min_gain`` balanced accuracy to the lexicon's on the
    selection passages (not F1: on a half-positive set, flagging everything scores F1 0.67)."""
    return {
        w: r["threshold"]
        for w, r in records.items()
        if r["with_head_balanced_accuracy"] >= r["lexicon_balanced_accuracy"] + config.ungated_min_gain
    }


@dataclass(frozen=True)
class Selection:
    """Labeled passages never trained on, which decide which background-trained heads judge
    every passage in ``thorough`` mode.

    Without them the decision is taken out of fold on the heads' own training passages,
    where the lexicon looks better than it is: its cues were written from those passages.
    """

    passages: list[LabeledPassage]
    embeddings: np.ndarray
    files: list[str]

    def ordinary(self) -> np.ndarray:
        """Per passage: is it ordinary prose (``kind`` "ordinary"), which warrants none of the
        warnings its set covers? Such passages written for one warning guard every other head."""
        return np.array([p.kind == "ordinary" for p in self.passages], dtype=bool)


def above_ordinary(threshold: float, ordinary: np.ndarray) -> float:
    """The threshold, raised above every ordinary passage's probability.

    Out of fold on AO3 background, a head may still flag grief, a hospital visit or a kiss:
    the background is keyword-selected dark prose with little of that. On the selection set,
    heads at the background threshold flagged 4-20% of the ordinary passages written for other
    warnings, and a no-warnings romance was suggested Rape/Non-Con.
    """
    if ordinary.size == 0:
        return threshold
    return round(max(threshold, float(np.ceil(ordinary.max() * 1e4) / 1e4)), 4)


def calibrate_columns(scores: np.ndarray, labels: list[str], calibration: dict[str, tuple[float, float]]) -> np.ndarray:
    """Each label's column of raw head scores through its Platt calibration (as a bundle's
    ``ModelScorer.predict_proba`` applies it)."""
    a, b = np.array([calibration[w] for w in labels]).T
    return calibrate(scores, a, b)
