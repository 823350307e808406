"""Files a collection no longer has: paths recorded under a folder or ZIP target that a run
did not find, taken out of the database at the end of a whole run, and the new paths that are
those files moved or renamed (not copies); and paths recorded through a link to a file the run
listed by another path (``_second_paths``)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from forewarn.batch.sources import _missing
from forewarn.store import transaction
from forewarn.store.write import _release_path


def _recorded(conn: Any, prefix: str) -> set[str]:
    """Every path recorded below ``prefix``: of works, their copies, errors and their files."""
    return {
        r[0]
        for r in conn.execute(
            "SELECT path FROM work_paths WHERE substr(path, 1, ?1) = ?2 UNION SELECT path FROM works"
            " WHERE substr(path, 1, ?1) = ?2 UNION SELECT path FROM errors WHERE substr(path, 1, ?1) = ?2"
            " UNION SELECT path FROM error_paths WHERE substr(path, 1, ?1) = ?2",
            (len(prefix), prefix),
        )
    }


def _gone_paths(conn: Any, scope: tuple[str, bool] | None, listed: set[str]) -> set[str]:
    """Paths recorded under a folder or ZIP target (``scope``) that no longer exist there."""
    if scope is None:
        return set()
    prefix, may_exist = scope
    return {p for p in _recorded(conn, prefix) - listed if not may_exist or _missing(p)}


def _second_paths(conn: Any, scope: tuple[str, bool] | None, listed: set[str]) -> set[str]:
    """Paths recorded under a folder target that a run did not list though their file is there,
    because it listed that file by another path: a link to it (``c/b/same.txt -> ../a/one.txt``,
    ``c/again/ -> a/``). A database from before each file was listed once holds both, and the
    link path, still there, was never taken out. A file not listed at all (a hidden one scanned
    on its own) is no second path and stays."""
    if scope is None or not scope[1]:  # a ZIP's members are listed in full, each by one name
        return set()
    prefix = scope[0]
    top = os.path.normpath(prefix)
    real_top = os.path.realpath(top)
    reals: set[str] | None = None  # the listed files' real paths, made only when needed
    second = set()
    for path in _recorded(conn, prefix) - listed:
        if not os.path.isfile(path):
            continue
        real = os.path.realpath(path)
        own = os.path.normpath(os.path.join(top, os.path.relpath(real, real_top)))  # its path through no link
        if own == path:
            continue  # through no link: not listed for another reason (hidden, another suffix)
        if own not in listed:  # a file outside the collection, or one listed through a link too
            reals = {os.path.realpath(p) for p in listed} if reals is None else reals
            if real not in reals:
                continue
        second.add(path)
    return second


def _reopened(conn: Any, paths: Iterable[str]) -> int:
    """How many of ``paths`` (gone) are folders recorded as unread (no content): ones that could
    not be opened before and were listed this time, not files no longer there."""
    return sum(
        os.path.isdir(p)
        and conn.execute(
            "SELECT 1 FROM errors WHERE path = ?1 AND content_hash IS NULL UNION SELECT 1 FROM error_paths p"
            " JOIN errors e ON e.id = p.error_id WHERE p.path = ?1 AND e.content_hash IS NULL",
            (p,),
        ).fetchone()
        is not None
        for p in paths
    )


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
