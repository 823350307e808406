"""Collect measured quality into forewarn/data/quality.json and a Markdown table.

Sources: bench/results/written-eval.json (the project-written evaluation set,
never trained on, scored by the default cascade) for its 11 warnings, and the
packaged bundle's cross-validation metrics (dev passages, 5 folds grouped by
work) for the others. Warnings with no labeled data
get no entry, so `forewarn warnings` says "unmeasured" instead of inventing one.

    python bench/quality.py            # writes the JSON, prints the table
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from forewarn.taxonomy import load_taxonomy

    bundle_dir = ROOT / "forewarn/models/default"
    bundle = json.loads((bundle_dir / "metrics.json").read_text())
    quality: dict[str, dict] = {}
    # The held-out written evaluation set, scored as a scan scores, comes first for its warnings:
    # their heads' cross-validated numbers are on the written training set itself.
    written = ROOT / "bench/results/written-eval.json"
    if written.exists():
        for wid, m in json.loads(written.read_text())["per_warning"].items():
            quality[wid] = {**m, "measured_on": f"project-written eval set, lexicon (n={m['support']})"}
    for wid, m in bundle["per_warning"].items():
        if wid not in quality:
            quality[wid] = {**m, "measured_on": f"dev passages, 5-fold CV by work, default cascade (n={m['support']})"}
    out = ROOT / "forewarn/data/quality.json"
    out.write_text(json.dumps({"source": "bench/quality.py", "warnings": quality}, indent=2) + "\n")
    print("| warning | precision | recall | F1 | F1 95% int. | balanced acc. | ROC-AUC | ECE | n (pos) | measured on |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for d in load_taxonomy().warnings:
        q = quality.get(d.id)
        if q is None:
            print(f"| {d.id} | - | - | - | - | - | - | - | - | no labeled data yet: lexicon only, unmeasured |")
            continue
        auc = "-" if q.get("roc_auc") is None else f"{q['roc_auc']:.3f}"
        ci = "-" if not q.get("f1_ci") else f"{q['f1_ci'][0]:.2f}-{q['f1_ci'][1]:.2f}"
        print(
            f"| {d.id} | {q['precision']:.3f} | {q['recall']:.3f} | {q['f1']:.3f} | {ci} "
            f"| {q['balanced_accuracy']:.3f} | {auc} | {q['ece']:.3f} | {q['support']} ({q['positives']}) "
            f"| {q['measured_on']} |"
        )


if __name__ == "__main__":
    main()
