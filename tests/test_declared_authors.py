"""An author's review: headers as authors put them atop a chapter or story on AO3,
FanFiction.Net, Wattpad, Tumblr or a personal site, each read end to end (the reader finds
the lines, ``declared`` maps them), and story openings that only look like headers.

Each header tops a calm story; what it declares is compared as a set of warning ids, with the
rating as the reader keeps it. Cases whose reading is a matter of taste stay out, since a
parser fitted to them would misread the next author:

- one sentence after a colon that could be either ("Warning: thin ice, read the sign at the
  edge of the lake, and Mara stepped past it anyway.", "TW: two letters scratched into the
  desk, and beneath them a date from 1987.", "Heads up: the dragon was awake, and it was
  hungry."): read as declarations of unmapped items;
- a bare "⚠️ content warnings ⚠️" or "**Warnings**" without a colon over a list: a title
  alone looks the same, so neither declares;
- Tumblr hashtags ("#tw self harm #tw suicide") and rarer marks ("cw ~ blood"): not read;
- "Rating: four stars, Mara decided, ..." or "Rated M, the letter read, ..." opening a story:
  read as a rating, as "Rating:" and "Rated M" lines are;
- "Warnings: none (except for some language)": none, or language?
"""

from __future__ import annotations

import pytest

from forewarn.declared import declared_from_metadata
from forewarn.readers import read_text
from forewarn.taxonomy import load_taxonomy

TAX = load_taxonomy()
CALM = (
    "Mara walked to the harbour in the early morning. The gulls were loud, and the boats rocked "
    "gently against the pier while the fishermen sorted their nets and argued about the weather.\n\n"
    "She bought bread from the baker and sat on the sea wall to eat it, watching the tide come in "
    "over the flat grey sand. Nothing much happened that day, and she was glad of it.\n"
)

V, B, D = "violence", "blood", "death"
SH, SU, SA, LANG, DRUG = "self-harm", "suicide", "sexual-assault", "strong-language", "drug-use"

HEADERS: list[tuple[str, set[str], str | None]] = [
    # AO3, copied from a work page or written out by hand
    ("Rating: Mature\nArchive Warning: Graphic Depictions Of Violence, Major Character Death\nFandom: Original Work",
     {V, D}, "Mature"),
    ("Rating: Teen And Up Audiences\nArchive Warning: No Archive Warnings Apply", set(), "Teen And Up Audiences"),
    ("Archive Warning: Creator Chose Not To Use Archive Warnings\n"
     "Additional Tags: Blood and Injury, Hurt/Comfort, Whump", {B}, None),
    ("Rating: Explicit\nArchive Warnings: Rape/Non-Con, Underage\nTags: Dead Dove: Do Not Eat, Non-Consensual Drug Use",
     {SA, "underage", DRUG}, "Explicit"),
    ("Tags: angst, hurt/comfort, major character death, blood", {D, B}, None),
    ("Warnings - Major Character Death (temporary), Graphic Depictions of Violence", {D, V}, None),
    ("Warnings: Major Character Death (Not Permanent)", {D}, None),
    ("TW - Implied/Referenced Suicide", {SU}, None),
    ("Warnings: Choose Not To Use Archive Warnings", set(), None),
    ("Chapter 4 warnings: graphic torture, blood (see end notes for details)", {"torture", B}, None),
    ("Warnings for this chapter: Vomiting, Alcohol Abuse", {DRUG}, None),
    ("Warnings: implied/referenced child abuse, past domestic violence", {"child-abuse", "abuse", V}, None),
    ("Warnings: Dubcon, Alcohol, Mild Violence", {SA, DRUG, V}, None),
    ("A/N: warnings are in the tags, please mind them!", set(), None),
    ("Warnings: see end notes (spoilers)", set(), None),
    ("Spoiler-y warnings in the end notes!", set(), None),
    ("Warnings are in the end notes because they're spoilery!", set(), None),
    # FanFiction.Net
    ("Rated T for language and some violence.", {LANG, V}, "T for language and some violence"),
    ("Rated M for a reason, folks.", set(), "M for a reason, folks"),
    ("Rated: K+", set(), "K+"),
    ("Rated T+ for language\nWarnings: none", {LANG}, "T+ for language"),
    ("Rated PG-13 for mild language", {LANG}, "PG-13 for mild language"),
    ("Disclaimer: I don't own Naruto.\nRated M for violence and language.\nWarning: character death.",
     {D, V, LANG}, "M for violence and language"),
    ("Warning: slash. Don't like, don't read!", set(), None),
    ("Rated E", set(), "E"),
    # Tumblr
    ("pairing: bucky x reader\nwarnings: angst, cursing, mentions of blood\nword count: 2.4k", {LANG, B}, None),
    ("Rating: M | Warnings: violence, gore", {V, B}, "M"),
    ("warnings: smut (18+ only, minors dni), unprotected sex, oral", {"sexual-content"}, None),
    ("TW for self harm", {SH}, None),
    ("CW // panic attacks, alcohol", {"mental-illness", DRUG}, None),
    ("warnings // blood, needles, medical procedures", {B, "dissection"}, None),
    ("tw: ed, restrictive eating, body dysmorphia", {"eating-disorders", "body-hatred"}, None),
    ("TW/CW: homophobic slurs + internalized homophobia", {"homophobia"}, None),
    ("TW: s/h, su*cide mention, ed", {SH, SU, "eating-disorders"}, None),
    ("TWs: ptsd, flashbacks, night terrors", {"mental-illness"}, None),
    # Wattpad
    ("\u26a0\ufe0f TRIGGER WARNING \u26a0\ufe0f: abusive parents, child neglect", {"child-abuse"}, None),
    ("~ trigger warning: this chapter contains suicide attempt and self harm ~", {SU, SH}, None),
    ("\u2757\ufe0fTW\u2757\ufe0f self-harm, depression", {SH, "mental-illness"}, None),
    ("TW \u27a1\ufe0f blood, knives", {B}, None),
    ("CW: \U0001f52a violence \U0001fa78 blood \U0001f480 death", {V, B, D}, None),
    ("WARNING: This fic deals with self-harm and suicidal ideation. Please take care of yourselves.", {SH, SU}, None),
    ("Fandom: Haikyuu!!\nRating: G\nWarnings: none! it's all fluff", set(), "G"),
    # personal sites and anywhere
    ("Content notes: canon-typical violence; brief mention of miscarriage", {V, "miscarriage"}, None),
    ("Content Notes: Ableism, Racism (period-typical)", {"ableism", "racism"}, None),
    ("Content note: this story discusses miscarriage and infertility.", {"miscarriage"}, None),
    ("Content warning for drug use and overdose.", {DRUG}, None),
    ("CN: death of a parent, grief", {D}, None),
    ("Warnings (for the whole fic): kidnapping, captivity, starvation", {"kidnapping", "captivity"}, None),
    ("Notes: ch. 3 warnings - mentions of miscarriage, pregnancy loss", {"miscarriage"}, None),
    ("Ch. 2 Warnings: Panic Attack", {"mental-illness"}, None),
    ("Rating: M (violence, language)\nWarnings: Graphic depictions of violence", {V, LANG}, "M (violence, language)"),
    ("Rating: Mature for sexual content and violence", {"sexual-content", V}, "Mature for sexual content and violence"),
    ("Rated T (language)\nNo archive warnings apply", {LANG}, "T (language)"),
    ("Rating - M", set(), "M"),
    ("RATING: EXPLICIT", set(), "EXPLICIT"),
    ("Rating: NC-17", set(), "NC-17"),
    ("**Warnings:** *Graphic violence, torture, character death*", {V, "torture", D}, None),
    ("Rating: T\nWarnings: mentions of self harm (nothing graphic)", {SH}, "T"),
    ("Warnings:\n\u2022 violence\n\u2022 kidnapping\n\u2022 brief torture", {V, "kidnapping", "torture"}, None),
    ("TRIGGER WARNINGS: Rape/Non-con (implied), Underage", {SA, "underage"}, None),
    ("Chapter warnings: anxiety attack, hospital, needles", {"mental-illness"}, None),
    ("Heads up: there's some blood and a LOT of swearing", {B, LANG}, None),
    ("A/N: Hi guys!! Sorry for the long wait. TW: drinking, mentions of past abuse.", {DRUG, "abuse"}, None),
    ("[TW: sexual assault, PTSD]", {SA, "mental-illness"}, None),
    ("(cw: animal death)", {"animal-death"}, None),
    ("CW: suicide (off-page, discussed in aftermath)", {SU}, None),
    ("CW: eating disorder (mentioned), body image issues", {"eating-disorders", "body-hatred"}, None),
    ("Warnings: Violence, Blood, Death \u2014 you know, the usual", {V, B, D}, None),
    ("Warnings: gore, cannibalism (it's a horror au)", {B}, None),
    ("Warnings: mild language, alcohol consumption, one (1) punch", {LANG, DRUG}, None),
    ("Warnings: MCD, but there's a happy ending I promise", {D}, None),
    ("Warning(s): torture, body horror", {"torture", B}, None),
    ("CWs - war, combat, genocide mentions", {"war"}, None),
    ("Triggers: homophobia; transphobia; misgendering", {"homophobia", "transphobia"}, None),
    ("Warning: contains smut", {"sexual-content"}, None),
    ("Warning: minor character death, mentions of war, alcohol use", {D, "war", DRUG}, None),
    ("Warnings: none apply, just fluff!", set(), None),
    ("Warnings: no warnings apply", set(), None),
    ("Warnings: none (tooth-rotting fluff)", set(), None),
    ("Warnings: NONE. zero. zilch. pure fluff", set(), None),
    ("TW: None, except a lot of pining", set(), None),
    ("No warnings for this one! Just soft boys being soft.", set(), None),
    ("warnings: none!! just two idiots in love \U0001f970", set(), None),
    ("Warnings: Read the tags!!", set(), None),
    # more of each
    ("Trigger Warning: mentions of su!cide", {SU}, None),
    ("WARNINGS!!: gore, body horror", {B}, None),
    ("Warning!: self harm", {SH}, None),
    ("This story is rated M for violence.", {V}, "M for violence"),
    ("Story rated M for language.", {LANG}, "M for language"),
    ("Rated: T (for swearing + some gore)", {LANG, B}, "T (for swearing + some gore)"),
    ("Rating: 16+", set(), "16+"),
    ("tw: sh (self harm), ed (eating disorder)", {SH, "eating-disorders"}, None),
    ("CW: r*pe mention", {SA}, None),
    ("Tw // Sh, Ed", {SH, "eating-disorders"}, None),
    ("Warnings: Violence (Chapter 3), Death (Chapter 7)", {V, D}, None),
    ("TW: blood, gore, & violence.", {B, V}, None),
    ("Warnings: Alcohol, Smoking, Swearing, Mentions of Sex", {DRUG, LANG, "sexual-content"}, None),
    ("Warnings: Non-graphic violence, implied sexual assault, a LOT of angst", {V, SA}, None),
    ("WARNING \u26a0\ufe0f this chapter contains a panic attack", {"mental-illness"}, None),
    ("A/N: Thank you all for 1k kudos!!! Chapter warnings: mentions of death, grief.", {D}, None),
    ("Warnings: dark themes, sexual themes, violent themes", {"sexual-content", V}, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "expected", "rating"), HEADERS, ids=[h.splitlines()[-1][:40] for h, _, _ in HEADERS]
)
def test_what_an_author_header_declares(header: str, expected: set[str], rating: str | None) -> None:
    meta = read_text(f"{header}\n\n{CALM}").metadata
    assert {d.warning_id for d in declared_from_metadata(meta, taxonomy=TAX) if d.warning_id} == expected
    assert meta.rating == rating


STORY_OPENINGS = [
    "Warning lights flashed across the dashboard as the car slid toward the ditch.",
    "Warnings had been posted on every door in the village, but nobody read them.",
    "TW was what the twins called their grandmother, and she hated it.",
    "Rated by the guild as the most dangerous pass in the north, the road lay empty under the snow.",
    "Content, for once, Mara let the tide carry the little boat out past the breakwater.",
    "Heads up, kid, the captain said, and tossed him the rope.",
    "Warning: the stove is hot, she said, and pulled his hand away.",
    "Rating the soup a solid seven, Jonah pushed the bowl away and reached for the bread.",
    "Trigger discipline, Sergeant Hale liked to say, was the difference between a soldier and a corpse.",
    "CW-7 drifted past the station's outer ring, silent and dark.",
    "Warning-track power, the announcer called it, as the ball died at the wall.",
    "Warning - he's got a gun, she shouted.",
    "Warned by the elders, the children kept well away from the river that spring.",
    "CN Tower glittered in the rain as Mara crossed Front Street.",
    "Triggered by nothing she could name, the alarm wailed through the empty lab.",
    "Content warnings were for other people, Mara thought, not for her.",
    "Warning: Do not feed the ducks. The sign was older than the pond itself.",
    "Tags hung from every branch of the memorial tree, fluttering in the wind.",
    "Heads-up displays flickered to life along the cockpit glass.",
    "Warnings? Mara had ignored every single one of them.",
    "TW for short, Tamsin Wells had never liked her full name.",
    "CN for the win, the banner read across the harbour.",
]


@pytest.mark.parametrize("opening", STORY_OPENINGS, ids=[o[:40] for o in STORY_OPENINGS])
def test_a_story_opening_is_no_declaration(opening: str) -> None:
    """The opening declares nothing, rates nothing, and is scored as story."""
    work = read_text(f"{opening}\n\n{CALM}")
    assert declared_from_metadata(work.metadata, taxonomy=TAX) == []
    assert work.metadata.rating is None and work.metadata.declaration_lines == []
    assert work.meta_spans == []


@pytest.mark.parametrize("title", ["Heads Up \u2728", "Triggers \U0001f525", "Warnings (Part Two)"])
def test_a_title_with_a_declaration_word_declares_nothing(title: str) -> None:
    """Symbols stand for a colon only before words on the same line: a title alone is a title."""
    work = read_text(f"{title}\nby wren\n\n{CALM}")
    assert work.metadata.declaration_lines == [] and work.meta_spans == []


@pytest.mark.parametrize("header", ["Warnings: angst, Sam yells at Dean", "TW: angst, Steve called Tony a liar"])
def test_a_warnings_line_that_tells_its_events_is_a_declaration(header: str) -> None:
    """Only a past-tense verb of speech makes a dialogue tag: a warnings line tells what happens
    in the present ("Sam yells at Dean"), and "called" names ("Steve called Tony a liar")."""
    assert read_text(f"{header}\n\n{CALM}").metadata.declaration_lines == [header]


def test_a_long_line_of_dialogue_tags_is_read_in_linear_time() -> None:
    """Regression: a dialogue tag was tried after every comma, each try reading to the line's
    end; a 22 KB line of ", he said" took 4 s (a minute at 90 KB)."""
    import time

    from forewarn.declared import reads_as_story

    line = "Warning: " + ", he said" * 2500 + " x.y"
    start = time.perf_counter()
    reads_as_story(line, taxonomy=TAX)
    assert time.perf_counter() - start < 2.0
