"""Build the work-level evaluation set from the project-written evaluation passages.

Each work is 4-8 passages of data/written/eval.jsonl (never trained or tuned on),
drawn without replacement with a fixed seed and joined as paragraphs. Its true
warnings are the warnings of the positive passages it contains; the labels speak
only for the 11 warnings that set covers (`scored`), since a hard negative for one
warning was not checked against the others.

    python bench/make_work_eval.py   # writes data/written/works.jsonl
"""

from __future__ import annotations

import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    rows = [json.loads(line) for line in (ROOT / "data/written/eval.jsonl").read_text().splitlines() if line.strip()]
    scored = sorted({r["warning"] for r in rows})
    rng = random.Random(11)
    pool = rows[:]
    rng.shuffle(pool)
    works = []
    while len(pool) >= 4:
        k = min(rng.randint(4, 8), len(pool))
        parts, pool = pool[:k], pool[k:]
        works.append(
            {
                "id": f"fw-work-{len(works):03d}",
                "text": "\n\n".join(p["text"] for p in parts),
                "warnings": sorted({p["warning"] for p in parts if p["label"] == 1}),
                "scored": scored,
                "source": "forewarn-written",
            }
        )
    out = ROOT / "data/written/works.jsonl"
    out.write_text("".join(json.dumps(w, ensure_ascii=False) + "\n" for w in works))
    print(f"{len(works)} works written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
