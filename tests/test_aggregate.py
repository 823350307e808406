"""Aggregation: passage probabilities -> work warnings, severity, evidence, AO3 fit."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from forewarn.aggregate import aggregate, combine_top
from forewarn.pipeline import Report
from forewarn.rating import NO_WARNINGS, suggest_archive_warnings, suggest_rating
from forewarn.severity import load_severity_cues, passage_severity
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
    from forewarn.pipeline import scan_work, scoring_text
    from forewarn.readers import read_text
    from forewarn.score.cascade import CascadeScorer

    assert scoring_text("Warnings: violence, blood\nA calm day.") == " " * 25 + "\nA calm day."
    work = read_text("Warnings: graphic violence, blood and gore, torture\nTags: murder\n\nA calm day by the sea.\n")
    report = scan_work(work, scorer=CascadeScorer())
    assert report.warnings == []
    assert {d.warning_id for d in report.declared} == {"violence", "blood", "torture", "death"}


def test_a_mentioned_rape_suggests_rape_noncon_but_a_mentioned_death_no_mcd() -> None:
    # AO3 asks for Rape/Non-Con when it happens to a character, on the page or off it; a
    # passing "dead" or "funeral" is everywhere, so a mentioned death suggests nothing.
    tax = load_taxonomy()
    probs = np.array([[0.9, 0.9], [0.0, 0.0]])
    ws = aggregate(
        passages(2),
        probs,
        ["sexual-assault", "death"],
        taxonomy=tax,
        thresholds={"sexual-assault": 0.3, "death": 0.3},
        cues=[{"sexual-assault": "mention", "death": "mention"}, {}],
    )
    suggestions = suggest_archive_warnings(ws, taxonomy=tax)
    assert [s.name for s in suggestions] == ["Rape/Non-Con"]
    assert "only mentioned, not shown" in suggestions[0].reason
    ws = aggregate(
        passages(2),
        np.array([[0.9], [0.0]]),
        ["sexual-assault"],
        taxonomy=tax,
        thresholds={"sexual-assault": 0.3},
        cues=[{"sexual-assault": "depiction"}, {}],
    )
    suggestions = suggest_archive_warnings(ws, taxonomy=tax)
    assert [s.name for s in suggestions] == ["Rape/Non-Con"]
    assert "only mentioned" not in suggestions[0].reason


def _scan(text: str) -> Report:
    from forewarn.pipeline import scan_work
    from forewarn.readers import read_text
    from forewarn.score.cascade import CascadeScorer

    return scan_work(read_text(text), scorer=CascadeScorer())


def _severity(report: Report, warning: str) -> str:
    return next(w.severity for w in report.warnings if w.id == warning)


def test_a_rape_told_as_happening_is_depicted_and_suggests_rape_noncon() -> None:
    # Regression: "raped" is a lexicon mention, so this read as "mentioned", rated Teen And
    # Up with no archive warning, though the sentence says a character was raped.
    report = _scan("Later that night the quartermaster raped him behind the stables.")
    assert _severity(report, "sexual-assault") == "depicted"
    assert report.rating.name == "Mature"
    assert [s.name for s in report.archive_warnings] == ["Rape/Non-Con"]


def test_a_rape_told_as_backstory_stays_mentioned_but_still_suggests_rape_noncon() -> None:
    report = _scan("Dana told the inquiry that the sergeant had raped her the winter before.")
    assert _severity(report, "sexual-assault") == "mentioned"
    assert report.rating.name == "Teen And Up Audiences"
    assert [s.name for s in report.archive_warnings] == ["Rape/Non-Con"]


def test_a_blow_on_the_page_is_depicted_and_blood_from_a_wound_graphic() -> None:
    # "fought" and "hit him" are lexicon mentions; hitting someone over the head is an act on the page.
    assert _severity(
        _scan("They fought on the landing until Cato hit him over the head with the lamp."), "violence"
    ) == ("depicted")
    # The stabbing is a depiction cue; blood pouring from the wounds is the graphic detail.
    report = _scan("Tarik stabbed the smuggler twice, and blood poured from the wounds across the deck.")
    assert _severity(report, "violence") == "graphic"
    assert "Graphic Depictions Of Violence" in [s.name for s in report.archive_warnings]


def test_blood_left_after_a_fight_is_not_graphic_violence() -> None:
    # Regression: any blood flowing or on the floor made violence "graphic", so a character's
    # account of a fight's aftermath suggested Mature and Graphic Depictions Of Violence.
    report = _scan("They punched him in the car park, and there was blood all over the tarmac after.")
    assert _severity(report, "violence") == "depicted"
    assert "Graphic Depictions Of Violence" not in [s.name for s in report.archive_warnings]


@pytest.mark.parametrize(
    ("warning", "scene", "backstory"),
    [
        (
            "childbirth",
            "In the delivery room Zoe gripped the rail and pushed with everything she had.",
            "My grandmother gave birth to all six of her children at home, years ago.",
        ),
        (
            "miscarriage",
            "She miscarried that night in the bathroom; the blood poured out of her and she passed clots.",
            "Her sister had a miscarriage in 2015 and does not like to talk about it.",
        ),
        (
            "kidnapping",
            "Three kidnappers grabbed her outside the bakery, pulled a sack over her head and drove off with her.",
            "He was kidnapped as a boy and still never talks about it.",
        ),
        (
            "homophobia",
            "'Filthy poof,' the man shouted, and shoved him against the bus shelter.",
            "Homophobic bullying was common at his old school, the report said.",
        ),
        (
            "eating-disorders",
            "Her eating disorder was back. At dinner she slipped the bread roll into her coat pocket.",
            "Her cousin was treated for an eating disorder at sixteen.",
        ),
        (
            "abortion",
            "At the abortion clinic Mara swallowed the first pill with a paper cup of water.",
            "Her mother had an abortion before she was born, she said once.",
        ),
    ],
)
def test_an_event_narrated_on_the_page_is_depicted_and_a_backstory_mention_stays_mentioned(
    warning: str, scene: str, backstory: str
) -> None:
    # Regression: these six warnings had no severity cues, so a birth, a miscarriage, an
    # abduction or a slur shouted at someone on the page read as "mentioned" (rating one step low).
    expected = "graphic" if warning == "miscarriage" else "depicted"  # blood pouring, clots
    assert _severity(_scan(scene), warning) == expected
    assert _severity(_scan(backstory), warning) == "mentioned"


def test_a_gesture_or_a_word_elsewhere_does_not_raise_a_warning_anchored_to_its_cues() -> None:
    # The new tables are anchored: "pushed" and "grabbed her" far from the warning's own cue
    # belong to another scene.
    text = (
        "Her sister gave birth in March, years ago now. The rest of the evening was quiet. "
        "Nobody spoke about it. Later, at the bar, Ines pushed, and the stuck door finally opened."
    )
    assert _severity(_scan(text), "childbirth") == "mentioned"


def test_severity_cues_do_not_raise_backstory_reports_or_negations() -> None:
    assert passage_severity("mention", "The report said he raped her.", "sexual-assault") == "mentioned"
    assert passage_severity("mention", "His father used to hit him until he cried.", "child-abuse") == "mentioned"
    assert passage_severity("mention", "She did not hit him, not once.", "violence") == "mentioned"
    assert passage_severity(None, "He raped her in the barn.", "sexual-assault") == "depicted"
    assert passage_severity("graphic", "He raped her in the barn.", "sexual-assault") == "graphic"  # never lowered
    assert passage_severity(None, "", "violence") == "implied"  # a head alone, no text: implied


def test_severity_never_changes_what_is_flagged_or_how_confident() -> None:
    tax = load_taxonomy()
    probs = np.array([[0.9], [0.4], [0.1]])
    plain = passages(3)
    texts = ["Mo shot him dead.", "Blood sprayed across the wall.", "He punched her."]
    worded = [dataclasses.replace(p, text=t) for p, t in zip(plain, texts, strict=True)]
    cues = [{"violence": "mention"}, {}, {}]
    a, b = (
        aggregate(ps, probs, ["violence"], taxonomy=tax, thresholds={"violence": 0.3}, cues=cues)[0]
        for ps in (plain, worded)
    )
    assert a.passages == b.passages == [0, 1] and a.confidence == b.confidence
    assert (a.severity, b.severity) == ("implied", "graphic")


def test_severity_cues_name_known_warnings_and_compile() -> None:
    tax = load_taxonomy()
    cues = load_severity_cues().cues
    assert set(cues) <= set(tax.ids)
    assert {"violence", "sexual-assault", "child-abuse", "torture", "self-harm", "suicide"} <= set(cues)


@pytest.mark.parametrize(
    "text,warning,severity",
    [
        # Gore belongs to the fight, not to a peaceful death later in the same passage.
        (
            "They traded blows in the alley. Tom punched him in the face and blood poured from his nose. "
            "He staggered back against the wall and wiped his lip.\n\nLater, at home, he thought of his "
            "grandmother, who had died peacefully in her sleep last spring. The house was quiet.",
            "death",
            "mentioned",
        ),
        (
            "His nose was bleeding again, blood dripping onto the sink, and he pressed a wad of tissue to it "
            "and waited. He thought about killing himself, the way he sometimes did, quietly and without "
            "plans. Then he went back to bed.",
            "suicide",
            "mentioned",
        ),
        # Gore in the sentence of the death, or the one after the act, still counts.
        (
            "The shell landed beside the trench. When the smoke cleared, Private Hale was dead, his guts "
            "spilled across the duckboards.",
            "death",
            "graphic",
        ),
        (
            "She slit her wrists in the bath, and the blood poured out into the water until it turned dark "
            "red. She killed herself that night.",
            "suicide",
            "graphic",
        ),
    ],
)
def test_shared_gore_cues_raise_death_and_suicide_only_near_their_cues(text: str, warning: str, severity: str) -> None:
    found = {w.id: w.severity for w in _scan(text).warnings}
    assert found[warning] == severity
    if warning == "death" and severity == "mentioned":
        assert "Major Character Death" not in [a.name for a in _scan(text).archive_warnings]


def test_severity_cues_honour_the_lexicons_idioms_and_their_own_anchors() -> None:
    """'was dead tired' matched the death cue 'was dead' (depicted -> Major Character Death),
    and 'swollen' anywhere made a flagged suicide graphic ('the river was swollen with rain')."""
    tired = _scan("Her grandfather's funeral was on Friday. At the wake everyone was dead tired and nobody spoke much.")
    assert {w.id: w.severity for w in tired.warnings}.get("death") in ("mentioned", None)
    assert "Major Character Death" not in [a.name for a in tired.archive_warnings]
    river = _scan(
        "He had thought about killing himself all winter, and he said so to the counsellor. "
        "Outside, the river was swollen with a week of rain."
    )
    assert {w.id: w.severity for w in river.warnings}["suicide"] == "mentioned"
    assert river.rating.name != "Mature"


def test_a_miscarriages_bleeding_is_hers_only_a_few_sentences_from_it() -> None:
    """The pregnancy-bleeding cues were not anchored: a past miscarriage named at the start made
    a cut leg's blood five sentences later a graphic miscarriage."""
    far = _scan(
        "Two years ago Maya had a miscarriage, and she still kept the scan in a drawer. The summer went "
        "by slowly. She planted tomatoes and painted the shed. Her brother visited in August. They walked "
        "the hills every morning. On the last day he slipped on the rocks and cut his leg open, and the "
        "blood poured down into his sock."
    )
    assert {w.id: w.severity for w in far.warnings}["miscarriage"] == "mentioned"
    near = _scan(
        "At eleven weeks the cramps woke Maya in the night. By the time she reached the bathroom she knew "
        "she was miscarrying. The blood poured out of her and she sat on the cold tiles and shook."
    )
    assert {w.id: w.severity for w in near.warnings}["miscarriage"] == "graphic"


def test_locations_are_within_the_chapter_in_a_work_of_chapters() -> None:
    """The reason said "chapter 3, 81% into the work": a reader on chapter 3 needs "4% into it"."""
    calm = "They walked along the river and talked about the summer, the garden and the neighbours. " * 6
    text = "\n\n".join(
        [f"Chapter {k}\n\n{calm}\n\n{calm}" for k in (1, 2)]
        + ["Chapter 3\n\nHe stabbed the guard in the throat and blood sprayed across the wall.\n\n" + calm]
    )
    from io import StringIO

    from rich.console import Console

    from forewarn.report.terminal import render

    report = _scan(text)
    assert len(report.work.chapters) == 3
    (ref,) = [e for w in report.warnings if w.id == "violence" for e in w.evidence]
    assert ref.chapter == 2 and ref.position > 60 and ref.chapter_position < 5
    assert f"chapter 3, {ref.chapter_position:.0f}% into the chapter" in report.rating.reason
    out = StringIO()
    render(report, console=Console(file=out, width=100))
    assert f"ch3 {ref.chapter_position:.0f}%" in out.getvalue() and "X% into chapter N" in out.getvalue()


def test_graphic_torture_suggests_graphic_depictions_of_violence() -> None:
    report = _scan(
        "The guard held his hand flat on the table. The interrogator closed the pliers on the first "
        "fingernail and pulled, slowly, and Anton screamed until his voice cracked. Blood welled from "
        "the raw bed where the nail had been and pooled on the wood."
    )
    assert {w.id: w.severity for w in report.warnings}["torture"] == "graphic"
    assert "Graphic Depictions Of Violence" in [a.name for a in report.archive_warnings]


def test_the_ao3_reason_locates_the_passage_with_the_warnings_severity() -> None:
    """The reason paired the warning's severity with its likeliest passage: a funeral mentioned
    in chapter 1 located a death shown in chapter 2 ('death depicted (chapter 1, ...)')."""
    tax = load_taxonomy()
    ps = passages(6)
    probs = np.array([[0.95], [0.9], [0.85], [0.1], [0.6], [0.1]])
    cues = [{"death": "mention"}, {"death": "mention"}, {"death": "mention"}, {}, {"death": "depiction"}, {}]
    (death,) = aggregate(ps, probs, ["death"], taxonomy=tax, thresholds={"death": 0.5}, cues=cues, evidence_k=3)
    assert death.severity == "depicted"
    assert [e.index for e in death.evidence] == [0, 1, 4]  # the depicted passage is shown too
    (suggestion,) = suggest_archive_warnings([death], taxonomy=tax)
    assert "chapter 2" in suggestion.reason and "chapter 1" not in suggestion.reason


def test_an_age_alone_does_not_suggest_underage_or_raise_the_rating() -> None:
    """'He was sixteen and had just passed his driving test' suggested AO3's Underage warning
    and a Teen rating: a bare age is an underage cue (it finds implied cases), so without sexual
    content or sexual assault in the work it drives neither."""
    alone = _scan("He was sixteen and had just passed his driving test, and he drove his gran to church.")
    assert [a.name for a in alone.archive_warnings] == ["No Archive Warnings Apply"]
    assert alone.rating.name == "General Audiences"
    sexual = _scan("She was fifteen. That night he had sex with her in the back of his car.")
    assert "Underage" in [a.name for a in sexual.archive_warnings]


def test_shaking_ones_head_or_a_hand_is_not_an_assault() -> None:
    """The assault cue 'shook her head' raised violence, torture and abuse to depicted on a gesture."""
    text = "The beatings stopped when he left, years ago. She shook her head and shook his hand at the door."
    assert passage_severity("mention", text, "abuse") == "mentioned"
    assert passage_severity("mention", "He slapped her face and walked out.", "abuse") == "depicted"


PET = (
    "Biscuit was fourteen, old for a dog. The vet said it was time. Mia held him on the table while the needle "
    "went in, and then his breathing slowed and stopped. She carried his body home in a blanket and buried him "
    "by the fence."
)


def test_a_pets_death_alone_does_not_suggest_major_character_death() -> None:
    """Told with "he" and "his body" it reads as a death too; the death stays detected."""
    report = _scan(PET)
    found = {w.id: w.severity for w in report.warnings}
    assert found["death"] == "depicted" and "animal-death" in found
    assert [a.name for a in report.archive_warnings] == [NO_WARNINGS]


def _ww(wid: str, passages: dict[int, str]) -> object:
    from forewarn.aggregate import PassageRef, WorkWarning

    refs = [PassageRef(i, 0, 10 * i, 10 * i + 9, 10.0 * i, 10.0 * i + 9, 0.9, sev) for i, sev in passages.items()]
    top = max(passages.values(), key=("mentioned", "implied", "depicted", "graphic").index)
    return WorkWarning(wid, wid, "death", 0.9, top, len(refs), 9, refs, list(passages), list(passages.values()))


def test_major_character_death_rests_on_a_death_that_is_not_an_animals() -> None:
    taxonomy = load_taxonomy()
    pet_then_person = [_ww("death", {1: "depicted", 4: "implied"}), _ww("animal-death", {1: "depicted"})]
    (mcd,) = suggest_archive_warnings(pet_then_person, taxonomy=taxonomy)  # type: ignore[arg-type]
    assert mcd.name == "Major Character Death"
    assert mcd.reason.startswith("death implied (chapter 1, 40% into the work)")
    pet_only = [_ww("death", {1: "depicted", 4: "mentioned"}), _ww("animal-death", {1: "depicted"})]
    assert [s.name for s in suggest_archive_warnings(pet_only, taxonomy=taxonomy)] == [NO_WARNINGS]  # type: ignore[arg-type]
    assert [s.name for s in suggest_archive_warnings(pet_only[:1], taxonomy=taxonomy)] == ["Major Character Death"]  # type: ignore[arg-type]


def test_what_the_author_declared_counts_for_the_ao3_labels_even_when_not_detected() -> None:
    """Regression: "TW: rape" on a picnic scene suggested General Audiences and No Archive Warnings."""
    from forewarn.declared import parse_declaration

    taxonomy = load_taxonomy()

    def labels(line: str) -> tuple[str, list[str]]:
        declared = parse_declaration(line, taxonomy=taxonomy)
        rating = suggest_rating([], taxonomy=taxonomy, declared=declared)
        return rating.name, [s.name for s in suggest_archive_warnings([], taxonomy=taxonomy, declared=declared)]

    assert labels("TW: rape, self-harm") == ("Teen And Up Audiences", ["Rape/Non-Con"])
    assert labels("TW: graphic violence")[1] == ["Graphic Depictions Of Violence"]
    assert labels("TW: violence") == ("General Audiences", [NO_WARNINGS])  # not graphic: no archive warning
    assert labels("TW: underage") == ("General Audiences", [NO_WARNINGS])  # only beside sex, as detected
    assert labels("TW: underage, sex")[0] != "General Audiences"
    assert labels("Warnings: violence, strong sexual themes")[0] == "Mature"  # on the page, not a mention
    assert labels("Warnings: strong language")[0] == labels("Warnings: swearing")[0]
    rating = suggest_rating([], taxonomy=taxonomy, declared=parse_declaration("TW: rape", taxonomy=taxonomy))
    assert rating.reason == "declared by the author: rape"
    assert suggest_rating([], taxonomy=taxonomy).reason.startswith("no detected or declared warning")


def test_aos_own_graphic_violence_warning_rates_as_graphic_and_says_what_was_detected() -> None:
    """Regression: from EPUB metadata it rated as a mere mention (General Audiences), and with
    violence detected the reason still said "not detected"."""
    from forewarn.declared import DeclaredItem

    taxonomy = load_taxonomy()
    gdv = [DeclaredItem("Graphic Depictions Of Violence", "violence", None, "ao3-archive-warning")]
    assert suggest_rating([], taxonomy=taxonomy, declared=gdv).name == "Mature"
    seen = [_ww("violence", {2: "depicted"})]
    (archive,) = suggest_archive_warnings(seen, taxonomy=taxonomy, declared=gdv)  # type: ignore[arg-type]
    assert archive.reason == "declared by the author (Graphic Depictions Of Violence); detected depicted"


def test_major_character_death_never_cites_the_animal_passage_it_left_out() -> None:
    taxonomy = load_taxonomy()
    death = _ww("death", {1: "depicted", 2: "depicted"})
    death.passages.append(12)  # type: ignore[attr-defined]
    death.passage_severities.append("depicted")  # type: ignore[attr-defined]
    (mcd,) = suggest_archive_warnings([death, _ww("animal-death", {1: "depicted", 2: "depicted"})], taxonomy=taxonomy)  # type: ignore[list-item]
    assert (
        mcd.name == "Major Character Death" and mcd.reason == "death depicted; applies only if a major character dies"
    )


def test_ao3_reasons_count_chapters_from_the_first_heading_after_an_opening() -> None:
    """The reports call the text before "Chapter 1" the opening; the AO3 reasons said
    "chapter 3" for a scene under the heading "Chapter 2"."""
    from dataclasses import replace

    from forewarn.aggregate import PassageRef, WorkWarning

    def violence(chapter: int) -> WorkWarning:
        ref = PassageRef(3, chapter, 0, 9, 40.0, 45.0, 0.9, "depicted", chapter_position=12.0)
        return WorkWarning("violence", "Violence", "aggression", 0.9, "depicted", 1, 9, [ref], [3], ["depicted"])

    taxonomy = load_taxonomy()
    assert (
        "(chapter 2, 12% into the chapter)"
        in suggest_rating([violence(2)], taxonomy=taxonomy, chapters=2, opening=True).reason
    )
    assert "(chapter 3, 12% into the chapter)" in suggest_rating([violence(2)], taxonomy=taxonomy, chapters=3).reason
    before = suggest_rating([violence(0)], taxonomy=taxonomy, chapters=2, opening=True).reason
    assert "(the opening before chapter 1, 40% into the work)" in before
    w = violence(2)
    w = replace(w, severity="graphic", evidence=[replace(w.evidence[0], severity="graphic")])
    (gdov,) = suggest_archive_warnings([w], taxonomy=taxonomy, chapters=2, opening=True)
    assert "chapter 2," in gdov.reason
