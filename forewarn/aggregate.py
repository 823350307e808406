"""Passage scores -> work-level warnings with confidence, severity and evidence.

The reader needs three things per warning: how sure we are, how bad it is, and
where it is. Confidence combines the strongest passages (a work with several
likely passages is more surely positive than one with a single one); severity
comes from the lexicon's tier cues in the flagged passages; evidence is the top
passages by probability, with offsets and positions so they can be skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from forewarn.severity import SEVERITIES, passage_severity
from forewarn.split import Passage
from forewarn.taxonomy import Taxonomy

__all__ = ["SEVERITIES", "PassageRef", "WorkWarning", "aggregate", "combine_top", "passage_severity"]


@dataclass(frozen=True)
class PassageRef:
    """Where a warning occurs: enough to jump to or skip the passage."""

    index: int
    chapter: int
    start: int
    end: int
    position: float
    end_position: float
    probability: float
    severity: str
    chapter_position: float = 0.0  # percent into its chapter (the work's, for one chapter)


@dataclass
class WorkWarning:
    """One detected warning for the whole work."""

    id: str
    name: str
    group: str
    confidence: float
    severity: str
    passage_count: int
    word_count: int
    evidence: list[PassageRef]
    passages: list[int] = field(default_factory=list)  # every flagged passage index, text order
    # each flagged passage's own severity, in the order of ``passages``: a reader skipping
    # passage by passage needs more than the work's strongest and the evidence's
    passage_severities: list[str] = field(default_factory=list)
    first_position: float = 0.0


def combine_top(probs: Sequence[float], *, k: int = 3, discount: float = 0.5) -> float:
    """Noisy-or over the ``k`` strongest passages, each later one discounted.

    Plain noisy-or over hundreds of passages drifts to 1.0 on any long work;
    discounting keeps one strong passage the main signal while several
    agreeing passages still raise confidence.
    """
    top = sorted(probs, reverse=True)[:k]
    miss = 1.0
    for j, p in enumerate(top):
        miss *= 1.0 - float(p) * discount**j
    return 1.0 - miss


def aggregate(
    passages: Sequence[Passage],
    probs: np.ndarray,
    labels: Sequence[str],
    *,
    taxonomy: Taxonomy,
    thresholds: Mapping[str, float],
    cues: Sequence[Mapping[str, str]] | None = None,
    texts: Sequence[str] | None = None,
    spans: Sequence[Mapping[str, Sequence[tuple[int, int]]]] | None = None,
    evidence_k: int = 3,
    method: str = "top3-noisy-or",
) -> list[WorkWarning]:
    """Return the detected warnings, most confident first.

    ``probs[i, j]`` is passage ``i``'s probability for ``labels[j]``; a passage
    is flagged for a warning when it reaches that warning's threshold.
    ``cues[i]`` maps warning id -> strongest lexicon tier seen in passage ``i``; a flagged
    passage's severity starts there and severity cues in ``texts[i]`` (the passage as it was
    scored, declaration lines blanked; by default its own text) may raise it; ``spans[i]``
    maps warning id -> where its lexicon cues are in that text (shared severity cues must be
    near one).
    """
    if method != "top3-noisy-or":
        raise ValueError(f"unknown aggregation method {method!r}")
    if probs.shape != (len(passages), len(labels)):
        raise ValueError(f"probs has shape {probs.shape}, expected {(len(passages), len(labels))}")
    found: list[WorkWarning] = []
    for j, label in enumerate(labels):
        column = probs[:, j]
        flagged = [int(i) for i in np.flatnonzero(column >= thresholds.get(label, 0.5))]
        if not flagged:
            continue
        definition = taxonomy.get(label)
        tiers = {i: cues[i].get(label) if cues is not None else None for i in flagged}
        severities = {
            i: passage_severity(
                tiers[i], texts[i] if texts else passages[i].text, label, near=spans[i].get(label, ()) if spans else ()
            )
            for i in flagged
        }
        order = sorted(flagged, key=lambda i: (-column[i], i))
        strongest = max(severities.values(), key=SEVERITIES.index)
        top = order[:evidence_k]
        if top and all(severities[i] != strongest for i in top):
            # The evidence must show where the warning is as bad as its severity says.
            top = [*top[: evidence_k - 1], next(i for i in order if severities[i] == strongest)]
        evidence = [
            PassageRef(
                index=passages[i].index,
                chapter=passages[i].chapter,
                start=passages[i].start,
                end=passages[i].end,
                position=passages[i].position,
                end_position=passages[i].end_position,
                probability=round(float(column[i]), 4),
                severity=severities[i],
                chapter_position=passages[i].chapter_position,
            )
            for i in top
        ]
        found.append(
            WorkWarning(
                id=label,
                name=definition.name,
                group=definition.group,
                confidence=round(combine_top(column[flagged].tolist(), k=evidence_k), 4),
                severity=strongest,
                passage_count=len(flagged),
                word_count=int(sum(passages[i].words for i in flagged)),
                evidence=evidence,
                passages=[passages[i].index for i in flagged],
                passage_severities=[severities[i] for i in flagged],
                first_position=passages[flagged[0]].position,
            )
        )
    found.sort(key=lambda w: (-w.confidence, w.id))
    return found
