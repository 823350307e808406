"""Self-harm and suicide cues added from data/written/train3-selfharm.jsonl: wordings without
the warnings' names, each with a look-alike that must not count (sentences written for these tests)."""

from __future__ import annotations

import pytest

from forewarn.score.cascade import LEXICON_THRESHOLD
from forewarn.score.lexicon import LexiconScorer

LEX = LexiconScorer()


def prob(text: str, warning: str) -> float:
    return float(LEX.predict_proba([text])[0, LEX.labels_.index(warning)])


@pytest.mark.parametrize(
    "warning,look_alike,literal",
    [
        (
            "self-harm",
            "He slapped himself on the forehead when he remembered the keys.",
            "He slapped himself across the face until his cheek went numb.",
        ),
        (
            "self-harm",
            "She drew the pencil across the page and shaded the hills.",
            "She drew the compass point across the inside of her wrist, slowly.",
        ),
        (
            "self-harm",
            "He held the lighter under the candle wick until it caught.",
            "He held the lighter under his wrist and clenched his jaw.",
        ),
        (
            "self-harm",
            "Her grandmother raked her fingers through the flower bed.",
            "Her nails raked down her own forearms in long red lines.",
        ),
        (
            "self-harm",
            "She pressed the iron to the collar of his shirt.",
            "She pressed the hot iron to herself and did not make a sound.",
        ),
        (
            "self-harm",
            "He put his cigarette out on the wall of the pub.",
            "He used to put cigarettes out on his own stomach at fourteen.",
        ),
        (
            "self-harm",
            "The locksmith broke the lock apart with a crowbar.",
            "She found the pencil sharpener in the bin, prised apart, its blade gone.",
        ),
        (
            "self-harm",
            "Forty days without a new message from her publisher.",
            "Forty days without a new mark, and the old ones were pale.",
        ),
        (
            "self-harm",
            "The first cut of the film ran four hours.",
            "The first cut stung, then went quiet, and she kept going.",
        ),
        (
            "self-harm",
            "He hurt himself on the trampoline and sprained his ankle.",
            "He hurt himself on purpose, and hid it under his sleeves.",
        ),
        (
            "self-harm",
            "Dad hid the birthday presents in the loft.",
            "Dad hid the kitchen knives every night since March.",
        ),
        (
            "self-harm",
            "She went deeper into the forest than she'd ever gone before.",
            "She cut deeper than she'd ever gone, and the towel went red.",
        ),
        (
            "suicide",
            "If they play that song again I'll throw myself off the balcony, she groaned.",
            "He threw himself from the top floor of the car park.",
        ),
        (
            "suicide",
            "He threw himself into the work after the divorce.",
            "He threw himself in front of the night train.",
        ),
        (
            "suicide",
            "She filled her pockets with pebbles and skimmed them across the lake.",
            "She filled her coat pockets with stones and walked down into the river.",
        ),
        (
            "suicide",
            "Leaning on the railing, he let himself enjoy the view for a minute.",
            "On the railing of the bridge he leaned out and let himself fall.",
        ),
        (
            "suicide",
            "The chess coach called the rook sacrifice a suicidal gamble.",
            "The ward took the cord out of her dressing gown on the first night.",
        ),
        (
            "suicide",
            "She saved one chocolate from each night's advent calendar.",
            "She saved one sleeping tablet from each night's dose for weeks.",
        ),
        (
            "suicide",
            "The kids walked on the tracks of the old disused mine railway.",
            "He lay down on the tracks and waited for the headlights of the train.",
        ),
        (
            "suicide",
            "The ward had a new manager and a new rota for the night shift.",
            "The ward had been refitted with anti-ligature door handles.",
        ),
        (
            "suicide",
            "She went out the airlock in her suit to fix the antenna.",
            "He went out through the airlock. No suit.",
        ),
        (
            "suicide",
            "She took all of the biscuits to the staff room.",
            "She swallowed all of her mother's sleeping tablets.",
        ),
        ("suicide", "He wanted to take his own car to the wedding.", "She was afraid he would take his own life."),
    ],
)
def test_new_selfharm_and_suicide_cues_and_their_look_alikes(warning: str, look_alike: str, literal: str) -> None:
    assert prob(look_alike, warning) < LEXICON_THRESHOLD <= prob(literal, warning)
