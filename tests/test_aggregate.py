"""Aggregation: passage probabilities -> work warnings, severity, evidence, AO3 fit."""

from __future__ import annotations

import numpy as np
import pytest

from forewarn.aggregate import aggregate, combine_top
from forewarn.rating import NO_WARNINGS, suggest_archive_warnings, suggest_rating
from forewarn.split import Passage
from forewarn.taxonomy import load_taxonomy


def passages(n: int) -> list[Passage]:
    return [
        Passage(i, 0 if i < n // 2 else 1, i * 100, (i + 1) * 100, 20, 100 * i / n, 100 * (i + 1) / n, "x")
        for i in range(n)
    ]


def test_combine_top_is_monotone_and_bounded() -> None:
    assert combine_top([0.9]) == pytest.approx(0.9)
    assert combine_top([0.9, 0.9]) > combine_top([0.9])
    many = combine_top([0.6] * 500)
    assert many < 0.85  # hundreds of middling passages do not add up to certainty
    assert 0.0 <= combine_top([]) <= combine_top([0.1])


def test_aggregate_flags_evidence_in_probability_order() -> None:
    tax = load_taxonomy()
    ps = passages(6)
    probs = np.array([[0.1, 0.0], [0.95, 0.0], [0.2, 0.0], [0.7, 0.0], [0.6, 0.0], [0.0, 0.4]])
    ws = aggregate(
        ps,
        probs,
        ["violence", "blood"],
        taxonomy=tax,
        thresholds={"violence": 0.5, "blood": 0.5},
        cues=[{}, {"violence": "graphic"}, {}, {"violence": "mention"}, {}, {"blood": "mention"}],
    )
    assert [w.id for w in ws] == ["violence"]  # blood stays below its threshold
    v = ws[0]
    assert [e.index for e in v.evidence] == [1, 3, 4]
    assert v.passages == [1, 3, 4]
    assert v.passage_count == 3 and v.word_count == 60
    assert v.severity == "graphic"
    assert v.evidence[2].severity == "implied"  # flagged without any lexicon cue
    assert v.first_position == pytest.approx(100 / 6, abs=0.01)
    assert v.evidence[0].start == 100 and v.evidence[0].end == 200


def test_threshold_controls_detection() -> None:
    tax = load_taxonomy()
    probs = np.array([[0.55], [0.1]])
    low = aggregate(passages(2), probs, ["death"], taxonomy=tax, thresholds={"death": 0.5})
    high = aggregate(passages(2), probs, ["death"], taxonomy=tax, thresholds={"death": 0.6})
    assert [w.id for w in low] == ["death"] and high == []


def test_shape_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError):
        aggregate(passages(2), np.zeros((3, 1)), ["death"], taxonomy=load_taxonomy(), thresholds={})


def test_rating_and_archive_warnings_follow_severity() -> None:
    tax = load_taxonomy()
    ps = passages(4)
    probs = np.array([[0.9, 0.0], [0.0, 0.9], [0.0, 0.0], [0.0, 0.0]])
    ws = aggregate(
        ps,
        probs,
        ["sexual-content", "violence"],
        taxonomy=tax,
        thresholds={"sexual-content": 0.5, "violence": 0.5},
        cues=[{"sexual-content": "graphic"}, {"violence": "graphic"}, {}, {}],
    )
    assert suggest_rating(ws, taxonomy=tax).name == "Explicit"
    names = [s.name for s in suggest_archive_warnings(ws, taxonomy=tax)]
    assert names == ["Graphic Depictions Of Violence"]
    mild = aggregate(
        ps,
        probs[:, 1:],
        ["violence"],
        taxonomy=tax,
        thresholds={"violence": 0.5},
        cues=[{}, {"violence": "mention"}, {}, {}],
    )
    assert [s.name for s in suggest_archive_warnings(mild, taxonomy=tax)] == [NO_WARNINGS]
    assert suggest_rating([], taxonomy=tax).name == "General Audiences"


def test_declaration_lines_are_not_scored_as_content() -> None:
    from forewarn.readers import read_text
    from forewarn.scan import scan_work, scoring_text
    from forewarn.score.cascade import CascadeScorer

    assert scoring_text("Warnings: violence, blood\nA calm day.") == " " * 25 + "\nA calm day."
    work = read_text("Warnings: graphic violence, blood and gore, torture\nTags: murder\n\nA calm day by the sea.\n")
    report = scan_work(work, scorer=CascadeScorer())
    assert report.warnings == []
    assert {d.warning_id for d in report.declared} == {"violence", "blood", "torture", "death"}


def test_a_passing_mention_suggests_no_archive_warning() -> None:
    tax = load_taxonomy()
    ws = aggregate(
        passages(2),
        np.array([[0.9], [0.0]]),
        ["sexual-assault"],
        taxonomy=tax,
        thresholds={"sexual-assault": 0.3},
        cues=[{"sexual-assault": "mention"}, {}],
    )
    assert [s.name for s in suggest_archive_warnings(ws, taxonomy=tax)] == [NO_WARNINGS]
    ws = aggregate(
        passages(2),
        np.array([[0.9], [0.0]]),
        ["sexual-assault"],
        taxonomy=tax,
        thresholds={"sexual-assault": 0.3},
        cues=[{"sexual-assault": "depiction"}, {}],
    )
    assert [s.name for s in suggest_archive_warnings(ws, taxonomy=tax)] == ["Rape/Non-Con"]
