"""Files a batch cannot read (no permission): said plainly."""

from __future__ import annotations

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
