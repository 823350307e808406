"""Scan speed and peak memory on a fixed, generated 100,000-word work, per scorer.

Each scorer runs in a fresh subprocess so its peak RSS (ru_maxrss) is its own,
model loading included. Usage:

    python bench/bench_scan.py [--words 100000] [--modes cascade,thorough,encoder-everywhere,lexicon] [--repeat 3]

Modes run interleaved, --repeat times each; each row is the run with the median scan time.

Writes bench/results/scan.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HERE = Path(__file__).resolve().parent

# Mostly everyday narration, with a sprinkling of sentences that touch warnings,
# roughly as a long fan-fiction work would.
CALM = [
    "She poured the tea and watched the rain slide down the kitchen window.",
    "The library smelled of dust and old paper, and he lost an hour among the shelves.",
    "They walked along the harbour while the gulls argued over scraps.",
    "He laughed at the joke, a little too loudly, and she rolled her eyes.",
    "The train was late again, so they shared a bench and a bag of chips.",
    "Her sister called to ask about the weekend and whether the cat was eating.",
    "Morning light crept across the floorboards and over the unmade bed.",
    "The market was loud with vendors calling out the price of apples.",
    "He fixed the bicycle chain with oily fingers and a borrowed wrench.",
    "They argued about the map until they admitted they were lost.",
]
HEAVY = [
    "The soldier pulled the trigger and the man fell, blood spreading across the stones.",
    "He remembered the war, the shelling and the friends he buried in the mud.",
    "She pressed the blade to her wrist again, hating herself for the relief it brought.",
    "They dragged him into the van, tied his hands and drove him away from the city.",
    "His father hit him whenever the bottle was empty.",
    "The old woman died that night, her breathing slowing until it stopped.",
    "He called her a worthless slut and told her women should know their place.",
    "The gang beat him until his ribs cracked, laughing at his cries.",
]


def generate(words: int, *, seed: int = 7) -> str:
    """A deterministic multi-chapter text of about ``words`` words."""
    rng = random.Random(seed)
    parts: list[str] = []
    count = 0
    chapter = 1
    while count < words:
        if count // 5000 >= chapter:
            chapter += 1
            parts.append(f"Chapter {chapter}")
        sentences = [rng.choice(HEAVY) if rng.random() < 0.04 else rng.choice(CALM) for _ in range(rng.randint(3, 8))]
        para = " ".join(sentences)
        parts.append(para)
        count += len(para.split())
    return "Chapter 1\n\n" + "\n\n".join(parts) + "\n"


def run_one(mode: str, path: Path) -> dict[str, float | int | str]:
    """Child process: scan the file once with ``mode`` and report timings."""
    t0 = time.perf_counter()
    from forewarn.pipeline import scan_work
    from forewarn.readers import read
    from forewarn.score.cascade import default_scorer

    scorer = default_scorer(mode)
    t_load = time.perf_counter() - t0
    work = read(path)
    t1 = time.perf_counter()
    report = scan_work(work, scorer=scorer)
    t_scan = time.perf_counter() - t1
    words = work.word_count
    return {
        "mode": mode,
        "words": words,
        "passages": len(report.passages),
        "load_s": round(t_load, 3),
        "scan_s": round(t_scan, 3),
        "total_s": round(t_load + t_scan, 3),
        "words_per_s": round(words / t_scan),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "warnings": ",".join(w.id for w in report.warnings),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=int, default=100_000)
    ap.add_argument("--modes", default="cascade,thorough,encoder-everywhere,lexicon")
    ap.add_argument("--repeat", type=int, default=3, help="Interleaved runs per mode; the median is reported.")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, Path(args.path))))
        return
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / f"generated-{args.words}.txt"
    path.write_text(generate(args.words), encoding="utf-8")
    modes = args.modes.split(",")
    runs: dict[str, list[dict[str, float | int | str]]] = {m: [] for m in modes}
    for _ in range(args.repeat):  # interleaved, so a slow spell of the machine hits every mode
        for mode in modes:
            proc = subprocess.run(
                [sys.executable, __file__, "--child", mode, "--path", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            runs[mode].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    rows = []
    for mode in modes:
        ordered = sorted(runs[mode], key=lambda r: float(r["scan_s"]))
        r = {**ordered[len(ordered) // 2], "runs_scan_s": [x["scan_s"] for x in runs[mode]]}
        rows.append(r)
        print(
            f"{r['mode']:<20} {r['words']:>7} words  scan {r['scan_s']:>7.2f}s (median of {len(ordered)})  "
            f"load {r['load_s']:>5.2f}s  {r['words_per_s']:>8,} words/s  peak {r['peak_rss_mib']:>7.1f} MiB"
        )
    (out_dir / "scan.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
