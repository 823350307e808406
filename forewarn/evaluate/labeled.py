"""Labeled passages: the shared JSONL format ``forewarn evaluate`` and ``forewarn train`` read."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class LabeledPassage:
    text: str
    warning: str
    label: int  # majority (or any-vote) label
    target: float  # share of annotators voting yes (soft label)
    work_id: str
    source: str = "dev"
    kind: str = ""  # project-written sets: positive, hard_negative, ordinary (prose of no warning)


# The ``warning`` of a passage that warrants none: it trains no head of its own and serves the
# written-data heads as a background negative (``forewarn.train.background_matrix``).
NO_WARNING = "none"


def read_jsonl(path: str | Path, parse: Callable[[dict[str, Any], int], T], *, what: str) -> list[T]:
    """``parse(row, line_number)`` for every non-blank line; a bad line is a ValueError naming it,
    and so is a file without any (its metrics would be a table of NaNs)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                out.append(parse(json.loads(line), n))
            except (KeyError, ValueError, TypeError, OverflowError, RecursionError) as e:
                raise ValueError(f"{path}:{n}: not a {what} ({e})") from None
    if not out:
        raise ValueError(f"{path}: no {what} in it")
    return out


def _text(row: dict[str, Any]) -> str:
    """The row's text: a string with something to score (5 or "" failed deep in the scorer)."""
    text = row["text"]
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, not {type(text).__name__}")
    if not text.strip():
        raise ValueError("text is empty")
    return text


def load_labeled(paths: Sequence[str | Path], *, label_mode: str = "majority") -> list[LabeledPassage]:
    """Read labeled passages; ``label_mode`` is "majority" (2 of 3) or "any" (1 of 3)."""
    if label_mode not in ("majority", "any"):
        raise ValueError("label_mode must be 'majority' or 'any'")

    def parse(r: dict[str, Any], n: int) -> LabeledPassage:
        if not isinstance(r["warning"], str):
            raise TypeError("warning must be a warning id")
        if "labels" in r:
            if not isinstance(r["labels"], list):
                raise TypeError("labels must be a list of annotator votes")
            votes = [int(v) for v in r["labels"]]
            if not votes:
                raise ValueError("labels is empty")
            share = sum(votes) / len(votes)
            label = int(share > 0.5) if label_mode == "majority" else int(share > 0)
        else:
            label = int(r["label"])
            share = float(label)
        if r["warning"] == NO_WARNING and label:
            raise ValueError(f"a passage of warning {NO_WARNING!r} warrants none: its label must be 0")
        work = str(r.get("work_id", n))
        return LabeledPassage(
            _text(r), r["warning"], label, share, work, r.get("source", "dev"), str(r.get("kind", ""))
        )

    return [p for path in paths for p in read_jsonl(path, parse, what="labeled passage")]
