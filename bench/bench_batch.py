"""Batch throughput: 1 process, all local cores, and a Dask LocalCluster.

Generates a fixed collection (default 1,000 works of 1,000-3,000 words, with a
sprinkling of warning sentences) and scans it into a fresh database with each
engine. Writes bench/results/batch.json.

    python bench/bench_batch.py [--works 1000] [--scorer cascade] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scan import generate  # noqa: E402

from forewarn.batch import run_batch  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--works", type=int, default=1000)
    ap.add_argument("--scorer", default="cascade")
    ap.add_argument("--repeat", type=int, default=3, help="runs per engine; the median time is reported")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="forewarn-bench-"))
    rng = random.Random(1)
    coll = tmp / "works"
    coll.mkdir()
    for i in range(args.works):
        (coll / f"work{i:05d}.txt").write_text(generate(rng.randint(1000, 3000), seed=i), encoding="utf-8")
    cores = os.cpu_count() or 1
    rows = []
    engines = [
        ("1 process", {"workers": 1}),
        (f"{cores} processes", {"workers": cores}),
        (f"dask LocalCluster ({cores} workers)", {"workers": cores, "engine": "dask"}),
    ]
    times: dict[str, list[float]] = {name: [] for name, _ in engines}
    words = works = 0
    for r in range(args.repeat):
        for name, kwargs in engines:  # interleaved, so drift in machine load hits every engine alike
            s = run_batch(coll, db=tmp / f"{r}-{len(times[name])}-{name[:1]}.db", mode=args.scorer, **kwargs)  # type: ignore[arg-type]
            times[name].append(s.seconds)
            words, works = s.words, s.scanned
            print(f"run {r + 1}: {name:<32} {s.seconds:7.1f} s", flush=True)
    for name, _ in engines:
        t = statistics.median(times[name])
        rows.append(
            {
                "engine": name,
                "works": works,
                "words": words,
                "seconds": round(t, 2),
                "runs_s": [round(x, 2) for x in times[name]],
                "works_per_min": round(60 * works / t, 1),
                "words_per_s": round(words / t),
            }
        )
        print(
            f"{name:<32} median {t:7.1f} s {rows[-1]['works_per_min']:8.1f} works/min "
            f"{rows[-1]['words_per_s']:8,} words/s",
            flush=True,
        )
    base = rows[0]["words_per_s"]
    for r in rows:
        r["speedup"] = round(r["words_per_s"] / base, 2)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "batch.json").write_text(json.dumps({"scorer": args.scorer, "rows": rows}, indent=2) + "\n")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
