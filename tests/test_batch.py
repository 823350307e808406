"""Batch scanning into a real SQLite file: resumable, crash-safe, bad files recorded."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from forewarn.batch import iter_sources, run_batch
from forewarn.batch import scan_one as real_scan_one
from forewarn.cli import main
from forewarn.pipeline import SCHEMA as SCHEMA_ID
from forewarn.store import MIGRATIONS, open_db

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "forewarn" / "schema" / "report-v1.json").read_text(encoding="utf-8"))
PARA = "He stabbed the guard and blood pooled on the stones. They walked home by the harbour, talking of nothing."


def make_collection(folder: Path, n: int, *, words: int = 60, corrupt: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    reps = max(1, words // len(PARA.split()))
    for i in range(n):
        body = "\n\n".join(f"{PARA} Work {i}, part {k}." for k in range(reps))
        declared = "TW: violence\n\n" if i % 2 else ""
        (folder / f"work{i:03d}.txt").write_text(f"Title: Work {i}\n{declared}{body}\n", encoding="utf-8")
    for j in range(corrupt):
        kind = j % 3
        if kind == 0:
            (folder / f"bad{j}.txt").write_bytes(b"")
        elif kind == 1:
            (folder / f"bad{j}.txt").write_bytes(b"\x00\x01\x02" * 300)
        else:
            (folder / f"bad{j}.epub").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    return folder


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def wait_for_works(db: Path, n: int, *, timeout: float = 60) -> None:
    """Until a running batch has saved ``n`` works (the database may not exist or be locked yet)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if db.exists() and count(db, "SELECT COUNT(*) FROM works") >= n:
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.02)


def test_migrations_are_recorded_once(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    open_db(db).close()
    conn = open_db(db)
    names = [r[0] for r in conn.execute("SELECT name FROM migrations")]
    assert names == [m[0] for m in MIGRATIONS]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_rerun_skips_done_works_and_corrupt_files_are_recorded(tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "c", 38, corrupt=2)  # 5% corrupt
    db = tmp_path / "r.db"
    first = run_batch(folder, db=db, workers=1, mode="lexicon")
    assert (first.scanned, first.failed, first.skipped) == (38, 2, 0)
    errors = dict(sqlite3.connect(db).execute("SELECT path, error FROM errors").fetchall())
    assert any("empty" in e for e in errors.values()) and any("binary" in e for e in errors.values())
    second = run_batch(folder, db=db, workers=1, mode="lexicon")  # failed works are tried again
    assert (second.scanned, second.failed, second.skipped, second.retried) == (0, 2, 38, 2)
    assert count(db, "SELECT COUNT(*) FROM errors") == 2
    (folder / "work000.txt").write_text("Title: changed\n\nA new text, a calm one.\n")
    third = run_batch(folder, db=db, workers=1, mode="lexicon")
    assert third.scanned == 1
    assert count(db, "SELECT COUNT(*) FROM runs WHERE finished IS NOT NULL") == 3


def test_a_scorer_version_names_its_mode_and_cues(tmp_path: Path) -> None:
    """Regression: the version keyed stored results by the heads alone, so after a lexicon
    update (or with another --scorer) a re-run skipped every work as already scanned."""
    from importlib import resources

    from forewarn.score.cascade import CascadeScorer
    from forewarn.score.lexicon import LexiconScorer

    edited = tmp_path / "lexicon.toml"
    text = (resources.files("forewarn") / "data" / "lexicon.toml").read_text(encoding="utf-8")
    edited.write_text(text.replace('"expecting"', '"expecting twins"', 1) + "\n", encoding="utf-8")
    shipped = LexiconScorer()
    assert CascadeScorer(lexicon=shipped).version_ != CascadeScorer(lexicon=LexiconScorer(lexicon_path=edited)).version_
    assert CascadeScorer(lexicon=shipped, mode="lexicon").version_ != CascadeScorer(lexicon=shipped).version_


def test_zip_and_glob_targets(tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "c", 3)
    archive = tmp_path / "c.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in sorted(folder.iterdir()):
            z.write(p, f"works/{p.name}")
        z.writestr("../evil.txt", "outside")
        z.writestr("notes.bin", "ignored")
    names = [s.name for s in iter_sources(archive)]
    assert names == [f"{archive}!works/work00{i}.txt" for i in range(3)]
    assert len(list(iter_sources(str(folder / "work00*.txt")))) == 3
    assert len(list(iter_sources(str(folder / "work**.txt")))) == 3  # '**' inside a name is '*', as before
    assert len(list(iter_sources(str(tmp_path / "**" / "work00*.txt")))) == 3
    summary = run_batch(archive, db=tmp_path / "z.db", workers=1, mode="lexicon")
    assert summary.scanned == 3


def test_sigkill_mid_batch_then_resume(tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "c", 40, words=3000)
    db = tmp_path / "r.db"
    cmd = [
        sys.executable,
        "-m",
        "forewarn",
        "batch",
        str(folder),
        "--db",
        str(db),
        "--workers",
        "1",
        "--scorer",
        "lexicon",
        "--no-progress",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    done = 0
    while time.time() < deadline:
        if db.exists():
            try:
                done = count(db, "SELECT COUNT(*) FROM works")
            except sqlite3.OperationalError:
                done = 0
        if done >= 3:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = count(db, "SELECT COUNT(*) FROM works")
    assert 3 <= killed_at < 40, f"kill landed after {killed_at} works"
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert count(db, "SELECT COUNT(*) FROM works") == 40
    assert count(db, "SELECT COUNT(DISTINCT content_hash) FROM works") == 40
    assert count(db, "SELECT COUNT(*) FROM passages WHERE work_id NOT IN (SELECT id FROM works)") == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_mid_batch_saves_the_run_and_exits_130(tmp_path: Path, workers: str) -> None:
    """Regression: Ctrl-C printed click's "Aborted!" and exited 1 (documented as "a work
    failed"), and the runs row kept scanned=0, finished=NULL although works were saved."""
    folder = make_collection(tmp_path / "c", 40, words=3000)
    db = tmp_path / "r.db"
    cmd = [sys.executable, "-m", "forewarn", "batch", str(folder), "--db", str(db), "--workers", workers]
    cmd += ["--scorer", "lexicon", "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # Its own process group, signalled as a whole, as a terminal's Ctrl-C does (pool workers too).
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    wait_for_works(db, 3)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = (b.decode() for b in proc.communicate(timeout=60))
    saved = count(db, "SELECT COUNT(*) FROM works")
    assert 3 <= saved < 40, f"interrupt landed after {saved} works"
    assert proc.returncode == 130, (out, err)
    assert err.strip() == f"interrupted: {saved} works saved; run the same command again to finish"
    assert out == "" and "Aborted" not in err
    with sqlite3.connect(db) as conn:
        run = conn.execute("SELECT finished, scanned, interrupted FROM runs").fetchone()
    assert run[0] is not None and run[1:] == (saved, 1)
    again = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert again.returncode == 0 and f"scanned {40 - saved}, skipped {saved} " in again.stdout, again
    assert count(db, "SELECT COUNT(*) FROM works") == 40
    assert count(db, "SELECT COUNT(*) FROM runs WHERE interrupted = 0 AND finished IS NOT NULL") == 1


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
        return [int(c) for c in f.read().split()]


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
def test_sigterm_mid_batch_stops_the_workers_saves_the_run_and_exits_143(tmp_path: Path) -> None:
    """Regression: SIGTERM (a timeout, systemd, docker stop) to the main process left the run
    unfinished and both pool workers alive forever, re-parented to PID 1 and blocked on a pipe."""
    folder = make_collection(tmp_path / "c", 40, words=3000)
    db = tmp_path / "r.db"
    cmd = [sys.executable, "-m", "forewarn", "batch", str(folder), "--db", str(db), "--workers", "2"]
    cmd += ["--scorer", "lexicon", "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    wait_for_works(db, 3)
    workers = _children(proc.pid)
    assert workers
    proc.send_signal(signal.SIGTERM)  # the main process only, as `kill PID` does
    try:
        out, err = (b.decode() for b in proc.communicate(timeout=60))
    except subprocess.TimeoutExpired:  # orphaned workers kept its pipes open
        for pid in workers:
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)
        raise
    saved = count(db, "SELECT COUNT(*) FROM works")
    assert proc.returncode == 143, (out, err)
    assert err.strip() == f"terminated (SIGTERM): {saved} works saved; run the same command again to finish"
    with sqlite3.connect(db) as conn:
        run = conn.execute("SELECT finished, scanned, interrupted FROM runs").fetchone()
    assert run[0] is not None and run[1:] == (saved, 1)
    deadline = time.time() + 10
    while time.time() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.05)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "pool workers outlived the batch"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
def test_pool_workers_exit_soon_after_the_batch_is_killed(tmp_path: Path) -> None:
    """Regression: after a `kill -9` of the batch, both pool workers lived on for minutes,
    re-parented to PID 1, scanning (or blocked on the work queue), ~170 MB each."""
    folder = make_collection(tmp_path / "c", 40, words=3000)
    db = tmp_path / "r.db"
    cmd = [sys.executable, "-m", "forewarn", "batch", str(folder), "--db", str(db), "--workers", "2"]
    cmd += ["--scorer", "lexicon", "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_works(db, 3)
    workers = _children(proc.pid)
    assert workers
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 5
    while time.time() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.05)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, "pool workers outlived the killed batch"


def test_without_prctl_a_worker_watches_its_parent_pid() -> None:
    """The portable fallback of the guard above: a worker whose parent is gone exits."""
    code = "import sys, time; sys.platform = 'darwin'; from forewarn import batch; "
    code += "batch._die_with_parent(-1); time.sleep(30)"
    t0 = time.time()
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=30)
    assert done.returncode == 1 and time.time() - t0 < 20


def test_a_ctrl_c_just_after_the_run_row_is_written_still_finishes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: Ctrl-C between start_run and the interrupt guard left a run row with finished NULL."""
    import forewarn.batch
    from forewarn.batch import BatchInterrupted

    folder = make_collection(tmp_path / "c", 2)
    real = forewarn.batch.start_run

    def start_then_ctrl_c(*args: object, **kwargs: object) -> int:
        run_id = real(*args, **kwargs)  # type: ignore[arg-type]
        os.kill(os.getpid(), signal.SIGINT)  # lands before the caller gets the id
        return run_id

    monkeypatch.setattr(forewarn.batch, "start_run", start_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt) as raised:
        run_batch(folder, db=tmp_path / "r.db", workers=1, mode="lexicon")
    assert isinstance(raised.value, BatchInterrupted)
    assert count(tmp_path / "r.db", "SELECT COUNT(*) FROM runs WHERE finished IS NOT NULL AND interrupted = 1") == 1


def test_parallel_and_dask_give_the_same_detections_as_one_process(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    folder = make_collection(tmp_path / "c", 8)
    results = {}
    for name, kwargs in [("one", {"workers": 1}), ("pool", {"workers": 2}), ("dask", {"workers": 2, "engine": "dask"})]:
        db = tmp_path / f"{name}.db"
        run_batch(folder, db=db, mode="lexicon", **kwargs)  # type: ignore[arg-type]
        with sqlite3.connect(db) as conn:
            results[name] = conn.execute(
                "SELECT w.path, d.warning, d.confidence, d.severity FROM detections d JOIN works w ON w.id = d.work_id "
                "ORDER BY w.path, d.warning"
            ).fetchall()
    assert results["one"] and results["one"] == results["pool"] == results["dask"]


def scan_or_die(name: str, data: bytes, *args: object, **kwargs: object) -> dict[str, object]:
    """scan_one, but the worker process is killed (as by the OOM killer) on a file named *die.txt."""
    if name.endswith("die.txt"):
        os.kill(os.getpid(), signal.SIGKILL)
    return real_scan_one(name, data, *args, **kwargs)  # type: ignore[arg-type]


def test_a_worker_killed_mid_batch_fails_its_works_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: one pool worker killed (kill -9, out of memory) ended the batch with "A process
    in the process pool was terminated abruptly", exit 2, and its run row unfinished with 0 counts."""
    import forewarn.batch

    folder = make_collection(tmp_path / "c", 10)
    for name in ("a-die.txt", "m-die.txt"):
        (folder / name).write_text(f"Title: {name}\n\n{PARA}\n", encoding="utf-8")
    db = tmp_path / "r.db"
    monkeypatch.setattr(forewarn.batch, "scan_one", scan_or_die)  # pool workers are forked: they see it
    summary = run_batch(folder, db=db, workers=2, mode="lexicon")
    failed = dict(summary.errors)
    assert summary.scanned + summary.failed == 12 and summary.scanned >= 12 - 2 * 4, summary
    assert {str(folder / "a-die.txt"), str(folder / "m-die.txt")} <= set(failed)
    assert set(failed.values()) == {"the worker scanning it stopped (out of memory?)"}
    with sqlite3.connect(db) as conn:
        run = conn.execute("SELECT finished IS NOT NULL, scanned, failed, interrupted FROM runs").fetchone()
    assert run == (1, summary.scanned, summary.failed, 0)
    assert count(db, "SELECT COUNT(*) FROM errors") == summary.failed
    monkeypatch.setattr(forewarn.batch, "scan_one", real_scan_one)
    again = run_batch(folder, db=db, workers=2, mode="lexicon")  # they are tried again
    assert (again.scanned, again.retried, again.failed) == (summary.failed, summary.failed, 0)


def test_a_worker_killed_on_dask_fails_its_work_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same on Dask: a work whose worker died (KilledWorker) was a traceback ending the batch."""
    pytest.importorskip("distributed")
    import dask

    import forewarn.batch

    folder = make_collection(tmp_path / "c", 3)
    (folder / "a-die.txt").write_text(f"Title: die\n\n{PARA}\n", encoding="utf-8")
    monkeypatch.setattr(forewarn.batch, "scan_one", scan_or_die)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        summary = run_batch(folder, db=tmp_path / "r.db", workers=2, engine="dask", mode="lexicon")
    # With no failure allowed, a work queued on the same worker may be failed with it.
    assert summary.scanned + summary.failed == 4 and summary.failed <= 2, summary
    failed = dict(summary.errors)
    assert str(folder / "a-die.txt") in failed
    assert set(failed.values()) == {"the worker scanning it stopped (out of memory?)"}


def test_an_error_that_stops_a_batch_still_finishes_its_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: an exception escaping the batch (here a disk error) left the run unfinished, counts 0."""
    import forewarn.batch

    folder = make_collection(tmp_path / "c", 3)
    real = forewarn.batch.save_report
    calls = []

    def failing(*args: object, **kwargs: object) -> int:
        calls.append(1)
        if len(calls) == 2:
            raise sqlite3.OperationalError("disk I/O error")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(forewarn.batch, "save_report", failing)
    with pytest.raises(sqlite3.OperationalError):
        run_batch(folder, db=tmp_path / "r.db", workers=1, mode="lexicon")
    assert count(tmp_path / "r.db", "SELECT COUNT(*) FROM runs WHERE finished IS NOT NULL AND scanned = 1") == 1


@pytest.fixture
def scanned_db(tmp_path: Path) -> Path:
    folder = make_collection(tmp_path / "c", 6)
    (folder / "calm.txt").write_text("Rating: Mature\n\nA quiet afternoon with tea and a long book.\n")
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    return db


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout


def test_query_filters(scanned_db: Path) -> None:
    code, out = cli("query", "--db", str(scanned_db), "--has", "blood", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 6 and all("blood" in r["detected"] for r in rows)
    _, out = cli("query", "--db", str(scanned_db), "--has", "violence", "--not-declared", "--json")
    assert {r["path"].rsplit("/", 1)[1] for r in json.loads(out)} == {"work000.txt", "work002.txt", "work004.txt"}
    _, out = cli("query", "--db", str(scanned_db), "--rating-mismatch", "--json")
    assert [r["path"].rsplit("/", 1)[1] for r in json.loads(out)] == ["calm.txt"]
    code, _ = cli("query", "--db", str(scanned_db), "--has", "nonsense")
    assert code == 2


def test_rating_mismatch_shows_the_declared_rating_next_to_the_suggestion(scanned_db: Path) -> None:
    """Regression: the text listed only the suggestion, so a mismatch could not be seen."""
    code, out = cli("query", "--db", str(scanned_db), "--rating-mismatch")
    (line,) = out.splitlines()
    assert code == 0 and line.endswith("calm.txt  [suggested: General Audiences; declared: Mature]  -")
    (row,) = json.loads(cli("query", "--db", str(scanned_db), "--rating-mismatch", "--json")[1])
    assert (row["rating_suggested"], row["rating_declared"]) == ("General Audiences", "Mature")
    _, out = cli("query", "--db", str(scanned_db), "--has", "blood")
    # The generated works declare no rating: the suggestion stands alone.
    lines = out.splitlines()
    assert lines and all(line.split("  ")[1].startswith("[suggested: ") and "; declared:" not in line for line in lines)


def test_rating_mismatch_reads_ratings_as_authors_write_them(tmp_path: Path) -> None:
    """Regression: a declared "G" differed from "General Audiences" as a string, so every
    work rated in initials was listed; a work "Not Rated" has no rating to disagree with."""
    folder = tmp_path / "c"
    folder.mkdir()
    for name, rating in [("g", "G"), ("nc17", "NC-17"), ("unrated", "Not Rated"), ("teen", "Teen")]:
        (folder / f"{name}.txt").write_text(f"Rating: {rating}\n\nA quiet morning with coffee and the crossword.\n")
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    _, out = cli("query", "--db", str(db), "--rating-mismatch", "--json")
    assert sorted(r["path"].rsplit("/", 1)[1] for r in json.loads(out)) == ["nc17.txt", "teen.txt"]


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("M", "Mature"),
        ("Teen And Up Audiences", "Teen And Up Audiences"),
        ("pg-13", "Teen And Up Audiences"),
        ("NC-17", "Explicit"),
        ("Explicit, Mature", "Explicit"),
        ("k+", "General Audiences"),
        # Regression: these named no rating.
        ("Teen & Up", "Teen And Up Audiences"),
        ("Rated M", "Mature"),
        ("M (for violence)", "Mature"),
        ("T+", "Teen And Up Audiences"),
        ("rated: Explicit.", "Explicit"),
        ("Not Rated", None),
        ("PG", None),
        ("", None),
        (None, None),
    ],
)
def test_declared_rating_maps_common_forms(text: str | None, rating: str | None) -> None:
    from forewarn.rating import declared_rating

    assert declared_rating(text) == rating


def test_export_round_trips(scanned_db: Path, tmp_path: Path) -> None:
    import csv

    out = tmp_path / "r.csv"
    assert cli("export", "--db", str(scanned_db), "--format", "csv", "--out", str(out))[0] == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 7 and {"blood", "violence"} <= set(rows[1]["detected"].split(";"))
    assert rows[0]["path"].endswith("calm.txt") and rows[0]["detected"] == ""
    out = tmp_path / "r.jsonl"
    cli("export", "--db", str(scanned_db), "--format", "jsonl", "--out", str(out))
    reports = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(reports) == 7 and all("warnings" in r for r in reports)
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "r.parquet"
    cli("export", "--db", str(scanned_db), "--format", "parquet", "--out", str(out))
    table = pq.read_table(out)
    assert table.num_rows == 7 and "undeclared" in table.column_names


def test_stats_counts_under_warning(scanned_db: Path) -> None:
    code, out = cli("stats", "--db", str(scanned_db), "--json")
    s = json.loads(out)
    assert code == 0 and s["works"] == 7
    per = {r["warning"]: r for r in s["per_warning"]}
    assert per["violence"]["detected"] == 6 and per["violence"]["undeclared"] == 3
    assert cli("stats", "--db", str(scanned_db.parent / "missing.db"))[0] == 2


@pytest.mark.parametrize("content", [b"just some text\n", Path("/bin/ls").read_bytes()[:4096]], ids=["text", "binary"])
def test_a_file_that_is_not_a_database_is_a_one_line_error(tmp_path: Path, content: bytes) -> None:
    not_db = tmp_path / "notes.db"
    not_db.write_bytes(content)
    runner = CliRunner()
    for args in (["stats"], ["query"], ["export", "--out", str(tmp_path / "x.csv")], ["batch", str(ROOT / "examples")]):
        result = runner.invoke(main, [*args, "--db", str(not_db)])
        assert result.exit_code == 2, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "not a forewarn results database" in result.stderr and "Traceback" not in result.output
    assert not_db.read_bytes() == content  # left untouched


def test_export_to_a_missing_folder_is_a_one_line_error(scanned_db: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--db", str(scanned_db), "--out", "/nonexistent/x.csv"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert result.stderr.strip() == "forewarn: error: cannot write /nonexistent/x.csv: No such file or directory"


def test_missing_target_or_empty_pattern_is_an_error_and_creates_no_database(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    db = tmp_path / "r.db"
    for target, message in [
        (tmp_path / "nonexist", "no such file or folder"),
        (tmp_path / "nomatch" / "*.txt", "the pattern matches no work"),
        (tmp_path / "empty", "no work to scan in it"),
    ]:
        result = CliRunner().invoke(main, ["batch", str(target), "--db", str(db)])
        assert result.exit_code == 2 and message in result.stderr, result.output
        assert not db.exists()


def test_batch_exits_1_when_a_work_failed_and_retries_it_next_time(tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "c", 2)
    (folder / "blob").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 8)  # no suffix, binary
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + b"\x00" * 64)  # hidden: left out
    (folder / "cover.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 64)  # other suffix: left out
    db = tmp_path / "r.db"
    args = ["batch", str(folder), "--db", str(db), "--workers", "1", "--scorer", "lexicon"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 1, first.output
    assert "scanned 2, skipped 0 (already in the database), failed 1;" in first.stdout
    assert f"failed: {folder.resolve() / 'blob'}: binary file" in first.stderr
    (folder / "blob").unlink()
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0 and "scanned 0, skipped 2" in second.stdout
    (folder / "blob").write_bytes(b"")
    third = CliRunner().invoke(main, args)
    assert third.exit_code == 1 and "failed 1;" in third.stdout
    (folder / "blob").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 8)
    assert count(db, "SELECT COUNT(*) FROM errors") == 1  # the file's error is about what it holds now
    fourth = CliRunner().invoke(main, args)
    assert fourth.exit_code == 1 and "failed 1;" in fourth.stdout
    assert count(db, "SELECT COUNT(*) FROM errors WHERE error LIKE '%binary%'") == 1
    fifth = CliRunner().invoke(main, args)
    assert fifth.exit_code == 1 and "failed 1; 1 file had failed before and was tried again;" in fifth.stdout
    assert count(db, "SELECT COUNT(*) FROM errors") == 1
    assert "Exit codes" in CliRunner().invoke(main, ["batch", "--help"]).output


def test_batch_stores_absolute_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_collection(tmp_path / "c", 1)
    monkeypatch.chdir(tmp_path)
    run_batch("c", db="r.db", workers=1, mode="lexicon")
    run_batch("c/*.txt", db="g.db", workers=1, mode="lexicon")  # same content: stored again in another db
    for db in ("r.db", "g.db"):
        (path,) = [r[0] for r in sqlite3.connect(tmp_path / db).execute("SELECT path FROM works")]
        assert path == str(tmp_path / "c" / "work000.txt")


APPLEDOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + b"\x00" * 64


def test_hidden_files_and_macos_litter_are_skipped_in_folders_zips_and_globs(tmp_path: Path) -> None:
    """Regression: `.git/x/obj.txt` and `.hidden.txt` were scanned, and the AppleDouble
    `._story.txt` macOS writes (also under `__MACOSX/` in its ZIPs) failed as binary: exit 1."""
    folder = make_collection(tmp_path / "fics", 2)
    (folder / "._work000.txt").write_bytes(APPLEDOUBLE)
    (folder / ".hidden.txt").write_text("A note to self, not a work.\n")
    (folder / ".git" / "x").mkdir(parents=True)
    (folder / ".git" / "x" / "obj.txt").write_text("git object\n")
    (folder / "__MACOSX").mkdir()
    (folder / "__MACOSX" / "work000.txt").write_text("resource fork\n")
    archive = tmp_path / "macos.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(folder / "work000.txt", "fics/work000.txt")
        z.writestr("__MACOSX/fics/._work000.txt", APPLEDOUBLE)
        z.writestr("fics/._work001.txt", APPLEDOUBLE)
        z.writestr("fics/.hidden/notes.txt", "hidden folder\n")
    expected = {
        str(folder): [str(folder / "work000.txt"), str(folder / "work001.txt")],
        str(archive): [f"{archive}!fics/work000.txt"],
        str(folder / "**" / "*.txt"): [str(folder / "work000.txt"), str(folder / "work001.txt")],
        str(folder / "**"): [str(folder / "work000.txt"), str(folder / "work001.txt")],
        str(folder / "*" / "*.txt"): [],  # only hidden folders below: nothing to scan
    }
    for target, paths in expected.items():
        db = tmp_path / f"r{len(list(tmp_path.glob('*.db')))}.db"
        result = CliRunner().invoke(main, ["batch", target, "--db", str(db), "--workers", "1", "--scorer", "lexicon"])
        if not paths:
            assert result.exit_code == 2 and "the pattern matches no work" in result.stderr, (target, result.output)
            continue
        assert result.exit_code == 0, (target, result.output)
        assert sorted(r[0] for r in sqlite3.connect(db).execute("SELECT path FROM works")) == paths, target
        assert count(db, "SELECT COUNT(*) FROM errors") == 0
    # A hidden file named on the command line is what the user asked for: it is scanned.
    options = ["--db", str(tmp_path / "explicit.db"), "--workers", "1", "--scorer", "lexicon"]
    result = CliRunner().invoke(main, ["batch", str(folder / ".hidden.txt"), *options])
    assert result.exit_code == 0 and "scanned 1," in result.stdout, result.output
    result = CliRunner().invoke(main, ["batch", str(folder / "._work000.txt"), *options])
    assert result.exit_code == 1 and "binary file" in result.stderr, result.output


@pytest.mark.parametrize("workers", ["1", "2"])
def test_identical_files_are_one_work_with_every_path(tmp_path: Path, workers: str) -> None:
    """Regression: on a fresh database the second copy was reported as "skipped 1 (already in
    the database)" and its path was never stored, so `query` could not find it; with 2 workers
    both copies were scanned and saving the second crashed on the UNIQUE (hash, model) key."""
    folder = make_collection(tmp_path / "c", 2)
    for name in ("copy-a.txt", "sub/copy-b.txt", "sub/copy-c.txt"):
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes((folder / "work000.txt").read_bytes())
    db = tmp_path / "r.db"
    args = ["batch", str(folder), "--db", str(db), "--workers", workers, "--scorer", "lexicon"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith(
        "scanned 2, skipped 0 (already in the database), "
        "3 identical to another work (path recorded, not scanned twice), failed 0;"
    )
    assert count(db, "SELECT COUNT(*) FROM works") == 2
    assert count(db, "SELECT duplicates FROM runs") == 3
    code, out = cli("query", "--db", str(db), "--has", "violence", "--json")
    rows = json.loads(out)
    paths = sorted(r["path"] for r in rows)
    expected = ["copy-a.txt", "sub/copy-b.txt", "sub/copy-c.txt", "work000.txt", "work001.txt"]
    assert code == 0 and paths == sorted(str(folder / name) for name in expected)
    assert len({r["id"] for r in rows if not r["path"].endswith("work001.txt")}) == 1
    s = json.loads(cli("stats", "--db", str(db), "--json")[1])
    assert (s["works"], s["files"]) == (2, 5)
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0 and "scanned 0, skipped 5 (already in the database), failed 0;" in second.stdout
    (folder / "copy-d.txt").write_bytes((folder / "work001.txt").read_bytes())
    third = CliRunner().invoke(main, args)
    assert "scanned 0, skipped 5 (already in the database), 1 identical to another work" in third.stdout
    assert count(db, "SELECT COUNT(*) FROM work_paths") == 6
    out = tmp_path / "x.csv"
    assert CliRunner().invoke(main, ["export", "--db", str(db), "--out", str(out)]).exit_code == 0
    with open(out, encoding="utf-8", newline="") as f:
        exported = sorted(len(json.loads(r["paths"])) for r in csv.DictReader(f))
    assert exported == [2, 4]  # each work lists every file with its content
    jl = tmp_path / "x.jsonl"
    assert CliRunner().invoke(main, ["export", "--db", str(db), "--format", "jsonl", "--out", str(jl)]).exit_code == 0
    docs = [json.loads(line) for line in jl.read_text(encoding="utf-8").splitlines()]
    assert sorted(len(d["work"]["paths"]) for d in docs) == [2, 4]  # JSON Lines had no paths
    for d in docs:
        assert d["work"]["path"] in d["work"]["paths"]
        jsonschema.validate({"schema": SCHEMA_ID, "forewarn_version": "0", "reports": [d], "errors": []}, SCHEMA)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_identical_unreadable_files_are_each_listed_as_failed(tmp_path: Path, workers: str) -> None:
    """Regression (--workers 1): the second copy was scanned again, counted as "failed before
    and tried again" on a new database, and its path replaced the first in the errors row."""
    folder = tmp_path / "c"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_bytes(b"\x00\x01\x02" * 300)
    db = tmp_path / "r.db"
    args = ["batch", str(folder), "--db", str(db), "--workers", workers, "--scorer", "lexicon"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "failed 2 (1 distinct content);" in result.stdout, result.output
    assert (
        f"failed: {folder / 'a.txt'}: binary" in result.stderr
        and f"failed: {folder / 'b.txt'}: binary" in result.stderr
    )
    with sqlite3.connect(db) as conn:  # one row per content, with the first path
        assert conn.execute("SELECT path FROM errors").fetchall() == [(str(folder / "a.txt"),)]
    again = CliRunner().invoke(main, args)
    assert "failed 2 (1 distinct content); 2 files had failed before and were tried again;" in again.stdout, (
        again.output
    )


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_failure_lines_say_what_the_errors_table_keeps(tmp_path: Path, workers: str) -> None:
    """Regression: "failed 61 ... and 41 more (all are in the database's errors table)" with 18
    rows there, as identical unreadable files share one; `stats` then said "18 unreadable"."""
    folder = make_collection(tmp_path / "c", 1)
    for i in range(24):  # 3 contents, 8 copies each
        (folder / f"bad{i:02d}.txt").write_bytes(b"\x00\x01\x02" * (300 + i % 3))
    db = tmp_path / "r.db"
    args = ["batch", str(folder), "--db", str(db), "--workers", workers, "--scorer", "lexicon"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "failed 24 (3 distinct contents);" in result.stdout, result.output
    assert count(db, "SELECT COUNT(*) FROM errors") == 3
    assert "  ... and 4 more (`forewarn query --failed` lists them all)" in result.stderr, result.stderr
    code, out = cli("stats", "--db", str(db))
    assert code == 0 and "3 unreadable in 24 files (`forewarn query --failed` lists them)" in out, out
    again = CliRunner().invoke(main, args)
    assert "failed 24 (3 distinct contents); 24 files had failed before and were tried again;" in again.stdout
    # Each failed file with its own content: every one has its row, as the line says.
    (folder / "bad01.txt").unlink()
    for i in range(2, 24):
        (folder / f"bad{i:02d}.txt").write_bytes(b"\x00\x01\x02" * (400 + i))
    third = CliRunner().invoke(main, args)
    assert "failed 23; 1 file had failed before and was tried again;" in third.stdout, third.output
    assert "... and 3 more (`forewarn query --failed` lists them all)" in third.stderr, third.stderr
    assert count(db, "SELECT COUNT(*) FROM errors") == 23


@pytest.mark.parametrize("workers", ["1", "2"])
def test_every_failed_file_is_listed_by_query_failed_also_after_a_run_over_a_subfolder(
    tmp_path: Path, workers: str
) -> None:
    """Regression: identical unreadable files shared one errors row holding the first path only, so
    the others were counted but listed nowhere, and a re-run over a subfolder replaced that path
    with its own copy's: the file outside it was then in neither works nor errors."""
    folder = make_collection(tmp_path / "c", 1)
    (folder / "sub").mkdir()
    for name in ("a.txt", "b.txt", "sub/c.txt"):
        (folder / name).write_bytes(b"\x00\x01\x02" * 300)
    (folder / "empty.txt").write_bytes(b"")
    db = tmp_path / "r.db"
    opts = ["--db", str(db), "--workers", workers, "--scorer", "lexicon"]
    assert CliRunner().invoke(main, ["batch", str(folder), *opts]).exit_code == 1
    assert CliRunner().invoke(main, ["batch", str(folder / "sub"), *opts]).exit_code == 1
    result = CliRunner().invoke(main, ["query", "--db", str(db), "--failed"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{folder / 'a.txt'}: binary file (not text, HTML or EPUB)",
        f"{folder / 'b.txt'}: binary file (not text, HTML or EPUB)",
        f"{folder / 'empty.txt'}: empty file: nothing to scan",
        f"{folder / 'sub' / 'c.txt'}: binary file (not text, HTML or EPUB)",
    ]
    assert "4 files could not be scanned (2 distinct contents)" in result.stderr
    code, out = cli("stats", "--db", str(db))
    assert "2 unreadable in 4 files (`forewarn query --failed` lists them)" in out, out
    rows = json.loads(cli("query", "--db", str(db), "--failed", "--json")[1])
    assert [Path(r["path"]).name for r in rows] == ["a.txt", "b.txt", "empty.txt", "c.txt"]
    assert len({r["model_version"] for r in rows}) == 1 and rows[0]["model_version"].startswith("lexicon/")
    # A copy deleted, one readable now: after a run over the folder, only what still fails is listed.
    (folder / "a.txt").unlink()
    (folder / "b.txt").write_text("Title: Fixed\n\nA calm walk.\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["batch", str(folder), *opts]).exit_code == 1
    rows = json.loads(cli("query", "--db", str(db), "--failed", "--json")[1])
    assert [Path(r["path"]).name for r in rows] == ["empty.txt", "c.txt"]
    with sqlite3.connect(db) as conn:  # the content's row moved to a file that still holds it
        assert conn.execute("SELECT path FROM errors WHERE error LIKE 'binary%'").fetchall() == [
            (str(folder / "sub" / "c.txt"),)
        ]
    assert json.loads(cli("stats", "--db", str(db), "--json")[1])["error_files"] == 2


def test_query_failed_takes_no_work_filters_and_reads_a_database_from_before_error_paths(tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "c", 1, corrupt=2)
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    with sqlite3.connect(db) as conn:  # as an older forewarn left it: no error_paths
        conn.execute("DROP TABLE error_paths")
        conn.execute("DELETE FROM migrations WHERE name = '005_error_paths'")
    code, out = cli("query", "--db", str(db), "--failed", "--json")
    assert code == 0 and [Path(r["path"]).name for r in json.loads(out)] == ["bad0.txt", "bad1.txt"]
    assert count(db, "SELECT COUNT(*) FROM migrations WHERE name = '005_error_paths'") == 0  # read as it is
    run_batch(folder, db=db, workers=1, mode="lexicon")  # upgraded: the old rows' paths are kept
    assert count(db, "SELECT COUNT(*) FROM error_paths") == 2
    result = CliRunner().invoke(main, ["query", "--db", str(db), "--failed", "--has", "violence"])
    assert result.exit_code == 2 and "--failed lists files that have no results: it takes no --has" in result.output


@pytest.mark.parametrize("workers", ["1", "2"])
def test_files_edited_into_copies_of_an_unreadable_file_leave_their_old_work(tmp_path: Path, workers: str) -> None:
    """Regression: only the first copy of unreadable content released its path; the others
    waiting for its result kept their old content's work, so `query` still listed them."""
    folder = make_collection(tmp_path / "c", 2)
    db = tmp_path / "r.db"
    args = ["batch", str(folder), "--db", str(db), "--workers", workers, "--scorer", "lexicon"]
    assert CliRunner().invoke(main, args).exit_code == 0
    for name in ("work000.txt", "work001.txt"):
        (folder / name).write_bytes(b"\x00\x01\x02" * 300)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "failed 2 (1 distinct content);" in result.stdout, result.output
    assert json.loads(cli("query", "--db", str(db), "--json")[1]) == []
    assert count(db, "SELECT COUNT(*) FROM works") + count(db, "SELECT COUNT(*) FROM work_paths") == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT path FROM errors").fetchall() == [(str(folder / "work000.txt"),)]


@pytest.mark.parametrize("checked_before_it_saved", [False, True])
def test_a_work_saved_meanwhile_by_another_batch_process_is_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checked_before_it_saved: bool
) -> None:
    """Regression: two batch processes on one database: the slower one's save hit the UNIQUE
    (content, model) key, crashed with an IntegrityError traceback and left its run unfinished;
    then, saved between this batch's check and its save, the work counted as scanned here too."""
    import hashlib

    import forewarn.batch
    from forewarn.store import save_report

    folder = make_collection(tmp_path / "c", 2)
    (folder / "copy.txt").write_bytes((folder / "work000.txt").read_bytes())
    db = tmp_path / "r.db"
    real = forewarn.batch.scan_one

    def raced(name: str, data: bytes, *args: object, **kwargs: object) -> dict[str, object]:
        result = real(name, data, *args, **kwargs)  # type: ignore[arg-type]
        if name.endswith("copy.txt"):  # the other process saves it first, from its own path
            other = open_db(db)
            digest = hashlib.sha256(data).hexdigest()
            save_report(other, result["report"], path=str(tmp_path / "theirs.txt"), content_hash=digest, seconds=0)
            other.close()
        return result

    monkeypatch.setattr(forewarn.batch, "scan_one", raced)
    if checked_before_it_saved:  # this batch looked (is_done) just before the other one saved
        monkeypatch.setattr(forewarn.batch, "is_done", lambda *args: False)
    summary = run_batch(folder, db=db, workers=1, mode="lexicon")
    # Not "scanned 2": two batches on one database each counted such a work as scanned.
    assert (summary.scanned, summary.duplicates, summary.skipped, summary.failed) == (1, 2, 0, 0)
    assert count(db, "SELECT COUNT(*) FROM works") == 2
    assert count(db, "SELECT COUNT(*) FROM work_paths") == 4  # theirs, copy, work000, work001
    assert count(db, "SELECT COUNT(*) FROM runs WHERE finished IS NOT NULL AND interrupted = 0") == 1


def test_a_database_from_before_the_path_table_is_read_and_upgraded(tmp_path: Path) -> None:
    """Databases written before migrations 002 and 003 keep working: their paths are queryable."""
    folder = make_collection(tmp_path / "c", 1)
    new = tmp_path / "new.db"
    run_batch(folder, db=new, workers=1, mode="lexicon")
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:
        conn.executescript(MIGRATIONS[0][1])
        conn.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        conn.execute("INSERT INTO migrations VALUES ('001_initial', '2025-01-01T00:00:00Z')")
        conn.execute("ATTACH ? AS new", (str(new),))
        for table in ("works", "passages", "detections"):  # the old columns (later migrations add some)
            columns = ", ".join(f'"{r[1]}"' for r in conn.execute(f"PRAGMA main.table_info({table})"))
            conn.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM new.{table}")
    code, out = cli("query", "--db", str(old), "--json")
    assert code == 0 and [r["path"] for r in json.loads(out)] == [str(folder / "work000.txt")]
    assert count(old, "SELECT COUNT(*) FROM migrations") == 1  # read as it is: only batch upgrades
    (folder / "again.txt").write_bytes((folder / "work000.txt").read_bytes())
    result = CliRunner().invoke(main, ["batch", str(folder), "--db", str(old), "--workers", "1", "--scorer", "lexicon"])
    assert result.exit_code == 0 and "scanned 0, skipped 1 (already in the database), 1 identical" in result.stdout
    assert count(old, "SELECT COUNT(*) FROM runs WHERE interrupted = 0 AND duplicates = 1") == 1


def test_a_work_written_by_an_older_forewarn_into_an_upgraded_database_is_still_listed(tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "c", 2)
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    with sqlite3.connect(db) as conn:  # an older forewarn writes works without work_paths rows
        conn.execute("DELETE FROM work_paths WHERE path LIKE '%work001.txt'")
    code, out = cli("query", "--db", str(db), "--json")
    assert code == 0 and [r["path"].rsplit("/", 1)[1] for r in json.loads(out)] == ["work000.txt", "work001.txt"]
    assert json.loads(cli("stats", "--db", str(db), "--json")[1])["files"] == 2


@pytest.mark.parametrize("workers", ["0", "-1"])
def test_workers_below_one_is_a_usage_error_and_creates_no_database(tmp_path: Path, workers: str) -> None:
    """--workers -1 raised a raw 'max_workers must be greater than 0' after opening a run."""
    (tmp_path / "a.txt").write_text("A quiet afternoon by the river.\n", encoding="utf-8")
    db = tmp_path / "r.db"
    result = CliRunner().invoke(main, ["batch", str(tmp_path / "a.txt"), "--db", str(db), "--workers", workers])
    assert result.exit_code == 2 and "--workers" in result.output
    assert not db.exists()


def test_a_file_edited_between_runs_is_listed_once_with_its_new_results(tmp_path: Path) -> None:
    """Regression: the edited file kept its old work's path row, so `query` listed it twice
    (old and new results) and `stats` counted the old content as a work."""
    folder = make_collection(tmp_path / "c", 2)
    (folder / "copy.txt").write_bytes((folder / "work001.txt").read_bytes())
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02" * 300)
    db = tmp_path / "r.db"
    args = ["batch", str(folder), "--db", str(db), "--workers", "1", "--scorer", "lexicon"]
    assert CliRunner().invoke(main, args).exit_code == 1
    (folder / "work000.txt").write_text("Title: Calm\n\nThey walked home by the harbour.\n", encoding="utf-8")
    (folder / "work001.txt").write_text("Title: Calm too\n\nA quiet tea on the lawn.\n", encoding="utf-8")
    (folder / "bad.txt").write_text("Title: Fixed\n\nHe stabbed the guard.\n", encoding="utf-8")
    assert CliRunner().invoke(main, args).exit_code == 0
    rows = json.loads(cli("query", "--db", str(db), "--json")[1])
    by_path = {Path(r["path"]).name: r for r in rows}
    assert sorted(r["path"] for r in rows) == sorted(str(folder / n) for n in by_path)  # one row per file
    assert set(by_path) == {"work000.txt", "work001.txt", "copy.txt", "bad.txt"}
    assert by_path["work000.txt"]["title"] == "Calm" and "violence" not in by_path["work000.txt"]["detected"]
    assert by_path["copy.txt"]["title"] == "Work 1" and "violence" in by_path["copy.txt"]["detected"]
    assert "violence" in by_path["bad.txt"]["detected"]
    s = json.loads(cli("stats", "--db", str(db), "--json")[1])
    assert (s["works"], s["files"], s["errors"]) == (4, 4, 0)  # work000's old content is gone
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT path FROM works WHERE title = 'Work 1'").fetchall() == [(str(folder / "copy.txt"),)]
        (work1,) = conn.execute("SELECT id FROM works WHERE title = 'Work 1'").fetchone()
    from fastapi.testclient import TestClient

    from forewarn.web.app import create_app

    stored = TestClient(create_app(db_path=db)).get(f"/db/{work1}.json").json()  # was the report as saved
    assert (stored["work"]["path"], stored["work"]["paths"]) == (str(folder / "copy.txt"), [str(folder / "copy.txt")])
    assert count(db, "SELECT COUNT(*) FROM passages WHERE work_id NOT IN (SELECT id FROM works)") == 0


def test_renamed_and_deleted_files_leave_the_database_after_a_run_over_their_folder(tmp_path: Path) -> None:
    """Regression: a deleted file stayed listed forever and a renamed one was reported as a copy
    ("1 identical to another work"), listed under both names."""
    folder = make_collection(tmp_path / "c", 3)
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02" * 300)
    (folder / ".hidden.txt").write_text(f"Title: Hidden\n\n{PARA}\n", encoding="utf-8")
    archive = folder / "more.zip"  # a ZIP in the folder is no work of it, but can be a target itself
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("x.txt", f"Title: X\n\n{PARA} x\n")
        z.writestr("y.txt", f"Title: Y\n\n{PARA} y\n")
    db = tmp_path / "r.db"
    for target in (folder, folder / ".hidden.txt", archive):  # a hidden file named on its own
        run_batch(target, db=db, workers=1, mode="lexicon")
    (folder / "work000.txt").rename(folder / "renamed.txt")
    (folder / "work001.txt").unlink()
    (folder / "bad.txt").unlink()
    args = ["batch", str(folder), "--db", str(db), "--workers", "1", "--scorer", "lexicon"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("scanned 0, skipped 2 (already in the database), failed 0;"), result.stdout
    assert "3 files no longer there were removed from the database" in result.stderr, result.stderr
    listed = sorted(r["path"] for r in json.loads(cli("query", "--db", str(db), "--json")[1]))
    expected = ["renamed.txt", "work002.txt", ".hidden.txt", "more.zip!x.txt", "more.zip!y.txt"]
    assert listed == sorted(str(folder / name) for name in expected)
    s = json.loads(cli("stats", "--db", str(db), "--json")[1])
    assert (s["works"], s["files"], s["errors"]) == (5, 5, 0)
    assert count(db, "SELECT COUNT(*) FROM passages WHERE work_id NOT IN (SELECT id FROM works)") == 0
    with zipfile.ZipFile(archive, "w") as z:  # y.txt taken out of the ZIP
        z.writestr("x.txt", f"Title: X\n\n{PARA} x\n")
    run_batch(archive, db=db, workers=1, mode="lexicon")
    run_batch(str(folder / "*.txt"), db=db, workers=1, mode="lexicon")  # a glob lists no folder in full
    listed = sorted(r["path"] for r in json.loads(cli("query", "--db", str(db), "--json")[1]))
    assert listed == sorted(str(folder / name) for name in expected if name != "more.zip!y.txt")


def test_a_glob_walks_symlinked_folders_once_like_a_folder_walk(tmp_path: Path) -> None:
    """Regression: with `fics/sub/selfloop -> .`, 'fics/**/*.txt' stored 84 paths
    (.../selfloop/selfloop/...) for 6 files; two such loops never finished. Linked folders are
    followed (`outside`), each folder and each file once (`link.txt` is `work000.txt`)."""
    folder = make_collection(tmp_path / "fics", 2)
    make_collection(folder / "sub", 1)
    make_collection(tmp_path / "elsewhere", 1)
    (folder / "sub" / "selfloop").symlink_to(".")
    (folder / "outside").symlink_to(tmp_path / "elsewhere")
    (folder / "sub" / "link.txt").symlink_to(folder / "work000.txt")
    walked = sorted(s.name for s in iter_sources(folder))
    assert walked == [str(folder / p) for p in ("outside/work000.txt", "sub/work000.txt", "work000.txt", "work001.txt")]
    assert [s.name for s in iter_sources(str(folder / "**" / "*.txt"))] == walked
    assert [s.name for s in iter_sources(str(folder / "**"))] == walked
    # Without work000.txt among the matches, the link is that file's only path here.
    assert [s.name for s in iter_sources(str(folder / "sub" / "*.txt"))] == [
        str(folder / "sub" / "link.txt"),
        str(folder / "sub" / "work000.txt"),
    ]


def test_zip_members_are_chosen_like_files_in_a_folder(tmp_path: Path) -> None:
    """Regression: a ZIP skipped members without a suffix, which a folder scans."""
    folder = make_collection(tmp_path / "c", 1)
    (folder / "noext").write_text(f"Title: No suffix\n\n{PARA}\n")
    (folder / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    archive = tmp_path / "c.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in sorted(folder.iterdir()):
            z.write(p, p.name)
    in_folder = sorted(Path(s.name).name for s in iter_sources(folder))
    in_zip = sorted(s.member or "" for s in iter_sources(archive))
    assert in_zip == in_folder == ["noext", "work000.txt"]


def test_zip_member_names_are_read_back_by_the_files_and_gone_ones_found(tmp_path: Path) -> None:
    """``archive!member`` is cut where a ZIP is (either name may hold a "!"); a member counts as
    there while its ZIP is, even when taken out of it (a run over that ZIP removes it)."""
    from forewarn.batch import _missing, zip_splits

    archive = tmp_path / "fics!.zip"  # a "!" in the archive's name and in a member's
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("dir/story.txt", "x")
        z.writestr("a!b.txt", "x")
    assert list(zip_splits(f"{archive}!dir/story.txt")) == [(str(archive), "dir/story.txt")]
    assert list(zip_splits(f"{archive}!a!b.txt")) == [(str(archive), "a!b.txt")]
    assert not _missing(f"{archive}!dir/story.txt")
    assert not _missing(f"{archive}!gone.txt")  # not in the ZIP, but left to a run over it
    backup = tmp_path / "fics!.zip!old"  # a folder named after the ZIP: both cuts fit
    backup.mkdir()
    with zipfile.ZipFile(backup / "c.zip", "w") as z:
        z.writestr("x.txt", "x")
    assert list(zip_splits(f"{backup}/c.zip!x.txt")) == [
        (str(archive), "old/c.zip!x.txt"),
        (f"{backup}/c.zip", "x.txt"),
    ]

    plain = tmp_path / "wow!.txt"  # a plain file with a "!", and no ZIP before it
    plain.write_text("x")
    assert not _missing(str(plain)) and list(zip_splits(str(plain))) == []
    plain.unlink()
    assert _missing(str(plain))
    epub = tmp_path / "book.epub"  # a ZIP too, but batch reads it whole and names no member of it
    with zipfile.ZipFile(epub, "w") as z:
        z.writestr("notes.txt", "x")
    assert _missing(f"{epub}!notes.txt") and list(zip_splits(f"{epub}!notes.txt")) == []

    archive.unlink()  # a missing ZIP: its members are gone
    assert _missing(f"{archive}!dir/story.txt") and list(zip_splits(f"{archive}!dir/story.txt")) == []
    assert list(zip_splits(f"{backup}/c.zip!x.txt")) == [(f"{backup}/c.zip", "x.txt")]


def test_a_file_that_cannot_be_read_keeps_its_earlier_results(tmp_path: Path) -> None:
    """Regression: an unreadable file (locked, no permission: no content hash) released its
    path like edited content, which deleted the work scanned from it in an earlier run."""
    from forewarn.store import save_error

    folder = make_collection(tmp_path / "c", 1)
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    conn = open_db(db)
    (path,) = [r[0] for r in conn.execute("SELECT path FROM work_paths")]
    save_error(conn, path=path, content_hash=None, model_version="any", error="Permission denied")
    assert [r[0] for r in conn.execute("SELECT path FROM work_paths")] == [path]
    assert count(db, "SELECT COUNT(*) FROM detections") > 0 and count(db, "SELECT COUNT(*) FROM errors") == 1


@pytest.mark.parametrize("workers", ["1", "2"])
def test_batch_scans_with_a_given_bundle_and_refuses_a_broken_one(tmp_path: Path, workers: str) -> None:
    """batch had no --model: a collection could only be scanned with the packaged model."""
    import shutil

    from forewarn.score.model import default_bundle, write_checksums

    folder = make_collection(tmp_path / "c", 2)
    mine = tmp_path / "mine"
    shutil.copytree(default_bundle(), mine)
    config = json.loads((mine / "config.json").read_text())
    (mine / "config.json").write_text(json.dumps({**config, "version": "my-own-heads-1"}))
    write_checksums(mine)
    db = tmp_path / "r.db"
    args = ["batch", str(folder), "--db", str(db), "--workers", workers, "--model", str(mine)]
    assert CliRunner().invoke(main, args).exit_code == 0
    with sqlite3.connect(db) as conn:
        versions = {v for (v,) in conn.execute("SELECT model_version FROM works")}
    (version,) = versions
    assert re.search(r"\+my-own-heads-1@[0-9a-f]{8}$", version), version
    shutil.copytree(mine, tmp_path / "broken")
    (tmp_path / "broken" / "vocab.json").write_text("{}")
    broken_args = ["batch", str(folder), "--db", str(tmp_path / "other.db"), "--model", str(tmp_path / "broken")]
    broken = CliRunner().invoke(main, broken_args)
    assert broken.exit_code == 2 and "vocab.json does not match" in broken.stderr
    assert not (tmp_path / "other.db").exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_max_size_sets_the_size_limit_as_for_scan(tmp_path: Path, workers: str) -> None:
    """Regression: batch had no --max-size, so a file over 25 MiB could never go into a database
    (and the failure said "file is 25 MiB, over the 25 MiB limit")."""
    folder = tmp_path / "c"
    folder.mkdir()
    comment = b"x" * (25 * 1024 * 1024)  # over the default limit, but quick to read: a comment
    (folder / "big.html").write_bytes(b"<p>He stabbed the guard and blood pooled.</p><!-- " + comment + b" -->")
    (folder / "small.txt").write_text(f"{PARA}\n\n" * 40, encoding="utf-8")  # about 4 KiB
    db = tmp_path / "r.db"
    args = ["batch", str(folder), "--db", str(db), "--workers", workers, "--scorer", "lexicon"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 1 and "scanned 1," in first.stdout, first.output
    assert "big.html: file is 26,214,454 bytes, over the 26,214,400-byte limit (use --max-size)" in first.stderr
    again = CliRunner().invoke(main, [*args, "--max-size", "26MiB"])  # the workers' reader takes it too
    assert again.exit_code == 0 and "scanned 1, skipped 1 " in again.stdout, again.output
    assert count(db, "SELECT COUNT(*) FROM works") == 2 and count(db, "SELECT COUNT(*) FROM errors") == 0
    args[3] = str(tmp_path / "small.db")
    small = CliRunner().invoke(main, [*args, "--max-size", "1KiB"])
    assert small.exit_code == 1 and "small.txt: file is 4.2 KiB, over the 1 KiB limit (use --max-size)" in small.stderr
    assert CliRunner().invoke(main, [*args, "--max-size", "lots"]).exit_code == 2
    help_lines = [
        re.search(r"--max-size.*?\]", " ".join(CliRunner().invoke(main, [cmd, "--help"]).output.split())).group(0)
        for cmd in ("scan", "batch")
    ]
    assert help_lines[0] == help_lines[1]


def test_a_bundle_differing_only_in_thresholds_rescans_every_work(tmp_path: Path) -> None:
    """Regression: two bundles trained with other --label-mode share config.json's version;
    the second batch said "scanned 0, skipped 2" and kept the first model's results."""
    import shutil

    from forewarn.score.model import default_bundle, write_checksums

    folder = make_collection(tmp_path / "c", 2)
    db = tmp_path / "r.db"
    first = run_batch(folder, db=db, workers=1, bundle=str(default_bundle()))
    other = tmp_path / "other"
    shutil.copytree(default_bundle(), other)
    config = json.loads((other / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**config, "thresholds": dict.fromkeys(config["thresholds"], 0.01)}))
    write_checksums(other)
    second = run_batch(folder, db=db, workers=1, bundle=str(other))
    assert (first.scanned, second.scanned, second.skipped) == (2, 2, 0)
    assert count(db, "SELECT COUNT(DISTINCT model_version) FROM works") == 2


def test_a_work_read_in_part_is_named_after_the_run(tmp_path: Path) -> None:
    """An EPUB missing a chapter file is scanned from the rest; the run says which, and how."""
    from readers_fixtures import write_epub, xhtml

    folder = make_collection(tmp_path / "c", 1)
    whole = zipfile.ZipFile(write_epub(tmp_path / "w.epub", [("c1.xhtml", xhtml(f"<p>{PARA}</p>")), ("c2.xhtml", "")]))
    with zipfile.ZipFile(folder / "part.epub", "w") as zf:
        for info in whole.infolist():
            if info.filename != "OEBPS/c2.xhtml":
                zf.writestr(info, whole.read(info))
    db = tmp_path / "r.db"
    result = CliRunner().invoke(main, ["batch", str(folder), "--db", str(db), "--workers", "1", "--scorer", "lexicon"])
    assert result.exit_code == 0 and "scanned 2," in result.stdout, result.output
    part = folder.resolve() / "part.epub"
    assert f"read in part: {part}: EPUB is damaged: OEBPS/c2.xhtml (2nd of 2)" in result.stderr
    with sqlite3.connect(db) as conn:
        stored = [json.loads(r) for (r,) in conn.execute("SELECT report_json FROM works")]
    assert sorted(len(r["work"]["notices"]) for r in stored) == [0, 1]


def test_works_not_in_english_are_named_after_the_run(tmp_path: Path) -> None:
    """An archive learns which of its works forewarn could not read, not only each report."""
    from test_language import OTHER

    folder = make_collection(tmp_path / "c", 2)
    (folder / "hof.txt").write_text(OTHER["de"] + "\n", encoding="utf-8")
    (folder / "gatan.txt").write_text(OTHER["nl"] + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["batch", str(folder), "--db", str(tmp_path / "r.db"), "--workers", "1", "--scorer", "lexicon"]
    )
    assert result.exit_code == 0 and "scanned 4," in result.stdout, result.output
    assert "2 scanned works read as another language than English" in result.stderr
    assert f"  German: {folder.resolve() / 'hof.txt'}" in result.stderr
    assert f"  Dutch: {folder.resolve() / 'gatan.txt'}" in result.stderr


def test_progress_into_a_log_file_prints_a_line_now_and_then(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: `--progress` with stderr not a terminal (a log file) printed nothing until
    the end, so a long logged run showed no life."""
    import forewarn.cli.collection

    folder = make_collection(tmp_path / "c", 3, corrupt=2)
    args = ["batch", str(folder), "--db", str(tmp_path / "r.db"), "--workers", "1", "--scorer", "lexicon"]
    monkeypatch.setattr(forewarn.cli.collection, "PROGRESS_LINE_SECONDS", 0.0)  # a line at every result
    result = CliRunner().invoke(main, [*args, "--progress"])
    lines = [line for line in result.stderr.splitlines() if " of 5 files, " in line]
    assert len(lines) == 5, result.stderr
    assert re.fullmatch(r"5 of 5 files, [\d,]+ files/s \([\d,]+ words/s\), 2 failed", lines[-1]), lines
    assert "\x1b" not in result.stderr  # no bar drawn into the log
    again = CliRunner().invoke(main, [*args, "--no-progress"])
    assert " of 5 files, " not in again.stderr
    monkeypatch.setattr(forewarn.cli.collection, "PROGRESS_LINE_SECONDS", 3600.0)
    assert " of 5 files, " not in CliRunner().invoke(main, [*args, "--progress"]).stderr


def test_a_newline_in_a_file_name_cannot_forge_a_failure_line(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "x\nfailed: forged.txt").write_bytes(b"\x00\x01\x02" * 300)
    result = CliRunner().invoke(main, ["batch", str(folder), "--db", str(tmp_path / "r.db"), "--scorer", "lexicon"])
    assert result.exit_code == 1
    failures = [line for line in result.stderr.splitlines() if "failed:" in line]
    assert len(failures) == 1 and failures[0].startswith("  failed: ") and "x\ufffdfailed: forged.txt" in failures[0]


def test_a_rename_beside_a_copy_still_in_place_is_no_new_copy(tmp_path: Path) -> None:
    """Regression: a.txt and b.txt identical, a.txt renamed to c.txt: "1 identical to another
    work", as if c were a third copy; one gone path explains one new path only."""
    folder = tmp_path / "c"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(f"Title: Same\n\n{PARA}\n", encoding="utf-8")
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    (folder / "a.txt").rename(folder / "c.txt")
    (folder / "d.txt").write_text(f"Title: Same\n\n{PARA}\n", encoding="utf-8")  # and one new copy
    summary = run_batch(folder, db=db, workers=1, mode="lexicon")
    assert (summary.scanned, summary.duplicates, summary.skipped, summary.removed) == (0, 1, 2, 1)
    listed = sorted(Path(r["path"]).name for r in json.loads(cli("query", "--db", str(db), "--json")[1]))
    assert listed == ["b.txt", "c.txt", "d.txt"]


GERMAN = (
    "Der Mann ging in die Stadt und sah, dass die Kinder auf der Straße spielten. Es war ein schöner "
    "Tag, aber er war nicht glücklich, weil seine Frau nicht bei ihm war. "
) * 4


def language_collection(folder: Path) -> Path:
    """Two English works, a German one and one too short to tell."""
    make_collection(folder, 2)
    (folder / "german.txt").write_text(f"Title: Tag\n\n{GERMAN}\n", encoding="utf-8")
    (folder / "short.txt").write_text("Title: Short\n\nHe stabbed the guard.\n", encoding="utf-8")
    return folder


def test_query_stats_export_and_db_filter_by_detected_language(tmp_path: Path) -> None:
    """Researchers could not leave out the works forewarn cannot read (stats mixed a German
    work's "war" = "was" into the war count) nor list them from the database."""
    folder = language_collection(tmp_path / "c")
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    code, out = cli("query", "--db", str(db), "--language", "de", "--json")
    assert code == 0 and [(Path(r["path"]).name, r["detected_language"]) for r in json.loads(out)] == [
        ("german.txt", "de")
    ]
    _, out = cli("query", "--db", str(db), "--language", "German,unknown")
    assert [line.split("  ")[0] for line in out.splitlines()] == [str(folder / "german.txt"), str(folder / "short.txt")]
    assert "[suggested: General Audiences; reads as German, not English]" in out.splitlines()[0], out
    s = json.loads(cli("stats", "--db", str(db), "--language", "en", "--json")[1])
    assert (s["works"], s["files"], s["languages"]) == (2, 2, [{"language": "en", "works": 2}])
    code, out = cli("stats", "--db", str(db))
    assert code == 0 and "by detected language: en 2, de (German) 1, unknown 1" in out, out
    for bad in ("xx", ""):
        result = CliRunner().invoke(main, ["query", "--db", str(db), "--language", bad])
        assert result.exit_code == 2 and "--language:" in result.output, result.output
    _, out = cli("export", "--db", str(db), "--out", "-")
    by_name = {Path(r["path"]).name: r["detected_language"] for r in csv.DictReader(out.splitlines())}
    assert by_name == {"german.txt": "de", "short.txt": "", "work000.txt": "en", "work001.txt": "en"}
    _, out = cli("export", "--db", str(db), "--format", "jsonl", "--out", "-", "--language", "en")
    assert [json.loads(line)["work"]["title"] for line in out.splitlines()] == ["Work 0", "Work 1"]
    from fastapi.testclient import TestClient

    from forewarn.web.app import create_app

    client = TestClient(create_app(db_path=db))
    assert [r["title"] for r in client.get("/db.json?language=de").json()] == ["Tag"]
    assert client.get("/db?language=unknown").text.count("<li>") == 1
    assert "(reads as German, not English)</li>" in client.get("/db?language=de").text
    assert client.get("/db.json?language=klingon").status_code == 422


def test_a_database_from_before_the_language_column_is_read_and_then_filled(tmp_path: Path) -> None:
    folder = language_collection(tmp_path / "c")
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    with sqlite3.connect(db) as conn:  # as a forewarn before 006_works_language left it
        conn.execute("DROP INDEX works_language")
        conn.execute("ALTER TABLE works DROP COLUMN detected_language")
        conn.execute("DELETE FROM migrations WHERE name = '006_works_language'")
    code, out = cli("query", "--db", str(db), "--language", "de", "--json")  # read from the stored reports
    assert code == 0 and [Path(r["path"]).name for r in json.loads(out)] == ["german.txt"]
    run_batch(folder, db=db, workers=1, mode="lexicon")
    with sqlite3.connect(db) as conn:
        languages = dict(conn.execute("SELECT title, detected_language FROM works").fetchall())
    assert languages == {"Work 0": "en", "Work 1": "en", "Tag": "de", "Short": None}


def test_a_zip_inside_a_zip_target_is_not_said_to_be_scannable_as_its_own_target(tmp_path: Path) -> None:
    """Regression: over a ZIP holding ZIPs, the batch said "a ZIP is scanned as its own target
    (forewarn batch FILE.zip)", which no member of a ZIP can be: it must be taken out first."""
    archive = tmp_path / "outer.zip"
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("in.txt", f"Title: In\n\n{PARA}\n")
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("top.txt", f"Title: Top\n\n{PARA}\n")
        z.write(inner, "inner.zip")
    args = ["batch", str(archive), "--db", str(tmp_path / "r.db"), "--workers", "1", "--scorer", "lexicon"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0 and "scanned 1," in result.stdout, result.output
    assert "left out 1 file of other types: 1 .zip file" in result.stderr, result.stderr
    assert "a ZIP in a ZIP is not opened: extract it, then scan it as its own target" in result.stderr
    assert "a ZIP is scanned as its own target" not in result.stderr


def test_files_left_out_for_their_suffix_are_counted_not_lost_silently(tmp_path: Path) -> None:
    """Regression: PDFs, DOCX files and ZIPs in a folder were skipped without a word, so an
    archive's works in those formats went missing from the results unnoticed."""
    folder = make_collection(tmp_path / "c", 1)
    for name in ("a.pdf", "sub/b.pdf", "c.docx", "d.zip", ".hidden.pdf", ".git/e.pdf"):
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes(b"%PDF-1.4\n")
    db = tmp_path / "r.db"
    result = CliRunner().invoke(main, ["batch", str(folder), "--db", str(db), "--workers", "1", "--scorer", "lexicon"])
    assert result.exit_code == 0 and "scanned 1," in result.stdout, result.output
    assert (
        "left out 4 files of other types: 2 .pdf files, 1 .docx file and 1 .zip file (forewarn reads .epub, .htm,"
        in result.stderr
    ), result.stderr
    assert "a ZIP is scanned as its own target (forewarn batch FILE.zip)" in result.stderr
    only_pdfs = tmp_path / "pdfs"
    only_pdfs.mkdir()
    (only_pdfs / "a.pdf").write_bytes(b"%PDF-1.4\n")
    empty = CliRunner().invoke(main, ["batch", str(only_pdfs), "--db", str(tmp_path / "p.db")])
    assert empty.exit_code == 2 and "not hidden ones; it holds 1 .pdf file)" in empty.stderr, empty.output
    assert not (tmp_path / "p.db").exists()


def test_files_too_large_before_count_as_tried_again_with_a_larger_max_size(tmp_path: Path) -> None:
    """Regression: a file that could not be read before (over --max-size) was retried but not
    counted: "failed 3 ..." then "scanned 2 ...; 1 file had failed before" (the empty one only)."""
    folder = make_collection(tmp_path / "c", 2, words=300)
    (folder / "empty.txt").write_bytes(b"")
    args = ["batch", str(folder), "--db", str(tmp_path / "r.db"), "--workers", "1", "--scorer", "lexicon"]
    first = CliRunner().invoke(main, [*args, "--max-size", "1KiB"])
    assert first.exit_code == 1 and "failed 3;" in first.stdout, first.output
    again = CliRunner().invoke(main, args)
    assert "scanned 2, skipped 0 (already in the database), failed 1; 3 files had failed before" in again.stdout, (
        again.output
    )


def test_query_and_stats_under_a_folder_count_only_that_part_of_the_collection(tmp_path: Path) -> None:
    """A collection in folders (by fandom, by source) could only be summed up whole."""
    folder = make_collection(tmp_path / "c", 1)
    make_collection(folder / "sub", 2)
    (folder / "copy.txt").write_bytes((folder / "sub" / "work001.txt").read_bytes())
    for name in ("bad.txt", "sub/bad.txt"):
        (folder / name).write_bytes(b"\x00\x01\x02" * 300)
    (folder / "sub" / "empty.txt").write_bytes(b"")
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    s = json.loads(cli("stats", "--db", str(db), "--under", str(folder / "sub"), "--json")[1])
    assert (s["works"], s["files"], s["errors"], s["error_files"]) == (2, 2, 2, 2)
    whole = json.loads(cli("stats", "--db", str(db), "--json")[1])
    assert (whole["works"], whole["files"], whole["errors"], whole["error_files"]) == (2, 4, 2, 3)  # c/work000 too
    _, out = cli("query", "--db", str(db), "--under", str(folder / "sub"), "--json")
    assert [r["path"] for r in json.loads(out)] == [str(folder / "sub" / f"work00{i}.txt") for i in (0, 1)]
    _, out = cli("query", "--db", str(db), "--under", str(folder / "sub"), "--failed")
    assert out.splitlines() == [
        f"{folder / 'sub' / 'bad.txt'}: binary file (not text, HTML or EPUB)",
        f"{folder / 'sub' / 'empty.txt'}: empty file: nothing to scan",
    ]
    result = CliRunner().invoke(main, ["stats", "--db", str(db), "--under", str(folder / "copy.txt")])
    assert result.exit_code == 2 and "--under:" in result.output and "not a folder or a ZIP" in result.output
    # export keeps the same works (both have a file in sub), each with all its files.
    out_csv = tmp_path / "sub.csv"
    cli("export", "--db", str(db), "--under", str(folder / "sub"), "--out", str(out_csv))
    exported = {tuple(json.loads(r["paths"])) for r in csv.DictReader(out_csv.open(encoding="utf-8"))}
    assert exported == {
        (str(folder / "copy.txt"), str(folder / "sub" / "work001.txt")),
        (str(folder / "sub" / "work000.txt"), str(folder / "work000.txt")),  # the same text
    }
    _, out = cli("export", "--db", str(db), "--under", str(folder / "sub"), "--format", "jsonl", "--out", "-")
    assert len(out.splitlines()) == 2
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--under", str(folder / "copy.txt"), "--out", "x"])
    assert result.exit_code == 2 and "not a folder or a ZIP" in result.output
