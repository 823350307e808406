"""The lexicon scorer: cues, idioms, negation, offsets and speed-independent behaviour."""

from __future__ import annotations

import numpy as np
import pytest

from forewarn.score.lexicon import LexiconScorer

LEX = LexiconScorer()


def prob(text: str, warning: str) -> float:
    return float(LEX.predict_proba([text])[0, LEX.labels_.index(warning)])


@pytest.mark.parametrize(
    "text,warning",
    [
        ("He stabbed the guard twice and kicked him down the stairs.", "violence"),
        ("Blood pooled beneath her, soaking into the rug.", "blood"),
        ("She pressed the blade to her wrist again, the old scars white under the new.", "self-harm"),
        ("He tied a noose from the bedsheet and wrote a note to his sister.", "suicide"),
        ("They chained him to the wall of the cell and left him in the dark.", "captivity"),
        ("The shelling began at dawn, and soldiers fell around him in the trench.", "war"),
        ("What the fuck is wrong with you, you shit?", "strong-language"),
    ],
)
def test_clear_cues_score_high(text: str, warning: str) -> None:
    assert prob(text, warning) >= 0.5


@pytest.mark.parametrize(
    "text,warning",
    [
        ("She killed the engine and sat there killing time.", "death"),
        ("She killed the engine and sat there killing time.", "violence"),
        ("That was bloody brilliant, and a blood orange to finish.", "blood"),
        ("I'm dying to know what happened at the party.", "death"),
        ("He shot her a glance across the table.", "violence"),
        ("Her phone was dead again, so she borrowed his.", "death"),
        ("His cell phone buzzed on the desk.", "captivity"),
    ],
)
def test_idioms_do_not_count(text: str, warning: str) -> None:
    assert prob(text, warning) < 0.3


def test_negation_weakens_but_keeps_a_mention() -> None:
    hits = [h for h in LEX.hits("He did not kill anyone that night.") if h.warning == "death"]
    assert hits and all(h.negated for h in hits)
    assert prob("He did not kill anyone that night.", "death") < prob("He killed him that night.", "death")


def test_hit_offsets_slice_the_term() -> None:
    text = "At dawn the soldiers marched. Later, blood dripped from the table."
    for h in LEX.hits(text):
        assert text[h.start : h.end].lower() == h.term.lower()


def test_overlapping_cues_count_once_at_the_strongest_tier() -> None:
    hits = [h for h in LEX.hits("He was covered in blood.") if h.warning == "blood"]
    assert len(hits) == 1 and hits[0].tier == "depiction"


def test_shape_and_range() -> None:
    out = LEX.predict_proba(["", "a calm afternoon by the river", "he stabbed him"])
    assert out.shape == (3, len(LEX.labels_)) and np.all((out >= 0) & (out <= 1))
    assert out[1].max() < 0.1


def test_case_insensitive() -> None:
    assert prob("HE STABBED HIM", "violence") == pytest.approx(prob("he stabbed him", "violence"))


def test_anchored_matching_finds_exactly_what_a_full_scan_finds() -> None:
    """The word-start index is an optimisation only: same hits as scanning every pattern."""
    texts = [
        "No homo, he said, and took a drink. She was in heat, the dog, not the girl.",
        "He stabbed him; blood pooled. Self-harm scars. A bloody brilliant n1gger-free day? SELF HARM.",
        "they dragged her into the van and drove her away; she woke up in a strange dark room",
        "",
        "a a a drink drinks drunk; the soldiers fell around him as the shelling began at 1200",
    ]
    fast = [LEX.hits(t) for t in texts]
    plain = LexiconScorer()
    plain._tiers = [(w, tier, p, None) for w, tier, p, _ in plain._tiers]
    assert fast == [plain.hits(t) for t in texts]
