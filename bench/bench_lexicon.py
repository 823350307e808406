"""Lexicon time, this tree against an older revision, run alternately in one process.

Other work on the machine makes absolute times noisy, so the old lexicon (``forewarn/score/
lexicon.py`` as of ``--old``, loaded under another module name beside this tree's) and the new
one take turns on the same input, and the medians are compared. The input is what the cascade
gives the lexicon on the ``bench/bench_scan.py`` work (its passages, metadata blanked) and, with
``--dev``, the AO3 dev passages. Each round times the cascade's lexicon pass
(``CascadeScorer._lexicon_pass`` over the passages, hits and probabilities) in CPU seconds of
the process, after one untimed warm-up round (the word caches fill on first sight). With
``--cold`` every round starts from empty caches instead, as a scan in a fresh process does
(``bench_scan.py``): what the lexicon learns lazily (its word cache, the cues it compiles when
first needed, the idioms' literals) is forgotten before each round; ``--keep-cues`` keeps the
compiled cues, to time the word cache alone.

    python bench/bench_lexicon.py [--old main] [--rounds 7] [--dev] [--cold [--keep-cues]]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_scan import generate
from forewarn.pipeline import scoring_texts
from forewarn.readers import read
from forewarn.score.cascade import CascadeScorer
from forewarn.score.lexicon import LexiconScorer
from forewarn.split import split_work

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "data" / "passages-dev.jsonl"


def old_module(rev: str) -> ModuleType:
    """``forewarn/score/lexicon.py`` as of ``rev``, imported as ``lexicon_at_<rev>``."""
    source = subprocess.run(
        ["git", "show", f"{rev}:forewarn/score/lexicon.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "lexicon_old.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"lexicon_at_{rev}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def bench_passages() -> list[str]:
    """The bench_scan.py work's passages as the cascade scores them."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.txt"
        path.write_text(generate(100_000), encoding="utf-8")
        work = read(path)
    return scoring_texts(work, split_work(work))


LAZY = ("_word_cache", "_cues")  # what a lexicon fills as it meets words (its words, its compiled cues)


def timed(scorer: CascadeScorer, texts: list[str], *, cold: bool = False, keep_cues: bool = False) -> float:
    """CPU seconds of this process (less disturbed than wall time by other work on the machine)."""
    if cold:
        if not keep_cues:
            re.purge()  # or cues compiled before would come from the re module's cache
        for name in LAZY[:1] if keep_cues else LAZY:
            getattr(scorer.lexicon, name, {}).clear()
        for gate in getattr(scorer.lexicon, "_idiom_gates", {}).values():
            gate.forget()
    t0 = time.process_time()
    scorer._lexicon_pass(texts)
    return time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", default="main", help="The git revision to compare with (default: main).")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--dev", action="store_true", help="Also time the AO3 dev passages.")
    ap.add_argument("--cold", action="store_true", help="Empty the lexicons' lazy caches before each round.")
    ap.add_argument("--keep-cues", action="store_true", help="With --cold: keep the cues compiled so far.")
    args = ap.parse_args()
    inputs = {"bench": bench_passages()}
    if args.dev:
        inputs["dev"] = [json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines()]
    old = CascadeScorer(lexicon=old_module(args.old).LexiconScorer(), model=None)
    new = CascadeScorer(lexicon=LexiconScorer(), model=None)
    for name, texts in inputs.items():
        for scorer in (old, new):  # warm-up: fills the word caches
            timed(scorer, texts)
        times: dict[str, list[float]] = {"old": [], "new": []}
        for _ in range(args.rounds):
            times["old"].append(timed(old, texts, cold=args.cold, keep_cues=args.keep_cues))
            times["new"].append(timed(new, texts, cold=args.cold, keep_cues=args.keep_cues))
        o, n = statistics.median(times["old"]), statistics.median(times["new"])
        lo, ln = min(times["old"]), min(times["new"])
        print(
            f"{name:<6} {len(texts):>5} passages  median old {o:.3f}s new {n:.3f}s ({o / n:.2f}x)  "
            f"min old {lo:.3f}s new {ln:.3f}s ({lo / ln:.2f}x)  [{args.rounds} alternating rounds]"
        )
        for which in ("old", "new"):
            print(f"       {which} runs {[round(t, 3) for t in times[which]]}")


if __name__ == "__main__":
    main()
