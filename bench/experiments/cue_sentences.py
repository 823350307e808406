"""The cue-sentence experiment (model card, Experiments): dev passages only, 5-fold CV grouped
by work through forewarn's own ``cross_validate`` (each fold trains, calibrates and thresholds
on its training part only).

Variants: ``base`` (the passage's embedding), ``cat0`` (the passage's and its cue sentences',
as shipped), ``cat1`` (cue sentences with one neighbouring sentence each side), ``mean0`` (the
two embeddings averaged), ``lexf`` (``cat0`` plus five columns of the passage's own lexicon
evidence for its warning: log(1 + hits) per tier, graphic, depiction, mention, topic, and
negated), ``tfdup`` (``cat0``, and the TF-IDF regression reads the passage followed by its cue
sentences again), ``tfsep`` (``cat0``, and the cue sentences' words are TF-IDF features of their
own, prefixed ``cq``), ``char`` (``cat0``, and the TF-IDF regression also reads character
2-5-grams within words, ``char_wb``, as a second L2-normalised block beside the word 1-2-grams:
spelling variants of slurs and cue words). The cue sentences are those holding the lexicon's
hits (cues and topic words) for the passage's own warning; none: the passage itself.

    python bench/experiments/cue_sentences.py [VARIANTS] [SEEDS]     # e.g. base,cat0 0,1,2

Embeddings are cached in bench/experiments/.cache/ (not committed). About 2 minutes per run on 2 cores.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from forewarn.evaluate import cross_validate, load_labeled  # noqa: E402
from forewarn.score.encoder import Encoder  # noqa: E402
from forewarn.score.focus import sentence_spans  # noqa: E402
from forewarn.score.lexicon import LexiconHit, LexiconScorer  # noqa: E402
from forewarn.score.model import default_bundle  # noqa: E402
from forewarn.train import HeadsConfig  # noqa: E402

DEV = ROOT.parent / "shared/data/passages-dev.jsonl"
CACHE = Path(__file__).resolve().parent / ".cache"


def window(text: str, spans: list[tuple[int, int]], *, context: int) -> str:
    """The sentences overlapping ``spans`` and ``context`` sentences each side (0: as shipped,
    ``forewarn.score.focus.cue_sentences``)."""
    sents = sentence_spans(text)
    keep = {
        j
        for s, e in spans
        for k, (a, b) in enumerate(sents)
        if a < e and s < b
        for j in range(max(0, k - context), min(len(sents), k + context + 1))
    }
    if not keep:
        return text
    return " ".join(text[sents[k][0] : sents[k][1]].strip() for k in sorted(keep))


def evidence(own_hits: list[list[LexiconHit]]) -> np.ndarray:
    """Per passage, log(1 + count) of its own warning's hits per tier and of its negated hits."""
    tiers = ["graphic", "depiction", "mention", "topic"]
    out = np.zeros((len(own_hits), 5), dtype=np.float32)
    for i, found in enumerate(own_hits):
        for h in found:
            out[i, 4 if h.negated else tiers.index(h.tier)] += 1
    return np.log1p(out)


def patch_tfidf(augmented: dict[str, str]) -> None:
    """Make training and scoring read ``augmented[text]`` wherever the TF-IDF regression reads a
    passage (the cascade's gate still reads the passage itself)."""
    import forewarn.train as tr

    fit, scores = tr.fit_heads, tr.Heads.scores

    def fit_heads(texts: list[str], *args: object, **kwargs: object) -> tr.Heads:
        return fit([augmented.get(t, t) for t in texts], *args, **kwargs)  # type: ignore[arg-type]

    def heads_scores(self: tr.Heads, emb: np.ndarray, texts: list[str], *args: object, **kwargs: object) -> np.ndarray:
        return scores(self, emb, [augmented.get(t, t) for t in texts], *args, **kwargs)  # type: ignore[arg-type]

    tr.fit_heads = fit_heads  # type: ignore[assignment]
    tr.Heads.scores = heads_scores  # type: ignore[method-assign]


def patch_char_ngrams() -> None:
    """Refit each head's TF-IDF regression on word 1-2-grams plus character 2-5-grams within
    words (same weights, C and labels as ``fit_heads``), and score with it."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion

    import forewarn.train as tr
    from forewarn.score.model import head_scores

    fit = tr.fit_heads

    def fit_heads(texts: list[str], emb: np.ndarray, warnings: np.ndarray, y: np.ndarray, *args: Any, **kw: Any) -> Any:
        heads = fit(texts, emb, warnings, y, *args, **kw)
        config, background, include = kw["config"], kw.get("background"), kw.get("include")
        vec = FeatureUnion(
            [
                (
                    "w",
                    TfidfVectorizer(
                        ngram_range=(1, 2), min_df=config.min_df, sublinear_tf=True, max_features=config.max_features
                    ),
                ),
                (
                    "c",
                    TfidfVectorizer(
                        analyzer="char_wb",
                        ngram_range=(2, 5),
                        min_df=config.min_df,
                        sublinear_tf=True,
                        max_features=50000,
                    ),
                ),
            ]
        )
        x_all = vec.fit_transform(texts)
        coef = np.zeros((len(heads.labels), x_all.shape[1]))
        intercept = np.zeros(len(heads.labels))
        for k, w in enumerate(heads.labels):
            m = np.flatnonzero((warnings == w) & (True if include is None else include))
            bg = np.flatnonzero(background[:, k]) if background is not None else np.zeros(0, dtype=int)
            bw = np.full(bg.size, config.background_weight * m.size / max(bg.size, 1))
            lr = LogisticRegression(C=config.c_tfidf, max_iter=5000, class_weight=None if bg.size else "balanced")
            rows = np.r_[m, bg]
            lr.fit(x_all[rows], np.r_[y[m], np.zeros(bg.size)], sample_weight=np.r_[np.ones(m.size), bw])
            coef[k], intercept[k] = lr.coef_[0], lr.intercept_[0]
        heads.char = (vec, coef, intercept)  # type: ignore[attr-defined]
        return heads

    def heads_scores(self: Any, emb: np.ndarray, texts: list[str], w_emb: float, *, focus: Any = None) -> np.ndarray:
        vec, coef, intercept = self.char
        tfidf = np.asarray(vec.transform(texts) @ coef.T)
        arrays = {**self.arrays, "tfidf_intercept": intercept}
        rows = np.arange(len(texts))
        where = (
            {}
            if focus is None or "focus_coef" not in arrays
            else {k: (rows, focus) for k in range(len(self.labels)) if arrays["focus_coef"][k].any()}
        )
        return head_scores(emb, tfidf, arrays, w_emb, focus=where)

    tr.fit_heads = fit_heads  # type: ignore[assignment]
    tr.Heads.scores = heads_scores  # type: ignore[method-assign]


def cached(name: str, texts: list[str], enc: Encoder) -> np.ndarray:
    path = CACHE / f"{name}.npy"
    if path.exists():
        return np.load(path)
    CACHE.mkdir(exist_ok=True)
    emb = enc.encode(texts)
    np.save(path, emb)
    return emb


def main() -> None:
    names = sys.argv[1].split(",") if len(sys.argv) > 1 else ["base", "cat0", "cat1", "mean0"]
    seeds = [int(s) for s in sys.argv[2].split(",")] if len(sys.argv) > 2 else [0, 1, 2]
    passages = load_labeled([DEV])
    bundle = default_bundle()
    enc = Encoder(bundle / "encoder.onnx", bundle / "tokenizer.json")
    emb = cached("passages", [p.text for p in passages], enc)
    lexicon = LexiconScorer()
    own = [[h for h in lexicon.hits(p.text) if h.warning == p.warning] for p in passages]
    hits = [[(h.start, h.end) for h in found] for found in own]
    variants: dict[str, np.ndarray] = {"base": emb}
    for context in (0, 1):
        texts = [window(p.text, h, context=context) for p, h in zip(passages, hits, strict=True)]
        win = cached(f"cue{context}", texts, enc)
        variants[f"cat{context}"] = np.hstack([emb, win])
        both = emb + win
        variants[f"mean{context}"] = both / np.linalg.norm(both, axis=1, keepdims=True)
    variants["lexf"] = np.hstack([variants["cat0"], evidence(own)])
    variants["tfdup"] = variants["tfsep"] = variants["char"] = variants["cat0"]
    cues = [window(p.text, h, context=0) for p, h in zip(passages, hits, strict=True)]
    patched = [n for n in names if n in ("tfdup", "tfsep", "char")]
    if len(patched) > 1 or (patched and names[-1] != patched[0]):
        raise SystemExit("tfdup, tfsep and char patch training for the rest of the run: one of them, last")
    for name in names:
        if name == "char":
            patch_char_ngrams()
        if name in ("tfdup", "tfsep"):
            # A text repeated under two warnings keeps the last one's cue sentences.
            extra = [re.sub(r"\b(\w)", r"cq\1", c) if name == "tfsep" else c for c in cues]
            patch_tfidf({p.text: f"{p.text}\n{e}" for p, e in zip(passages, extra, strict=True)})
        for seed in seeds:
            r = cross_validate(passages, variants[name], folds=5, config=HeadsConfig(seed=seed))
            print(
                f"{name} seed {seed}: balanced accuracy {r.mean('balanced_accuracy'):.4f} "
                f"F1 {r.mean('f1'):.4f} ROC-AUC {r.mean('roc_auc'):.4f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
