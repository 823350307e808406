"""Evaluate the default scorer on the project-written passages (data/written/eval.jsonl).

These passages were written by forewarn's developers for evaluation only (40 positives and 40
hard negatives per warning, for 11 warnings the shared data does not cover). They are never
used for training or for tuning the lexicon. Each passage is scored as one passage by the
default cascade, at the thresholds a scan uses.

    python bench/eval_written.py     # writes bench/results/written-eval.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forewarn.evaluate import binary_metrics, format_table, load_labeled  # noqa: E402
from forewarn.score.cascade import default_scorer  # noqa: E402


def main() -> None:
    passages = load_labeled([ROOT / "data/written/eval.jsonl"])
    scorer = default_scorer("cascade")
    result = scorer.score([p.text for p in passages])
    col = {w: i for i, w in enumerate(result.labels)}
    per = {}
    for w in sorted({p.warning for p in passages}):
        idx = [i for i, p in enumerate(passages) if p.warning == w]
        y = np.array([passages[i].label for i in idx])
        prob = result.probs[idx, col[w]]
        per[w] = binary_metrics(y, prob, prob >= result.thresholds[w])
    print(format_table(per))
    out = ROOT / "bench/results/written-eval.json"
    out.write_text(
        json.dumps({"evaluation": "project-written eval set", "scorer": scorer.version_, "per_warning": per}, indent=2)
        + "\n"
    )


if __name__ == "__main__":
    main()
