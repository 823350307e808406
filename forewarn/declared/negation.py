"""Declared items that name no warning: "none", "pure fluff", AO3's "No Archive Warnings
Apply" and the choice not to warn, pointers elsewhere ("see tags"), remarks ("stay safe"),
and warnings said to be absent ("no gore"). Reports show them as written, never as unmapped.
"""

from __future__ import annotations

import re

from forewarn.declared.phrase import NOT_GRAPHIC, item_warnings
from forewarn.taxonomy import Taxonomy, load_taxonomy

CHOSE_NOT_TO_WARN = "creator chose not to use archive warnings"
CHOSE_NOT_TO_WARN_OLD = "choose not to use archive warnings"  # AO3's older spelling, same choice
NO_WARNINGS_APPLY = "no archive warnings apply"
# AO3 archive-warning values that name no warning; known, so never shown as unmapped phrases.
AO3_NO_WARNING = frozenset({CHOSE_NOT_TO_WARN, NO_WARNINGS_APPLY, CHOSE_NOT_TO_WARN_OLD})
# Author lines that declare there is nothing to warn about ("TW: none"): not unmapped warnings.
NONE_DECLARED = frozenset(
    {
        "none", "none apply", "none needed", "no warnings", "no warnings apply", "no warnings needed", "n/a", "na",
        "nothing", "no tws", "no tw", "no cws", "no cw", "no content warnings", "no trigger warnings",
        "nada", "none at all", "nothing at all", "fluff", "just fluff", "pure fluff", "only fluff", "all fluff",
        "none really", "nothing really", "not really", "nothing major", "nothing much", "nothing serious",
        "zero", "zilch", "nope", "none necessary", "no warnings necessary", "nothing to warn for",
        "nothing to warn about", "none that i know of", "none that i can think of", "it's all fluff",
        "it's just fluff",
    }
)  # fmt: skip
# Remarks authors put in a warnings line after its warnings ("TW: self harm. Stay safe!"): no
# warning, and known, so not shown as unmapped.
REMARKS = frozenset(
    {
        "stay safe", "be safe", "take care", "please take care", "be careful", "please be careful", "sorry",
        "enjoy", "read at your own risk", "reader discretion advised", "you have been warned", "proceed with caution",
        "lots of it", "mind the tags", "heed the tags", "please read responsibly", "read responsibly",
    }
)  # fmt: skip
# What may follow "none" in the same item: a note ("none (just fluff)"), or a remark after a
# full stop, an exclamation mark or a spaced dash ("None. Pure fluff.", "None! Just fluff!").
_NONE_REMARK = re.compile(r"\s*(?:[(\[].*|[.!]\s.*|\s[-\u2013\u2014]\s.*)$", re.S)


# An item that points to warnings elsewhere ("see tags", "please read the end notes"): it
# names no warning itself; the tags and notes are read where the readers find them.
_ELSEWHERE = re.compile(
    r"^(?:please\s+)?(?:see|read|check|mind|heed)\s+(?:the\s+)?(?:tags|(?:end\s+|author'?s?\s+)?notes?)\b",
    re.IGNORECASE,
)


def declares_none(raw: str) -> bool:
    """True for a declared item that says there are no warnings ("none", "n/a", "none (just
    fluff)", "pure fluff")."""
    key = raw.strip().strip(".!").lower().replace("\u2019", "'")
    return key in NONE_DECLARED or _NONE_REMARK.sub("", key).strip(".!") in NONE_DECLARED - {"na"}


# The creator's choice not to warn as authors also write it in a warnings line: "Author chose
# not to use archive warnings", "Creator chose not to warn", "I chose not to warn".
_CHOSE_NOT_TO = re.compile(
    r"(?:(?:the\s+)?(?:creator|author|writer|i)\s+)?(?:chose|choose|has\s+chosen|have\s+chosen|choosing)"
    r"\s+not\s+to\s+(?:use\s+(?:the\s+)?(?:archive\s+)?warnings|warn)",
    re.IGNORECASE,
)


def ao3_value(raw: str) -> str:
    """An AO3 archive-warning value as compared: lower case, the older spelling and an
    author's own wording of the creator's choice not to warn read as the current one."""
    key = raw.strip().strip(".!").lower()
    return CHOSE_NOT_TO_WARN if _CHOSE_NOT_TO.fullmatch(key) else key


def names_no_warning(raw: str, *, taxonomy: Taxonomy | None = None) -> bool:
    """True for an item that is known but names no warning: "none", an AO3 value such as
    "No Archive Warnings Apply", or a warning said to be absent ("no gore"). Reports show
    these as written, never as unmapped."""
    return (
        declares_none(raw)
        or ao3_value(raw) in AO3_NO_WARNING
        or negates_warning(raw, taxonomy=taxonomy)
        or NOT_GRAPHIC.match(raw.strip().lower()) is not None  # "nothing graphic", alone
        or _ELSEWHERE.match(raw.strip()) is not None
        or raw.strip().strip(".!").lower() in REMARKS
    )


def negates_warning(raw: str, *, taxonomy: Taxonomy | None = None) -> bool:
    """True for an item saying a warning is absent ("no gore", "without any blood", "no
    graphic violence"): the author declares it is not there, so it must not count as declared.
    "non-con" is no negation, nor is "not a happy ending" (it names no warning)."""
    m = _NEGATED.match(raw.strip())
    if m is None:
        return False
    rest = raw.strip()[m.end() :]
    return any(d.warning_id for d in item_warnings(rest, taxonomy=taxonomy or load_taxonomy(), source="header"))


# An item that starts by saying what follows is absent: "no gore", "without any blood",
# "nothing sexual", "not a death fic".
_NEGATED = re.compile(r"^(?:no|not|without|zero|never|nothing)\s+(?:any\s+|an?\s+)?", re.IGNORECASE)
