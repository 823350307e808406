"""Files a batch cannot read (no permission): said plainly, and counted as tried again in a re-run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from forewarn.batch import run_batch
from forewarn.batch.sources import Source
from forewarn.cli import main

PARA = "He stabbed the guard and blood pooled on the stones. They walked home by the harbour, talking of nothing."


def work(path: Path, title: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"Title: {title}\n\n{PARA} {title}.\n", encoding="utf-8")
    return path


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout


@pytest.fixture
def locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A collection whose c/locked.txt cannot be read, as without read permission (chmod has no
    effect for root, who runs the tests in CI)."""
    c = tmp_path / "c"
    work(c / "open.txt", "Open")
    work(c / "locked.txt", "Locked")
    real = Source.read

    def read(self: Source, **kwargs: object) -> bytes:
        if self.name.endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", self.name)
        return real(self, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Source, "read", read)
    return c


def test_a_file_without_read_permission_fails_with_a_plain_reason(locked: Path, tmp_path: Path) -> None:
    """Regression: its error was "[Errno 13] Permission denied: '/…/c/locked.txt'", the path once
    more after the path, where `forewarn scan` says "Permission denied"."""
    db = tmp_path / "r.db"
    summary = run_batch(locked, db=db, workers=1, mode="lexicon")
    assert summary.errors == [(str(locked / "locked.txt"), "Permission denied")]
    code, out = cli("query", "--db", str(db), "--failed")
    assert code == 0 and out == f"{locked / 'locked.txt'}: Permission denied\n"


def test_a_file_still_unreadable_in_a_rerun_counts_as_tried_again(locked: Path, tmp_path: Path) -> None:
    """Regression: a re-run said "4 files had failed before and were tried again" for 5 such
    files: one that could not be read again (no permission) was left out of the count."""
    db = tmp_path / "r.db"
    run_batch(locked, db=db, workers=1, mode="lexicon")
    again = run_batch(locked, db=db, workers=1, mode="lexicon")
    assert (again.skipped, again.failed, again.retried) == (1, 1, 1)
    stats = json.loads(cli("stats", "--db", str(db), "--json")[1])
    assert (stats["works"], stats["errors"], stats["error_files"]) == (1, 1, 1)


def test_a_damaged_member_of_a_zip_fails_and_the_batch_goes_on(tmp_path: Path) -> None:
    """Regression: a member whose compressed bytes were damaged ended the whole batch with a
    traceback ("zlib.error: Error -3 while decompressing data"), the other members unscanned."""
    import zipfile

    archive = tmp_path / "fics.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("bad.txt", f"Title: Bad\n\n{PARA * 20}\n")
        z.writestr("good.txt", f"Title: Good\n\n{PARA * 20} Good.\n")
        info = z.getinfo("bad.txt")
    data = bytearray(archive.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + 4  # into bad.txt's deflated bytes
    data[start : start + 20] = bytes(b ^ 0xFF for b in data[start : start + 20])
    archive.write_bytes(bytes(data))
    db = tmp_path / "r.db"
    summary = run_batch(archive, db=db, workers=1, mode="lexicon")
    assert (summary.scanned, summary.failed) == (1, 1)
    ((name, error),) = summary.errors
    assert name == f"{archive}!bad.txt" and error.startswith("damaged in its ZIP: "), error
    code, out = cli("query", "--db", str(db), "--failed")
    assert code == 0 and out == f"{name}: {error}\n"


def test_an_encrypted_or_vanished_member_of_a_zip_fails_with_its_reason(tmp_path: Path) -> None:
    """Regression: an encrypted member (a RuntimeError in zipfile) or one taken out of the ZIP
    since it was listed (a KeyError) ended the whole batch with a traceback."""
    import zipfile

    archive = tmp_path / "fics.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("locked.txt", f"Title: Locked\n\n{PARA}\n")
    data = bytearray(archive.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x01  # the "encrypted" flag bit, where zipfile reads it
    archive.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="^cannot read it from its ZIP: .*encrypted"):
        Source(name=f"{archive}!locked.txt", zip_path=str(archive), member="locked.txt").read()
    with pytest.raises(ValueError, match="^no longer in its ZIP$"):
        Source(name=f"{archive}!gone.txt", zip_path=str(archive), member="gone.txt").read()
    summary = run_batch(archive, db=tmp_path / "r.db", workers=1, mode="lexicon")
    assert summary.failed == 1 and summary.errors[0][1].startswith("cannot read it from its ZIP: ")


@pytest.fixture
def locked_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A collection whose c/locked/ cannot be opened, as without permission (chmod has no effect
    for root, who runs the tests in CI); ``monkeypatch.undo()`` opens it."""
    import os

    c = tmp_path / "c"
    work(c / "open.txt", "Open")
    work(c / "locked" / "inside.txt", "Inside")
    real_scandir, real_listdir = os.scandir, os.listdir

    def refuse(real):  # type: ignore[no-untyped-def]
        def call(path="."):  # type: ignore[no-untyped-def]
            if os.fspath(path).endswith("locked"):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path)

        return call

    monkeypatch.setattr(os, "scandir", refuse(real_scandir))  # what os.walk lists a folder with
    monkeypatch.setattr(os, "listdir", refuse(real_listdir))
    return c


def test_a_folder_that_cannot_be_opened_fails_instead_of_vanishing(
    locked_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a subfolder without read permission was skipped without a word (its works
    neither scanned nor failed, the batch "all done"); it fails, and once opened it is scanned
    and its failure leaves the database."""
    from forewarn.batch import iter_sources

    c = locked_folder
    reason = "a folder it cannot open (Permission denied): the works in it were not scanned"
    assert [s.name for s in iter_sources(f"{c}/**/*.txt")] == [str(c / "locked"), str(c / "open.txt")]
    db = tmp_path / "r.db"
    summary = run_batch(c, db=db, workers=1, mode="lexicon")
    assert (summary.scanned, summary.failed, summary.errors) == (1, 1, [(str(c / "locked"), reason)])
    code, out = cli("query", "--db", str(db), "--failed")
    assert code == 0 and out == f"{c / 'locked'}: {reason}\n"
    monkeypatch.undo()  # the folder can be opened now
    again = run_batch(c, db=db, workers=1, mode="lexicon")
    assert (again.scanned, again.skipped, again.failed) == (1, 1, 0)
    stats = json.loads(cli("stats", "--db", str(db), "--json")[1])
    assert (stats["works"], stats["files"], stats["errors"]) == (2, 2, 0)
    assert cli("query", "--db", str(db), "--failed") == (0, "")


def test_a_folder_opened_since_is_not_called_removed(
    locked_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: once a folder that could not be opened before was opened, its failure record
    was dropped and the batch said "1 file no longer there was removed from the database",
    though nothing was removed: the folder was read."""
    c = locked_folder
    db = tmp_path / "r.db"
    run_batch(c, db=db, workers=1, mode="lexicon")
    monkeypatch.undo()  # the folder can be opened now
    result = CliRunner().invoke(
        main, ["batch", str(c), "--db", str(db), "--workers", "1", "--scorer", "lexicon", "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert "no longer there" not in result.stderr, result.stderr
    assert "1 folder that could not be opened before was read this time" in result.stderr, result.stderr


def test_a_glob_without_double_star_reports_a_folder_it_cannot_open(locked_folder: Path) -> None:
    """Regression: ``c/*/*.txt`` skipped a subfolder it could not open without a word, where a
    folder walk and a ``**`` glob list it as failed."""
    from forewarn.batch import iter_sources

    c = locked_folder
    work(c / "open" / "inside.txt", "Open inside")
    assert [s.name for s in iter_sources(f"{c}/*/*.txt")] == [str(c / "locked"), str(c / "open" / "inside.txt")]
    # A name without wildcards is looked up, not listed: found in a folder that cannot be listed.
    assert [s.name for s in iter_sources(f"{c}/*/inside.txt")] == [
        str(c / d / "inside.txt") for d in ("locked", "open")
    ]
    assert [s.name for s in iter_sources(f"{c}/*.txt")] == [str(c / "open.txt")]  # nothing opened below
    assert [s.name for s in iter_sources(f"{c}/o*/*.txt")] == [str(c / "open" / "inside.txt")]  # not matched
    work(c / "open" / "sub" / "deep.txt", "Deep")  # a folder the pattern matches is no work
    assert [s.name for s in iter_sources(f"{c}/o*/*")] == [str(c / "open" / "inside.txt")]


def test_a_file_replaced_by_a_folder_is_removed_not_opened(tmp_path: Path) -> None:
    """Only a folder recorded as failed (unread) counts as opened since; a file whose path is a
    folder now is gone, as before."""
    c = tmp_path / "c"
    work(c / "open.txt", "Open")
    story = work(c / "story.txt", "Story")
    db = tmp_path / "r.db"
    run_batch(c, db=db, workers=1, mode="lexicon")
    story.unlink()
    work(story / "inside.txt", "Inside")
    again = run_batch(c, db=db, workers=1, mode="lexicon")
    assert (again.scanned, again.removed, again.reopened) == (1, 1, 0)
