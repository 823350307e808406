"""The results database (forewarn.store) and what reads it: query, stats, export."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import sys
from pathlib import Path

import pytest

from forewarn.batch import run_batch
from forewarn.store import MIGRATIONS, open_db, save_report, stored_report

PARA = "He stabbed the guard and blood pooled on the stones. They walked home by the harbour, talking of nothing."


def _open_when_released(path: str, barrier: object) -> str:
    barrier.wait()  # type: ignore[attr-defined]
    try:
        open_db(path).close()
    except Exception as e:  # reported to the parent, which fails the test with it
        return f"{type(e).__name__}: {e}"
    return "ok"


@pytest.mark.skipif(sys.platform != "linux", reason="forks processes")
def test_processes_opening_a_new_database_at_once_all_succeed(tmp_path: Path) -> None:
    """Regression: migrate read which migrations were done outside the transaction applying them,
    and switching a new file to WAL answered "database is locked" at once: 7 of 20 trials of 4
    processes failed ("table works already exists", "duplicate column name: interrupted")."""
    ctx = multiprocessing.get_context("fork")
    for trial in range(8):
        db = str(tmp_path / f"{trial}.db")
        with ctx.Manager() as manager:
            barrier = manager.Barrier(4)
            with ctx.Pool(4) as pool:
                results = pool.starmap(_open_when_released, [(db, barrier)] * 4)
        assert results == ["ok"] * 4, results
        with sqlite3.connect(db) as conn:
            names = [r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY name")]
        assert names == [m[0] for m in MIGRATIONS]


def test_saving_a_work_another_process_already_saved_records_the_path(tmp_path: Path) -> None:
    """Regression: a second batch on the same database died with IntegrityError (UNIQUE
    content_hash, model_version) when the other one saved the same content first."""
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text(f"Title: A\n\n{PARA}\n", encoding="utf-8")
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    conn = open_db(db)
    (work_id, content_hash) = conn.execute("SELECT id, content_hash FROM works").fetchone()
    report = stored_report(conn, work_id)
    other = str(folder / "copy.txt")
    assert save_report(conn, report, path=other, content_hash=content_hash, seconds=0.1) == work_id
    assert conn.execute("SELECT COUNT(*) FROM works").fetchone()[0] == 1
    assert stored_report(conn, work_id)["work"]["paths"] == [str(folder / "a.txt"), other]
    assert json.loads(conn.execute("SELECT report_json FROM works").fetchone()[0])["work"]["title"] == "A"
