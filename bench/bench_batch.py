"""Batch throughput: 1 process, all local cores, and a Dask LocalCluster.

Generates a fixed collection (default 1,000 works of 1,000-3,000 words, with a
sprinkling of warning sentences) and scans it into a fresh database with each
engine, each run in its own Python process (model loading included, no warm
caches). Writes bench/results/batch.json.

Two single-process baselines: serial (one process, one thread: the usual
meaning of parallel speedup) and the default single process, whose ONNX
Runtime already spreads the encoder over every core, so it is not serial.

    python bench/bench_batch.py [--works 1000] [--scorer cascade] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scan import generate  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

RUN = """
import json, sys
from forewarn.batch import run_batch
s = run_batch(sys.argv[1], db=sys.argv[2], mode=sys.argv[3], **json.loads(sys.argv[4]))
print(json.dumps({"seconds": s.seconds, "words": s.words, "scanned": s.scanned, "failed": s.failed}))
"""


def timed_run(coll: Path, db: Path, scorer: str, kwargs: dict[str, object], env: dict[str, str]) -> dict[str, float]:
    """One batch run in a fresh interpreter, so thread settings and caches never leak between runs."""
    out = subprocess.run(
        [sys.executable, "-c", RUN, str(coll), str(db), scorer, json.dumps(kwargs)],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


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
    engines: list[tuple[str, dict[str, object], dict[str, str]]] = [
        ("1 process, 1 thread (serial)", {"workers": 1}, {"FOREWARN_THREADS": "1"}),
        (f"1 process, {cores} encoder threads", {"workers": 1}, {}),
        (f"{cores} processes", {"workers": cores}, {}),
        (f"dask LocalCluster ({cores} workers)", {"workers": cores, "engine": "dask"}, {}),
    ]
    times: dict[str, list[float]] = {name: [] for name, _, _ in engines}
    words = works = 0
    for r in range(args.repeat):
        for k, (name, kwargs, env) in enumerate(engines):  # interleaved: load drift hits every engine alike
            s = timed_run(coll, tmp / f"{r}-{k}.db", args.scorer, kwargs, env)
            times[name].append(s["seconds"])
            words, works = int(s["words"]), int(s["scanned"])
            print(f"run {r + 1}: {name:<36} {s['seconds']:7.1f} s", flush=True)
    for name, _, _ in engines:
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
            f"{name:<36} median {t:7.1f} s {rows[-1]['works_per_min']:8.1f} works/min "
            f"{rows[-1]['words_per_s']:8,} words/s",
            flush=True,
        )
    serial, default = rows[0]["words_per_s"], rows[1]["words_per_s"]
    for row in rows:
        row["speedup_vs_serial"] = round(row["words_per_s"] / serial, 2)
        row["speedup_vs_default_single"] = round(row["words_per_s"] / default, 2)
        vs = f"{row['speedup_vs_serial']:.2f}x serial, {row['speedup_vs_default_single']:.2f}x default single"
        print(f"{row['engine']:<36} {vs}")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "batch.json").write_text(json.dumps({"scorer": args.scorer, "rows": rows}, indent=2) + "\n")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
