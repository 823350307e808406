"""Where works are scanned: ``scan_one`` (bytes in, a plain dict out), run in this process,
in a local process pool or on a Dask cluster; the results come back to the caller's ``record``,
the one writer. The pool and Dask runners take the scan function as ``scan``, so a caller (and a
test) chooses it."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from forewarn.batch.sources import Source
from forewarn.readers import DEFAULT_MAX_BYTES


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
        report = report_to_dict(scan_work(work, scorer=default_scorer(mode, bundle=bundle)))
    except ReadError as e:
        return {"name": name, "error": str(e)}
    except Exception as e:  # a bug must not stop a collection; record it against the work
        return {"name": name, "error": f"internal error: {type(e).__name__}: {e}"}
    return {"name": name, "report": report, "seconds": round(time.perf_counter() - t0, 4)}


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
    scan: Callable[..., dict[str, Any]],
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
            inflight[pool.submit(scan, name, data, mode, 1, bundle, max_bytes)] = name
        except BrokenProcessPool:  # broke before its futures said so
            replace_broken_pool()
            inflight[pool.submit(scan, name, data, mode, 1, bundle, max_bytes)] = name

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
    scan: Callable[..., dict[str, Any]],
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
            fut = client.submit(scan, src.name, data, mode, 1, bundle, max_bytes, pure=False)
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
