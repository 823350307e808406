"""Declaration lines ("Warnings: ...", "TW: ...", a rating's reason) cut into items, and
the tests that tell such a line in a preface or a story from story text."""

from __future__ import annotations

import re

from forewarn.declared.negation import names_no_warning, negates_warning
from forewarn.declared.phrase import DeclaredItem, item_warnings, split_items
from forewarn.readers.text import DECLARATION
from forewarn.taxonomy import Taxonomy, load_taxonomy

# The same line start the readers use to find declarations, plus the space after it.
_PREFIX = re.compile(DECLARATION.pattern + r"\s*", re.IGNORECASE)
# Whole words only: "forced pregnancy" does not start with "for", nor "foreplay" with "for".
_LEAD_IN = re.compile(
    r"^\s*(?:this\s+(?:fic|story|chapter|work|one)\s+(?:will\s+)?"
    r"(?:contains?|includes?|has|deals\s+with|features?|discuss(?:es)?|depicts?|explores?|touches\s+(?:on|upon))"
    r"|(?:it\s+)?contains?|includes?|there(?:['\u2019]s|['\u2019]ll\s+be|\s+(?:is|are|will\s+be))|for|features?)\b"
    r"\s*:?\s*",
    re.IGNORECASE,
)


def _items(text: str) -> list[str]:
    """The items of a declaration line, without its label ("TW:") and lead-in ("this fic contains")."""
    body = _PREFIX.sub("", text.strip(), count=1)
    body = _LEAD_IN.sub("", body, count=1)
    body = _unwrapped(body.strip().rstrip(".!~").strip())
    # Each part may open so too: "this one gets dark. There is blood."
    parts = [_LEAD_IN.sub("", p.strip(), count=1).strip(" .*-_\t\"'") for p in split_items(body)]
    return [p for p in parts if p]


def _unwrapped(body: str) -> str:
    """``body`` without the closing bracket of a line wrapped whole ("[TW: blood]"): it is no
    part of the last item ("blood]")."""
    for opening, closing in ("()", "[]"):
        if body.endswith(closing) and body.count(closing) > body.count(opening):
            body = body[:-1].rstrip(" .!~")
    return body


def parse_declaration(text: str, *, taxonomy: Taxonomy, source: str = "header") -> list[DeclaredItem]:
    """Parse one declaration line ("Warnings: ...", "TW: ...") into items."""
    return [item for raw in _items(text) for item in _header_item(raw, taxonomy=taxonomy, source=source)]


def _header_item(raw: str, *, taxonomy: Taxonomy, source: str) -> list[DeclaredItem]:
    """What one item of a declaration line declares. An item saying a warning is absent ("no
    gore") is kept as written but declares nothing: the author says it is not there."""
    if negates_warning(raw, taxonomy=taxonomy):
        return [DeclaredItem(raw, None, None, source)]
    return item_warnings(raw, taxonomy=taxonomy, source=source)


def is_warning_list(line: str, *, taxonomy: Taxonomy | None = None) -> bool:
    """A declaration line most of whose items are known warnings ("TW: blood, SA").

    Outside a work's preface and end notes, "Warning: the stove is hot, she said."
    is dialogue; only a line like this is still read as a declaration there. Items
    must match an alias exactly (after qualifiers and fillers), not by head word.
    """
    taxonomy = taxonomy or load_taxonomy()
    items = _items(line)
    known = sum(1 for raw in items if item_warnings(raw, taxonomy=taxonomy, source="header", strict=True)[0].warning_id)
    return known * 2 > len(items)


# The words before the reason an author gives for a rating ("M for language and violence",
# "T due to swearing"); ``forewarn.rating.declared_rating`` leaves the reason out of the rating.
RATING_REASON_WORDS = r"(?:for|due\s+to|because\s+of)"
_RATING_REASON = re.compile(rf"\b{RATING_REASON_WORDS}\s+(?P<reason>[^()\[\]]+)", re.IGNORECASE)
# ...or in brackets after it, without those words: "Rated T (language)".
_RATING_NOTE = re.compile(r"[(\[](?P<reason>[^()\[\]]+)[)\]]")


def rating_reason(rating: str | None, *, taxonomy: Taxonomy) -> list[DeclaredItem]:
    """The warnings a rating's reason names ("Rating: M for language and violence", "Rated T
    (language)"): the author warns of them as a warnings line would. Only those that map count
    ("M for a reason", "T (just in case)" name none); without them, a rated-for swearing was
    "strong language: not declared"."""
    m = _RATING_REASON.search(rating or "") or _RATING_NOTE.search(rating or "")
    if m is None:
        return []
    items = parse_declaration(m.group("reason"), taxonomy=taxonomy, source="header")
    return [d for d in items if d.warning_id]


# A sentence ending inside a line, with more after it: "thin ice. Mara read the sign twice".
_SENTENCE_BREAK = re.compile(r"[.!?\u2026][\"'\u201d\u2019)]*\s+\S")
# Verbs of speech in a dialogue tag, in the past tense of narration; not "cried" or
# "screamed", which a warnings line may say of a character ("Warnings: angst, Dean cried"),
# nor "called" or "told" ("Steve called Tony a liar"), nor the present a warnings line tells
# its events in ("Sam yells at Dean").
_SAID = (
    r"(?:said|shouted|yelled|whispered|muttered|murmured|hissed|snapped"
    r"|replied|asked|warned|added|barked|bellowed|hollered)"
)
_SPEAKER = r"(?:[Hh]e|[Ss]he|[Tt]hey|I|[Ww]e|[Yy]ou|[A-Z][\w'\u2019-]*)"
# A dialogue tag ending the line after a comma: ", she shouted.", ", Mara yelled across the
# square.", ", said Tom.", ", she said, and pulled his hand away." A declaration never ends so.
_DIALOGUE_TAG = re.compile(
    rf"\s*(?:{_SPEAKER}\s+(?:\w+ly\s+)?{_SAID}|{_SAID}\s+{_SPEAKER})(?:\s+[^\s,]+){{0,5}}"
    r"(?:,[^.!?\u2026]*)?\s*[.!?\u2026]?$"
)
# After how many of the last commas a dialogue tag is looked for.
_TAG_COMMAS = 3


def _ends_in_dialogue_tag(body: str) -> bool:
    """Whether ``body`` ends in a dialogue tag after one of its last commas. Only those: tried
    after every comma, a long line of them took a minute (each try read to the line's end)."""
    commas = [m.end() for m in re.finditer(",", body)][-_TAG_COMMAS:]
    return any(_DIALOGUE_TAG.match(body, at) for at in commas)


# A declaration opened by "TW for" without a colon ("TW for self harm"): a weaker sign than a
# colon, so it holds only if an item names a warning or says there is none.
_FOR_FORM = re.compile(r"\bfor\s*$", re.IGNORECASE)


def reads_as_story(line: str, *, taxonomy: Taxonomy | None = None) -> bool:
    """A declaration line that is story ("Warning: thin ice. Mara read the sign twice, ..."
    opening chapter 1, "Warning - he's got a gun, she shouted.", "TW for short, Tamsin
    Wells..."): more than one sentence, a dialogue tag at its end or "for" for a colon, and no
    item names a warning or says there is none. Read as a declaration, its stabbing was kept
    out of scoring and its clauses shown as declared warnings not in the taxonomy."""
    prefix = _PREFIX.match(line.strip())
    body = line.strip()[prefix.end() :] if prefix else line.strip()
    weak = prefix is not None and _FOR_FORM.search(prefix.group()) is not None
    if not weak and _SENTENCE_BREAK.search(body) is None and not _ends_in_dialogue_tag(body):
        return False
    taxonomy = taxonomy or load_taxonomy()
    return not any(
        names_no_warning(raw, taxonomy=taxonomy)
        or any(d.warning_id for d in _header_item(raw, taxonomy=taxonomy, source="header"))
        for raw in _items(line)
    )
