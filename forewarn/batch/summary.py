"""What a batch reports as it goes and at the end (``BatchSummary``), and how Ctrl-C or
SIGTERM stops it: never between saving a work and counting it."""

from __future__ import annotations

import signal
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class BatchSummary:
    scanned: int = 0
    skipped: int = 0
    duplicates: int = 0  # new paths of content already scanned: recorded, not scanned again
    failed: int = 0  # files
    # Error rows written for the failed files: one per content (with its first path), and one
    # per file that could not be read at all (its content unknown).
    failed_contents: int = 0
    retried: int = 0  # files that failed in an earlier run (their content, or unread), tried again
    removed: int = 0  # paths under a folder or ZIP target that are gone, taken out of the database
    # Folders recorded as failed (could not be opened) that this run opened: their failure
    # records dropped, and not counted as ``removed`` (nothing was taken away, the folder was read).
    reopened: int = 0
    # Paths through a link to a file listed by another path, recorded by a run from before each
    # file was listed once, taken out of the database (under a folder target, after a whole run).
    second_paths: int = 0
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
