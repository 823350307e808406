"""Measured quality per warning, for `forewarn warnings` and the model card.

``data/quality.json`` is written by ``bench/quality.py`` from evaluation runs;
a warning without an entry has no labeled data yet, and says so instead of
showing a number nobody measured.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from forewarn.taxonomy import load_taxonomy

UNMEASURED = "unmeasured: no labeled data yet (lexicon only)"


def load_quality() -> dict[str, dict[str, Any]]:
    """Per-warning metrics keyed by warning id (empty when never measured)."""
    path = resources.files("forewarn") / "data" / "quality.json"
    if not path.is_file():
        return {}
    data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["warnings"]
    return data


def quality_rows(ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """One row per taxonomy warning (or per id in ``ids``), with what it is and its measured quality.

    The description, aliases and AO3 mapping come along so that a reader can see what a
    warning covers and which tags map to it without opening the taxonomy file.
    """
    taxonomy = load_taxonomy()
    quality = load_quality()
    defs = taxonomy.warnings if ids is None else [taxonomy.get(i) for i in ids]
    rows = []
    for d in defs:
        q = quality.get(d.id, {})
        rows.append(
            {
                "id": d.id,
                "name": d.name,
                "group": d.group,
                "group_name": taxonomy.groups[d.group],
                "description": d.description,
                "aliases": list(d.aliases),
                "broader": list(d.broader),
                "ao3_archive_warning": d.ao3_archive_warning,
                "ao3_rating_depicted": d.ao3_rating_depicted,
                "ao3_rating_graphic": d.ao3_rating_graphic,
                "precision": q.get("precision"),
                "recall": q.get("recall"),
                "f1": q.get("f1"),
                "f1_ci": q.get("f1_ci"),
                "balanced_accuracy": q.get("balanced_accuracy"),
                "support": q.get("support"),
                "measured_on": q.get("measured_on", UNMEASURED),
            }
        )
    return rows
