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
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from forewarn import __version__
from forewarn.evaluate import NO_WARNING, LabeledPassage, fit_platt, grouped_folds, pick_threshold
from forewarn.score.model import calibrate, head_scores, write_checksums


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


@dataclass
class TrainedModel:
    heads: Heads
    ungated: dict[str, float]  # label -> threshold above which it adds flags (``--scorer thorough``)
    lexicon_only: list[str]  # background-trained heads that did not qualify: the lexicon decides
    selection: dict[str, dict[str, Any]]  # per candidate head, the evidence for ``ungated``
    calibration: dict[str, tuple[float, float]]
    thresholds: dict[str, float]
    config: HeadsConfig
    metrics: dict[str, Any]
    data_sha256: str
    data_files: list[str]
    seconds: float
    select_files: list[str]
    select_sha256: str
    lexicon_version: str = ""  # the lexicon whose hits routed the passages and made the cue sentences


def calibrate_columns(scores: np.ndarray, labels: list[str], calibration: dict[str, tuple[float, float]]) -> np.ndarray:
    """Each label's column of raw head scores through its Platt calibration (as a bundle's
    ``ModelScorer.predict_proba`` applies it)."""
    a, b = np.array([calibration[w] for w in labels]).T
    return calibrate(scores, a, b)


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


def save_bundle(model: TrainedModel, out_dir: str | Path, *, encoder_dir: Path, command: str = "") -> Path:
    """Write the bundle; the encoder and tokenizer are copied from ``encoder_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("encoder.onnx", "tokenizer.json"):
        if (encoder_dir / name).resolve() != (out / name).resolve():
            shutil.copy(encoder_dir / name, out / name)
    arrays: dict[str, Any] = {k: v.astype(np.float32) for k, v in model.heads.arrays.items()}
    np.savez(out / "heads.npz", **arrays)
    (out / "vocab.json").write_text(json.dumps(model.heads.vocabulary, sort_keys=True) + "\n")
    (out / "labels.json").write_text(json.dumps(model.heads.labels, indent=2) + "\n")
    tag = model.data_sha256[:8] or "nodata"
    config = {
        "version": f"forewarn-minilm-heads-{__version__}-{tag}-s{model.config.seed}",
        "format": 2 if "focus_coef" in model.heads.arrays else 1,
        # The heads read the cue sentences of this lexicon's hits: another lexicon changes their input.
        "lexicon": model.lexicon_version,
        "encoder": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), ONNX, int8 per-channel weights",
        "max_length": 256,
        "w_emb": model.config.w_emb,
        "heads": asdict(model.config),
        "calibration": {k: list(v) for k, v in model.calibration.items()},
        "thresholds": model.thresholds,
        "ungated": model.ungated,
        "lexicon_only": model.lexicon_only,
        "data_files": model.data_files,
        "data_sha256": model.data_sha256,
        "select_files": model.select_files,
        "select_sha256": model.select_sha256,
        "created_by": command,
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    metrics = {**model.metrics, "thorough_selection": model.selection}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    write_checksums(out)
    return out
