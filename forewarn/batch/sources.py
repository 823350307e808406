"""Finding the works of a collection: the files under a folder, the members of a ZIP, the
files a glob matches (hidden ones and other suffixes left out), and reading a stored name
(``archive!member``) back as a file."""

from __future__ import annotations

import glob
import itertools
import os
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from forewarn.readers import DEFAULT_MAX_BYTES, LIBRARY_SIZE_HINT, SUPPORTED_SUFFIXES, too_large

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
