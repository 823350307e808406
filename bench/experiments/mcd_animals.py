"""How often Major Character Death is suggested for written animal-death, death and dying positives.

Run from the repository root: python bench/experiments/mcd_animals.py
"""

from __future__ import annotations

import collections
import json
from pathlib import Path

from forewarn.pipeline import scan_work
from forewarn.readers import read_text
from forewarn.score.cascade import default_scorer

WRITTEN = Path("data/written")
FILES = sorted(WRITTEN.glob("severity-*.jsonl")) + [
    WRITTEN / f"{name}.jsonl" for name in ("eval", "train", "eval-other", "train-other", "tune")
]


def main() -> None:
    scorer = default_scorer("cascade")
    counts: collections.Counter[tuple[str, bool]] = collections.Counter()
    for path in FILES:
        with path.open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if row.get("label", 1) != 1 or row["warning"] not in ("animal-death", "death", "dying"):
                    continue
                report = scan_work(read_text(row["text"]), scorer=scorer)
                mcd = any(s.name == "Major Character Death" for s in report.archive_warnings)
                counts[(row["warning"], mcd)] += 1
    for warning in ("animal-death", "death", "dying"):
        yes, no = counts[(warning, True)], counts[(warning, False)]
        print(f"{warning}: Major Character Death suggested for {yes} of {yes + no}")


if __name__ == "__main__":
    main()
