"""Choose the lexicon-only decision threshold on the project-written tuning set.

data/written/tune.jsonl (48 passages for each of 11 lexicon-only warnings) is for tuning;
data/written/eval.jsonl is for reporting and is not looked at here. One global threshold
is chosen (a single parameter, to keep over-fitting small).

    python bench/tune_lexicon.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forewarn.evaluate import binary_metrics, load_labeled  # noqa: E402
from forewarn.score.lexicon import LexiconScorer  # noqa: E402


def main() -> None:
    lex = LexiconScorer()
    col = {w: i for i, w in enumerate(lex.labels_)}
    passages = load_labeled([ROOT / "data/written/tune.jsonl"])
    probs = lex.predict_proba([p.text for p in passages])
    warnings = sorted({p.warning for p in passages})
    for t in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
        f1, ba = [], []
        for w in warnings:
            idx = [i for i, p in enumerate(passages) if p.warning == w]
            y = np.array([passages[i].label for i in idx])
            s = probs[idx, col[w]]
            m = binary_metrics(y, s, s >= t)
            f1.append(m["f1"])
            ba.append(m["balanced_accuracy"])
        print(f"threshold {t:.1f}: mean F1 {np.mean(f1):.3f}, balanced accuracy {np.mean(ba):.3f}")


if __name__ == "__main__":
    main()
