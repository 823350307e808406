"""Shared test kit: the --slow switch, paths to shared data, a fake scorer."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import settings

# In CI the property tests draw the same examples every run, so a landing is never refused by
# an example no one has seen (print_blob shows how to replay one); locally they keep exploring,
# which is how they find new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE = SHARED / "samples" / "000_91f485cde857f4d1.txt"
# A short work with a stabbing and blood, then calm: the web app's tests post it.
STORY = "\n\n".join(
    ["He stabbed the guard twice and blood pooled on the stones."] * 3 + ["They walked home by the sea."] * 3
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", default=False, help="run slow tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


class FakeModel:
    """A model stand-in: probability = share of the label's keyword among words."""

    def __init__(
        self,
        keywords: dict[str, str],
        *,
        threshold: float = 0.5,
        ungated: dict[str, float] | None = None,
        lexicon_only: set[str] | None = None,
    ) -> None:
        self.keywords = keywords
        self.labels_ = list(keywords)
        self.thresholds_ = np.full(len(self.labels_), threshold)
        self.version_ = "fake-1"
        self.ungated_ = ungated or {}
        self.lexicon_only_ = lexicon_only or set()

    def predict_proba(self, texts: Sequence[str], *, cue_spans: object = None) -> np.ndarray:
        out = np.zeros((len(texts), len(self.labels_)), dtype=np.float32)
        for i, t in enumerate(texts):
            low = t.lower()
            for j, label in enumerate(self.labels_):
                out[i, j] = min(1.0, 0.3 * low.count(self.keywords[label]))
        return out


@pytest.fixture
def sample_path() -> Path:
    if not SAMPLE.exists():
        pytest.skip("shared sample not present")
    return SAMPLE


@pytest.fixture
def client() -> Any:
    """The real web app (packaged lexicon and model) behind a test client, uploads to 200 KB."""
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from forewarn.score.cascade import CascadeScorer
    from forewarn.web.app import create_app

    return TestClient(create_app(scorer=CascadeScorer(), max_upload_bytes=200_000))


def stored_with_a_right_to_left_name(tmp_path: Path) -> tuple[Path, str, Path]:
    """A results database (made by ``forewarn batch``, lexicon only) of one work in a folder,
    whose file name holds markup and a right-to-left override: (folder, file name, database)."""
    from forewarn.batch import run_batch

    folder = tmp_path / "c"
    folder.mkdir()
    name = "a<b>\u202egpj.txt"
    (folder / name).write_text("Title: Harbour\n\n" + STORY)
    db = tmp_path / "r.db"
    run_batch(folder, db=db, workers=1, mode="lexicon")
    return folder, name, db
