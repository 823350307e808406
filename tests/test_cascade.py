"""How the cascade combines the lexicon with gated, ungated and lexicon-only heads."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FakeModel

from forewarn.score.cascade import CascadeScorer, combine

CALM = "She watered the tomatoes and listened to the radio."
IMPLIED = "zorp zorp zorp. He counted the coins twice before bed."  # no lexicon cue for abuse; head says 0.9
WEAK = "zorp. He checked the weather every morning."  # head says 0.3
CUED = "He was abusive, everyone knew it."  # lexicon cue for abuse; head says 0


def _col(scorer: CascadeScorer, label: str) -> int:
    return scorer.labels_.index(label)


def test_gated_head_judges_only_passages_with_a_cue() -> None:
    scorer = CascadeScorer(model=FakeModel({"abuse": "zorp"}))
    result = scorer.score([CALM, IMPLIED])
    assert result.encoded == 0  # no cue for a modelled warning: the encoder never runs
    assert result.probs[1, _col(scorer, "abuse")] < result.thresholds["abuse"]
    cued = scorer.score([CUED])
    assert cued.encoded == 1
    assert cued.probs[0, _col(scorer, "abuse")] == 0.0  # a mention-tier cue: the head's word replaces it


def test_ungated_head_adds_above_its_strict_threshold_and_never_vetoes() -> None:
    scorer = CascadeScorer(model=FakeModel({"abuse": "zorp"}, ungated={"abuse": 0.5}), mode="thorough")
    result = scorer.score([CALM, IMPLIED, WEAK, CUED])
    col = _col(scorer, "abuse")
    thr = result.thresholds["abuse"]
    assert result.encoded == 4  # an ungated head must see every passage
    assert thr == scorer.lexicon_threshold
    assert result.probs[1, col] >= thr  # implied, no cue: found by the head
    # ... but shown as unsure as one plain mention (the head says 0.9): on AO3 prose few such flags hold
    assert result.probs[1, col] == pytest.approx(0.35)
    assert result.probs[2, col] < thr  # head at 0.3 is below its strict 0.5: nothing added
    assert result.probs[3, col] >= thr  # the lexicon's cue stands although the head says 0
    assert result.probs[0, col] < thr


def test_lexicon_only_labels_ignore_their_head() -> None:
    scorer = CascadeScorer(model=FakeModel({"abuse": "zorp"}, lexicon_only={"abuse"}))
    lexicon = CascadeScorer(model=None)
    texts = [CALM, IMPLIED, CUED]
    result, alone = scorer.score(texts), lexicon.score(texts)
    col = _col(scorer, "abuse")
    assert (result.probs[:, col] == alone.probs[:, col]).all()
    assert result.thresholds["abuse"] == alone.thresholds["abuse"]


def test_default_cascade_leaves_ungated_heads_to_the_lexicon() -> None:
    model = FakeModel({"abuse": "zorp"}, ungated={"abuse": 0.5})
    default = CascadeScorer(model=model).score([CALM, IMPLIED, CUED])
    thorough = CascadeScorer(model=model, mode="thorough").score([CALM, IMPLIED, CUED])
    col = default.labels.index("abuse")
    assert thorough.probs[1, col] >= thorough.thresholds["abuse"] > default.probs[1, col]
    assert default.probs[2, col] >= default.thresholds["abuse"]  # the cue still counts
    assert default.encoded == 0 < thorough.encoded


def test_default_scan_of_a_plain_romance_flags_nothing() -> None:
    """Kisses, a shared sofa, moving in: no abuse, no sexual content (the written-data heads would say both)."""
    from pathlib import Path

    from forewarn.pipeline import scan

    report = scan(Path(__file__).resolve().parent.parent / "examples" / "canal-bridge.txt")
    assert [w.id for w in report.warnings] == []


def test_cli_offers_every_mode() -> None:
    from forewarn.cli import SCORERS
    from forewarn.score.cascade import MODES

    assert tuple(SCORERS) == MODES


def test_topic_words_route_to_the_head_but_are_never_evidence() -> None:
    text = "The hostages waited in the cellar."  # an abduction topic word, no abduction cue
    lexicon = CascadeScorer(model=None)
    probs, cues = lexicon.lexicon_view([text])
    assert cues[0].get("abduction") == "topic"
    assert probs[0, _col(lexicon, "abduction")] < lexicon.lexicon_threshold  # alone it flags nothing
    scored = CascadeScorer(model=FakeModel({"abduction": "hostages"}, threshold=0.2)).score([text, CALM])
    assert scored.encoded == 1  # the topic word sent it to the head, the calm passage was not encoded
    assert scored.probs[0, _col(lexicon, "abduction")] >= scored.thresholds["abduction"]


def test_combine_keeps_the_lexicon_outside_the_gate_and_strong_cues_inside() -> None:
    head = np.array([0.9, 0.1, 0.1, 0.1])
    lexicon = np.array([0.02, 0.5, 0.8, 0.34])
    out = combine(head, lexicon, [None, "topic", "depiction", "mention"])
    assert out.tolist() == pytest.approx([0.02, 0.1, 0.8, 0.1])


@pytest.mark.parametrize("mode", ["cascade", "thorough", "encoder-everywhere"])
def test_only_scores_exactly_as_a_full_scan_and_encodes_only_for_the_wanted_heads(sample_path, mode) -> None:  # type: ignore[no-untyped-def]
    """--only made no scan faster (every head ran); the wanted warnings must not change."""
    from forewarn.pipeline import scan_work, scoring_texts
    from forewarn.readers import read
    from forewarn.score.cascade import default_scorer
    from forewarn.split import split_work

    scorer = default_scorer(mode)
    work = read(sample_path)
    full = scan_work(work, scorer=scorer)
    texts = scoring_texts(work, split_work(work))
    for only in (["captivity"], ["violence"], ["violence", "self-harm", "sexual-assault"]):
        part = scan_work(work, scorer=scorer, only=only)
        assert [(w.id, w.confidence, w.passages) for w in part.warnings] == [
            (w.id, w.confidence, w.passages) for w in full.warnings if w.id in only
        ]
    # A warning whose head the bundle never uses (left to the lexicon) encodes nothing.
    assert scorer.model is not None and scorer.model.lexicon_only_
    lexicon_only = scorer.score(texts, labels=[min(scorer.model.lexicon_only_)])
    assert lexicon_only.encoded == 0 and scorer.score(texts).encoded > 0


def test_a_warning_only_the_written_heads_found_stays_unsure_and_sets_no_ao3_label() -> None:
    """Three head-only passages combined to confidence 0.51 ("NO", not "no?"), and one such
    flag suggested Rape/Non-Con for a 100,000-word text while the default said No Archive
    Warnings Apply."""
    import forewarn

    scorer = CascadeScorer(
        model=FakeModel({"sexual-assault": "zorp"}, ungated={"sexual-assault": 0.5}), mode="thorough"
    )
    text = "\n\n".join(["zorp zorp zorp zorp. They walked to the station in the rain."] * 3)
    report = forewarn.scan(text, scorer=scorer)
    (sa,) = [w for w in report.warnings if w.id == "sexual-assault"]
    assert sa.passage_count >= 1 and sa.confidence <= 0.35
    assert [a.name for a in report.archive_warnings] == ["No Archive Warnings Apply"]
    assert report.rating.name == "General Audiences"
    named = forewarn.scan("He raped her. " + text, scorer=scorer)  # a lexicon cue: the lexicon's own finding
    assert "Rape/Non-Con" in [a.name for a in named.archive_warnings]


def test_one_str_where_a_list_of_passages_belongs_is_refused() -> None:
    """Regression: score("He stabbed him") iterated the str and scored one passage per
    character (14 rows, no error); every scorer now says to pass [text]."""
    from forewarn.score.lexicon import LexiconScorer
    from forewarn.score.model import load_model

    model = load_model()
    for call in (
        CascadeScorer().score,
        CascadeScorer().predict_proba,
        LexiconScorer().predict_proba,
        model.predict_proba,
        model.encoder.encode,
    ):
        with pytest.raises(ValueError, match=r"texts must be a list of passages, also for one: \[text\], not a str"):
            call("He stabbed him")  # type: ignore[arg-type]
    assert CascadeScorer().score(["He stabbed him"]).probs.shape == (1, len(CascadeScorer().labels_))
