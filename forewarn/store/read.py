"""Reading results, as query, stats, export and the web app show them: one result per
content (the newest model's), with every file known to hold it."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from forewarn.rating import declared_rating

# Every (content, path) the database knows: a file holds one content (``write._release_path``), so a
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
