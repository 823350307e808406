"""How often the English check (forewarn.language) calls English text another language.

Every dev passage (AO3) and project-written passage is English but for a few AO3 passages
in other languages; prints what ``guess_language`` makes of them, and the time it takes on
a long work. Usage: python bench/eval_language.py
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forewarn.language import guess_language  # noqa: E402


def main() -> None:
    sets = {
        "AO3 dev passages": [ROOT.parent / "shared" / "data" / "passages-dev.jsonl"],
        "project-written passages": sorted((ROOT / "data" / "written").glob("*.jsonl")),
    }
    for name, files in sets.items():
        found: Counter[str] = Counter()
        others = []
        for path in files:
            for line in path.read_text(encoding="utf-8").splitlines():
                text = json.loads(line)["text"]
                guess = guess_language(text)
                code = guess.code if guess else "undetermined"
                found[code] += 1
                if code not in ("en", "undetermined"):
                    others.append(f"  {code}: {text[:90]!r}")
        print(f"{name}: {sum(found.values()):,} passages, {dict(found.most_common())}")
        print("\n".join(others))
    long = (ROOT / "bench" / "results" / "generated-100000.txt").read_text(encoding="utf-8") * 10
    t = time.perf_counter()
    guess = guess_language(long)
    print(f"{len(long.split()):,}-word work: {guess.code if guess else None} in {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
