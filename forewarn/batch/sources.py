"""Finding the works of a collection: the files under a folder, the members of a ZIP, the
files a glob matches (hidden ones and other suffixes left out), and reading a stored name
(``archive!member``) back as a file."""

from __future__ import annotations

import errno
import fnmatch
import glob
import itertools
import lzma
import os
import stat
import zipfile
import zlib
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
            if (broken := _broken_link(self.path)) is not None:  # open() said "No such file": it is there
                raise FileNotFoundError(broken)
            if os.path.isdir(self.path):  # a folder the walk could not open (``_walk``)
                raise OSError(f"a folder it cannot open ({_why_unlisted(self.path)}): the works in it were not scanned")
            with open(self.path, "rb") as f:
                return f.read(max_bytes + 1)
        assert self.zip_path is not None and self.member is not None
        with zipfile.ZipFile(self.zip_path) as z:
            # Each its own failure, as for a file: uncaught, one damaged member ended the batch.
            try:
                with z.open(self.member) as f:
                    return f.read(max_bytes + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError, lzma.LZMAError) as e:
                raise ValueError(f"damaged in its ZIP: {e}") from None
            except (RuntimeError, NotImplementedError) as e:  # encrypted, or compressed as zipfile cannot read
                raise ValueError(f"cannot read it from its ZIP: {e}") from None
            except KeyError:  # the ZIP changed since it was listed
                raise ValueError("no longer in its ZIP") from None


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


def is_zip_target(target: str | Path) -> bool:
    """True when a batch over ``target`` reads the members of a ZIP; an EPUB is a ZIP too, but one work."""
    t = str(target)
    return os.path.isfile(t) and zipfile.is_zipfile(t) and not t.lower().endswith(".epub")


def iter_sources(target: str | Path, *, left_out: Counter[str] | None = None) -> Iterator[Source]:
    """Supported files under a directory, inside a ZIP, or matching a glob, in sorted order.

    Hidden files and folders below the target (see ``_hidden``) are skipped; a file
    named on its own is scanned whatever its name. Paths are made absolute, so the
    database still finds a work when read from elsewhere. ``left_out`` counts the files
    of other suffixes left out, per suffix.
    """
    t = str(target)
    if os.path.isdir(t):
        for p in _once(_walk(os.path.abspath(t))):
            if os.path.isdir(p) or _taken(os.path.basename(p), left_out):  # a folder: one it cannot open
                yield _file(p)
    elif is_zip_target(t):
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
            if not _hidden(below) and (os.path.isdir(p) or _taken(p, left_out)):  # folder: as above
                yield _file(os.path.abspath(p))


def _glob(pattern: str, root: str) -> list[str]:
    """The paths matching ``pattern``, sorted, each file once (``_once``).

    ``**`` walks as a folder does (``_walk``): ``glob.glob`` and ``pathlib`` either followed
    links into loops (``sub/loop -> .`` gave ``sub/loop/loop/...`` copies of every file, two
    such loops never ended) or entered no linked folder at all. A trailing ``**`` means every
    file below. A ``**`` inside a name ("ch**.txt") is no recursion: ``glob.glob`` reads it as
    ``*``, and without recursion a loop cannot repeat.
    """
    if not glob.has_magic(pattern):
        return []  # a missing path: not a folder, ZIP or file
    rest = Path(os.path.relpath(pattern, root)).parts
    if "**" not in rest:
        real_root = os.path.realpath(root)
        found = []
        # A folder it cannot open is kept, as by ``_walk``: works matching may be in it.
        unlisted = set(_unlisted_on_the_way(root, rest))
        for p in [*glob.glob(pattern), *unlisted]:
            if not (os.path.isfile(p) or _broken_link(p) or p in unlisted):  # a folder, a device: no work
                continue
            real = os.path.realpath(p)
            found.append((p, real, real != os.path.normpath(os.path.join(real_root, os.path.relpath(p, root)))))
        return sorted(_once(found))
    if rest[-1] == "**":
        rest = (*rest, "*")
    # A folder it cannot open (``_walk``) is kept, matched or not: works matching may be in it.
    below = [f for f in _walk(root) if _matches(Path(os.path.relpath(f[0], root)).parts, rest) or os.path.isdir(f[0])]
    return sorted(_once(below))


def _unlisted_on_the_way(root: str, rest: tuple[str, ...]) -> list[str]:
    """The folders below ``root`` matching a leading part of the glob ``rest`` that the glob must
    list (its next part has a wildcard) and cannot (no permission): ``glob.glob`` skips them
    without a word, where a folder walk lists them as failed (``_walk``). ``root`` itself is
    the target, as a folder's top is for a walk: it is not listed as failed."""
    unlisted = []
    for k in range(1, len(rest)):
        if not glob.has_magic(rest[k]):
            continue  # a name without wildcards is looked up, not listed
        for folder in glob.glob(os.path.join(root, *rest[:k])):
            if not os.path.isdir(folder):
                continue
            try:
                with os.scandir(folder):  # as glob.glob lists a folder
                    pass
            except OSError:
                unlisted.append(folder)
    return unlisted


def _matches(parts: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    """True when a path's ``parts`` match a glob's: ``**`` for any number of folders, the
    other parts each one name (``fnmatch``)."""
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_matches(parts[i:], pattern[1:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatch(parts[0], pattern[0]) and _matches(parts[1:], pattern[1:])


def _walk(top: str) -> list[tuple[str, str, bool]]:
    """Every file below the folder ``top`` and every link there to no file (``_broken_link``),
    hidden ones left out, in the order of a walk: a folder's files, then each subfolder's.

    Each is ``(path, real path, whether the path goes through a symbolic link)``. Linked folders
    are entered too, after the real ones, and each folder once (by device and inode), so a
    link loop ends and a folder linked from inside the collection is walked where it is. A
    subfolder that cannot be opened (no permission) is listed in place of its files.
    """
    seen: set[tuple[int, int]] = set()
    found: list[tuple[tuple[tuple[int, str], ...], str, str, bool]] = []  # walk order first
    links: list[tuple[tuple[tuple[int, str], ...], str]] = [((), top)]  # folders still to walk
    keys: dict[str, tuple[tuple[int, str], ...]] = {}  # a folder's place in the walk
    start = top

    def unlisted(e: OSError) -> None:
        """A folder below ``top`` that cannot be opened is listed too: it fails, saying so
        (``Source.read``), where its works were left out without a word."""
        folder = str(e.filename)
        if folder != top and folder in keys:
            found.append((keys[folder], folder, os.path.realpath(folder), start != top))

    while links:
        links.sort(reverse=True)
        key, start = links.pop()
        keys = {start: key}
        for folder, dirs, files in os.walk(start, onerror=unlisted):  # no link followed: see `links`
            try:
                st = os.stat(folder)
            except OSError:
                dirs[:] = []
                continue
            if (st.st_dev, st.st_ino) in seen:
                dirs[:] = []
                continue
            seen.add((st.st_dev, st.st_ino))
            real_folder = os.path.realpath(folder)
            via = start != top
            for name in files:
                p = os.path.join(folder, name)
                if _hidden([name]) or not (os.path.isfile(p) or _broken_link(p)):
                    continue
                linked = os.path.islink(p)
                real = os.path.realpath(p) if linked else os.path.join(real_folder, name)
                found.append(((*keys[folder], (0, name)), p, real, via or linked))
            kept = []
            for d in sorted(dirs):
                if _hidden([d]):
                    continue
                keys[os.path.join(folder, d)] = (*keys[folder], (1, d))
                if os.path.islink(os.path.join(folder, d)):
                    links.append((keys[os.path.join(folder, d)], os.path.join(folder, d)))
                else:
                    kept.append(d)
            dirs[:] = kept
    found.sort()
    return [(p, real, via) for _, p, real, via in found]


def _once(found: list[tuple[str, str, bool]]) -> list[str]:
    """The paths of ``found`` (``(path, real path, through a link)``), each real file once, in
    their order: by a path through no symbolic link, else by the first one. A link to a file of
    the collection, or a second link to one outside it, listed it twice (counted and stored twice)."""
    chosen: dict[str, tuple[str, bool]] = {}
    for path, real, via in found:
        if real not in chosen or (chosen[real][1] and not via):
            chosen[real] = (path, via)
    keep = {path for path, _ in chosen.values()}
    return [path for path, _, _ in found if path in keep]


def _broken_link(path: str) -> str | None:
    """Why ``path``, a symbolic link, leads to no file: a link to something since deleted, or one
    leading back to itself. None for a link that works and for anything else."""
    if not os.path.islink(path):
        return None
    try:
        os.stat(path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "a symbolic link that leads back to itself"
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            return f"a broken symbolic link: {os.readlink(path)} is not there"
    return None


def _why_unlisted(folder: str) -> str:
    """Why ``folder`` cannot be listed ("Permission denied")."""
    try:
        os.listdir(folder)
    except OSError as e:
        return e.strerror or str(e)
    return "it could not be opened when the collection was listed"


def _file(path: str) -> Source:
    """A file's source; a broken link's has size 0 and fails when read, saying why."""
    try:
        size = os.path.getsize(path)
    except OSError:
        size = 0
    return Source(name=path, path=path, size=size)


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
    if is_zip_target(t):
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
    """True when no file is at ``path`` any more; a folder there is none (one recorded as failed
    because it could not be opened, and opened since). A ZIP member counts as there while its
    ZIP is, in it or not: a run over that ZIP removes it (and need not open the ZIP for each member)."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError:  # no permission, an I/O error: perhaps still there
        return False
    return next(zip_splits(path), None) is None
