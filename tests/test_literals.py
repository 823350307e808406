"""Required literals: what they rule out must be exactly what the regex could not match."""

from __future__ import annotations

import re

import pytest

from forewarn.score.lexicon import packaged_exclude_gates, packaged_excludes
from forewarn.score.literals import FOLDS_TO_ASCII, could_match, folded, required_literals


def test_folds_to_ascii_lists_every_such_character() -> None:
    ascii_ignorecase = re.compile(r"[\x00-\x7f]", re.IGNORECASE)
    found = {chr(c) for c in range(0x80, 0x110000) if ascii_ignorecase.fullmatch(chr(c))}
    assert found == set(FOLDS_TO_ASCII)


@pytest.mark.parametrize(
    "pattern,expected",
    [
        ("killing time", [{"killing time"}]),
        (r"(?:dead|deadly) tired", [{" tired"}, {"dead"}]),  # most letters first
        (r"the \w+ call(?:ed|ing)?", [{" call"}, {"the "}]),
        (r"blood[- ]orange", [{"orange"}, {"blood"}]),
        (r"(he|she)'?d hit", [{"d hit"}]),  # "he" is too short to rule a text out, so "he|she" adds nothing
        (r"sh(?:ook|akes|aking) hands", [{" hands"}, {"ook", "akes", "aking"}]),
        (r"bes+ie", []),  # "be", "s", "ie": all too short
        (r"don\x27t cry", [{"don't cry"}]),
        (r"(?:a|an) (?:old )?man", [{"man"}]),
        (r"x{2,}yz|abc", []),  # one branch requires nothing of length 3
        (r"(?:abc)+def", [{"abc"}, {"def"}]),  # as many letters: as written
        (r"(?=abc)abd", [{"abd"}]),  # a lookahead adds nothing
        (r"caf\u00e9 noir", [{" noir"}, {"caf"}]),  # a non-ASCII literal ends a run
    ],
)
def test_required_literals(pattern: str, expected: list[set[str]]) -> None:
    assert [set(c) for c in required_literals(pattern)] == expected


def test_could_match_needs_a_literal_of_every_choice() -> None:
    need = required_literals(r"(?:dead|deadly) tired")
    assert could_match("she was dead tired", need)
    assert could_match("so tired of the dead", need)  # anywhere: a test, not a match
    assert not could_match("she was dead on her feet", need)
    assert could_match("anything", required_literals(r"\w+ly"))  # nothing known: it could


def test_folded_refuses_texts_lowering_misreads() -> None:
    assert folded("He Was DEAD tired") == "he was dead tired"
    for ch in FOLDS_TO_ASCII:
        assert folded(f"dead t{ch}red") is None


def test_literals_are_in_every_idiom_match() -> None:
    """On sentences that hold the packaged idioms, each match contains one of its literals."""
    texts = [
        "She killed the engine and sat there killing time.",
        "That was bloody brilliant, and a blood orange to finish.",
        "I'm dying to know what happened at the party.",
        "Her phone was dead again, so she borrowed his.",
        "That was a killer workout.",
        "That mission was suicide, and they all knew it.",
        "Her little brother begged for tickle torture every night.",
    ]
    for wid, pattern in packaged_excludes().items():
        gate = packaged_exclude_gates()[wid]
        for text in texts:
            for m in pattern.finditer(text):
                assert gate.open(m.group(0).lower()), (wid, m)
