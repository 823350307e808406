"""The results database: SQLite, WAL, one writer, named migrations.

Workers compute; only the batch's main process writes, one transaction per
work (``BEGIN IMMEDIATE``), so a crash or ``kill -9`` loses at most the works
in flight and never leaves a half-written work. A work is identified by the
SHA-256 of its bytes plus the model version: the pair is unique, which makes
re-running a batch skip what is done.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from forewarn.rating import declared_rating

MIGRATIONS: list[tuple[str, str]] = [
    (
        "001_initial",
        """
        CREATE TABLE works (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            model_version TEXT NOT NULL,
            format TEXT,
            title TEXT,
            authors TEXT,
            words INTEGER,
            chapters INTEGER,
            declared TEXT,
            rating_declared TEXT,
            archive_warnings_declared TEXT,
            rating_suggested TEXT,
            scanned_at TEXT NOT NULL,
            seconds REAL,
            report_json TEXT NOT NULL,
            UNIQUE (content_hash, model_version)
        );
        CREATE TABLE passages (
            work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            chapter INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            words INTEGER NOT NULL,
            position REAL NOT NULL,
            PRIMARY KEY (work_id, idx)
        );
        CREATE TABLE detections (
            work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
            warning TEXT NOT NULL,
            confidence REAL NOT NULL,
            severity TEXT NOT NULL,
            passage_count INTEGER NOT NULL,
            declared INTEGER NOT NULL,
            PRIMARY KEY (work_id, warning)
        );
        CREATE INDEX detections_warning ON detections (warning, declared, confidence);
        CREATE TABLE errors (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            content_hash TEXT,
            model_version TEXT NOT NULL,
            error TEXT NOT NULL,
            at TEXT NOT NULL,
            UNIQUE (content_hash, model_version)
        );
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started TEXT NOT NULL,
            finished TEXT,
            model_version TEXT NOT NULL,
            engine TEXT NOT NULL,
            target TEXT NOT NULL,
            scanned INTEGER DEFAULT 0,
            skipped INTEGER DEFAULT 0,
            failed INTEGER DEFAULT 0,
            words INTEGER DEFAULT 0,
            seconds REAL
        );
        """,
    ),
    (
        "002_runs_interrupted",
        """
        ALTER TABLE runs ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0
        """,
    ),
    (
        # Identical files are one work (one scan, one row in works) with several paths.
        # works.path stays the first path seen, so older readers of the file still work.
        "003_work_paths",
        """
        CREATE TABLE work_paths (
            work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            PRIMARY KEY (work_id, path)
        );
        CREATE INDEX work_paths_path ON work_paths (path);
        INSERT INTO work_paths (work_id, path) SELECT id, path FROM works;
        ALTER TABLE runs ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0
        """,
    ),
    (
        # Every saved work looks its path up in works and errors (a file holds one content):
        # unindexed, that scanned both tables, so saving got slower as the database grew (21 ms
        # more per work at 23,000 works).
        "004_path_indexes",
        """
        CREATE INDEX IF NOT EXISTS works_path ON works (path);
        CREATE INDEX IF NOT EXISTS errors_path ON errors (path)
        """,
    ),
    (
        # Identical unreadable files share one errors row (one per content and model version), which
        # kept only the first path: the other files were counted but listed nowhere, and a re-run over
        # a subfolder replaced that path with its own. errors.path stays the first path, for older readers.
        "005_error_paths",
        """
        CREATE TABLE error_paths (
            error_id INTEGER NOT NULL REFERENCES errors(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            PRIMARY KEY (error_id, path)
        );
        CREATE INDEX error_paths_path ON error_paths (path);
        INSERT INTO error_paths (error_id, path) SELECT id, path FROM errors
        """,
    ),
    (
        # The language a work's text reads as (report work.detected_language), for query and stats
        # to filter on without parsing every stored report; filled from the reports already there.
        "006_works_language",
        """
        ALTER TABLE works ADD COLUMN detected_language TEXT;
        UPDATE works SET detected_language = json_extract(report_json, '$.work.detected_language');
        CREATE INDEX works_language ON works (detected_language)
        """,
    ),
]


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class NotADatabase(ValueError):
    """The path cannot be used as a results database (not SQLite, unreadable, no such folder)."""


def open_db(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database: for ``forewarn batch``, which writes.

    An SQLite file of another application (tables, but not forewarn's) is refused untouched.
    Raises ``NotADatabase`` (a ``ValueError``) with a one-line reason instead of
    sqlite3's errors, so a mistyped ``--db`` never ends in a traceback.
    """
    try:
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    except sqlite3.Error as e:
        raise NotADatabase(f"{path}: cannot open as a results database ({e})") from None
    try:
        conn.row_factory = sqlite3.Row
        tables = _tables(conn)
        if tables and not _is_ours(conn, tables):  # another application's database: leave it as it is
            conn.close()
            raise NotADatabase(f"{path}: not a forewarn results database (it holds other tables)")
        _use_wal(conn)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        migrate(conn)
    except sqlite3.OperationalError as e:  # read-only storage, no permission, locked past the timeout
        conn.close()
        raise NotADatabase(f"{path}: cannot use as a results database ({e})") from None
    except sqlite3.DatabaseError as e:
        conn.close()
        raise NotADatabase(f"{path}: not a forewarn results database ({e})") from None
    return conn


def _use_wal(conn: sqlite3.Connection, *, wait_s: float = 30.0) -> None:
    """Switch to WAL. SQLite answers "database is locked" at once, without waiting, while
    another process creates or switches the same new file; so wait here as for a write."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


# What query, stats, export and the web app read: works from 001_initial (work_paths from 003
# is stood in for when missing).
_READ_COLUMNS = {"id", "path", "content_hash", "model_version", "title", "words", "report_json", "scanned_at"}


def open_existing(path: str | Path) -> sqlite3.Connection:
    """Open an existing results database read-only: for query, stats, export and the web app.

    Never creates the file, never migrates it, never changes its journal mode (an SQLite
    ``file:...?mode=ro`` connection with ``query_only`` set); SQLite may add the ``-wal``
    and ``-shm`` files a WAL database reads through. A database on read-only storage is read
    as immutable. One from an older forewarn (before ``003_work_paths`` or
    ``005_error_paths``) is read as it is, temporary views standing in for ``work_paths``
    and ``error_paths``; one from a newer forewarn is read too (migrations only add tables
    and columns). Raises ``NotADatabase`` with a one-line reason when ``path`` is missing,
    cannot be opened, is not a forewarn results database or is damaged. A database damaged
    past its first pages can still raise ``sqlite3.DatabaseError`` on a later query: callers
    treat that as damaged too.
    """
    p = Path(path)
    if not p.is_file():
        raise NotADatabase(f"{path}: no such results database (`forewarn batch` creates one)")
    uri = p.resolve().as_uri() + "?mode=ro"
    try:
        conn = _connect_ro(uri)
        try:
            tables = _tables(conn)
        except sqlite3.OperationalError:
            conn.close()
            if os.access(p.resolve().parent, os.W_OK):
                raise
            # WAL on read-only storage: SQLite cannot make the -shm file; nothing can write there either.
            conn = _connect_ro(uri + "&immutable=1")
            tables = _tables(conn)
    except sqlite3.OperationalError as e:
        raise NotADatabase(f"{path}: cannot open the results database ({e})") from None
    except sqlite3.DatabaseError as e:
        what = "not a forewarn results database" if "not a database" in str(e) else "the results database is damaged"
        raise NotADatabase(f"{path}: {what} ({e})") from None
    try:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(works)")}
        # _is_ours asks for 001_initial unless migrations is the only table, when works has no columns
        if not _is_ours(conn, tables) or not columns >= _READ_COLUMNS:
            raise NotADatabase(f"{path}: not a forewarn results database (no forewarn tables in it)")
        if "work_paths" not in tables:
            conn.execute("CREATE TEMP VIEW work_paths (work_id, path) AS SELECT id, path FROM works")
        if "error_paths" not in tables:  # before 005_error_paths: each error's first file only
            conn.execute("CREATE TEMP VIEW error_paths (error_id, path) AS SELECT id, path FROM errors")
        conn.execute("PRAGMA query_only = ON")
    except NotADatabase:
        conn.close()
        raise
    except sqlite3.DatabaseError as e:
        conn.close()
        raise NotADatabase(f"{path}: the results database is damaged ({e})") from None
    return conn


def _connect_ro(uri: str) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
    conn.row_factory = sqlite3.Row
    return conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _is_ours(conn: sqlite3.Connection, tables: set[str]) -> bool:
    """The database has forewarn's ``migrations`` table (other applications have one too) and,
    unless that is all it has, the first migration recorded in it."""
    if "migrations" not in tables:
        return False
    if not {"name", "applied_at"} <= {r[1] for r in conn.execute("PRAGMA table_info(migrations)")}:
        return False
    return tables == {"migrations"} or "001_initial" in _applied(conn)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded; returns the names applied now.

    Which are done is read again inside the one ``BEGIN IMMEDIATE`` transaction that applies
    them, so processes opening a new database at once wait for each other instead of applying
    the same migration twice ("table works already exists"); a failed one leaves none applied.
    """
    if _applied(conn) >= {name for name, _ in MIGRATIONS}:
        return []  # the usual case: no write lock taken
    applied = []
    with transaction(conn):
        conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = _applied(conn)
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            for statement in sql.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, _now()))
            applied.append(name)
    return applied


def _applied(conn: sqlite3.Connection) -> set[str]:
    """The migrations recorded in the database (none when it has no ``migrations`` table)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").fetchone() is None:
        return set()
    return {r[0] for r in conn.execute("SELECT name FROM migrations")}


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


# Every (content, path) the database knows: a file holds one content (``_release_path``), so a
# path recorded for one model version's work holds that content for every version. works.path
# stands in for a work without work_paths rows (written by a forewarn before 003_work_paths).
_PATHS = (
    "SELECT x.content_hash, p.path FROM work_paths p JOIN works x ON x.id = p.work_id"
    " UNION SELECT x.content_hash, x.path FROM works x"
    " WHERE NOT EXISTS (SELECT 1 FROM work_paths q WHERE q.work_id = x.id)"
)


def shown_works(model_version: str | None = None) -> tuple[str, list[Any]]:
    """SQL (and its arguments) selecting the ids of the works that reads show: with a
    ``model_version``, its results; without, one result per content, from the model version
    run most recently (the newest ``runs`` row) among those that scanned it.

    A database holds a result per content and model version, so after a model change each
    file had two (listed twice, counted twice); a work the newest model has not scanned yet
    keeps its older result.
    """
    if model_version is not None:
        return "SELECT id FROM works WHERE model_version = ?", [model_version]
    return (
        "SELECT id FROM (SELECT w.id, ROW_NUMBER() OVER (PARTITION BY w.content_hash"
        " ORDER BY COALESCE(r.last_run, 0) DESC, w.id DESC) AS n FROM works w"
        " LEFT JOIN (SELECT model_version, MAX(id) AS last_run FROM runs GROUP BY model_version) r"
        " ON r.model_version = w.model_version) WHERE n = 1",
        [],
    )


def model_versions(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The model versions with results in the database, the one run most recently first:
    ``model_version``, ``works`` (contents it scanned) and ``last_run`` (when it last started)."""
    return [
        dict(r)
        for r in conn.execute(
            "SELECT w.model_version, COUNT(*) AS works, r.started AS last_run FROM works w"
            " LEFT JOIN (SELECT model_version, MAX(id) AS id, MAX(started) AS started FROM runs"
            " GROUP BY model_version) r ON r.model_version = w.model_version"
            " GROUP BY w.model_version ORDER BY COALESCE(MAX(r.id), 0) DESC, MAX(w.id) DESC"
        )
    ]


def all_work_paths(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Per content hash, every file known to hold it, sorted: ``work_paths`` for a whole export
    in one query (one query per work made exporting quadratic: 5,760 works took two minutes)."""
    out: dict[str, list[str]] = {}
    for content_hash, path in conn.execute(f"SELECT content_hash, path FROM ({_PATHS}) ORDER BY path"):
        out.setdefault(content_hash, []).append(path)
    return out


def work_paths(conn: sqlite3.Connection, work_id: int) -> list[str]:
    """Every file known to hold this work's content (whichever model version's scan saw it), sorted."""
    return [
        r[0]
        for r in conn.execute(
            f"SELECT path FROM ({_PATHS}) WHERE content_hash = (SELECT content_hash FROM works WHERE id = ?)"
            " ORDER BY path",
            (work_id,),
        )
    ]


def stored_report(
    conn: sqlite3.Connection, work_id: int, *, known: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """The saved report with ``work.path`` and ``work.paths`` as the database has them now: it was
    saved with the path of the copy scanned first, which may since hold other content.
    ``known``: ``all_work_paths``, when many reports are read (an export)."""
    path, content_hash, report_json = conn.execute(
        "SELECT path, content_hash, report_json FROM works WHERE id = ?", (work_id,)
    ).fetchone()
    report: dict[str, Any] = json.loads(report_json)
    report["work"]["path"] = path
    paths = work_paths(conn, work_id) if known is None else known.get(content_hash, [])
    report["work"]["paths"] = paths or [path]
    return report


def language_expr(conn: sqlite3.Connection, *, alias: str = "w") -> str:
    """SQL for a work's detected language (report ``work.detected_language``; NULL when it could
    not be told): the ``works.detected_language`` column, or the stored report where that is
    NULL (a work an older forewarn wrote into an upgraded database) or missing (a database from
    before ``006_works_language``, read as it is)."""
    stored = f"json_extract({alias}.report_json, '$.work.detected_language')"
    if "detected_language" in {r[1] for r in conn.execute("PRAGMA table_info(works)")}:
        return f"COALESCE({alias}.detected_language, {stored})"
    return stored


def _below(under: str | None, column: str = "path") -> tuple[str, list[Any]]:
    """SQL (and arguments) true for a ``column`` path starting with ``under`` (a folder's path
    with its separator, or a ZIP's ``archive!``); always true when ``under`` is None."""
    if under is None:
        return "1", []
    return f"substr({column}, 1, ?) = ?", [len(under), under]


def shown_in(
    conn: sqlite3.Connection,
    model_version: str | None,
    languages: list[str | None] | None,
    *,
    under: str | None = None,
) -> tuple[str, list[Any]]:
    """``shown_works``, narrowed to works whose detected language is one of ``languages`` (None
    in it: works whose language could not be told; every work when ``languages`` is None) and
    with a file whose path starts with ``under`` (a folder's, with its separator)."""
    chosen, args = shown_works(model_version)
    tests: list[str] = []
    if languages is not None:
        expr = language_expr(conn, alias="x")
        codes = [code for code in languages if code is not None]
        either = [f"{expr} IN ({', '.join('?' * len(codes))})"] if codes else []
        if None in languages:
            either.append(f"{expr} IS NULL")
        tests.append("(" + (" OR ".join(either) or "0") + ")")
        args = [*args, *codes]
    if under is not None:
        below, below_args = _below(under)
        tests.append(f"x.content_hash IN (SELECT content_hash FROM ({_PATHS}) WHERE {below})")
        args = [*args, *below_args]
    if not tests:
        return chosen, args
    return f"SELECT x.id FROM works x WHERE x.id IN ({chosen}) AND {' AND '.join(tests)}", args


def query_works(
    conn: sqlite3.Connection,
    *,
    has: list[str] | None = None,
    not_declared: bool = False,
    min_confidence: float = 0.0,
    rating_mismatch: bool = False,
    model_version: str | None = None,
    languages: list[str | None] | None = None,
    under: str | None = None,
) -> list[dict[str, Any]]:
    """Works matching every filter: each ``has`` warning detected (and undeclared, if asked),
    the detected language one of ``languages`` (None in it: not told), the path starting with
    ``under`` (a folder's, with its separator).

    One row per path: identical files share a work (same ``id``) and are all listed. Each
    content's result comes from ``shown_works(model_version)``: the newest model's by default.
    """
    chosen, args = shown_in(conn, model_version, languages)
    below, below_args = _below(under, "p.path")
    sql = [
        f"SELECT w.id, p.path, w.title, w.words, w.rating_declared, w.rating_suggested, w.model_version,"
        f" {language_expr(conn)} AS detected_language"
        f" FROM works w JOIN ({_PATHS}) p ON p.content_hash = w.content_hash WHERE w.id IN ({chosen})"
        f" AND {below}"
    ]
    args += below_args
    where: list[str] = []
    for warning in has or []:
        clause = "EXISTS (SELECT 1 FROM detections d WHERE d.work_id = w.id AND d.warning = ? AND d.confidence >= ?"
        args += [warning, min_confidence]
        if not_declared:
            clause += " AND d.declared = 0"
        where.append(clause + ")")
    if not has and (not_declared or min_confidence):
        clause = "EXISTS (SELECT 1 FROM detections d WHERE d.work_id = w.id AND d.confidence >= ?"
        args.append(min_confidence)
        if not_declared:
            clause += " AND d.declared = 0"
        where.append(clause + ")")
    if rating_mismatch:
        where.append("w.rating_declared IS NOT NULL")
    if where:
        sql.append("AND " + " AND ".join(where))
    sql.append("ORDER BY 2, w.id")
    rows = [dict(r) for r in conn.execute(" ".join(sql), args)]
    if rating_mismatch:
        # Authors write "M" or "NC-17"; only a rating that names an AO3 one can disagree.
        rows = [r for r in rows if declared_rating(r["rating_declared"]) not in (None, r["rating_suggested"])]
    for r in rows:
        dets = conn.execute(
            "SELECT warning, confidence, severity, declared FROM detections WHERE work_id = ? ORDER BY confidence DESC",
            (r["id"],),
        ).fetchall()
        r["detected"] = [d["warning"] for d in dets]
        r["undeclared"] = [d["warning"] for d in dets if not d["declared"]]
    return rows


# Every (error, file) the database knows; errors.path stands in for an error written without
# error_paths rows (by a forewarn before 005_error_paths, into a database upgraded since).
_ERROR_PATHS = "SELECT error_id, path FROM error_paths UNION SELECT id, path FROM errors"


def _unresolved_errors(model_version: str | None) -> tuple[str, list[Any]]:
    """SQL (and arguments) selecting the errors that reads count: with a ``model_version``, its
    errors; without, those of content no model version has a result for (read since)."""
    if model_version is not None:
        return "SELECT id FROM errors WHERE model_version = ?", [model_version]
    return (
        "SELECT id FROM errors e WHERE NOT EXISTS (SELECT 1 FROM works w WHERE w.content_hash = e.content_hash)",
        [],
    )


def failed_files(
    conn: sqlite3.Connection, *, model_version: str | None = None, under: str | None = None
) -> list[dict[str, Any]]:
    """Every file that could not be scanned (whose path starts with ``under``, if given), sorted
    by path: ``path``, ``error``, ``content_hash`` (None when the file could not be read at
    all), ``model_version`` and ``at``.

    Errors chosen as ``stats`` counts them; a file that failed with several model versions is
    listed once, with its latest error.
    """
    chosen, args = _unresolved_errors(model_version)
    below, below_args = _below(under, "p.path")
    rows = conn.execute(
        f"SELECT p.path, e.error, e.content_hash, e.model_version, e.at FROM errors e"
        f" JOIN ({_ERROR_PATHS}) p ON p.error_id = e.id WHERE e.id IN ({chosen}) AND {below} ORDER BY p.path, e.id",
        [*args, *below_args],
    )
    latest = {r["path"]: dict(r) for r in rows}  # ordered by id within a path: the last one wins
    return list(latest.values())


def stats(
    conn: sqlite3.Connection,
    *,
    model_version: str | None = None,
    languages: list[str | None] | None = None,
    under: str | None = None,
) -> dict[str, Any]:
    """How many works (distinct contents), files (their paths), errors, and per warning how
    often detected and left undeclared; each content counted once, with its result from
    ``shown_works(model_version)``. ``errors`` counts unreadable contents (``error_files`` their
    files): with a model version, its errors; without, those no model version has a result
    for. ``model_versions`` lists every version in the database (``model_versions()``).
    ``languages`` counts only works detected as one of them (unreadable files have none: their
    count is the same); ``languages`` in the result: works per detected language. ``under``
    (a folder's path, with its separator) counts only works and errors with a file below it,
    and only those files."""
    chosen, args = shown_in(conn, model_version, languages, under=under)
    below, below_args = _below(under, "p.path")
    works = conn.execute(f"SELECT COUNT(*) FROM ({chosen})", args).fetchone()[0]
    files = conn.execute(
        f"SELECT COUNT(DISTINCT p.path) FROM ({_PATHS}) p JOIN works w ON w.content_hash = p.content_hash"
        f" WHERE w.id IN ({chosen}) AND {below}",
        [*args, *below_args],
    ).fetchone()[0]
    failing, failing_args = _unresolved_errors(model_version)
    errors = conn.execute(
        f"SELECT COUNT(DISTINCT COALESCE(e.content_hash, 'path:' || e.path)) FROM errors e"
        f" JOIN ({_ERROR_PATHS}) p ON p.error_id = e.id WHERE e.id IN ({failing}) AND {below}",
        [*failing_args, *below_args],
    ).fetchone()[0]
    error_files = conn.execute(
        f"SELECT COUNT(DISTINCT p.path) FROM ({_ERROR_PATHS}) p WHERE p.error_id IN ({failing}) AND {below}",
        [*failing_args, *below_args],
    ).fetchone()[0]
    under_warned = conn.execute(
        f"SELECT COUNT(DISTINCT work_id) FROM detections WHERE declared = 0 AND work_id IN ({chosen})", args
    ).fetchone()[0]
    per = [
        {
            "warning": r["warning"],
            "detected": r["n"],
            "undeclared": r["u"],
            "undeclared_share": round(r["u"] / r["n"], 4) if r["n"] else 0.0,
        }
        for r in conn.execute(
            "SELECT warning, COUNT(*) AS n, SUM(1 - declared) AS u FROM detections"
            f" WHERE work_id IN ({chosen}) GROUP BY warning ORDER BY n DESC, warning",
            args,
        )
    ]
    by_language = [
        {"language": r[0], "works": r[1]}
        for r in conn.execute(
            f"SELECT {language_expr(conn)} AS language, COUNT(*) AS n FROM works w WHERE w.id IN ({chosen})"
            " GROUP BY language ORDER BY language IS NULL, n DESC, language",
            args,
        )
    ]
    return {
        "works": works,
        "files": files,
        "languages": by_language,
        "errors": errors,
        "error_files": error_files,
        "works_under_warned": under_warned,
        "per_warning": per,
        "model_version": model_version,
        "model_versions": model_versions(conn),
    }
