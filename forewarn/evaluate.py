"""Measure quality per warning (``forewarn evaluate``).

Passage-level metrics on labeled JSONL (the shared format: ``warning``,
``labels`` (annotator votes) or ``label``, ``text``, ``work_id``): precision,
recall, F1 and balanced accuracy at the model's thresholds, ROC-AUC and
expected calibration error. Cross-validation splits by work, so no work is in
both training and test; thresholds and calibration are fitted on a validation
part of the training folds only, never on the test fold.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")


@dataclass(frozen=True)
class LabeledPassage:
    text: str
    warning: str
    label: int  # majority (or any-vote) label
    target: float  # share of annotators voting yes (soft label)
    work_id: str
    source: str = "dev"
    kind: str = ""  # project-written sets: positive, hard_negative, ordinary (prose of no warning)


# The ``warning`` of a passage that warrants none: it trains no head of its own and serves the
# written-data heads as a background negative (``forewarn.train.background_matrix``).
NO_WARNING = "none"


def read_jsonl(path: str | Path, parse: Callable[[dict[str, Any], int], T], *, what: str) -> list[T]:
    """``parse(row, line_number)`` for every non-blank line; a bad line is a ValueError naming it,
    and so is a file without any (its metrics would be a table of NaNs)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                out.append(parse(json.loads(line), n))
            except (KeyError, ValueError, TypeError, OverflowError, RecursionError) as e:
                raise ValueError(f"{path}:{n}: not a {what} ({e})") from None
    if not out:
        raise ValueError(f"{path}: no {what} in it")
    return out


def _text(row: dict[str, Any]) -> str:
    """The row's text: a string with something to score (5 or "" failed deep in the scorer)."""
    text = row["text"]
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, not {type(text).__name__}")
    if not text.strip():
        raise ValueError("text is empty")
    return text


def load_labeled(paths: Sequence[str | Path], *, label_mode: str = "majority") -> list[LabeledPassage]:
    """Read labeled passages; ``label_mode`` is "majority" (2 of 3) or "any" (1 of 3)."""
    if label_mode not in ("majority", "any"):
        raise ValueError("label_mode must be 'majority' or 'any'")

    def parse(r: dict[str, Any], n: int) -> LabeledPassage:
        if not isinstance(r["warning"], str):
            raise TypeError("warning must be a warning id")
        if "labels" in r:
            if not isinstance(r["labels"], list):
                raise TypeError("labels must be a list of annotator votes")
            votes = [int(v) for v in r["labels"]]
            if not votes:
                raise ValueError("labels is empty")
            share = sum(votes) / len(votes)
            label = int(share > 0.5) if label_mode == "majority" else int(share > 0)
        else:
            label = int(r["label"])
            share = float(label)
        if r["warning"] == NO_WARNING and label:
            raise ValueError(f"a passage of warning {NO_WARNING!r} warrants none: its label must be 0")
        work = str(r.get("work_id", n))
        return LabeledPassage(
            _text(r), r["warning"], label, share, work, r.get("source", "dev"), str(r.get("kind", ""))
        )

    return [p for path in paths for p in read_jsonl(path, parse, what="labeled passage")]


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


def _cell(value: float | None, width: int) -> str:
    """A figure, or "-" where it is undefined (one class only)."""
    return f"{'-' if value is None else f'{value:.3f}':>{width}}"


def _means(per_warning: dict[str, dict[str, Any]], keys: tuple[str, ...]) -> dict[str, float | None]:
    """Each key's mean over the warnings where it is defined; None where it is nowhere."""
    out: dict[str, float | None] = {}
    for k in keys:
        values = [m[k] for m in per_warning.values() if m[k] is not None]
        out[k] = float(np.mean(values)) if values else None
    return out


def format_table(per_warning: dict[str, dict[str, Any]]) -> str:
    head = f"{'warning':<18}{'n':>6}{'pos':>6}{'prec':>7}{'rec':>7}{'F1':>7}{'bal.acc':>9}{'AUC':>7}{'ECE':>7}"
    lines = [head, "-" * len(head)]
    for w, m in per_warning.items():
        lines.append(
            f"{w:<18}{m['support']:>6}{m['positives']:>6}{m['precision']:>7.3f}{m['recall']:>7.3f}"
            f"{m['f1']:>7.3f}{_cell(m['balanced_accuracy'], 9)}{_cell(m['roc_auc'], 7)}{m['ece']:>7.3f}"
        )
    means = _means(per_warning, ("precision", "recall", "f1", "balanced_accuracy", "roc_auc", "ece"))
    lines.append("-" * len(head))
    lines.append(
        f"{'mean':<18}{'':>12}{means['precision']:>7.3f}{means['recall']:>7.3f}{means['f1']:>7.3f}"
        f"{_cell(means['balanced_accuracy'], 9)}{_cell(means['roc_auc'], 7)}{means['ece']:>7.3f}"
    )
    return "\n".join([*lines, *_interval_line(per_warning)])


def _interval_line(per_warning: dict[str, dict[str, Any]]) -> list[str]:
    """The mean's 95% intervals, as a line under a table (none without confusion counts)."""
    means = mean_metrics(per_warning, CI_METRICS)
    parts = [
        f"{name} {ci[0]:.3f}-{ci[1]:.3f}"
        for name, ci in (("F1", means.get("f1_ci")), ("balanced accuracy", means.get("balanced_accuracy_ci")))
        if ci is not None
    ]
    return [f"95% bootstrap interval of the mean: {', '.join(parts)}"] if parts else []


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


@dataclass(frozen=True)
class LabeledWork:
    """A whole work with the warnings it truly warrants (work-level evaluation format).

    JSONL, one work per line: ``{"id": ..., "text": ..., "warnings": [ids], "scored": [ids]}``;
    ``scored`` lists the warnings the labels speak for (others are not judged).
    """

    id: str
    text: str
    warnings: frozenset[str]
    scored: frozenset[str]


def load_works(path: str | Path) -> list[LabeledWork]:
    """Read the work-level JSONL format; a bad line is a ValueError naming it."""

    def parse(row: dict[str, Any], n: int) -> LabeledWork:
        if not isinstance(row["warnings"], list) or not isinstance(row.get("scored", []), list):
            raise TypeError("warnings and scored must be lists of warning ids")
        warnings = frozenset(row["warnings"])
        return LabeledWork(str(row.get("id", n)), _text(row), warnings, frozenset(row.get("scored", warnings)))

    return read_jsonl(path, parse, what="labeled work")


def evaluate_works(works: Sequence[LabeledWork], detect: Any) -> dict[str, dict[str, Any]]:
    """Per warning, over works: precision, recall and F1 of ``detect(text) -> set of ids``.

    A work counts for a warning only if the warning is among its ``scored`` ones.
    """
    found = [set(detect(w.text)) for w in works]
    out: dict[str, dict[str, Any]] = {}
    for label in sorted(set().union(*(w.scored for w in works))):
        rows = [(label in w.warnings, label in f) for w, f in zip(works, found, strict=True) if label in w.scored]
        y = np.array([t for t, _ in rows], dtype=int)
        pred = np.array([p for _, p in rows], dtype=bool)
        m = binary_metrics(y, pred.astype(float), pred)
        # Yes/no answers only: no scores to rank (ROC-AUC) or calibrate (ECE).
        out[label] = {k: v for k, v in m.items() if k not in ("roc_auc", "ece")}
    return out


def format_work_table(per_warning: dict[str, dict[str, Any]]) -> str:
    head = f"{'warning':<18}{'works':>6}{'pos':>6}{'prec':>7}{'rec':>7}{'F1':>7}{'bal.acc':>9}"
    lines = [head, "-" * len(head)]
    for w, m in per_warning.items():
        lines.append(
            f"{w:<18}{m['support']:>6}{m['positives']:>6}{m['precision']:>7.3f}{m['recall']:>7.3f}"
            f"{m['f1']:>7.3f}{_cell(m['balanced_accuracy'], 9)}"
        )
    means = _means(per_warning, ("precision", "recall", "f1", "balanced_accuracy"))
    lines.append("-" * len(head))
    lines.append(
        f"{'mean':<18}{'':>12}{means['precision']:>7.3f}{means['recall']:>7.3f}{means['f1']:>7.3f}"
        f"{_cell(means['balanced_accuracy'], 9)}"
    )
    return "\n".join([*lines, *_interval_line(per_warning)])
