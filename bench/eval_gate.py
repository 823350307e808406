"""Plain-narrative recall of the violence, death, abduction and war detections.

data/written/gate-eval.jsonl: 40 positives and 25 hard negatives per warning, told mostly
without the warnings' stock words, written by a second writer who saw neither the lexicon nor
data/written/train-gate.jsonl (the passages the routing cues were developed on). Evaluation
only: never tuned on. Each passage is scanned as a one-passage work by the default cascade
(the shipped heads); ``--lexicon PATH`` swaps in another lexicon file, e.g. an older one from
git, to compare.

    python bench/eval_gate.py
    git show f85dae0:forewarn/data/lexicon.toml > /tmp/old.toml && python bench/eval_gate.py --lexicon /tmp/old.toml
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forewarn.pipeline import scan_work, scoring_text  # noqa: E402
from forewarn.readers import read_text  # noqa: E402
from forewarn.score.cascade import CascadeScorer, default_scorer  # noqa: E402
from forewarn.score.lexicon import LexiconScorer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lexicon", help="another lexicon file (default: the packaged one)")
    args = ap.parse_args()
    rows = [json.loads(line) for line in (ROOT / "data/written/gate-eval.jsonl").open(encoding="utf-8")]
    scorer = CascadeScorer(lexicon=LexiconScorer(lexicon_path=args.lexicon), model=default_scorer().model)
    _, cues = scorer.lexicon_view([scoring_text(r["text"]) for r in rows])
    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for row, cue in zip(rows, cues, strict=True):
        w, kind = row["warning"], "pos" if row["label"] == 1 else "neg"
        found = {x.id for x in scan_work(read_text(row["text"]), scorer=scorer).warnings}
        counts[w][kind] += 1
        counts[w][f"{kind}_routed"] += w in cue
        counts[w][f"{kind}_detected"] += w in found
    for w, c in sorted(counts.items()):
        tp, fp = c["pos_detected"], c["neg_detected"]
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / c["pos"]
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(
            f"{w:10s} positives routed {c['pos_routed']}/{c['pos']} detected {tp}/{c['pos']} | hard negatives "
            f"routed {c['neg_routed']}/{c['neg']} detected {fp}/{c['neg']} | "
            f"P {precision:.2f} R {recall:.2f} F1 {f1:.2f}"
        )


if __name__ == "__main__":
    main()
