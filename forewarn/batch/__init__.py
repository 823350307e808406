"""Scan a collection into the results database, resumably, locally or on Dask.

The per-work function ``scan_one`` is pure (bytes in, a plain dict out) so the
same function runs in this process, in a local process pool or on a Dask
cluster. The main process reads files, skips what the database already has
(by content hash and model version), keeps a bounded number of works in flight
and writes every result itself, one transaction per work.

The package's modules: ``sources`` (finding a collection's files), ``workers`` (scanning them,
in this process, a pool or on Dask), ``summary`` (the counts, and stopping on Ctrl-C) and
``gone`` (files no longer there). The run loop is here; every name is importable from
``forewarn.batch`` itself, and the run looks up ``scan_one`` and the store's functions here at
call time, so replacing one on ``forewarn.batch`` changes what the run calls.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, suppress
from pathlib import Path
from typing import Any

from forewarn.batch.gone import _gone_paths, _moved, _release_gone, _reopened, _second_paths
from forewarn.batch.sources import (
    MAX_ZIP_MEMBERS,
    Source,
    _listed_in_full,
    _missing,
    count_suffixes,
    is_zip_target,
    iter_sources,
    list_sources,
    path_prefix,
    zip_splits,
)
from forewarn.batch.summary import BatchInterrupted, BatchSummary, Terminated, _InterruptGuard
from forewarn.batch.workers import WORKER_STOPPED, _die_with_parent, _run_dask, _run_pool, scan_one
from forewarn.readers import DEFAULT_MAX_BYTES, LIBRARY_SIZE_HINT
from forewarn.store import (
    add_error_path,
    add_path,
    failed_before,
    finish_run,
    is_done,
    open_db,
    save_error,
    save_report,
    start_run,
    unread_before,
)

__all__ = [  # what other modules and tests import from here; _missing and _die_with_parent included
    "MAX_ZIP_MEMBERS",
    "WORKER_STOPPED",
    "BatchInterrupted",
    "BatchSummary",
    "Source",
    "Terminated",
    "_die_with_parent",
    "_missing",
    "add_error_path",
    "add_path",
    "count_suffixes",
    "is_zip_target",
    "failed_before",
    "finish_run",
    "is_done",
    "iter_sources",
    "list_sources",
    "model_version",
    "open_db",
    "path_prefix",
    "run_batch",
    "save_error",
    "save_report",
    "scan_one",
    "start_run",
    "unread_before",
    "zip_splits",
]


def model_version(mode: str, bundle: str | None = None) -> str:
    from forewarn.score.cascade import default_scorer

    return default_scorer(mode, bundle=bundle).version_


def _pending(
    conn: Any,
    sources: list[Source],
    version: str,
    summary: BatchSummary,
    *,
    writing: Callable[[], AbstractContextManager[None]],
    copies: dict[str, list[str]],
    failed: dict[str, str],
    gone: set[str],
    max_bytes: int,
    size_hint: str,
    retrying: set[str],
) -> Iterator[tuple[Source, str, bytes]]:
    """Sources not yet in the database, with their bytes and content hash.

    Content is scanned once: a copy of a work in the database gets its path recorded
    (``add_path``); a copy of one in flight waits in ``copies`` (content hash -> paths)
    for its result; a copy of one that failed in this run (``failed``: content hash ->
    error) is listed as failed too and recorded with the content's error. A new path of
    content one of whose paths is ``gone`` was moved or renamed, not copied (one new path per
    gone one; ``gone`` itself is left as it is, for the end of the run). ``retrying`` gets the
    content hashes that failed in an earlier run; ``summary.retried`` counts their files.
    """
    unclaimed = set(gone)
    for src in sources:
        try:
            data = src.read(max_bytes=max_bytes, size_hint=size_hint)
        except (OSError, ValueError, zipfile.BadZipFile) as e:
            # "Permission denied", as `forewarn scan` says it: not "[Errno 13] ...: '<the path again>'"
            error = (e.strerror if isinstance(e, OSError) else None) or str(e)
            with writing():
                summary.retried += unread_before(conn, src.name, version)  # could not be read then either
                save_error(conn, path=src.name, content_hash=None, model_version=version, error=error)
                summary.failed += 1
                summary.failed_contents += 1
                summary.errors.append((src.name, error))
            continue
        digest = hashlib.sha256(data).hexdigest()
        # A copy of content that failed before (its first file counted below), or a file that could
        # not even be read before (too large, no permission): only the first were counted.
        retried = digest in retrying or unread_before(conn, src.name, version)
        summary.retried += retried
        if digest in copies:
            copies[digest].append(src.name)
            continue
        if digest in failed:
            with writing():
                add_error_path(conn, path=src.name, content_hash=digest, model_version=version)
                summary.failed += 1
                summary.errors.append((src.name, failed[digest]))
            continue
        if is_done(conn, digest, version):
            with writing():
                if add_path(conn, content_hash=digest, model_version=version, path=src.name) and not _moved(
                    conn, digest, version, src.name, unclaimed
                ):
                    summary.duplicates += 1
                else:  # recorded already, or a file renamed or moved: no copy
                    summary.skipped += 1
            continue
        if failed_before(conn, digest, version):
            retrying.add(digest)
            summary.retried += not retried
        copies[digest] = []
        yield src, digest, data


def run_batch(
    target: str | Path,
    *,
    db: str | Path,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    mode: str = "cascade",
    bundle: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    size_hint: str = LIBRARY_SIZE_HINT,
    on_progress: Callable[[BatchSummary, int], None] | None = None,
) -> BatchSummary:
    """Scan every supported work under ``target`` into ``db``; returns counts and timing.

    Works already scanned with this model version are skipped; works that failed
    before are tried again (a reader fix does not change the model version).
    ``bundle``: a model bundle's path instead of the packaged model (on a Dask
    cluster, a path every worker can read). ``max_bytes``: larger files fail, as
    ``forewarn scan --max-size`` refuses them; their error ends in ``size_hint``, how to raise
    the limit (the CLI names its ``--max-size``).
    """
    if engine not in ("local", "dask"):
        raise ValueError("engine must be 'local' or 'dask'")
    summary = BatchSummary()
    sources = list_sources(target, left_out=summary.left_out)
    conn = open_db(db)
    version = model_version(mode, bundle)
    run_id: int | None = None
    t0 = time.perf_counter()
    n_workers = workers or os.cpu_count() or 1
    hashes: dict[str, str] = {}

    guard = _InterruptGuard()
    copies: dict[str, list[str]] = {}
    failed: dict[str, str] = {}  # content that failed in this run -> its error
    retrying: set[str] = set()  # content that failed in an earlier run

    def record(result: dict[str, Any]) -> None:
        name = result["name"]
        digest = hashes.pop(name)
        others = copies.pop(digest, [])
        with guard.write():
            if "error" in result:
                # One error row per content (the first path), every copy in error_paths and listed as failed.
                save_error(conn, path=name, content_hash=digest, model_version=version, error=result["error"])
                failed[digest] = result["error"]
                for path in others:  # each copy is recorded too, and leaves what it held before
                    add_error_path(conn, path=path, content_hash=digest, model_version=version)
                summary.failed += 1 + len(others)
                summary.failed_contents += 1
                summary.errors += [(path, result["error"]) for path in [name, *others]]
            else:
                report = result["report"]
                if is_done(conn, digest, version):
                    # Another batch on this database saved this content first: its paths join that work.
                    join(digest, [name, *others])
                else:
                    # save_report itself keeps a report saved in the instant since (same result).
                    saved = save_report(conn, report, path=name, content_hash=digest, seconds=result["seconds"])
                    if saved.new:
                        for path in others:
                            add_path(conn, content_hash=digest, model_version=version, path=path)
                        summary.scanned += 1
                        summary.partial += [(name, notice) for notice in report["work"].get("notices", [])]
                        if (code := report["work"].get("detected_language")) not in (None, "en"):
                            summary.not_english.append((name, code))
                        summary.duplicates += len(others)
                        summary.words += report["work"]["words"]
                    else:  # saved in that instant: counted as above (two batches counted it scanned twice)
                        summary.duplicates += saved.new_path
                        summary.skipped += not saved.new_path
                        join(digest, others)
        summary.seconds = time.perf_counter() - t0
        if on_progress:
            on_progress(summary, len(sources))

    def join(digest: str, paths: list[str]) -> None:
        """Record ``paths`` as files of content another batch saved: each new one is identical
        to another work, each known one skipped."""
        for path in paths:
            if add_path(conn, content_hash=digest, model_version=version, path=path):
                summary.duplicates += 1
            else:
                summary.skipped += 1

    def finish(*, interrupted: bool) -> None:
        """The run's row gets its counts and time, however it ended; then the database closes."""
        summary.seconds = time.perf_counter() - t0
        if run_id is not None:
            finish_run(conn, run_id, counts=vars(summary), seconds=summary.seconds, interrupted=interrupted)
        conn.close()

    scope = _listed_in_full(target)
    gone = _gone_paths(conn, scope, {src.name for src in sources})
    todo = _pending(
        conn,
        sources,
        version,
        summary,
        writing=guard.write,
        copies=copies,
        failed=failed,
        gone=gone,
        max_bytes=max_bytes,
        size_hint=size_hint,
        retrying=retrying,
    )
    with guard.installed():
        try:
            with guard.write():  # a Ctrl-C now waits for the run's row, then finishes it as interrupted
                run_id = start_run(conn, model_version=version, engine=engine, target=str(target))
            if engine == "dask":
                _run_dask(
                    todo,
                    record,
                    hashes,
                    scan=scan_one,
                    mode=mode,
                    bundle=bundle,
                    max_bytes=max_bytes,
                    workers=n_workers,
                    scheduler=scheduler,
                )
            elif n_workers == 1:
                for src, digest, data in todo:
                    hashes[src.name] = digest
                    record(scan_one(src.name, data, mode, bundle=bundle, max_bytes=max_bytes))
            else:
                _run_pool(
                    todo,
                    record,
                    hashes,
                    scan=scan_one,
                    mode=mode,
                    bundle=bundle,
                    max_bytes=max_bytes,
                    workers=n_workers,
                )
            guard.writing = True  # all done: a Ctrl-C now waits (and is dropped) while the run is recorded
            # After a whole run, so a renamed file kept its work; a file back meanwhile stays.
            released = [p for p in gone if not (scope and scope[1]) or _missing(p)]
            summary.reopened = _reopened(conn, released)  # folders that failed, opened since: not gone
            summary.removed = _release_gone(conn, released) - summary.reopened
            summary.second_paths = _release_gone(conn, _second_paths(conn, scope, {src.name for src in sources}))
        except KeyboardInterrupt as e:
            guard.writing = True  # a second Ctrl-C must not lose the run's record
            if conn.in_transaction:  # a KeyboardInterrupt raised by a handler other than the guard's
                conn.execute("ROLLBACK")
            finish(interrupted=True)
            signum = signal.SIGTERM if isinstance(e, Terminated) else signal.SIGINT
            raise BatchInterrupted(summary, signum) from None
        except BaseException:  # an error that stops the batch (disk full, a bug): the run keeps its counts
            with suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                finish(interrupted=True)
            conn.close()
            raise
        finish(interrupted=False)
    return summary
