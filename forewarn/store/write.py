"""Writing results: a work's report, its files, the errors of files that could not be
scanned, and the runs. Only the batch's main process writes, one transaction per work."""

from __future__ import annotations

import json
import sqlite3
from typing import Any, NamedTuple

from forewarn.store.migrations import _now, transaction


def is_done(conn: sqlite3.Connection, content_hash: str, model_version: str) -> bool:
    """True when this content was already scanned with this model version.

    A work that failed is not done: a re-run tries it again (see ``failed_before``).
    """
    row = conn.execute(
        "SELECT 1 FROM works WHERE content_hash = ? AND model_version = ?", (content_hash, model_version)
    ).fetchone()
    return row is not None


def failed_before(conn: sqlite3.Connection, content_hash: str, model_version: str) -> bool:
    """True when this content failed in an earlier run with this model version."""
    return _error_id(conn, content_hash=content_hash, model_version=model_version) is not None


def unread_before(conn: sqlite3.Connection, path: str, model_version: str) -> bool:
    """True when the file at ``path`` could not be read at all in an earlier run with this model
    version (too large, no permission): its error has no content to look it up by."""
    return _error_id(conn, path=path, content_hash=None, model_version=model_version) is not None


class Saved(NamedTuple):
    """What ``save_report`` did: the work's id; whether it stored this report (False: another
    process sharing the database had saved this content first); whether ``path`` was new to
    the work (a batch counts it as identical to another work, or as skipped)."""

    work_id: int
    new: bool
    new_path: bool


def save_report(
    conn: sqlite3.Connection, report: dict[str, Any], *, path: str, content_hash: str, seconds: float
) -> Saved:
    """Store one work's report (the JSON dict) with its passages and detections, atomically.

    When this content already has a report from this model version (another process sharing
    the database saved it since this one checked ``is_done``), that is not an error: the
    stored report is kept and ``path`` is recorded as one of its files (as ``add_path`` does).
    """
    work = report["work"]
    with transaction(conn):
        _forget_errors(conn, path=path, content_hash=content_hash, model_version=report["model_version"])
        row = conn.execute(
            "SELECT id FROM works WHERE content_hash = ? AND model_version = ?", (content_hash, report["model_version"])
        ).fetchone()
        if row is not None:
            _release_path(conn, path=path, content_hash=content_hash)
            cur = conn.execute("INSERT OR IGNORE INTO work_paths (work_id, path) VALUES (?, ?)", (row[0], path))
            return Saved(int(row[0]), new=False, new_path=bool(cur.rowcount))
        cur = conn.execute(
            "INSERT INTO works (path, content_hash, model_version, format, title, authors, words, chapters,"
            " declared, rating_declared, archive_warnings_declared, rating_suggested, scanned_at, seconds,"
            " report_json, detected_language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                path,
                content_hash,
                report["model_version"],
                work["format"],
                work["title"],
                json.dumps(work["authors"]),
                work["words"],
                len(work["chapters"]),
                json.dumps(sorted({d["warning_id"] for d in report["declared"] if d["warning_id"]})),
                report["ao3"]["rating"]["declared"],
                json.dumps(report["ao3"]["declared_archive_warnings"]),
                report["ao3"]["rating"]["suggested"],
                _now(),
                seconds,
                json.dumps(report),
                work.get("detected_language"),
            ),
        )
        work_id = int(cur.lastrowid or 0)
        _release_path(conn, path=path, content_hash=content_hash)
        conn.execute("INSERT INTO work_paths (work_id, path) VALUES (?, ?)", (work_id, path))
        conn.executemany(
            'INSERT INTO passages (work_id, idx, chapter, start, "end", words, position) VALUES (?, ?, ?, ?, ?, ?, ?)',
            [
                (work_id, p["index"], p["chapter"], p["start"], p["end"], p["words"], p["position"])
                for p in report["passages"]
            ],
        )
        conn.executemany(
            "INSERT INTO detections (work_id, warning, confidence, severity, passage_count, declared)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (work_id, w["id"], w["confidence"], w["severity"], w["passage_count"], int(w["declared"]))
                for w in report["warnings"]
            ],
        )
    return Saved(work_id, new=True, new_path=True)


def add_path(conn: sqlite3.Connection, *, content_hash: str, model_version: str, path: str) -> str | None:
    """Record ``path`` as another copy of a scanned work; returns the work's first path.

    Returns None when the path was already recorded, so a re-run counts it as skipped.
    """
    with transaction(conn):
        row = conn.execute(
            "SELECT id, path FROM works WHERE content_hash = ? AND model_version = ?", (content_hash, model_version)
        ).fetchone()
        if row is None:
            raise ValueError(f"no work with content {content_hash[:12]} and model {model_version}")
        _release_path(conn, path=path, content_hash=content_hash)
        cur = conn.execute("INSERT OR IGNORE INTO work_paths (work_id, path) VALUES (?, ?)", (row["id"], path))
    return str(row["path"]) if cur.rowcount else None


def save_error(
    conn: sqlite3.Connection, *, path: str, content_hash: str | None, model_version: str, error: str
) -> None:
    """Record that ``path`` could not be scanned.

    Identical files share one ``errors`` row per content and model version (its ``path`` the
    first file) and each is in ``error_paths``. A content that fails again keeps the files
    recorded before: a re-run over a subfolder replaced them with its own copy.
    """
    with transaction(conn):
        if content_hash is not None:  # unread (locked, no permission): what the file holds is unknown
            _release_path(conn, path=path, content_hash=content_hash)
        error_id = _error_id(conn, path=path, content_hash=content_hash, model_version=model_version)
        if error_id is None:
            cur = conn.execute(
                "INSERT INTO errors (path, content_hash, model_version, error, at) VALUES (?, ?, ?, ?, ?)",
                (path, content_hash, model_version, error, _now()),
            )
            error_id = int(cur.lastrowid or 0)
        else:
            conn.execute("UPDATE errors SET error = ?, at = ? WHERE id = ?", (error, _now(), error_id))
        conn.execute("INSERT OR IGNORE INTO error_paths (error_id, path) VALUES (?, ?)", (error_id, path))


def add_error_path(conn: sqlite3.Connection, *, path: str, content_hash: str, model_version: str) -> None:
    """Record ``path`` as another file with this content, which failed in this run; it leaves
    any work or error of other content, as the first file did in ``save_error``."""
    with transaction(conn):
        _release_path(conn, path=path, content_hash=content_hash)
        error_id = _error_id(conn, path=path, content_hash=content_hash, model_version=model_version)
        if error_id is not None:
            conn.execute("INSERT OR IGNORE INTO error_paths (error_id, path) VALUES (?, ?)", (error_id, path))


def _error_id(
    conn: sqlite3.Connection, *, content_hash: str | None, model_version: str, path: str | None = None
) -> int | None:
    """The errors row of this content (or, content unknown, of this unread path) and model version."""
    if content_hash is None:
        row = conn.execute(
            "SELECT id FROM errors WHERE content_hash IS NULL AND path = ? AND model_version = ?",
            (path, model_version),
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT id FROM errors WHERE content_hash = ? AND model_version = ?", (content_hash, model_version)
        ).fetchone()
    return None if row is None else int(row[0])


def _release_path(conn: sqlite3.Connection, *, path: str, content_hash: str) -> None:
    """A file holds one content: take ``path`` away from works with other content.

    Without this a file edited between runs stayed listed under its old results too. A work
    left with no file is dropped (its passages and detections with it): no file holds that
    content any more. One that keeps other copies moves ``works.path`` to one of them. The
    file's error from its earlier content goes too.
    """
    _leave(conn, table="works", paths="work_paths", key="work_id", path=path, content_hash=content_hash)
    _leave(conn, table="errors", paths="error_paths", key="error_id", path=path, content_hash=content_hash)


def _leave(conn: sqlite3.Connection, *, table: str, paths: str, key: str, path: str, content_hash: str) -> None:
    """``path`` leaves the rows of ``table`` (works or errors, with their files in ``paths``,
    joined on ``key``) of other content: a row left with no file is dropped, one with other
    files keeps one of them as its ``path``. The names are this module's, never input."""
    stale = [
        r[0]
        for r in conn.execute(
            # Two indexed lookups: with an OR between them SQLite scanned the works table.
            f"SELECT id FROM {table} WHERE path = ? AND content_hash IS NOT ?"
            f" UNION SELECT t.id FROM {paths} p JOIN {table} t ON t.id = p.{key}"
            " WHERE p.path = ? AND t.content_hash IS NOT ?",
            (path, content_hash, path, content_hash),
        )
    ]
    for row_id in stale:
        conn.execute(f"DELETE FROM {paths} WHERE {key} = ? AND path = ?", (row_id, path))
        left = conn.execute(f"SELECT MIN(path) FROM {paths} WHERE {key} = ?", (row_id,)).fetchone()[0]
        if left is None:
            conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
        else:
            conn.execute(f"UPDATE {table} SET path = ? WHERE id = ? AND path = ?", (left, row_id, path))


def _forget_errors(conn: sqlite3.Connection, *, path: str, content_hash: str | None, model_version: str) -> None:
    """Drop this work's earlier error, so a retried work is counted once (as done or as failed)."""
    where = "model_version = ? AND (content_hash = ? OR (content_hash IS NULL AND path = ?))"
    args = (model_version, content_hash, path)
    conn.execute(f"DELETE FROM error_paths WHERE error_id IN (SELECT id FROM errors WHERE {where})", args)
    conn.execute(f"DELETE FROM errors WHERE {where}", args)


def start_run(conn: sqlite3.Connection, *, model_version: str, engine: str, target: str) -> int:
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO runs (started, model_version, engine, target) VALUES (?, ?, ?, ?)",
            (_now(), model_version, engine, target),
        )
    return int(cur.lastrowid or 0)


def finish_run(
    conn: sqlite3.Connection, run_id: int, *, counts: dict[str, int], seconds: float, interrupted: bool = False
) -> None:
    """Record a run's counts; an interrupted run gets them too, so ``runs`` says what it did."""
    with transaction(conn):
        conn.execute(
            "UPDATE runs SET finished = ?, scanned = ?, skipped = ?, duplicates = ?, failed = ?, words = ?,"
            " seconds = ?, interrupted = ? WHERE id = ?",
            (
                _now(),
                counts["scanned"],
                counts["skipped"],
                counts.get("duplicates", 0),
                counts["failed"],
                counts["words"],
                seconds,
                int(interrupted),
                run_id,
            ),
        )
