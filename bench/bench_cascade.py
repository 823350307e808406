"""Cascade vs encoder-everywhere vs lexicon: quality on the dev passages, share routed to the heads.

The cascade and encoder-everywhere numbers are the bundle's own cross-validation
(metrics.json, written by `forewarn train`: 5 folds grouped by work, each fold's
model trained, calibrated and thresholded on its training part only, the test
fold scored by the default cascade and by the heads on every passage). The
lexicon needs no training and is scored directly. The gate share is how many
passages (and positives) the lexicon routes to their warning's head.

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

from forewarn.evaluate import evaluate_model, load_labeled
from forewarn.score.cascade import CascadeScorer
from forewarn.score.model import default_bundle

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(HERE.parent.parent / "shared/data/passages-dev.jsonl"))
    args = ap.parse_args()
    passages = load_labeled([args.data])
    metrics = json.loads((default_bundle() / "metrics.json").read_text())
    cascade, heads = metrics["per_warning"], metrics["heads_everywhere"]["per_warning"]
    lexicon_scorer = CascadeScorer(model=None)
    lexicon = evaluate_model(lexicon_scorer, passages)
    _, cues = lexicon_scorer.lexicon_view([p.text for p in passages])
    warn = np.array([p.warning for p in passages])
    y = np.array([p.label for p in passages])
    routed = np.array([p.warning in c for p, c in zip(passages, cues, strict=True)])
    rows = {}
    for w in sorted(set(warn)):
        m = warn == w
        rows[w] = {
            "encoder_f1": heads[w]["f1"],
            "cascade_f1": cascade[w]["f1"],
            "lexicon_f1": lexicon[w]["f1"],
            "encoder_ba": heads[w]["balanced_accuracy"],
            "cascade_ba": cascade[w]["balanced_accuracy"],
            "lexicon_ba": lexicon[w]["balanced_accuracy"],
            "gated_share": round(float(routed[m].mean()), 3),
            "positives_gated_share": round(float(routed[m & (y == 1)].mean()), 3),
        }
        r = rows[w]
        print(
            f"{w:<12} F1 encoder {r['encoder_f1']:.3f} cascade {r['cascade_f1']:.3f} "
            f"lexicon {r['lexicon_f1']:.3f} | BA {r['encoder_ba']:.3f} {r['cascade_ba']:.3f} {r['lexicon_ba']:.3f} "
            f"| gate passes {r['gated_share']:.0%} (positives {r['positives_gated_share']:.0%})"
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
