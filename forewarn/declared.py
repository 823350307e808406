"""What the author declared, mapped onto the taxonomy, and how it compares.

Authors write warnings as free text ("This fic will contain: Violence, torture,
strong language, blood play and strong sexual themes"), as TW/CW lines, or as
AO3 archive warnings and tags. Each declared item is mapped through the
taxonomy's aliases; what does not map is kept, visibly, as unmapped.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from forewarn.readers.text import DECLARATION
from forewarn.taxonomy import Taxonomy, WarningDef, load_taxonomy, normalize
from forewarn.work import Metadata

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
    key = raw.strip().strip(".!").lower()
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
        or _NOT_GRAPHIC.match(raw.strip().lower()) is not None  # "nothing graphic", alone
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
    return any(d.warning_id for d in _declared(rest, taxonomy=taxonomy or load_taxonomy(), source="header"))


# The same line start the readers use to find declarations, plus the space after it.
_PREFIX = re.compile(DECLARATION.pattern + r"\s*", re.IGNORECASE)
# Whole words only: "forced pregnancy" does not start with "for", nor "foreplay" with "for".
_LEAD_IN = re.compile(
    r"^\s*(?:this\s+(?:fic|story|chapter|work|one)\s+(?:will\s+)?(?:contains?|includes?|has|deals\s+with|features?)"
    r"|(?:it\s+)?contains?|includes?|there\s+(?:is|are|will\s+be)|for|features?)\b\s*:?\s*",
    re.IGNORECASE,
)
# An item that starts by saying what follows is absent: "no gore", "without any blood",
# "nothing sexual", "not a death fic".
_NEGATED = re.compile(r"^(?:no|not|without|zero|never|nothing)\s+(?:any\s+|an?\s+)?", re.IGNORECASE)
# No \s* around the separators: on a long run of spaces it made splitting quadratic
# (a minute for 80 KB); the parts are stripped instead.
# Emoji split too: authors use them as bullets ("TW: \U0001f52a violence \U0001fa78 blood"),
# as are dots and bullets ("violence \u00b7 blood"), CJK commas, and a hyphen or dash with a
# space each side ("violence - blood"; "self-harm" has none). "and/or" before "and".
# "but" joins a warning and one said to be absent ("violence but no gore"); ", but" is one cut.
# So does a sentence's end inside the line ("TW: self harm. Please be careful."): the item
# was "self harm. Please be careful", unmapped.
_SPLIT = re.compile(
    r",(?:\s*but\b)?|\bbut\b|;|\||\s/\s|\+|\band\s*/\s*or\b|\band\b|&|\bplus\b|\n|\s[-\u2013\u2014]\s"
    r"|[.!?\u2026]\s"
    r"|[\u00b7\u2219\u2022\u2023\u25e6\u25aa\u2043\uff0c\u3001]"
    r"|[\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f000-\U0001faff]",
    re.IGNORECASE,
)
# (qualifier, leading words) in the order tried. AO3's "Implied/Referenced X" tags say only
# that X is not on the page; "implied" is the nearest of our qualifiers. The slash form is
# tried first because "implied past X" is a mention and plain "implied" needs a space after it.
_QUALIFIERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("implied", re.compile(r"^implied\s*/\s*referenced\s+", re.I)),
    (
        "mentioned",
        re.compile(
            r"^(?:mentions?\s+of|mentioned|references?\s+to|referenced|past|implied\s+past|discussions?\s+of|talk\s+of)\s+",
            re.I,
        ),
    ),
    ("implied", re.compile(r"^(?:implied|implications?\s+of|hints?\s+of|alluded(?:\s+to)?|suggested)\s+", re.I)),
    ("graphic", re.compile(r"^(?:graphic|explicit|detailed|brutal)\s+", re.I)),
)
# A note in brackets after an item ("self-harm (past, not graphic)"): a qualifier if one of
# its parts is exactly one of these words ("not graphic" is not "graphic"), after words that
# only say how much ("very graphic" is graphic, "brief mention" a mention).
_SUFFIX_NOTE = re.compile(r"[(\[](?P<note>[^()\[\]]*)[)\]]\s*$")
_NOTE_QUALIFIERS = {
    "mentioned": "mentioned",
    "mention": "mentioned",
    "mentions": "mentioned",
    "referenced": "mentioned",
    "reference": "mentioned",
    "references": "mentioned",
    "implied": "implied",
    "graphic": "graphic",
    "past": "mentioned",
    "brief": "mentioned",
    "mild": "mentioned",
}
_INTENSIFIERS = re.compile(r"^(?:(?:very|extremely|slightly|brief|briefly|really|quite|only|just)\s+)+")
# A note that says the item is not graphic; no qualifier, but a note all the same. "explicit"
# as a qualifier is graphic, so "not explicit" is the same note; so are "nothing (too) graphic".
# "though nothing graphic" and "no graphic descriptions" say it too.
_NOT_GRAPHIC = re.compile(
    r"^(?:(?:though|although|but)\s+)?(?:not|non|semi|nothing|no)[\s-]*"
    r"(?:(?:very|too|that|overly|super|really|particularly)\s+)?(?:graphic|explicit)"
    r"(?:\s+(?:descriptions?|details?|depictions?|scenes?))?$"
)
# The same notes after a spaced dash, a colon, a comma or "but": "self harm - mentioned",
# "violence: very graphic", "violence, not explicit", "blood but nothing graphic".
_NOTE_MARK = re.compile(r"\s[-\u2013\u2014]\s|:|,(?:\s*but\b)?|\bbut\b", re.IGNORECASE)
# An item's words read to map it: no alias is near that long, even after stacked qualifiers
# and fillers, and trying every prefix of a 4,000-word item took half a minute.
MAX_ITEM_WORDS = 32
_FILLER = re.compile(
    r"^(?:strong|mild|brief|some|heavy|lots\s+of|a\s+lot\s+of|minor|major|intense|dark|non[- ]graphic|"
    r"on[- ]screen|off[- ]screen|canon[- ]typical|period[- ]typical|canon|temporary|very|slight|light|"
    r"possible|potential|"
    r"descriptions?\s+of|depictions?\s+of|"
    # How much: "a bit of blood", "just some swearing", "a brief mention of X". Like "some" or
    # "mild" they give no qualifier: a little blood may still be on the page.
    r"a\s+(?:little\s+|tiny\s+)?bit\s+of|a\s+little|a\s+few|a\s+brief|just|only)\s+",
    re.I,
)

# Words that may follow an alias without changing what it names ("blood play scenes",
# "self-harm mentions"), normalized like aliases. Any other word may ("death threats",
# "birth control", "language barrier", "cutting off contact"): such items stay unmapped.
_MODIFIERS = frozenset(
    normalize(w)  # plurals fold to these
    for w in (
        *("play", "theme", "content", "scene", "mention", "reference", "depiction", "description"),
        *("element", "imagery", "image", "warning", "discussion", "talk", "undertone", "overtone"),
        *("implication", "hint", "aftermath", "stuff", "heavy", "galore", "ahead", "included", "involved"),
        *("survivor", "recovery", "attempt", "complication", "loss", "mentioned", "referenced", "implied"),
        *("fic", "story", "chapter"),  # "a death fic" is a death
    )
)
# Modifiers that qualify the alias before them ("self-harm mentions", "violence implied"); an
# alias that ends so too ("blood mention"). Normalized, as the modifiers.
_TRAILING_QUALIFIERS = {
    **{normalize(w): "mentioned" for w in ("mention", "mentioned", "reference", "referenced")},
    **{normalize(w): "implied" for w in ("implied", "implication", "hint")},
}
# Words after which an alias is followed by what it is done to ("violence against women").
_OBJECT_WORDS = frozenset({"of", "against", "toward", "towards", "by"})
# ...unless what follows is no one it is done to ("abuse of power" is not abuse).
_NOT_OBJECTS = frozenset({"power", "authority", "trust", "office", "position", "process", "privilege", "discretion"})
_UNDERAGE = re.compile(r"^underage\s+", re.I)
# Names that declare several warnings at once; the taxonomy maps each alias to one, and these
# declare the rest too. Child sexual abuse is child abuse, sexual assault and (AO3's) underage;
# domestic violence and physical abuse are abuse and violence (a beating declared so was
# "violence: not declared").
_ALSO_DECLARED = {
    **{
        normalize(name): ("sexual-assault", "underage")
        for name in ("csa", "child sexual abuse", "childhood sexual abuse")
    },
    **{normalize(name): ("violence",) for name in ("domestic violence", "physical abuse")},
}
_NEGATIONS = frozenset({"no", "not", "without", "zero", "never", "nothing"})


@dataclass(frozen=True)
class DeclaredItem:
    """One declared warning as the author wrote it, and what it maps to."""

    raw: str
    warning_id: str | None
    qualifier: str | None  # "mentioned" | "implied" | "graphic" | None
    source: str  # "header" | "ao3-archive-warning" | "ao3-tag"


@dataclass
class Comparison:
    """Declared vs detected, by warning id."""

    matching: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # detected, not declared
    extra: list[str] = field(default_factory=list)  # declared, not detected
    unmapped: list[str] = field(default_factory=list)  # declared phrases outside the taxonomy
    no_archive_warnings: bool = False
    chose_not_to_warn: bool = False
    # matching warnings the author did not name but covered by a narrower one they declared
    # (detected violence, declared sexual assault): id -> that declared id
    covered_by: dict[str, str] = field(default_factory=dict)
    # missing warnings that are a kind of one the author declared (detected torture, declared
    # violence): id -> that declared id; the broader one is then not "extra"
    declared_broader: dict[str, str] = field(default_factory=dict)
    # declared as only mentioned or implied, detected on the page (depicted or graphic):
    # id -> the declared qualifier
    milder_than_detected: dict[str, str] = field(default_factory=dict)


def _resolve(phrase: str, taxonomy: Taxonomy, *, strict: bool = False) -> WarningDef | None:
    """Alias lookup, then again without filler adjectives, then (unless strict) by head words."""
    d = taxonomy.resolve(phrase)
    if d is not None:
        return d
    stripped = phrase
    while True:
        nxt = _FILLER.sub("", stripped)
        if nxt == stripped:
            break
        stripped = nxt
    d = taxonomy.resolve(stripped)
    if d is not None or strict:
        return d
    words = normalize(stripped).split()
    return _head_alias(words, taxonomy) or _tail_alias(words, taxonomy)


def _head_alias(words: list[str], taxonomy: Taxonomy) -> WarningDef | None:
    """The longest alias prefix, when the words after it are modifiers ("blood play scenes")
    or an object ("death of a parent"); "death threats" or "blood magic" are not death or blood."""
    for n in range(len(words) - 1, 0, -1):
        to_someone = words[n] in _OBJECT_WORDS and (n + 1 == len(words) or words[n + 1] not in _NOT_OBJECTS)
        d = taxonomy.resolve(" ".join(words[:n])) if to_someone else None
        if d is not None:
            return d
    for n in range(len(words) - 1, 0, -1):
        if words[n] not in _MODIFIERS:
            return None
        d = taxonomy.resolve(" ".join(words[:n]))
        if d is not None:
            return d
    return None


def _tail_alias(words: list[str], taxonomy: Taxonomy) -> WarningDef | None:
    """The longest alias of two or more words that ends the item ("non-con drug use" is drug
    use). One word is too little ("hair cutting"), and "no character death" or "violence with
    no character death" declares none: an alias after a negation is said to be absent."""
    for n in range(1, len(words) - 1):
        if words[n - 1] in _NEGATIONS:
            return None
        d = taxonomy.resolve(" ".join(words[n:]))
        if d is not None:
            return d
    return None


def _split(body: str) -> list[str]:
    """``body`` cut at the separators outside brackets: "abuse (physical, emotional)" is one item."""
    depth, inside = 0, []
    for ch in body:
        depth = depth + 1 if ch in "([" else max(depth - 1, 0) if ch in ")]" else depth
        inside.append(depth > 0)
    cuts = [m for m in _SPLIT.finditer(body) if not inside[m.start()]]
    parts, start = [], 0
    for i, m in enumerate(cuts):
        end = cuts[i + 1].start() if i + 1 < len(cuts) else len(body)
        # "self harm - mentioned": the dash starts a note on the item, not an item.
        if _NOTE_MARK.fullmatch(m.group()) and _is_severity_note(body[m.end() : end]):
            continue
        parts.append(body[start : m.start()])
        start = m.end()
    return [*parts, body[start:]]


def _items(text: str) -> list[str]:
    body = _PREFIX.sub("", text.strip(), count=1)
    body = _LEAD_IN.sub("", body, count=1)
    body = _unwrapped(body.strip().rstrip(".!~").strip())
    # Each part may open so too: "this one gets dark. There is blood."
    parts = [_LEAD_IN.sub("", p.strip(), count=1).strip(" .*-_\t\"'") for p in _split(body)]
    return [p for p in parts if p]


def _unwrapped(body: str) -> str:
    """``body`` without the closing bracket of a line wrapped whole ("[TW: blood]"): it is no
    part of the last item ("blood]")."""
    for opening, closing in ("()", "[]"):
        if body.endswith(closing) and body.count(closing) > body.count(opening):
            body = body[:-1].rstrip(" .!~")
    return body


def _strip_qualifiers(phrase: str) -> tuple[str, str | None]:
    """The phrase without leading qualifiers, and the first one; they stack on AO3
    ("Implied/Referenced Past Self-Harm") and may follow filler ("brief mention of X")."""
    qualifier: str | None = None
    while True:
        for name, pattern in _QUALIFIERS:
            m = pattern.match(phrase)
            if m:
                qualifier = qualifier or name
                phrase = phrase[m.end() :]
                break
        else:
            rest = phrase  # fillers stack too: "very brief mention of blood"
            while (filler := _FILLER.match(rest)) is not None:
                rest = rest[filler.end() :]
            if rest == phrase or not any(p.match(rest) for _, p in _QUALIFIERS):
                return phrase, qualifier
            phrase = rest


def _note_words(note: str) -> list[str]:
    """A note's parts, lower case, without intensifiers: "Very graphic, past" -> graphic, past."""
    return [_INTENSIFIERS.sub("", n.strip().lower()) for n in re.split(r"[,;/]", note)]


def _note_qualifier(note: str) -> str | None:
    """The qualifier a note gives: the first of its parts that is one ("past, not graphic")."""
    return next((_NOTE_QUALIFIERS[n] for n in _note_words(note) if n in _NOTE_QUALIFIERS), None)


def _is_severity_note(text: str) -> bool:
    """Whether ``text`` after a dash or colon only says how it appears ("mentioned", "very
    graphic", "not graphic"): a note on the item before it, not an item of its own."""
    return all(n in _NOTE_QUALIFIERS or _NOT_GRAPHIC.match(n) for n in _note_words(text))


def _without_note(raw: str) -> tuple[str, str | None, str]:
    """``raw`` without its note (cut to MAX_ITEM_WORDS words), the qualifier the note gives,
    and the note: "abuse (physical, emotional)" is abuse, "self harm - mentioned" a mention."""
    phrase, qualifier, note = raw, None, ""
    suffix = _SUFFIX_NOTE.search(phrase) if not raw.startswith(("(", "[")) else None
    mark = None if suffix else next(reversed(list(_NOTE_MARK.finditer(phrase))), None)
    if suffix:
        note = suffix.group("note")
        phrase = phrase[: suffix.start()].rstrip()
    elif mark and _is_severity_note(phrase[mark.end() :]):
        note = phrase[mark.end() :]
        phrase = phrase[: mark.start()].rstrip()
    qualifier = _note_qualifier(note) if note else None
    words = phrase.split(maxsplit=MAX_ITEM_WORDS)
    if len(words) > MAX_ITEM_WORDS:
        phrase = " ".join(words[:MAX_ITEM_WORDS])
    return phrase, qualifier, note


def _trailing_qualifier(phrase: str) -> str | None:
    """The qualifier a phrase's last word gives: "self-harm mentions" is a mention (it gave none)."""
    words = normalize(phrase).split()
    return _TRAILING_QUALIFIERS.get(words[-1]) if len(words) > 1 else None


def _one(raw: str, *, taxonomy: Taxonomy, source: str, strict: bool = False) -> DeclaredItem:
    """``raw`` read as one warning (with its qualifier), or unmapped."""
    phrase, qualifier, note = _without_note(raw)
    rest, leading = _strip_qualifiers(phrase)
    qualifier = qualifier or leading or _trailing_qualifier(phrase)
    d = _resolve(rest, taxonomy, strict=strict) if rest != phrase else None
    d = d or _resolve(phrase, taxonomy, strict=strict)
    if d is None and note and qualifier is None:
        d = _resolve(note, taxonomy, strict=True)  # "SA (sexual assault)" names it in the note
    return DeclaredItem(raw=raw, warning_id=d.id if d else None, qualifier=qualifier, source=source)


def _declared(raw: str, *, taxonomy: Taxonomy, source: str, strict: bool = False) -> list[DeclaredItem]:
    """One item, or one per warning for an item that names several and matches no alias
    whole (see ``_parts``: "Underage Rape/Non-con", "self-harm/suicide").

    The parts are tried before a head- or tail-word match of the whole: by its tail,
    "underage non-con" is sexual assault alone and "self-harm/suicide" suicide alone.
    """
    item = _one(raw, taxonomy=taxonomy, source=source, strict=True)
    if item.warning_id is None:
        core = _strip_qualifiers(_without_note(raw)[0])[0]
        parts = _parts(core, taxonomy=taxonomy, source=source, strict=strict)
        if parts:
            named: dict[str | None, str | None] = {}  # once each: "noncon/dubcon" is one warning
            for p in parts:
                named.setdefault(p.warning_id, p.qualifier or item.qualifier)
            return [DeclaredItem(raw, wid, q, source) for wid, q in named.items()]
        if not strict:
            item = _one(raw, taxonomy=taxonomy, source=source)
    if item.warning_id is None:
        return _note_list(raw, taxonomy=taxonomy, source=source) or [item]
    words = f" {normalize(_without_note(raw)[0])} "
    also = [wid for name, wids in _ALSO_DECLARED.items() if f" {name} " in words for wid in wids]
    return [item, *(DeclaredItem(raw, wid, item.qualifier, source) for wid in dict.fromkeys(also))]


def _note_list(raw: str, *, taxonomy: Taxonomy, source: str) -> list[DeclaredItem]:
    """The warnings listed in the note of an item that names none itself: "the usual (swearing,
    canon-typical violence)" declares both (it was unmapped); every part must map."""
    note = _without_note(raw)[2]
    parts = [p for p in (p.strip(" .*-_") for p in _split(note)) if p] if note else []
    if len(parts) < 2:  # one part: see _one
        return []
    named = [_one(p, taxonomy=taxonomy, source=source, strict=True) for p in parts]
    if not all(d.warning_id for d in named):
        return []
    return [DeclaredItem(raw, d.warning_id, d.qualifier, source) for d in named]


# Where an item joins warnings: "&" or "and" (in tags; lines are split there already), else a
# bare "/" ("self-harm/suicide"). Tried in this order so "s/h and suicide" splits at "and".
_JOINS = (re.compile(r"\s*&\s*|\s+and\s+", re.I), re.compile(r"\s*/\s*"))


def _parts(core: str, *, taxonomy: Taxonomy, source: str, strict: bool) -> list[DeclaredItem] | None:
    """The warnings an item without qualifiers names when it joins several, or None.

    AO3's "Underage X" is underage and X, when X is sexual ("Underage Drinking" is not);
    "self-harm/suicide" or "Kidnapping and Abduction" is each warning joined, when every
    part maps ("hurt/comfort" does not, and stays whole).
    """
    m = _UNDERAGE.match(core)
    if m:
        rest = _declared(core[m.end() :], taxonomy=taxonomy, source=source, strict=strict)
        if all(d.warning_id and taxonomy.get(d.warning_id).group == "sexual-content" for d in rest):
            return [DeclaredItem(core, "underage", rest[0].qualifier, source), *rest]
    for join in _JOINS:
        pieces = [p.strip() for p in join.split(core)]
        if len(pieces) < 2 or not all(pieces):
            continue
        out: list[DeclaredItem] = []
        for piece in pieces:  # stops at the first part that does not map
            named = _declared(piece, taxonomy=taxonomy, source=source, strict=strict)
            if named[0].warning_id is None:
                break
            out.extend(named)
        else:
            return out
    return None


def parse_declaration(text: str, *, taxonomy: Taxonomy, source: str = "header") -> list[DeclaredItem]:
    """Parse one declaration line ("Warnings: ...", "TW: ...") into items."""
    return [item for raw in _items(text) for item in _header_item(raw, taxonomy=taxonomy, source=source)]


def _header_item(raw: str, *, taxonomy: Taxonomy, source: str) -> list[DeclaredItem]:
    """What one item of a declaration line declares. An item saying a warning is absent ("no
    gore") is kept as written but declares nothing: the author says it is not there."""
    if negates_warning(raw, taxonomy=taxonomy):
        return [DeclaredItem(raw, None, None, source)]
    return _declared(raw, taxonomy=taxonomy, source=source)


def is_warning_list(line: str, *, taxonomy: Taxonomy | None = None) -> bool:
    """A declaration line most of whose items are known warnings ("TW: blood, SA").

    Outside a work's preface and end notes, "Warning: the stove is hot, she said."
    is dialogue; only a line like this is still read as a declaration there. Items
    must match an alias exactly (after qualifiers and fillers), not by head word.
    """
    taxonomy = taxonomy or load_taxonomy()
    items = _items(line)
    known = sum(1 for raw in items if _declared(raw, taxonomy=taxonomy, source="header", strict=True)[0].warning_id)
    return known * 2 > len(items)


# The words before the reason an author gives for a rating ("M for language and violence",
# "T due to swearing"); ``forewarn.rating.declared_rating`` leaves the reason out of the rating.
RATING_REASON_WORDS = r"(?:for|due\s+to|because\s+of)"
_RATING_REASON = re.compile(rf"\b{RATING_REASON_WORDS}\s+(?P<reason>[^()\[\]]+)", re.IGNORECASE)


def rating_reason(rating: str | None, *, taxonomy: Taxonomy) -> list[DeclaredItem]:
    """The warnings a rating's reason names ("Rating: M for language and violence"): the author
    warns of them as a warnings line would. Only those that map count ("M for a reason" names
    none); without them, a rated-for swearing was "strong language: not declared"."""
    m = _RATING_REASON.search(rating or "")
    if m is None:
        return []
    items = parse_declaration(m.group("reason"), taxonomy=taxonomy, source="header")
    return [d for d in items if d.warning_id]


# A sentence ending inside a line, with more after it: "thin ice. Mara read the sign twice".
_SENTENCE_BREAK = re.compile(r"[.!?\u2026][\"'\u201d\u2019)]*\s+\S")
# Verbs of speech in a dialogue tag; not "cried" or "screamed", which a warnings line may say
# of a character ("Warnings: angst, Dean cried").
_SAID = (
    r"(?:said|says|shouted|shouts|yelled|yells|called|whispered|whispers|muttered|murmured|hissed|snapped"
    r"|replied|asked|warned|added|barked|bellowed|hollered|told\s+\w+)"
)
_SPEAKER = r"(?:[Hh]e|[Ss]he|[Tt]hey|I|[Ww]e|[Yy]ou|[A-Z][\w'\u2019-]*)"
# A dialogue tag ending the line after a comma: ", she shouted.", ", Mara yelled across the
# square.", ", said Tom." A declaration never ends so.
_DIALOGUE_TAG = re.compile(
    rf",\s*(?:{_SPEAKER}\s+(?:\w+ly\s+)?{_SAID}|{_SAID}\s+{_SPEAKER})(?:\s+[^\s,]+){{0,5}}\s*[.!?\u2026]?$"
)


def reads_as_story(line: str, *, taxonomy: Taxonomy | None = None) -> bool:
    """A declaration line that is story ("Warning: thin ice. Mara read the sign twice, ..."
    opening chapter 1, "Warning - he's got a gun, she shouted."): more than one sentence or a
    dialogue tag at its end, and no item names a warning or says there is none. Read as a
    declaration, its stabbing was kept out of scoring and its clauses shown as declared
    warnings not in the taxonomy."""
    body = _PREFIX.sub("", line.strip(), count=1)
    if _SENTENCE_BREAK.search(body) is None and _DIALOGUE_TAG.search(body) is None:
        return False
    taxonomy = taxonomy or load_taxonomy()
    return not any(
        names_no_warning(raw, taxonomy=taxonomy)
        or any(d.warning_id for d in _header_item(raw, taxonomy=taxonomy, source="header"))
        for raw in _items(line)
    )


def declared_from_metadata(metadata: Metadata, *, taxonomy: Taxonomy) -> list[DeclaredItem]:
    """Everything the work declares: warnings lines, the reason given for its rating, AO3
    archive warnings, AO3 tags.

    Freeform tags are mostly not warnings ("Fluff", "Slow Burn"), so only the tags
    that map to a warning are kept; unmapped phrases come from warnings lines only.
    A tag must match an alias exactly (after qualifiers and fillers): by head word,
    "Language Barrier", "Death Eaters" or "Blood Magic" would declare warnings.
    """
    items: list[DeclaredItem] = []
    for line in metadata.declaration_lines:
        items.extend(parse_declaration(line, taxonomy=taxonomy, source="header"))
    items.extend(rating_reason(metadata.rating, taxonomy=taxonomy))
    for raw in metadata.archive_warnings:
        if ao3_value(raw) in AO3_NO_WARNING:
            items.append(DeclaredItem(raw=raw, warning_id=None, qualifier=None, source="ao3-archive-warning"))
            continue
        d = taxonomy.resolve(raw)
        items.append(
            DeclaredItem(raw=raw, warning_id=d.id if d else None, qualifier=None, source="ao3-archive-warning")
        )
    for tag in metadata.freeform_tags:
        items.extend(d for d in _declared(tag, taxonomy=taxonomy, source="ao3-tag", strict=True) if d.warning_id)
    return items


def compare(
    declared: Sequence[DeclaredItem],
    detected: Sequence[str],
    *,
    taxonomy: Taxonomy,
    considered: Collection[str] | None = None,
    severities: Mapping[str, str] | None = None,
) -> Comparison:
    """Which detections the author declared, which they did not, and the reverse.

    ``severities``: each detected warning's severity; with it, a warning declared as only
    mentioned or implied ("mentions of violence") but detected on the page is named in
    ``milder_than_detected`` (a hint to check, since severity is itself an estimate).

    ``considered``: the warnings looked for (``--only``/``--ignore``); a declared warning
    outside them is not "extra" (nobody looked), yet still covers the broader ones it implies
    (``--only violence`` on a work declaring torture: violence is declared).

    Rule: a detected warning counts as declared when it is declared itself, or
    when a narrower warning that implies it is declared (declaring "torture"
    covers a detected "violence"; declaring "violence" does not cover "torture").
    ``covered_by`` says which matches rest on that rule, so a report can say so: the
    violence detected may be another scene than the declared torture.
    """
    special = {ao3_value(d.raw) for d in declared if d.warning_id is None} & AO3_NO_WARNING
    qualifiers: dict[str, set[str | None]] = {}  # declared id -> its qualifiers, in declaration order
    for d in declared:
        if d.warning_id:
            qualifiers.setdefault(d.warning_id, set()).add(d.qualifier)
    ids = list(qualifiers)
    covered = set(ids)
    via: dict[str, str] = {}
    for wid in ids:
        for broader in taxonomy.get(wid).broader:
            covered.add(broader)
            if broader not in ids:
                via.setdefault(broader, wid)
    detected_set = list(dict.fromkeys(detected))
    # A declared warning is borne out by a narrower detection (violence by torture), which
    # stays missing itself: the author named the kind, not the thing.
    broader_of = {
        w: next((b for b in taxonomy.get(w).broader if b in ids), None) for w in detected_set if w not in covered
    }
    borne_out = {b for b in broader_of.values() if b}
    milder = {  # only when every declaration of it is mild: "violence, mentions of violence" is not
        w: "implied" if "implied" in qualifiers[w] else "mentioned"
        for w in detected_set
        if qualifiers.get(w, {None}) <= {"mentioned", "implied"}
        and (severities or {}).get(w) in ("depicted", "graphic")
    }
    unmapped = [
        d.raw
        for d in declared
        if d.warning_id is None and d.source == "header" and not names_no_warning(d.raw, taxonomy=taxonomy)
    ]
    return Comparison(
        matching=[w for w in detected_set if w in covered],
        missing=[w for w in detected_set if w not in covered],
        extra=[
            w for w in ids if w not in detected_set and w not in borne_out and (considered is None or w in considered)
        ],
        unmapped=list(dict.fromkeys(unmapped)),
        no_archive_warnings=NO_WARNINGS_APPLY in special,
        chose_not_to_warn=CHOSE_NOT_TO_WARN in special,
        covered_by={w: via[w] for w in detected_set if w in via},
        declared_broader={w: b for w, b in broader_of.items() if b},
        milder_than_detected=milder,
    )
