"""Cascade vs encoder-everywhere: quality on the dev passages, share of passages encoded.

Quality uses the bundle's out-of-fold predictions (oof.npz, written by
`forewarn train`), so no passage is scored by a model that saw it. In the
cascade, a passage whose text has no lexicon cue for its warning is not sent to
the encoder and keeps the lexicon's decision instead; where a depicted or graphic
cue exists, it is flagged if either the head or the lexicon says so.

    python bench/bench_cascade.py [--data ../shared/data/passages-dev.jsonl]

Writes bench/results/cascade.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from forewarn.evaluate import binary_metrics, load_labeled
from forewarn.score.lexicon import LexiconScorer
from forewarn.score.model import default_bundle

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(HERE.parent.parent / "shared/data/passages-dev.jsonl"))
    args = ap.parse_args()
    passages = load_labeled([args.data])
    # The bundle is trained with the dev file first (then data/written/tune.jsonl): its first
    # len(passages) out-of-fold rows are the dev passages, in file order.
    with np.load(default_bundle() / "oof.npz") as z:
        oof = {k: z[k][: len(passages)] for k in z.files}
    lex = LexiconScorer()
    col = {w: i for i, w in enumerate(lex.labels_)}
    warn = np.array([p.warning for p in passages])
    y = np.array([p.label for p in passages])
    hits = [lex.hits(p.text) for p in passages]
    gate = np.array([any(h.warning == p.warning for h in hs) for p, hs in zip(passages, hits, strict=True)])
    strong = np.array(
        [
            any(h.warning == p.warning and h.tier in ("depiction", "graphic") and not h.negated for h in hs)
            for p, hs in zip(passages, hits, strict=True)
        ]
    )
    lex_prob = np.array([lex.proba_from_hits(hs)[col[p.warning]] for p, hs in zip(passages, hits, strict=True)])
    rows = {}
    for w in sorted(set(warn)):
        m = warn == w
        enc = binary_metrics(y[m], oof["prob"][m], oof["pred"][m].astype(bool))
        cas_prob = np.where(gate[m], oof["prob"][m], lex_prob[m])
        strong_lex = strong[m] & (lex_prob[m] >= 0.5)
        cas_pred = np.where(gate[m], oof["pred"][m].astype(bool) | strong_lex, lex_prob[m] >= 0.5)
        cas = binary_metrics(y[m], cas_prob, cas_pred)
        lx = binary_metrics(y[m], lex_prob[m], lex_prob[m] >= 0.5)
        rows[w] = {
            "encoder_f1": enc["f1"],
            "cascade_f1": cas["f1"],
            "lexicon_f1": lx["f1"],
            "encoder_ba": enc["balanced_accuracy"],
            "cascade_ba": cas["balanced_accuracy"],
            "lexicon_ba": lx["balanced_accuracy"],
            "gated_share": round(float(gate[m].mean()), 3),
            "positives_gated_share": round(float(gate[m][y[m] == 1].mean()), 3),
        }
        r = rows[w]
        print(
            f"{w:<12} F1 encoder {r['encoder_f1']:.3f} cascade {r['cascade_f1']:.3f} "
            f"lexicon {r['lexicon_f1']:.3f} | BA {r['encoder_ba']:.3f} {r['cascade_ba']:.3f} {r['lexicon_ba']:.3f} "
            f"| gate passes {r['gated_share']:.0%} "
            f"(positives {r['positives_gated_share']:.0%})"
        )
    mean = {k: round(float(np.mean([r[k] for r in rows.values()])), 4) for k in next(iter(rows.values()))}
    print(
        f"{'mean':<12} F1 encoder {mean['encoder_f1']:.3f} cascade {mean['cascade_f1']:.3f} "
        f"lexicon {mean['lexicon_f1']:.3f} | BA {mean['encoder_ba']:.3f} {mean['cascade_ba']:.3f} "
        f"{mean['lexicon_ba']:.3f}"
    )
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "cascade.json").write_text(json.dumps({"per_warning": rows, "mean": mean}, indent=2) + "\n")


if __name__ == "__main__":
    main()
