"""The cue-sentence experiment (model card, Experiments): dev passages only, 5-fold CV grouped
by work through forewarn's own ``cross_validate`` (each fold trains, calibrates and thresholds
on its training part only).

Variants: ``base`` (the passage's embedding), ``cat0`` (the passage's and its cue sentences',
as shipped), ``cat1`` (cue sentences with one neighbouring sentence each side), ``mean0`` (the
two embeddings averaged), ``lexf`` (``cat0`` plus five columns of the passage's own lexicon
evidence for its warning: log(1 + hits) per tier, graphic, depiction, mention, topic, and
negated). The cue sentences are those holding the lexicon's hits (cues and topic words) for the
passage's own warning; none: the passage itself.

    python bench/experiments/cue_sentences.py [VARIANTS] [SEEDS]     # e.g. base,cat0 0,1,2

Embeddings are cached in bench/experiments/.cache/ (not committed). About 2 minutes per run on 2 cores.
"""

from __future__ import annotations

import sys
from pathlib import Path

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
    for name in names:
        for seed in seeds:
            r = cross_validate(passages, variants[name], folds=5, config=HeadsConfig(seed=seed))
            print(
                f"{name} seed {seed}: balanced accuracy {r.mean('balanced_accuracy'):.4f} "
                f"F1 {r.mean('f1'):.4f} ROC-AUC {r.mean('roc_auc'):.4f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
