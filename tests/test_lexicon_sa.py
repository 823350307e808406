"""Sexual-assault cues added from the train3 passages: each flags its sentence, and a look-alike does not."""

from __future__ import annotations

import pytest

from forewarn.score.lexicon import LexiconScorer

LEX = LexiconScorer()
WARNING = "sexual-assault"


def prob(text: str) -> float:
    return float(LEX.predict_proba([text])[0, LEX.labels_.index(WARNING)])


@pytest.mark.parametrize(
    "flagged,look_alike",
    [
        (
            "Her aunt was sexually attacked outside the station in 2009.",
            "Her aunt was attacked by a swan outside the station in 2009.",
        ),
        (
            "The inquiry found the scoutmaster had interfered with several boys on camping trips.",
            "The inquiry found the council had interfered with the planning process.",
        ),
        (
            "The lawyer said her client had sex with him while he was unconscious on the sofa.",
            "The lawyer said her client sat with him while he was unconscious in the ward.",
        ),
        (
            "He put his hands on her while she was asleep in the bunk below.",
            "He put his hands on her shoulders while she was asleep and tucked the blanket in.",
        ),
        (
            "He shoved into her from behind, and she felt something tear as she struggled.",
            "He shoved into the crowded carriage and felt his sleeve tear on the door.",
        ),
        (
            "In the cell the guards forced a baton into him and laughed.",
            "In the yard the sergeant forced a baton into his hand and told him to hold the line.",
        ),
        (
            "She lay still and counted the ceiling tiles until he was finished.",
            "She lay still in the dentist's chair until he was finished with the filling.",
        ),
        (
            "His hand slid up her skirt under the table while she froze.",
            "Her hand slid under her skirt to smooth the lining while she sat down.",
        ),
        (
            "She told him no, but he laughed and pinned her wrists to the seat.",
            "She told him no, and he laughed and ordered another pizza.",
        ),
        (
            "The casting couch was an open secret at the studio.",
            "The casting call was an open secret at the studio.",
        ),
        (
            "The steward had defiled two of the kitchen maids, and the household knew it.",
            "The steward had polished two of the kitchen floors, and the household knew it.",
        ),
        (
            "The court heard he was a sex offender who had targeted women on night buses.",
            "The court heard he was a sex therapist who had treated couples on weekends.",
        ),
    ],
)
def test_new_cue_flags_and_its_look_alike_does_not(flagged: str, look_alike: str) -> None:
    assert prob(flagged) >= 0.3
    assert prob(look_alike) < 0.3


@pytest.mark.parametrize(
    "text",
    [
        "She groped for the light switch in the dark hallway.",
        "The cottage was sold without her consent while she was working abroad.",
        "A blizzard forced him to turn back below the pass.",
        "The Rape of Proserpina is the marble group the tourists queue for.",
        "The midfielder took advantage of him being off balance and slotted the ball home.",
        "The Sexual Offences Act was amended again that spring.",
    ],
)
def test_everyday_look_alikes_of_old_cues_do_not_count(text: str) -> None:
    assert prob(text) < 0.3


def test_censored_spelling_counts() -> None:
    assert prob("The summary warns that the villain is accused of r*pe in chapter two.") >= 0.3


def test_groping_a_person_still_counts() -> None:
    assert prob("A stranger groped her on the crowded tram.") >= 0.3
