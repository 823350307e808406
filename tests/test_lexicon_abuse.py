"""Cues for abuse and child-abuse added from data/written/train3-abuse.jsonl.

Each pair is written for these tests (not taken from the data files): the first sentence
must flag the warning, the second reuses its words without the harm and must not.
"""

from __future__ import annotations

import pytest

from forewarn.score.cascade import LEXICON_THRESHOLD
from forewarn.score.lexicon import LexiconScorer

LEX = LexiconScorer()


def prob(text: str, warning: str) -> float:
    return float(LEX.predict_proba([text])[0, LEX.labels_.index(warning)])


PAIRS = [
    # a partner named, then a harm further on in the passage
    (
        "abuse",
        "Her fiancé was charming at parties. At home he cracked her ribs the week before the wedding.",
        "Her fiancé was charming at parties, and he cracked jokes all through the wedding speech.",
    ),
    (
        "abuse",
        "My ex used to read all my messages while I slept and then quote them back at me.",
        "My ex used to read all my essays before I handed them in and then quote them back at me.",
    ),
    # the harm first, the partner after it
    (
        "abuse",
        "He took the belt to his wife whenever the harvest failed.",
        "He took the belt to the tailor whenever his trousers needed taking in.",
    ),
    ("abuse", "Everyone on the estate knew he knocked her about.", "Everyone on the estate knew he knocked about."),
    (
        "abuse",
        "She came home late, and she knew from his silence what was coming.",
        "She came home late, and she knew from the forecast that rain was coming.",
    ),
    (
        "abuse",
        "He slammed her face into the steering wheel before she could open the door.",
        "He slammed the door of the car before she could open the window.",
    ),
    (
        "abuse",
        "The chair went over when he kicked the chair out from under her.",
        "The chair went over when the cat jumped off it.",
    ),
    (
        "abuse",
        "Her sister helped her find a women's refuge on the other side of the city.",
        "Her sister helped her find a flat on the other side of the city.",
    ),
    # child-abuse: a child's age, then a harm in the next sentence
    (
        "child-abuse",
        "Pim was eight. His uncle heated the poker in the grate and laid it on his arm.",
        "Pim was eight. His uncle poked the fire with the poker and told him a story.",
    ),
    (
        "child-abuse",
        "The foreman rapped the ten-year-old's knuckles with a steel rule for every mistake.",
        "The foreman showed the ten-year-old's mother round the workshop.",
    ),
    (
        "child-abuse",
        "The warden abused dozens of boys at the reform school over twenty years.",
        "The warden coached dozens of boys at the reform school over twenty years.",
    ),
    (
        "child-abuse",
        "Their mother used to leave them alone in the flat for whole weekends.",
        "Their mother used to leave them with their grandparents for whole weekends.",
    ),
    (
        "child-abuse",
        "Shut up, or I'll give you something to cry about, she told the toddler.",
        "Cheer up, or I'll give you something to laugh about, she told the toddler.",
    ),
    (
        "child-abuse",
        "He kept coming to school hungry, in the same clothes, with a burn on his wrist.",
        "He kept coming to school early, in his best clothes, with a book under his arm.",
    ),
    (
        "child-abuse",
        "Her dad would take the belt to her for spilling milk.",
        "Her dad would take the car to the garage for a service.",
    ),
    (
        "child-abuse",
        "The minor, aged 7, was locked in the cellar by his guardian for two days.",
        "The minor, aged 7, was taken to the cinema by his guardian for a treat.",
    ),
    (
        "abuse",
        "The baron shook his wife by the shoulders until she sobbed.",
        "The baron shook his wife's hand and wished her a safe journey.",
    ),
]


@pytest.mark.parametrize("warning,flagged,lookalike", PAIRS)
def test_new_cue_flags_and_its_lookalike_does_not(warning: str, flagged: str, lookalike: str) -> None:
    assert prob(flagged, warning) >= LEXICON_THRESHOLD
    assert prob(lookalike, warning) < LEXICON_THRESHOLD


@pytest.mark.parametrize(
    "text",
    [
        "The whole stand gave the striker a torrent of abuse after the miss.",
        "The sanctuary took in donkeys rescued from the abuse of animals in tourist resorts.",
        "The lighthouse was battered by the storm for three nights running.",
        "She threatened to leave the choir if they sang that hymn again.",
        "He checked his phone for the train times and swore at the delay.",
    ],
)
def test_idioms_and_lookalikes_do_not_flag_abuse(text: str) -> None:
    assert prob(text, "abuse") < LEXICON_THRESHOLD
