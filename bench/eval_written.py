"""Evaluate the default scorer on the project-written evaluation passages.

data/written/eval.jsonl (11 warnings the shared data does not cover) and
data/written/eval-other.jsonl (the 18 remaining lexicon-only warnings): 40 positives and 40
hard negatives per warning, written for evaluation only, never used for training or for
tuning the lexicon. Each passage is scored as one passage by the default cascade (or
``--mode thorough``), at the thresholds a scan uses.

    python bench/eval_written.py                  # writes bench/results/written-eval.json
    python bench/eval_written.py --mode thorough  # writes bench/results/written-eval-thorough.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forewarn.evaluate import evaluate_model, format_table, load_labeled  # noqa: E402
from forewarn.score.cascade import default_scorer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", default="cascade", choices=["cascade", "thorough", "lexicon"])
    ap.add_argument("--model", default=None, help="model bundle directory (default: the packaged one)")
    ap.add_argument("--out", default=None, help="results file (default: bench/results/written-eval[-MODE].json)")
    args = ap.parse_args()
    passages = load_labeled([ROOT / "data/written/eval.jsonl", ROOT / "data/written/eval-other.jsonl"])
    scorer = default_scorer(args.mode, bundle=args.model)
    per = evaluate_model(scorer, passages)
    print(format_table(per))
    name = "written-eval.json" if args.mode == "cascade" else f"written-eval-{args.mode}.json"
    record = {"evaluation": "project-written eval set", "mode": args.mode, "scorer": scorer.version_}
    record["per_warning"] = per
    (Path(args.out) if args.out else ROOT / "bench/results" / name).write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
