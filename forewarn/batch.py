"""Scan a collection into the results database, resumably, locally or on Dask.

The per-work function ``scan_one`` is pure (bytes in, a plain dict out) so the
same function runs in this process, in a local process pool or on a Dask
cluster. The main process reads files, skips what the database already has
(by content hash and model version), keeps a bounded number of works in flight
and writes every result itself, one transaction per work.
"""

from __future__ import annotations

import ctypes
import glob
import hashlib
import itertools
import os
import signal
import sqlite3
import sys
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forewarn.readers import DEFAULT_MAX_BYTES, LIBRARY_SIZE_HINT, SUPPORTED_SUFFIXES, too_large
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
    transaction,
    unread_before,
)
from forewarn.store.write import _release_path

MAX_ZIP_MEMBERS = 200_000


@dataclass(frozen=True)
class Source:
    """One work to scan: a display name and a way to get its bytes."""

    name: str
    path: str | None = None
    zip_path: str | None = None
    member: str | None = None
    size: int = 0

    def read(self, *, max_bytes: int = DEFAULT_MAX_BYTES, size_hint: str = LIBRARY_SIZE_HINT) -> bytes:
        """The bytes; a file over ``max_bytes`` is a ``TooLargeError`` saying ``size_hint``."""
        if self.size > max_bytes:  # the reader's message: "25 MiB, over the 25 MiB limit" did not say by how much
            raise too_large(self.size, max_bytes, hint=size_hint)
        if self.path is not None:
            with open(self.path, "rb") as f:
                return f.read(max_bytes + 1)
        assert self.zip_path is not None and self.member is not None
        with zipfile.ZipFile(self.zip_path) as z, z.open(self.member) as f:
            return f.read(max_bytes + 1)


def _hidden(parts: Iterable[str]) -> bool:
    """True for a dot-file or anything under a dot-folder or ``__MACOSX``.

    They are never works: ``.git`` objects, ``.DS_Store``, and the binary
    AppleDouble ``._story.txt`` files macOS writes next to each file and into ZIPs.
    """
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


def _wanted(name: str) -> bool:
    """A supported suffix, or none at all (the reader sniffs it, and a binary one is reported).

    Other suffixes (``.jpg``, ``.css``) are left out; hidden files are left out by the callers.
    """
    suffix = Path(os.path.basename(name)).suffix.lower()
    return suffix in SUPPORTED_SUFFIXES or suffix == ""


def _glob_root(pattern: str) -> str:
    """The leading part of a glob without wildcards: what the user named literally."""
    parts = Path(pattern).parts
    literal = list(itertools.takewhile(lambda part: not glob.has_magic(part), parts))
    return os.path.join(*literal) if literal else "."


def _taken(name: str, left_out: Counter[str] | None) -> bool:
    """``_wanted``, counting in ``left_out`` the suffix of a file left out for it (a PDF, a
    DOCX, a ZIP in a folder): a batch says how many, or those works were lost silently."""
    if _wanted(name):
        return True
    if left_out is not None:
        left_out[Path(os.path.basename(name)).suffix.lower()] += 1
    return False


def iter_sources(target: str | Path, *, left_out: Counter[str] | None = None) -> Iterator[Source]:
    """Supported files under a directory, inside a ZIP, or matching a glob, in sorted order.

    Hidden files and folders below the target (see ``_hidden``) are skipped; a file
    named on its own is scanned whatever its name. Paths are made absolute, so the
    database still finds a work when read from elsewhere. ``left_out`` counts the files
    of other suffixes left out, per suffix.
    """
    t = str(target)
    if os.path.isdir(t):
        for root, dirs, files in os.walk(os.path.abspath(t)):
            dirs[:] = sorted(d for d in dirs if not _hidden([d]))
            for name in sorted(files):
                p = os.path.join(root, name)
                if not _hidden([name]) and os.path.isfile(p) and _taken(name, left_out):
                    yield Source(name=p, path=p, size=os.path.getsize(p))
    elif os.path.isfile(t) and zipfile.is_zipfile(t) and not t.lower().endswith(".epub"):
        t = os.path.abspath(t)
        with zipfile.ZipFile(t) as z:
            infos = z.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise ValueError(f"{t} has {len(infos)} members, over the limit of {MAX_ZIP_MEMBERS}")
            for info in sorted(infos, key=lambda i: i.filename):
                name = info.filename
                if info.is_dir() or name.startswith("/") or ".." in Path(name).parts:
                    continue  # never trust member paths; we only read, but keep names sane
                if _hidden(Path(name).parts) or not _taken(name, left_out):  # as in a folder
                    continue
                yield Source(name=f"{t}!{name}", zip_path=t, member=name, size=info.file_size)
    elif os.path.isfile(t):
        t = os.path.abspath(t)
        yield Source(name=t, path=t, size=os.path.getsize(t))
    else:
        root = _glob_root(t)
        for p in _glob(t, root):
            below = Path(os.path.relpath(p, root)).parts
            if os.path.isfile(p) and not _hidden(below) and _taken(p, left_out):
                p = os.path.abspath(p)
                yield Source(name=p, path=p, size=os.path.getsize(p))


def _glob(pattern: str, root: str) -> list[str]:
    """The paths matching ``pattern``, sorted; ``**`` does not enter symlinked folders.

    Like the folder walk: ``glob.glob`` follows them, so ``sub/loop -> .`` gave
    ``sub/loop/loop/...`` copies of every file, and two such loops never ended.
    ``pathlib``'s ``**`` skips them; a trailing ``**`` still means every file below.
    A ``**`` inside a name ("ch**.txt") is no recursion: ``glob.glob`` reads it as ``*``
    (pathlib refuses it), and without recursion a loop cannot repeat.
    """
    if not glob.has_magic(pattern):
        return []  # a missing path: not a folder, ZIP or file
    rest = os.path.relpath(pattern, root)
    if "**" not in Path(rest).parts:
        return sorted(glob.glob(pattern))
    if Path(rest).name == "**":
        rest = os.path.join(rest, "*")
    return sorted(str(p) for p in Path(root).glob(rest))


def list_sources(target: str | Path, *, left_out: Counter[str] | None = None) -> list[Source]:
    """Every source under ``target``; a ValueError when there is nothing to scan.

    A mistyped path or a pattern matching nothing must not look like an
    empty, finished batch (nor create an empty database). ``left_out``: as for ``iter_sources``.
    """
    left_out = Counter() if left_out is None else left_out
    sources = list(iter_sources(target, left_out=left_out))
    if sources:
        return sources
    t = str(target)
    if os.path.exists(t):
        kinds = " ".join(sorted(SUPPORTED_SUFFIXES))
        held = f"; it holds {count_suffixes(left_out)}" if left_out else ""
        raise ValueError(
            f"{t}: no work to scan in it (looked for {kinds} and files without a suffix, not hidden ones{held})"
        )
    if glob.has_magic(t):
        raise ValueError(f"{t}: the pattern matches no work to scan")
    raise ValueError(f"{t}: no such file or folder")


def count_suffixes(counts: Counter[str], *, shown: int = 5) -> str:
    """Files per suffix, most first: "8 .pdf files, 2 .docx files and 3 others"."""
    parts = [f"{n:,} {suffix} file{'s' if n != 1 else ''}" for suffix, n in counts.most_common(shown)]
    rest = sum(counts.values()) - sum(n for _, n in counts.most_common(shown))
    if rest:
        parts.append(f"{rest:,} other{'s' if rest != 1 else ''}")
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def scan_one(
    name: str,
    data: bytes,
    mode: str = "cascade",
    threads: int | None = None,
    bundle: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict[str, Any]:
    """Read and scan one work; never raises for bad input (returns ``{"error": ...}``).

    ``threads`` caps the encoder's threads in this process (set before its first use);
    ``bundle`` is a model bundle's path (default: the packaged model); ``max_bytes`` the
    reader's size limit (``--max-size``).
    """
    if threads:
        os.environ["FOREWARN_THREADS"] = str(threads)
    from forewarn.pipeline import scan_work
    from forewarn.readers import read, sniff
    from forewarn.report.json import report_to_dict
    from forewarn.score.cascade import default_scorer
    from forewarn.work import ReadError

    t0 = time.perf_counter()
    try:
        work = read(data, name=name, format=sniff(data, name), max_bytes=max_bytes)
        work.source_path = name
        report = report_to_dict(scan_work(work, scorer=default_scorer(mode, bundle)))
    except ReadError as e:
        return {"name": name, "error": str(e)}
    except Exception as e:  # a bug must not stop a collection; record it against the work
        return {"name": name, "error": f"internal error: {type(e).__name__}: {e}"}
    return {"name": name, "report": report, "seconds": round(time.perf_counter() - t0, 4)}


@dataclass
class BatchSummary:
    scanned: int = 0
    skipped: int = 0
    duplicates: int = 0  # new paths of content already scanned: recorded, not scanned again
    failed: int = 0  # files
    # Error rows written for the failed files: one per content (with its first path), and one
    # per file that could not be read at all (its content unknown).
    failed_contents: int = 0
    retried: int = 0  # files whose content failed in an earlier run, tried again
    removed: int = 0  # paths under a folder or ZIP target that are gone, taken out of the database
    words: int = 0
    seconds: float = 0.0
    errors: list[tuple[str, str]] = field(default_factory=list)
    # Works scanned from what could be read (an EPUB missing a chapter file): path, notice.
    partial: list[tuple[str, str]] = field(default_factory=list)
    # Works scanned whose text reads as another language than English: path, its code ("de").
    not_english: list[tuple[str, str]] = field(default_factory=list)
    # Files under the target left out for their suffix (not hidden ones): suffix -> how many.
    left_out: Counter[str] = field(default_factory=Counter)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, a timeout, ``docker stop``, systemd) during a batch: stopped like Ctrl-C."""


def _interrupt(signum: int) -> KeyboardInterrupt:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


class _InterruptGuard:
    """Ctrl-C (or SIGTERM) waits until the work being written is saved and counted.

    Otherwise an interrupt landing just after a commit leaves the run's counts one
    short of the works in the database.
    """

    SIGNALS = ((signal.SIGINT, signal.default_int_handler), (signal.SIGTERM, signal.SIG_DFL))

    def __init__(self) -> None:
        self.writing = False
        self.pending: int | None = None  # the signal that arrived while writing

    def handler(self, signum: int, frame: Any) -> None:
        if self.writing:
            self.pending = self.pending or signum
        else:
            raise _interrupt(signum)

    @contextmanager
    def write(self) -> Iterator[None]:
        self.writing = True
        try:
            yield
        finally:
            self.writing = False
            if self.pending:
                signum, self.pending = self.pending, None
                raise _interrupt(signum)

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Handle SIGINT and SIGTERM here, unless not on the main thread or the caller handles them."""
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for signum, default in self.SIGNALS:
                if signal.getsignal(signum) is default:
                    previous[signum] = signal.signal(signum, self.handler)
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM (``signum``) during a batch, after the works done so far were saved
    and the run recorded."""

    def __init__(self, summary: BatchSummary, signum: int = signal.SIGINT) -> None:
        super().__init__(f"interrupted after {summary.scanned} works")
        self.summary = summary
        self.signum = signum


def model_version(mode: str, bundle: str | None = None) -> str:
    from forewarn.score.cascade import default_scorer

    return default_scorer(mode, bundle).version_


def _listed_in_full(target: str | Path) -> tuple[str, bool] | None:
    """The prefix of every path a run over ``target`` lists, and whether a recorded path under it
    that the run did not list may still exist: a folder's ``dir/`` (hidden files and other
    suffixes are not listed but may have been scanned on their own) or a ZIP's ``archive!``
    (its members are only ever listed this way). None for a glob or a single file."""
    t = str(target)
    if os.path.isdir(t):
        return os.path.join(os.path.abspath(t), ""), True
    if os.path.isfile(t) and zipfile.is_zipfile(t) and not t.lower().endswith(".epub"):
        return os.path.abspath(t) + "!", False
    return None


def path_prefix(target: str) -> str:
    """The prefix of every path stored from a run over ``target``: a folder's absolute path with
    its separator, a ZIP's ``archive!``; a path that is no longer there counts as a folder (its
    files may still be recorded). A ValueError for another file (a single work, an EPUB)."""
    scope = _listed_in_full(target)
    if scope is not None:
        return scope[0]
    if os.path.exists(target):
        raise ValueError(f"{target}: not a folder or a ZIP of works")
    return os.path.join(os.path.abspath(target), "")


def zip_splits(path: str) -> Iterator[tuple[str, str]]:
    """``(archive, member)`` for each "!" in ``path`` whose prefix is a ZIP that ``iter_sources``
    lists members of (an EPUB is read whole), first cut first: how a stored ``archive!member``
    name may be read back.

    The archive's name and the member's may both hold a "!", so only the files can tell where
    the cut is, and two sibling ZIPs (``a`` and ``a!b.zip``) can both fit. Lazy and cheap: a stat
    and a look at a file's end per "!", never the member list (a ZIP may have 200,000 members,
    each checked when a folder run looks for gone paths), so whether the member is in the
    archive is left to the caller.
    """
    for i, char in enumerate(path):
        if char == "!":
            archive = path[:i]
            if not archive.lower().endswith(".epub") and os.path.isfile(archive) and zipfile.is_zipfile(archive):
                yield archive, path[i + 1 :]


def _missing(path: str) -> bool:
    """True when no file is at ``path`` any more. A ZIP member counts as there while its ZIP is,
    in it or not: a run over that ZIP removes it (and need not open the ZIP for each member)."""
    try:
        os.stat(path)
        return False
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError:  # no permission, an I/O error: perhaps still there
        return False
    return next(zip_splits(path), None) is None


def _gone_paths(conn: Any, scope: tuple[str, bool] | None, listed: set[str]) -> set[str]:
    """Paths recorded under a folder or ZIP target (``scope``) that no longer exist there."""
    if scope is None:
        return set()
    prefix, may_exist = scope
    recorded = {
        r[0]
        for r in conn.execute(
            "SELECT path FROM work_paths WHERE substr(path, 1, ?1) = ?2 UNION SELECT path FROM works"
            " WHERE substr(path, 1, ?1) = ?2 UNION SELECT path FROM errors WHERE substr(path, 1, ?1) = ?2"
            " UNION SELECT path FROM error_paths WHERE substr(path, 1, ?1) = ?2",
            (len(prefix), prefix),
        )
    }
    return {p for p in recorded - listed if not may_exist or _missing(p)}


def _release_gone(conn: Any, paths: Iterable[str]) -> int:
    """Take paths that are gone out of the database, in one transaction: out of their works (a
    work no file holds any more is deleted) and their error rows. Returns how many."""
    n = 0
    with transaction(conn):
        for path in sorted(paths):
            _release_path(conn, path=path, content_hash="")  # "": no content, so it leaves every work
            n += 1
    return n


def _moved(conn: Any, digest: str, version: str, path: str, gone: set[str]) -> bool:
    """True when a path of this content's work is gone: ``path`` is that file renamed or moved,
    not a copy (also beside a copy still in place). Each gone path explains one new path: it
    leaves ``gone``'s unclaimed share (the caller passes a set it may change)."""
    if not gone:
        return False
    row = conn.execute(
        "SELECT id, path FROM works WHERE content_hash = ? AND model_version = ?", (digest, version)
    ).fetchone()
    others = {row["path"], *(r[0] for r in conn.execute("SELECT path FROM work_paths WHERE work_id = ?", (row["id"],)))}
    left = sorted((others - {path}) & gone)
    if left:
        gone.discard(left[0])
    return bool(left)


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
            with writing():
                save_error(conn, path=src.name, content_hash=None, model_version=version, error=str(e))
                summary.failed += 1
                summary.failed_contents += 1
                summary.errors.append((src.name, str(e)))
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
                _run_pool(todo, record, hashes, mode=mode, bundle=bundle, max_bytes=max_bytes, workers=n_workers)
            guard.writing = True  # all done: a Ctrl-C now waits (and is dropped) while the run is recorded
            # After a whole run, so a renamed file kept its work; a file back meanwhile stays.
            summary.removed = _release_gone(conn, [p for p in gone if not (scope and scope[1]) or _missing(p)])
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


def _ignore_sigint() -> None:
    """In pool workers: Ctrl-C reaches the whole process group, and the main process stops them.

    SIGTERM ends a worker at once (forked workers would inherit the main process's guard),
    which is also how the main process stops them.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """In pool workers: end when the main process ``parent`` dies (``kill -9``, the OOM killer).

    Nothing else would stop them: orphans re-parented to PID 1 went on scanning, then waited
    on the work queue forever. On Linux the kernel sends SIGTERM (``PR_SET_PDEATHSIG``);
    elsewhere, or if that fails, a daemon thread checks the parent pid every second.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0:
                if os.getppid() != parent:  # died before the prctl: no signal will come
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(1.0)

    threading.Thread(target=watch, name="forewarn-parent-watch", daemon=True).start()


def _init_worker(parent: int) -> None:
    """The pool workers' initializer: Ctrl-C and SIGTERM as ``_ignore_sigint``; gone with ``parent``."""
    _ignore_sigint()
    _die_with_parent(parent)


# The error recorded for the works in flight when a worker process died (kill -9, the OOM killer).
WORKER_STOPPED = "the worker scanning it stopped (out of memory?)"


def _run_pool(
    todo: Iterator[tuple[Source, str, bytes]],
    record: Callable[[dict[str, Any]], None],
    hashes: dict[str, str],
    *,
    mode: str,
    bundle: str | None,
    max_bytes: int,
    workers: int,
) -> None:
    """A local process pool; on Ctrl-C, finished results are saved and the workers terminated.

    Waiting for the works in flight could take minutes on long works, and the
    executor's own exit would even start the queued ones. A worker that dies takes
    the pool with it: the works in flight then (which one killed it is unknown) are
    recorded as failed, so the next run tries them again, and a new pool goes on.
    """
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(os.getpid(),))
    inflight: dict[Future[dict[str, Any]], str] = {}  # -> the work's name

    def collect(done: Iterable[Future[dict[str, Any]]]) -> bool:
        """Record finished works; True when the pool broke."""
        broken = False
        for f in done:
            name = inflight.pop(f)
            if isinstance(f.exception(), BrokenProcessPool):
                broken = True
                record({"name": name, "error": WORKER_STOPPED})
            else:
                record(f.result())
        return broken

    def replace_broken_pool() -> None:
        """Every work still in flight went down with the pool (its futures are failed at once)."""
        nonlocal pool
        collect(wait(list(inflight)).done)
        pool.shutdown(wait=True)
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(os.getpid(),))

    def record_until(left: int) -> None:
        """Record finished works until at most ``left`` are in flight."""
        while len(inflight) > left:
            done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            if collect(done):
                replace_broken_pool()

    def submit(name: str, data: bytes) -> None:
        try:
            inflight[pool.submit(scan_one, name, data, mode, 1, bundle, max_bytes)] = name
        except BrokenProcessPool:  # broke before its futures said so
            replace_broken_pool()
            inflight[pool.submit(scan_one, name, data, mode, 1, bundle, max_bytes)] = name

    try:
        for src, digest, data in todo:
            hashes[src.name] = digest
            submit(src.name, data)
            record_until(2 * workers - 1)
        record_until(0)
    except KeyboardInterrupt:
        finished = [f for f in inflight if f.done() and not f.cancelled() and f.exception() is None]
        procs = list((pool._processes or {}).values())  # no public API before Python 3.14's terminate_workers()
        # shutdown(wait=False) forgets the manager thread: the later wait=True joins nothing
        manager: threading.Thread | None = getattr(pool, "_executor_manager_thread", None)
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        if manager is not None:
            # Still running at exit, it raced concurrent.futures' atexit hook, which then wrote to
            # its closed wake-up pipe: "Exception ignored ... Bad file descriptor" after our message.
            manager.join(timeout=30)
        for f in finished:
            record(f.result())
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_dask(
    todo: Iterator[tuple[Source, str, bytes]],
    record: Callable[[dict[str, Any]], None],
    hashes: dict[str, str],
    *,
    mode: str,
    bundle: str | None,
    max_bytes: int,
    workers: int,
    scheduler: str | None,
) -> None:
    """The same per-work function on Dask; results come back here to the one writer.

    A work whose workers kept dying (``KilledWorker``, after the scheduler's allowed
    failures) is recorded as failed; the cluster goes on with the rest.
    """
    try:
        from distributed import Client, KilledWorker, LocalCluster, as_completed
    except ImportError:
        raise RuntimeError("the dask engine needs the extra: pip install 'forewarn[dask]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        # Its processes inherit an ignored Ctrl-C (they would print tracebacks); this one stops them.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        finally:
            signal.signal(signal.SIGINT, previous)
        client = Client(cluster)
    names: dict[Any, str] = {}  # future key -> the work's name

    def collect(fut: Any) -> None:
        name = names.pop(fut.key)
        try:
            result = fut.result()
        except KilledWorker:
            result = {"name": name, "error": WORKER_STOPPED}
        record(result)

    try:
        queue = as_completed()
        for src, digest, data in todo:
            hashes[src.name] = digest
            fut = client.submit(scan_one, src.name, data, mode, 1, bundle, max_bytes, pure=False)
            names[fut.key] = src.name
            queue.add(fut)
            if len(names) >= 2 * workers:
                collect(next(queue))
        for fut in queue:
            collect(fut)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
