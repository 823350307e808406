"""Export a results database to CSV, JSON Lines or Parquet."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

COLUMNS = [
    "path",
    "paths",
    "content_hash",
    "model_version",
    "title",
    "words",
    "rating_declared",
    "rating_suggested",
    "detected",
    "undeclared",
    "scanned_at",
]


def _paths(conn: sqlite3.Connection, work_id: int) -> list[str]:
    """Every file with this work's content (``open_db`` has migrated the file to have the table)."""
    return [r[0] for r in conn.execute("SELECT path FROM work_paths WHERE work_id = ? ORDER BY path", (work_id,))]


def rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """One flat row per work; warning lists are ';'-joined ids, strongest first, and ``paths``
    every file with the work's content (identical files are one work), ';'-joined."""
    out = []
    for w in conn.execute("SELECT * FROM works ORDER BY path"):
        paths = _paths(conn, w["id"])
        dets = conn.execute(
            "SELECT warning, declared FROM detections WHERE work_id = ? ORDER BY confidence DESC", (w["id"],)
        ).fetchall()
        out.append(
            {
                "path": w["path"],
                "paths": ";".join(paths or [w["path"]]),
                "content_hash": w["content_hash"],
                "model_version": w["model_version"],
                "title": w["title"],
                "words": w["words"],
                "rating_declared": w["rating_declared"],
                "rating_suggested": w["rating_suggested"],
                "detected": ";".join(d["warning"] for d in dets),
                "undeclared": ";".join(d["warning"] for d in dets if not d["declared"]),
                "scanned_at": w["scanned_at"],
            }
        )
    return out


def _document(conn: sqlite3.Connection, row: dict[str, Any]) -> dict[str, Any]:
    """The stored report, with ``work.path`` and ``work.paths`` as the database has them now
    (the report was written with the path of the copy scanned first)."""
    work_id, report_json = conn.execute(
        "SELECT id, report_json FROM works WHERE content_hash = ? AND model_version = ?",
        (row["content_hash"], row["model_version"]),
    ).fetchone()
    report: dict[str, Any] = json.loads(report_json)
    report["work"]["path"] = row["path"]
    report["work"]["paths"] = _paths(conn, work_id) or [row["path"]]
    return report


def export_db(conn: sqlite3.Connection, *, fmt: str, out: str | Path) -> int:
    """Write the export; returns the number of works."""
    data = rows(conn)
    if fmt == "jsonl":
        with open(out, "w", encoding="utf-8") as f:
            for row in data:
                f.write(json.dumps(_document(conn, row), ensure_ascii=False) + "\n")
        return len(data)
    if fmt == "csv":
        with open(out, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(data)
        return len(data)
    if fmt == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise RuntimeError("parquet export needs the extra: pip install 'forewarn[parquet]'") from None
        pq.write_table(pa.Table.from_pylist(data) if data else pa.table({c: [] for c in COLUMNS}), str(out))
        return len(data)
    raise ValueError(f"unknown format {fmt!r}")
