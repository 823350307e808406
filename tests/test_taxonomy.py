"""The taxonomy file: complete, valid, and resolving author spellings."""

from __future__ import annotations

from pathlib import Path

import pytest

from forewarn.taxonomy import load_taxonomy

PAN23 = [
    "sexual-content",
    "violence",
    "death",
    "sexual-assault",
    "abuse",
    "blood",
    "suicide",
    "pregnancy",
    "child-abuse",
    "incest",
    "underage",
    "homophobia",
    "self-harm",
    "dying",
    "kidnapping",
    "mental-illness",
    "dissection",
    "eating-disorders",
    "abduction",
    "body-hatred",
    "childbirth",
    "racism",
    "sexism",
    "miscarriage",
    "transphobia",
    "abortion",
    "fatphobia",
    "animal-death",
    "ableism",
    "classism",
    "misogyny",
    "animal-cruelty",
]
ADDED = ["torture", "war", "strong-language", "drug-use", "captivity"]


def test_every_warning_is_present_and_documented() -> None:
    tax = load_taxonomy()
    assert set(tax.ids) == set(PAN23) | set(ADDED)
    assert {w.id for w in tax.warnings if w.pan23} == set(PAN23)
    for w in tax.warnings:
        assert w.description and w.aliases and w.group in tax.groups
    assert {"discrimination", "aggression", "abuse", "sexual-content", "medical", "mental-health", "pregnancy"} <= set(
        tax.groups
    )


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Graphic Depictions Of Violence", "violence"),
        ("Rape/Non-Con", "sexual-assault"),
        ("Major Character Death", "death"),
        ("Underage", "underage"),
        ("self harm", "self-harm"),
        ("Self-Harm", "self-harm"),
        ("SELF_HARM", "self-harm"),
        ("blood & gore", "blood"),
        ("eating disorders", "eating-disorders"),
        ("Eating Disorder", "eating-disorders"),
        ("strong language", "strong-language"),
    ],
)
def test_aliases_resolve(name: str, expected: str) -> None:
    d = load_taxonomy().resolve(name)
    assert d is not None and d.id == expected


def test_unknown_names_do_not_resolve() -> None:
    assert load_taxonomy().resolve("fluff") is None


def test_ao3_mapping() -> None:
    tax = load_taxonomy()
    assert {w.ao3_archive_warning for w in tax.warnings} - {None} == {
        "Graphic Depictions Of Violence",
        "Major Character Death",
        "Rape/Non-Con",
        "Underage",
    }
    assert tax.get("sexual-content").ao3_rating_graphic == "Explicit"


BASE = """version = "1"
[[group]]
id = "g"
name = "G"
description = "d"
"""


def warning(wid: str, group: str = "g", aliases: str = '["x"]', extra: str = "") -> str:
    return f"""[[warning]]
id = "{wid}"
name = "{wid}"
group = "{group}"
description = "d"
aliases = {aliases}
ao3_rating_depicted = "Mature"
ao3_rating_graphic = "Explicit"
{extra}
"""


@pytest.mark.parametrize(
    "body,message",
    [
        (warning("a") + warning("a", aliases='["y"]'), "duplicate warning id"),
        (warning("a", group="nope"), "unknown group"),
        (warning("a") + warning("b"), "maps to both"),
        (warning("a", extra='broader = ["zzz"]'), "does not exist"),
        (warning("Bad_Id"), "kebab-case"),
        (warning("a", extra='ao3_archive_warning = "Spoilers"'), "unknown AO3"),
    ],
)
def test_invalid_taxonomy_files_are_rejected(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "t.toml"
    path.write_text(BASE + body)
    with pytest.raises(ValueError, match=message):
        load_taxonomy(path)
