"""The English check: a work in another language says so instead of scanning clean.

The paragraphs below were written for these tests (none copied from anywhere)."""

from __future__ import annotations

import pytest

from forewarn.language import MAX_CHARS, caveat, guess_language

OTHER = {
    "de": "Er nahm das Messer und stach dem Wächter in den Bauch. Das Blut lief über den Steinboden, und der "
    "Mann schrie, bis er still wurde. Sie rannte durch die Gasse und versteckte sich hinter den Fässern, "
    "während die Soldaten die Häuser durchsuchten. Am Morgen lag der Wächter tot im Hof.",
    "fr": "Il prit le couteau et frappa le garde au ventre. Le sang coula sur les pavés, et l'homme cria "
    "jusqu'à ce qu'il se taise. Elle courut dans la ruelle et se cacha derrière les tonneaux pendant que "
    "les soldats fouillaient les maisons. Au matin, le garde était mort dans la cour.",
    "es": "Tomó el cuchillo y le clavó al guardia en el vientre. La sangre corrió por las piedras y el hombre "
    "gritó hasta que se quedó callado. Ella corrió por el callejón y se escondió detrás de los barriles "
    "mientras los soldados registraban las casas. Por la mañana el guardia estaba muerto en el patio.",
    "it": "Prese il coltello e colpì la guardia al ventre. Il sangue scorse sulle pietre e l'uomo urlò finché "
    "non tacque. Lei corse nel vicolo e si nascose dietro le botti mentre i soldati perquisivano le case. "
    "Al mattino la guardia era morta nel cortile, e nessuno parlava della notte.",
    "pt": "Ele pegou a faca e golpeou o guarda na barriga. O sangue escorreu pelas pedras e o homem gritou até "
    "ficar calado. Ela correu pelo beco e se escondeu atrás dos barris enquanto os soldados revistavam as "
    "casas. De manhã o guarda estava morto no pátio, e ninguém falava da noite.",
    "nl": "Hij pakte het mes en stak de bewaker in zijn buik. Het bloed liep over de stenen en de man schreeuwde "
    "tot hij stil werd. Zij rende door de steeg en verstopte zich achter de vaten terwijl de soldaten de "
    "huizen doorzochten. In de ochtend lag de bewaker dood op de binnenplaats, en niemand sprak over de nacht.",
    "und-Cyrl": "Он взял нож и ударил стражника в живот. Кровь текла по камням, и человек кричал, пока не затих. "
    "Она побежала по переулку и спряталась за бочками, пока солдаты обыскивали дома. Утром стражник лежал "
    "мёртвым во дворе, и никто не говорил о той ночи, хотя все знали, кто это сделал.",
    "ja": "彼はナイフを取り、見張りの腹を刺した。血が石の床に流れ、男は静かになるまで叫び続けた。"
    "彼女は路地を走り、兵士たちが家々を調べている間、樽の陰に隠れた。朝になると、見張りは中庭で死んでいた。",
    "zh": "他拿起刀，刺进了守卫的腹部。鲜血流过石板地，那人一直喊叫，直到没有了声音。"
    "她跑过小巷，躲在木桶后面，士兵们正在搜查房屋。第二天早上，守卫死在院子里，没有人谈起那一夜。",
    "ko": "그는 칼을 들고 경비병의 배를 찔렀다. 피가 돌바닥 위로 흘렀고 그 남자는 조용해질 때까지 비명을 질렀다. "
    "그녀는 골목을 달려 군인들이 집들을 뒤지는 동안 통 뒤에 숨었다. 아침이 되자 경비병은 안뜰에 죽어 있었고 "
    "아무도 그 밤에 대해 말하지 않았다. 모두가 누가 그랬는지 알고 있었지만 입을 열지 않았다.",
}

ENGLISH_ODDITIES = [
    # A log: almost no function words, but no other language's either.
    "SHIP LOG 12. 04:10 Hull breach, deck three. Sealed. 04:22 Crew count: nine. Medic reports two burns, "
    "minor. 05:00 Course correction requested. Denied. 05:45 Captain resting. Engineer Tamsin Holt on "
    "watch. 06:30 Breach patched. Pressure nominal. 07:15 Breakfast rations issued. Morale fair. Coffee low.",
    # English with Spanish dialogue.
    '"Mija, ven aquí," her grandmother called from the kitchen, and Lucía rolled her eyes but went anyway. '
    "The whole house smelled of onions and cumin, and she knew she would be asked to chop something. "
    '"¿Otra vez?" she said, and her grandmother laughed at her and handed her the knife.',
]


@pytest.mark.parametrize("code", sorted(OTHER))
def test_a_story_in_another_language_is_named_and_gets_a_caveat(code: str) -> None:
    found = guess_language(OTHER[code])
    assert found is not None and found.code == code, found
    note = caveat(found)
    assert note and found.name in note and "not English" in note


@pytest.mark.parametrize("text", ENGLISH_ODDITIES)
def test_terse_english_and_english_with_foreign_dialogue_get_no_caveat(text: str) -> None:
    assert caveat(guess_language(text)) is None


def test_english_prose_is_english_and_too_little_text_is_undetermined(sample_path) -> None:  # type: ignore[no-untyped-def]
    found = guess_language(sample_path.read_text(encoding="utf-8"))
    assert found is not None and found.english and caveat(found) is None
    assert guess_language("Er nahm das Messer.") is None  # too short to tell
    assert guess_language(["Er nahm das Messer und", " stach dem Wächter in den Bauch."] * 4).code == "de"


def test_a_long_work_is_sampled_all_through() -> None:
    """Only ``MAX_CHARS`` characters are looked at, spread over the whole text: a German work with a
    long English foreword is still German (its first 120,000 characters alone would say English)."""
    english = "She walked to the harbour and she looked at the boats in the rain with her brother. " * 1500
    text = english + (OTHER["de"] + " ") * 2500
    assert len(english) > MAX_CHARS and len(text) > 5 * MAX_CHARS
    found = guess_language(text)
    assert found is not None and found.code == "de"
