"""How well does a scan judge severity (mentioned / implied / depicted / graphic)?

Runs the default scanner, as `forewarn scan` does (read -> split -> cascade -> aggregate ->
AO3 suggestions), on each passage of a labeled file as a one-passage work, and reports per
warning: recall (the passage's warning detected at all), and for detected passages the exact
severity accuracy, accuracy within one level, the confusion matrix (gold rows, predicted
columns), the AO3 rating this warning alone calls for against the rating its gold severity
calls for, and, for warnings that map to an AO3 archive warning, the share of passages at
each gold severity for which the scan suggests it. Negatives (label 0), if any, count false
flags and false archive-warning suggestions.

    python bench/eval_severity.py                                    # severity-dev.jsonl
    python bench/eval_severity.py --data data/written/severity-eval.jsonl
    python bench/eval_severity.py --data data/written/train.jsonl  # 11 warnings, with negatives

Writes bench/results/severity-<file stem>.json (or --out).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forewarn.aggregate import SEVERITIES, WorkWarning  # noqa: E402
from forewarn.pipeline import scan_work  # noqa: E402
from forewarn.rating import RATINGS, suggest_rating  # noqa: E402
from forewarn.readers import read_text  # noqa: E402
from forewarn.score.cascade import default_scorer  # noqa: E402
from forewarn.taxonomy import load_taxonomy  # noqa: E402

MISSED = "missed"


def _rating(w: WorkWarning, severity: str) -> str:
    """The rating this one warning calls for at ``severity`` (the scan's rule)."""
    return suggest_rating([dataclasses.replace(w, severity=severity)], taxonomy=load_taxonomy()).name


def judge(rows: list[dict[str, Any]], *, mode: str = "cascade") -> list[dict[str, Any]]:
    """One record per passage: what the scan says about the passage's own warning."""
    scorer = default_scorer(mode)
    taxonomy = load_taxonomy()
    out = []
    for row in rows:
        report = scan_work(read_text(row["text"]), scorer=scorer, taxonomy=taxonomy)
        w = next((x for x in report.warnings if x.id == row["warning"]), None)
        archive = taxonomy.get(row["warning"]).ao3_archive_warning
        rec: dict[str, Any] = {
            "work_id": row["work_id"],
            "warning": row["warning"],
            "label": row["label"],
            "gold": row.get("severity"),
            "predicted": w.severity if w is not None else MISSED,
            "probability": w.evidence[0].probability if w is not None else None,
            "archive_warning": archive,
            "archive_suggested": bool(archive) and archive in [s.name for s in report.archive_warnings],
        }
        if w is not None and rec["gold"]:
            rec["rating"] = _rating(w, w.severity)
            rec["gold_rating"] = _rating(w, rec["gold"])
        out.append(rec)
    return out


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-warning and pooled measures from ``judge``'s records."""
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by[r["warning"]].append(r)
    per: dict[str, Any] = {}
    for warning in sorted(by):
        per[warning] = _measure(by[warning])
    pooled = _measure(records, archive=False)
    return {"per_warning": per, "all": pooled}


def _measure(records: list[dict[str, Any]], *, archive: bool = True) -> dict[str, Any]:
    pos = [r for r in records if r["label"] == 1 and r["gold"]]
    neg = [r for r in records if r["label"] == 0]
    found = [r for r in pos if r["predicted"] != MISSED]
    exact = sum(r["predicted"] == r["gold"] for r in found)
    near = sum(abs(SEVERITIES.index(r["predicted"]) - SEVERITIES.index(r["gold"])) <= 1 for r in found)
    confusion = {g: dict(Counter(r["predicted"] for r in pos if r["gold"] == g)) for g in SEVERITIES}
    rated = [r for r in found if "rating" in r]
    under = sum(RATINGS.index(r["rating"]) < RATINGS.index(r["gold_rating"]) for r in rated)
    over = sum(RATINGS.index(r["rating"]) > RATINGS.index(r["gold_rating"]) for r in rated)
    m: dict[str, Any] = {
        "positives": len(pos),
        "detected": len(found),
        "recall": _share(len(found), len(pos)),
        "exact": _share(exact, len(found)),
        "within_one": _share(near, len(found)),
        "confusion": confusion,
        "rating_as_gold": _share(len(rated) - under - over, len(rated)),
        "rating_under": _share(under, len(rated)),
        "rating_over": _share(over, len(rated)),
    }
    names = {r["archive_warning"] for r in records if r["archive_warning"]}
    if archive and len(names) == 1:
        m["archive_warning"] = names.pop()
        m["archive_by_gold"] = {
            g: _share(sum(r["archive_suggested"] for r in pos if r["gold"] == g), sum(r["gold"] == g for r in pos))
            for g in SEVERITIES
            if any(r["gold"] == g for r in pos)
        }
    if neg:
        m["negatives"] = len(neg)
        m["negatives_flagged"] = sum(r["predicted"] != MISSED for r in neg)
        m["negatives_archive_suggested"] = sum(r["archive_suggested"] for r in neg)
    return m


def _share(k: int, n: int) -> float | None:
    return round(k / n, 3) if n else None


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def format_table(summary: dict[str, Any]) -> str:
    """A Markdown table: one row per warning, then all warnings pooled."""
    short = {"mentioned": "m", "implied": "i", "depicted": "d", "graphic": "g"}
    lines = [
        "| warning | passages | recall | exact | within one | rating as gold / under "
        "| archive warning suggested (m / i / d / g) |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = [*summary["per_warning"].items(), ("**all**", summary["all"])]
    for warning, m in rows:
        archive = ""
        if "archive_by_gold" in m:
            shares = " / ".join(_fmt(m["archive_by_gold"].get(g)) for g in SEVERITIES if g in m["archive_by_gold"])
            archive = f"{m['archive_warning']}: {shares}"
        lines.append(
            f"| {warning} | {m['positives']} | {_fmt(m['recall'])} | {_fmt(m['exact'])} | {_fmt(m['within_one'])} "
            f"| {_fmt(m['rating_as_gold'])} / {_fmt(m['rating_under'])} | {archive} |"
        )
    lines.append("")
    lines.append("Confusion (gold row -> predicted m / i / d / g / missed), all warnings:")
    for g in SEVERITIES:
        c = summary["all"]["confusion"][g]
        if c:
            cells = " ".join(f"{c.get(p, 0):3d}" for p in [*SEVERITIES, MISSED])
            lines.append(f"  {short[g]}: {cells}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT / "data/written/severity-dev.jsonl")
    ap.add_argument("--mode", default="cascade", choices=["cascade", "thorough", "lexicon"])
    ap.add_argument("--out", type=Path, help="JSON output (default bench/results/severity-<stem>.json)")
    ap.add_argument("--quiet", action="store_true", help="write the JSON only, print nothing")
    ap.add_argument("--passages", action="store_true", help="also write each passage's result (large)")
    args = ap.parse_args()
    rows = [json.loads(line) for line in args.data.open(encoding="utf-8") if line.strip()]
    rows = [r for r in rows if r["label"] == 0 or r.get("severity")]
    records = judge(rows, mode=args.mode)
    summary = summarise(records)
    if not args.quiet:
        print(format_table(summary))
    stem = args.data.stem.removeprefix("severity-")
    out = args.out or ROOT / "bench/results" / f"severity-{stem}.json"
    record = {
        "evaluation": f"severity on {args.data.name}, each passage scanned as a one-passage work",
        "mode": args.mode,
        "scorer": default_scorer(args.mode).version_,
        **summary,
        **({"passages": records} if args.passages else {}),
    }
    out.write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
