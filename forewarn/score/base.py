"""The scorer protocol shared by the lexicon, the learned model and the cascade."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class Scorer(Protocol):
    """scikit-learn shaped: ``labels_`` names the columns of ``predict_proba``."""

    labels_: list[str]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Return an array of shape ``(len(texts), len(labels_))`` with values in [0, 1]."""
        ...


def check_texts(texts: object) -> None:
    """A clear error for one ``str`` where a list of passages belongs: iterated, it was scored
    as one passage per character (``predict_proba("He stabbed him")`` gave 14 rows)."""
    if isinstance(texts, (str, bytes)):
        raise ValueError(f"texts must be a list of passages, also for one: [text], not a {type(texts).__name__}")
