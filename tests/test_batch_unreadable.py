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
