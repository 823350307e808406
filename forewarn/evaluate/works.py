"""Work-level evaluation: whole works and the warnings they truly warrant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from forewarn.evaluate.labeled import _text, read_jsonl
from forewarn.evaluate.metrics import binary_metrics


@dataclass(frozen=True)
class LabeledWork:
    """A whole work with the warnings it truly warrants (work-level evaluation format).

    JSONL, one work per line: ``{"id": ..., "text": ..., "warnings": [ids], "scored": [ids]}``;
    ``scored`` lists the warnings the labels speak for (others are not judged).
    """

    id: str
    text: str
    warnings: frozenset[str]
    scored: frozenset[str]


def load_works(path: str | Path) -> list[LabeledWork]:
    """Read the work-level JSONL format; a bad line is a ValueError naming it."""

    def parse(row: dict[str, Any], n: int) -> LabeledWork:
        if not isinstance(row["warnings"], list) or not isinstance(row.get("scored", []), list):
            raise TypeError("warnings and scored must be lists of warning ids")
        warnings = frozenset(row["warnings"])
        return LabeledWork(str(row.get("id", n)), _text(row), warnings, frozenset(row.get("scored", warnings)))

    return read_jsonl(path, parse, what="labeled work")


def evaluate_works(works: Sequence[LabeledWork], detect: Any) -> dict[str, dict[str, Any]]:
    """Per warning, over works: precision, recall and F1 of ``detect(text) -> set of ids``.

    A work counts for a warning only if the warning is among its ``scored`` ones.
    """
    found = [set(detect(w.text)) for w in works]
    out: dict[str, dict[str, Any]] = {}
    for label in sorted(set().union(*(w.scored for w in works))):
        rows = [(label in w.warnings, label in f) for w, f in zip(works, found, strict=True) if label in w.scored]
        y = np.array([t for t, _ in rows], dtype=int)
        pred = np.array([p for _, p in rows], dtype=bool)
        m = binary_metrics(y, pred.astype(float), pred)
        # Yes/no answers only: no scores to rank (ROC-AUC) or calibrate (ECE).
        out[label] = {k: v for k, v in m.items() if k not in ("roc_auc", "ece")}
    return out
