"""The heads: their settings, and per warning two logistic regressions (MiniLM embedding, word
TF-IDF) fitted on soft labels."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from forewarn.score.model import head_scores


@dataclass(frozen=True)
class HeadsConfig:
    c_emb: float = 0.3
    c_tfidf: float = 3.0
    w_emb: float = 0.7
    max_features: int = 20000
    min_df: int = 2
    inner_folds: int = 4
    seed: int = 0
    # Background negatives weigh this much, in all, per own passage. At 1.0 the written-data
    # heads learned "written vs AO3 prose" and flagged nearly every written passage; 0.3 was
    # chosen out of fold on the training data (model card, Experiments).
    background_weight: float = 0.3
    ungated_min_auc: float = 0.65  # out-of-fold ROC-AUC a background-trained head needs to judge uncued passages
    ungated_max_flag: float = 0.01  # share of background passages it may flag out of fold
    ungated_min_gain: float = 0.02  # out-of-fold balanced accuracy it must add to the lexicon's on its own passages
    gated: bool = True  # AO3-trained heads learn only from passages the lexicon routes to them
    objective: str = "f1"  # what thresholds maximise: "f1" or "balanced_accuracy" (measured worse)
    focus: bool = True  # gated heads also read their cue sentences (forewarn.score.focus)


@dataclass
class Heads:
    """Fitted heads for a set of labels, plus the TF-IDF vocabulary they use."""

    labels: list[str]
    vocabulary: dict[str, int]
    arrays: dict[str, np.ndarray]  # emb_coef, emb_intercept, tfidf_coef, tfidf_intercept, idf[, focus_coef]

    def scores(self, emb: np.ndarray, texts: list[str], w_emb: float, *, focus: np.ndarray | None = None) -> np.ndarray:
        """Scores of every head for every passage; ``focus`` (from :func:`focus_embeddings`) holds
        each passage's cue-sentence embedding for its own warning, so a focus head's column is
        meaningful for the passages of its own warning (the only ones training reads it for)."""
        from forewarn.score.model import Tfidf

        tf = Tfidf(self.vocabulary, self.arrays["idf"])
        tfidf = tf.dot([t.lower() for t in texts], self.arrays["tfidf_coef"])
        rows = np.arange(len(texts))
        where = (
            {}
            if focus is None or "focus_coef" not in self.arrays
            else {k: (rows, focus) for k in range(len(self.labels)) if self.arrays["focus_coef"][k].any()}
        )
        return head_scores(emb, tfidf, self.arrays, w_emb, focus=where)


def fit_heads(
    texts: list[str],
    emb: np.ndarray,
    warnings: np.ndarray,
    y: np.ndarray,
    target: np.ndarray,
    *,
    labels: list[str],
    config: HeadsConfig,
    background: np.ndarray | None = None,
    include: np.ndarray | None = None,
    focus: np.ndarray | None = None,
    focus_for: Collection[str] = (),
) -> Heads:
    """One TF-IDF vocabulary over all texts; per label, two logistic regressions.

    ``background`` (from :func:`background_matrix`) adds presumed negatives per label;
    ``include`` (from :func:`own_rows`) limits which of a label's own passages it learns from;
    ``focus`` (from :func:`focus_embeddings`) is read beside the passage's embedding by the
    heads of the labels ``focus_for`` (from :func:`focus_labels`).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(
        ngram_range=(1, 2), min_df=config.min_df, sublinear_tf=True, max_features=config.max_features, lowercase=True
    )
    x_all = vec.fit_transform(texts)
    d = emb.shape[1]
    arrays = {
        "emb_coef": np.zeros((len(labels), d)),
        "emb_intercept": np.zeros(len(labels)),
        "tfidf_coef": np.zeros((len(labels), x_all.shape[1])),
        "tfidf_intercept": np.zeros(len(labels)),
        "idf": vec.idf_.astype(np.float64),
    }
    with_focus = np.hstack([emb, focus]) if focus is not None and set(labels) & set(focus_for) else None
    if with_focus is not None:
        arrays["focus_coef"] = np.zeros((len(labels), d))
    for k, w in enumerate(labels):
        m = np.flatnonzero((warnings == w) & (True if include is None else include))
        if m.size == 0 or len(set(y[m])) < 2:
            raise ValueError(f"warning {w!r} needs positive and negative examples")
        bg = np.flatnonzero(background[:, k]) if background is not None else np.zeros(0, dtype=int)
        feats = with_focus if with_focus is not None and w in focus_for else emb
        # Soft labels: each passage once as positive and once as negative, weighted by the votes.
        xe = np.vstack([feats[m], feats[m], feats[bg]])
        ye = np.r_[np.ones(m.size), np.zeros(m.size), np.zeros(bg.size)]
        bw = np.full(bg.size, config.background_weight * m.size / max(bg.size, 1))
        sw = np.r_[target[m], 1.0 - target[m], bw] + 1e-6
        # With background the weights already balance own passages against it.
        balance = None if bg.size else "balanced"
        emb_lr = LogisticRegression(C=config.c_emb, max_iter=5000, class_weight=balance)
        emb_lr.fit(xe, ye, sample_weight=sw)
        tf_lr = LogisticRegression(C=config.c_tfidf, max_iter=5000, class_weight=balance)
        rows = np.r_[m, bg]
        tf_lr.fit(x_all[rows], np.r_[y[m], np.zeros(bg.size)], sample_weight=np.r_[np.ones(m.size), bw])
        arrays["emb_coef"][k] = emb_lr.coef_[0][:d]
        if feats.shape[1] > d:
            arrays["focus_coef"][k] = emb_lr.coef_[0][d:]
        arrays["emb_intercept"][k] = emb_lr.intercept_[0]
        arrays["tfidf_coef"][k] = tf_lr.coef_[0]
        arrays["tfidf_intercept"][k] = tf_lr.intercept_[0]
    vocabulary = {str(t): int(i) for t, i in vec.vocabulary_.items()}
    return Heads(labels, vocabulary, arrays)
