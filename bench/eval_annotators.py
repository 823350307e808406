"""How the model compares with a single human annotator on the dev passages.

Each dev passage has three votes; the label is their majority. A single annotator is judged
against the other two where those two agree (where they split, there is no label without the
annotator's own vote), once per annotator position; the model's out-of-fold predictions
(5-fold CV grouped by work, default cascade, as ``forewarn evaluate --folds 5``) are judged on
exactly the same passages against the same labels, so the two rows are paired. The model's
figure against the full majority label (the table in the model card) is printed beside them.

This puts the issue's bar (mean balanced accuracy 0.76 against the majority) next to what one
of the three people who made the labels reaches against the other two.

    python bench/eval_annotators.py [--seed 0] [--json bench/results/annotators.json]

Dev passages only (their embeddings are cached in bench/experiments/.cache/, as by
``bench/experiments/cue_sentences.py``); about 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forewarn.evaluate import balanced_accuracy, cross_validate, f1_score, load_labeled  # noqa: E402
from forewarn.score.encoder import Encoder  # noqa: E402
from forewarn.score.model import default_bundle  # noqa: E402
from forewarn.train import HeadsConfig, focus_embeddings  # noqa: E402

DEV = ROOT.parent / "shared/data/passages-dev.jsonl"
CACHE = ROOT / "bench/experiments/.cache"


def votes_of(path: Path) -> list[list[int]]:
    """Each passage's three votes, in file order (``load_labeled`` keeps only their share)."""
    with open(path, encoding="utf-8") as f:
        return [[int(v) for v in json.loads(line)["labels"]] for line in f if line.strip()]


def cached(name: str, texts: list[str], encode: Any) -> np.ndarray:
    """The texts' embeddings, from the experiments' cache (the same dev file) when it has as
    many rows."""
    path = CACHE / f"{name}.npy"
    if path.exists() and len(emb := np.load(path)) == len(texts):
        return emb
    CACHE.mkdir(parents=True, exist_ok=True)
    emb = encode(texts)
    np.save(path, emb)
    return emb


def paired(votes: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """Mean over the three annotator positions of balanced accuracy and F1, of that annotator
    and of ``pred``, against the other two on the passages where they agree."""
    out: dict[str, list[float]] = {"human_ba": [], "model_ba": [], "human_f1": [], "model_f1": [], "n": []}
    for i in range(3):
        a, b = votes[:, (i + 1) % 3], votes[:, (i + 2) % 3]
        keep = a == b
        y = a[keep].astype(bool)
        out["human_ba"].append(balanced_accuracy(y, votes[keep, i].astype(bool)))
        out["model_ba"].append(balanced_accuracy(y, pred[keep]))
        out["human_f1"].append(f1_score(y, votes[keep, i].astype(bool)))
        out["model_f1"].append(f1_score(y, pred[keep]))
        out["n"].append(float(keep.sum()))
    return {k: float(np.mean(v)) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()

    passages = load_labeled([DEV])
    votes = np.array(votes_of(DEV))
    if len(votes) != len(passages) or votes.shape[1] != 3:
        raise SystemExit(f"{DEV}: expected three votes per passage")
    bundle = default_bundle()
    enc = Encoder(bundle / "encoder.onnx", bundle / "tokenizer.json")
    emb = cached("passages", [p.text for p in passages], enc.encode)
    focus = focus_embeddings(passages, emb, enc.encode)
    cv = cross_validate(passages, emb, folds=5, config=HeadsConfig(seed=args.seed), focus=focus)

    warn = np.array([p.warning for p in passages])
    rows: dict[str, dict[str, float]] = {}
    head = (
        f"{'warning':<12}{'one annotator':>15}{'model':>8}{'F1 annot.':>11}{'model':>8}{'n':>7}"
        f"{'model vs majority':>19}"
    )
    print(head, "-" * len(head), sep="\n")
    for w in cv.labels:
        m = warn == w
        r = paired(votes[m], cv.pred[m])
        r["model_ba_majority"] = float(cv.per_warning[w]["balanced_accuracy"])
        r["model_f1_majority"] = float(cv.per_warning[w]["f1"])
        rows[w] = r
        print(
            f"{w:<12}{r['human_ba']:>15.3f}{r['model_ba']:>8.3f}{r['human_f1']:>11.3f}{r['model_f1']:>8.3f}"
            f"{r['n']:>7.0f}{r['model_ba_majority']:>12.3f} / {r['model_f1_majority']:.3f}"
        )
    mean = {k: float(np.mean([r[k] for r in rows.values()])) for k in next(iter(rows.values()))}
    print("-" * len(head))
    print(
        f"{'mean':<12}{mean['human_ba']:>15.3f}{mean['model_ba']:>8.3f}{mean['human_f1']:>11.3f}"
        f"{mean['model_f1']:>8.3f}{'':>7}{mean['model_ba_majority']:>12.3f} / {mean['model_f1_majority']:.3f}"
    )
    print("balanced accuracy (first two columns) and F1, each against the other two annotators where they agree")
    if args.json:
        args.json.write_text(json.dumps({"seed": args.seed, "mean": mean, "per_warning": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
