"""Cross-validation grouped by work, of the whole training procedure, each test fold scored by
the default cascade as ``forewarn scan`` scores it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from forewarn.evaluate.labeled import NO_WARNING, LabeledPassage
from forewarn.evaluate.metrics import binary_metrics, mean_metrics
from forewarn.evaluate.tables import format_table


def grouped_folds(
    warnings: np.ndarray, y: np.ndarray, groups: np.ndarray, sources: np.ndarray, *, folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """k folds grouped by work and stratified by warning and label, made per data source.

    Each source is split on its own and fold i joins every source's fold i, so adding a
    source (project-written passages, say) never reshuffles the folds of the others: a
    single-source split is exactly scikit-learn's ``StratifiedGroupKFold``.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    parts: list[list[np.ndarray]] = [[] for _ in range(folds)]
    for source in sorted(set(sources.tolist())):
        idx = np.flatnonzero(sources == source)
        strata = np.array([f"{w}:{v}" for w, v in zip(warnings[idx], y[idx], strict=True)])
        splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
        for i, (_, te) in enumerate(splitter.split(idx, strata, groups[idx])):
            parts[i].append(idx[te])
    out = []
    for i in range(folds):
        te = np.sort(np.concatenate(parts[i]))
        out.append((np.setdiff1d(np.arange(len(y)), te), te))
    return out


@dataclass
class CVResult:
    """Out-of-fold results of the default cascade (``per_warning``) and of the heads alone.
    ``prob`` and ``pred``: each passage's out-of-fold cascade probability and decision for the
    warning it was labeled for (0 and False for passages of no warning), so per-passage
    analyses (``bench/eval_annotators.py``) judge the same predictions as the table."""

    labels: list[str]
    per_warning: dict[str, dict[str, Any]]
    heads_per_warning: dict[str, dict[str, Any]]
    folds: int
    settings: dict[str, Any] = field(default_factory=dict)
    prob: np.ndarray = field(default_factory=lambda: np.zeros(0))
    pred: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def mean(self, key: str, *, heads: bool = False) -> float:
        per = self.heads_per_warning if heads else self.per_warning
        vals = [m[key] for m in per.values() if m[key] is not None]
        return round(float(np.mean(vals)), 4) if vals else 0.0

    def metrics_dict(self) -> dict[str, Any]:
        keys = ("precision", "recall", "f1", "balanced_accuracy", "roc_auc", "ece")
        return {
            "evaluation": f"{self.folds}-fold cross-validation grouped by work, default cascade",
            "settings": self.settings,
            "mean": mean_metrics(self.per_warning, keys),
            "per_warning": self.per_warning,
            "heads_everywhere": {
                "mean": mean_metrics(self.heads_per_warning, keys),
                "per_warning": self.heads_per_warning,
            },
        }

    def table(self) -> str:
        return format_table(self.per_warning)


class FixedHeads:
    """Stands in for a bundle whose probabilities are already known (cross-validation)."""

    def __init__(self, texts: Sequence[str], probs: np.ndarray, *, model: Any) -> None:
        self._row: dict[str, int] = {}
        for i, t in enumerate(texts):
            self._row.setdefault(t, i)  # a repeated text: its first row (see ``own_columns``)
        self._probs = probs
        self.labels_: list[str] = list(model.heads.labels)
        self.thresholds_ = np.array([model.thresholds[w] for w in self.labels_])
        self.ungated_: dict[str, float] = dict(model.ungated)
        self.lexicon_only_: set[str] = set(model.lexicon_only)
        self.version_ = "cross-validation"

    def predict_proba(self, texts: Sequence[str], *, cue_spans: object = None) -> np.ndarray:
        """The known probabilities. Each passage's own warning's column was computed with its
        cue sentences for that warning (the only column cross-validation reads)."""
        return self._probs[[self._row[t] for t in texts]]


def own_columns(texts: Sequence[str], probs: np.ndarray, cols: Sequence[int | None]) -> np.ndarray:
    """``probs`` with the rows of a repeated text made one (its first): a passage labeled for
    several warnings, one row each as multi-label data often comes, keeps per warning the column
    its own row computed with that warning's cue sentences. ``cols``: each row's own column."""
    out = probs.copy()
    first: dict[str, int] = {}
    for r, t in enumerate(texts):
        r0 = first.setdefault(t, r)
        col = cols[r]
        if r0 != r and col is not None:
            out[r0, col] = probs[r, col]
    return out


def _rows(
    m: np.ndarray, judged: np.ndarray, y: np.ndarray, prob: np.ndarray, pred: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = m & judged
    return y[m], prob[m], pred[m]


def cross_validate(
    passages: list[LabeledPassage],
    embeddings: np.ndarray,
    *,
    folds: int = 5,
    config: Any = None,
    focus: np.ndarray | None = None,
) -> CVResult:
    """k-fold CV grouped by work of the whole training procedure (``forewarn.train.train``):
    each fold's model fits its own calibration and thresholds on its training part only.
    ``focus``: the passages' cue-sentence embeddings (``forewarn.train.focus_embeddings``).

    The test fold is scored as ``forewarn scan`` scores it, by the default cascade
    (lexicon gate, heads behind it); the heads alone on every passage are kept too.
    """
    from forewarn.score.cascade import CascadeScorer
    from forewarn.score.model import calibrate
    from forewarn.train import HeadsConfig, arrays_of, real_rows, train

    config = config or HeadsConfig()
    texts, warn, y, _, groups = arrays_of(passages)
    labels = sorted(set(warn.tolist()) - {NO_WARNING})
    heads_prob = np.zeros(len(passages))
    heads_pred = np.zeros(len(passages), dtype=bool)
    prob = np.zeros(len(passages))
    pred = np.zeros(len(passages), dtype=bool)
    sources = np.array([p.source for p in passages])
    for tr, te in grouped_folds(warn, y, groups, sources, folds=folds, seed=config.seed):
        model = train(
            [passages[i] for i in tr], embeddings[tr], config=config, focus=None if focus is None else focus[tr]
        )
        test_texts = [texts[i] for i in te]
        scores = model.heads.scores(
            embeddings[te], test_texts, config.w_emb, focus=None if focus is None else focus[te]
        )
        calibrated = np.column_stack(
            [
                calibrate(scores[:, k], np.array(model.calibration[w][0]), np.array(model.calibration[w][1]))
                for k, w in enumerate(model.heads.labels)
            ]
        ).astype(np.float32)
        head_col = {w: k for k, w in enumerate(model.heads.labels)}
        fixed = own_columns(test_texts, calibrated, [head_col.get(warn[i]) for i in te])
        cascade = CascadeScorer(model=FixedHeads(test_texts, fixed, model=model)).score(test_texts)
        for r, i in enumerate(te):
            w = warn[i]
            if w == NO_WARNING:
                continue
            heads_prob[i] = calibrated[r, head_col[w]]
            heads_pred[i] = heads_prob[i] >= model.thresholds[w]
            prob[i] = cascade.probs[r, cascade.labels.index(w)]
            pred[i] = prob[i] >= cascade.thresholds[w]
    # A warning with AO3 passages is judged on those only: written ones only help train it.
    judged = real_rows(passages)
    per = {w: binary_metrics(*_rows(warn == w, judged, y, prob, pred)) for w in labels}
    heads = {w: binary_metrics(*_rows(warn == w, judged, y, heads_prob, heads_pred)) for w in labels}
    settings = {"folds": folds, **{k: v for k, v in vars(config).items()}}
    return CVResult(labels, per, heads, folds, settings, prob, pred)
