"""Severity cues for war, dying, animal death, animal cruelty, captivity and dissection
(developed on data/written/severity-dev3.jsonl): an act on the page is depicted, gore
graphic; a mention, a backstory or the same words far from the warning stay mentioned."""

from __future__ import annotations

from pathlib import Path

import pytest

from forewarn.pipeline import Report

WRITTEN = Path(__file__).resolve().parent.parent / "data" / "written"
SIX = {"war", "dying", "animal-death", "animal-cruelty", "captivity", "dissection"}


def _scan(text: str) -> Report:
    from forewarn.pipeline import scan_work
    from forewarn.readers import read_text
    from forewarn.score.cascade import CascadeScorer

    return scan_work(read_text(text), scorer=CascadeScorer())


def _severity(text: str, warning: str) -> str | None:
    return {w.id: w.severity for w in _scan(text).warnings}.get(warning)


@pytest.mark.parametrize(
    ("warning", "scene", "expected"),
    [
        (
            "war",
            "The soldiers ran for the wall as the shells came down on the village, and the sergeant returned fire.",
            "depicted",
        ),
        (
            "war",
            "A mortar landed among the soldiers in the trench and tore one man's legs off, leaving two red stumps.",
            "graphic",
        ),
        (
            "dying",
            "Ana sat by the hospice bed all night. Near dawn her father's breathing slowed, then stopped.",
            "depicted",
        ),
        (
            "dying",
            "Shot through the lung, the dying man coughed up blood and choked on it, pink froth on his lips.",
            "graphic",
        ),
        (
            "animal-death",
            "The vet gave the old dog the second injection, and Moss went limp in Kira's arms.",
            "depicted",
        ),
        (
            "animal-death",
            "The slaughterman cut the pig's throat and the blood gushed out while it was still kicking.",
            "graphic",
        ),
        (
            "animal-cruelty",
            "The farmer beat the dog with a stick, and it yelped and crawled under the cart, and he kicked it again.",
            "depicted",
        ),
        (
            "animal-cruelty",
            "The boys tortured the cat in the yard: they set it alight, and its fur burned and its skin blistered.",
            "graphic",
        ),
        (
            "captivity",
            "The prisoner pulled at his chains until his wrists bled, then tried the cell door again.",
            "depicted",
        ),
        ("captivity", "In the dungeon her shackles rubbed her ankles raw, and the sores wept pus.", "graphic"),
        (
            "dissection",
            "The pathologist began the autopsy. She made the first incision from shoulder to sternum "
            "and weighed each organ.",
            "depicted",
        ),
        (
            "dissection",
            "At the autopsy the bone saw shrieked through the skull and bone dust hung in the air.",
            "graphic",
        ),
    ],
)
def test_an_act_on_the_page_is_depicted_and_gore_graphic(warning: str, scene: str, expected: str) -> None:
    # Regression: these six warnings had no severity cues, so a battle, a death in front of
    # us, a beaten dog or an autopsy narrated step by step read as "mentioned".
    assert _severity(scene, warning) == expected


@pytest.mark.parametrize(
    ("warning", "text"),
    [
        ("war", "Her great-uncle served in the war as a cook and talked about nothing but the soup."),
        ("dying", "His mother was dying, he told them, so he would miss the match on Saturday."),
        ("animal-death", "Our dog died last year, and we still keep his lead on the hook by the door."),
        ("animal-cruelty", "The shelter said the dog had been abused by its last owner and was nervous of brooms."),
        ("captivity", "Her grandfather was held hostage for a week in 1979 and never spoke about it."),
        ("dissection", "Her autopsy is scheduled for Monday, the coroner's office said."),
    ],
)
def test_a_mention_or_backstory_stays_mentioned(warning: str, text: str) -> None:
    assert _severity(text, warning) == "mentioned"


@pytest.mark.parametrize(
    ("warning", "text"),
    [
        (
            "war",
            "Her grandfather fought in the war. The rest of the summer was quiet. They painted the house. "
            "Then a storm came, and they took cover in the barn as the hail came down.",
        ),
        (
            "captivity",
            "Her grandfather was held hostage for a week in 1979. The rest of the summer was quiet. They painted "
            "the house. At the hotel that night she tried the door of the bathroom, but it was stuck.",
        ),
        (
            "animal-death",
            "The old dog was put to sleep last spring. The rest of the year was quiet. At the match on Saturday "
            "the striker went down in the box and lay still.",
        ),
        (
            "dissection",
            "Years ago her aunt had surgery on her knee. The rest of the summer was quiet. In the evenings she "
            "was glistening with sweat after her runs.",
        ),
    ],
)
def test_the_same_words_far_from_the_warnings_cues_raise_nothing(warning: str, text: str) -> None:
    # The new tables are anchored: taking cover from hail, a stuck hotel door, a footballer
    # lying still or sweat glistening belong to another scene.
    assert _severity(text, warning) == "mentioned"


def test_the_new_warnings_join_the_gore_group_anchored_to_their_own_cues() -> None:
    far = _scan(
        "Our cat died last spring, and we buried her under the apple tree. The rest of the year went by. "
        "In October Dad cut his hand on the mower and the blood poured down his arm onto the grass, "
        "flesh split open to the bone."
    )
    assert {w.id: w.severity for w in far.warnings}.get("animal-death") == "mentioned"
    shot = "The hunters shot the stag and it fell dead in the bracken"
    assert _severity(shot + ".", "animal-death") == "depicted"
    assert _severity(shot + ", entrails spilling onto the moss.", "animal-death") == "graphic"  # a gore cue
