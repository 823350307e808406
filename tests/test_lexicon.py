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
        ("He beat the man until his knuckles split.", "violence"),
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
        # Found by a review of the demo and of typed examples:
        ("He snorted at her joke and ordered a Coke.", "drug-use"),
        ("Her knee joint ached, so she took two allergy pills.", "drug-use"),
        ("The bloody ferry was late again, bloody typical.", "blood"),
        ("She looked beneath her desk for the charger.", "classism"),
        ("That was a killer workout.", "death"),
        ("It was a minor collision, and they played on in D minor.", "underage"),
        ("The garden had been neglected for years.", "child-abuse"),
        ("Her little brother begged for tickle torture every night.", "torture"),
        ("That mission was suicide, and they all knew it.", "suicide"),
    ],
)
def test_idioms_do_not_count(text: str, warning: str) -> None:
    assert prob(text, warning) < 0.3


@pytest.mark.parametrize(
    "text,warning",
    [
        # A child and a harm in one sentence, in either order.
        ("The teacher saw the welts on the seven-year-old's legs and called the social worker.", "child-abuse"),
        ("When I was eight my uncle locked me in the cellar for two days.", "child-abuse"),
        # A partner and a harm or control in one sentence.
        ("Her husband took her phone and car keys and locked her in.", "abuse"),
        ("He told her she was imagining things until she believed it.", "abuse"),
        # An injury to one's own body.
        ("She dragged the razor along her own thigh and watched the line fill.", "self-harm"),
        # A refusal and a sexual act in one sentence.
        ("She said no twice, and he pulled her skirt up anyway.", "sexual-assault"),
        ("The coroner found that he had died by his own hand.", "suicide"),
        ("He crushed the man's fingers in the door and asked again where the money was.", "torture"),
    ],
)
def test_cues_that_join_two_parts_of_a_sentence(text: str, warning: str) -> None:
    assert prob(text, warning) >= 0.3


@pytest.mark.parametrize(
    "text,warning",
    [
        ("The children laughed. Their father beat the eggs for the pancakes.", "child-abuse"),  # two sentences
        ("She took matters into her own hands and phoned the council.", "self-harm"),
        ("My mother fell and broke her arm, so my husband drove us to the hospital.", "abuse"),
        ("She said no to dessert and sat on the bed reading.", "sexual-assault"),
        ("The carpenter checked every joint of the staircase.", "drug-use"),
        ("The climax of the opera came in the third act.", "sexual-content"),
        ("The demand came out several octaves higher than she liked.", "kidnapping"),  # the sample chapter
        ("The audience was held captive by the last act.", "captivity"),
    ],
)
def test_look_alikes_of_the_joined_cues_do_not_count(text: str, warning: str) -> None:
    assert prob(text, warning) < 0.3


@pytest.mark.parametrize(
    "text,warning",
    [
        ("He snorted two lines off the mirror.", "drug-use"),
        ("They passed a joint around the fire.", "drug-use"),
        ("The bloody knife lay on the tiles.", "blood"),
        ("Marrying a servant's son was beneath her, her mother said.", "classism"),
    ],
)
def test_the_literal_senses_of_those_words_still_count(text: str, warning: str) -> None:
    assert prob(text, warning) >= 0.3


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
        "When I was eight my uncle locked me in the cellar; she said no twice and he pulled her skirt up anyway.",
        "THE LIGHT LEFT HIS EYES. the  light left his eyes; the-light left his eyes; the light\nleft his eyes",
        "İİİ the shelling began; she shelled peas. The baby kicked, the baby's kick; a hood over his head",
        "the little boys' belts, the Little Boy was beaten, his own arm, his owner, her own wrist cut",
        "The first demands came at noon; their demands had arrived. He'd hit her. I'm sorry, I'll be good.",
        "a c-section, the he-she slur, self-harm, self harm; he'll always be a boy, you'll always be a girl",
    ]
    fast = [LEX.hits(t) for t in texts]
    plain = LexiconScorer()
    plain._tiers = [(w, tier, terms, None) for w, tier, terms, _ in plain._tiers]
    assert fast == [plain.hits(t) for t in texts]


@pytest.mark.parametrize(
    "pattern,anchors",
    [
        ("sons?", {"son"}),
        ("(?:(?:little|young) boys?|daughters?)", {"=little>boy", "=young>boy", "dau"}),
        ("(his|her) own", {"=his>own", "=her>own"}),
        ("(ab)+c", {"ab"}),  # a repeated group: "ababc" must still be tried
        ("(?<!fell and )broke", {"bro"}),
        (
            "(?:a |the )?(?:packet|box) of",
            {"=a>pac", "=a>box", "=the>pac", "=the>box", "=packet>of", "=box>of"},
        ),
        ("his own (?:arm|wrist)", {"=his>own"}),  # two words are enough to narrow it
        ("the light (left|faded) (his|her) eyes", {"=the>lig"}),
        (r"the \w+ died", {"=the"}),  # the second word is unknown: "the" alone
        ("blow ?job", {"blo"}),  # the space is optional: "blowjob" must still be tried
        ("the (?:first )?demands?", {"=the>fir", "=the>dem"}),  # an optional next word
        ("the (?:a|)x", {"=the"}),  # a next word that may be empty is unknown
        ("(he|she)'d hit", {"=he", "=she"}),  # words end at an apostrophe...
        ("he-she", {"=he"}),  # ...or a hyphen
        ("(he|she)'?d hit", {"he", "she"}),  # unless it is optional ("hed")
        ("abc|def", {"abc", "def"}),
        (r"\w+-year-old", None),
        ("(?!no)abc", None),
        ("(ab)?", None),
    ],
)
def test_anchors_follow_nested_and_optional_groups(pattern: str, anchors: set[str] | None) -> None:
    from forewarn.score.lexicon import _anchors

    assert _anchors(pattern) == anchors


def test_every_shipped_cue_group_is_anchored() -> None:
    """An unanchored group runs its whole regex on every passage (it doubled scan time once)."""
    assert [(w, tier) for w, tier, _, anchors in LEX._tiers if anchors is None] == []


def test_letters_that_lengthen_when_lowered_do_not_hide_later_cues() -> None:
    """'İ'.lower() is two characters: lowering the whole text once shifted every later offset."""
    assert prob("They met in İstanbul. He stabbed him and blood pooled.", "violence") >= 0.5


@pytest.mark.parametrize(
    "text,warning",
    [
        # Wordings without the warning's name, written for these tests (the cues were
        # developed on data/written/train.jsonl and tune.jsonl, not on these sentences).
        ("She kept his passport and his bank card locked in her desk drawer.", "abuse"),
        ("He was nine when his stepfather first locked him in the cupboard for a whole weekend.", "child-abuse"),
        ("He kept going after she said no, twice.", "sexual-assault"),
        ("She threw up after every meal and weighed herself each morning.", "eating-disorders"),
        ("He pressed the lighter to his own forearm and held it there.", "self-harm"),
        ("They hung him by his wrists from the beam.", "torture"),
    ],
)
def test_unnamed_harm_is_flagged(text: str, warning: str) -> None:
    from forewarn.score.cascade import LEXICON_THRESHOLD

    assert prob(text, warning) >= LEXICON_THRESHOLD
