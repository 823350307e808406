"""One declared item ("brief mentions of self-harm", "Underage Rape/Non-con", "abuse
(physical, emotional)") read as the warnings it names, with their qualifiers.

The item is mapped through the taxonomy's aliases, after its leading qualifiers, fillers and
note; what does not map is kept, visibly, as unmapped. ``forewarn.declared.lines`` cuts a
line into such items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from forewarn.taxonomy import Taxonomy, WarningDef, normalize

# Where the items of a declaration line end (see ``split_items``).
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
    # Strong, heavy or intense content is on the page, not a mention ("strong sexual themes"
    # is AO3's Mature); "strong language" is a warning's own name, not how much of it.
    ("depicted", re.compile(r"^(?:strong|heavy|intense)\s+(?!language\b)", re.I)),
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
NOT_GRAPHIC = re.compile(
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
        "consumption",  # "alcohol consumption" is alcohol use
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
    qualifier: str | None  # "mentioned" | "implied" | "depicted" | "graphic" | None
    source: str  # "header" | "ao3-archive-warning" | "ao3-tag"


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


def split_items(body: str) -> list[str]:
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
    return all(n in _NOTE_QUALIFIERS or NOT_GRAPHIC.match(n) for n in _note_words(text))


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


def item_warnings(raw: str, *, taxonomy: Taxonomy, source: str, strict: bool = False) -> list[DeclaredItem]:
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
    parts = [p for p in (p.strip(" .*-_") for p in split_items(note)) if p] if note else []
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
        rest = item_warnings(core[m.end() :], taxonomy=taxonomy, source=source, strict=strict)
        if all(d.warning_id and taxonomy.get(d.warning_id).group == "sexual-content" for d in rest):
            return [DeclaredItem(core, "underage", rest[0].qualifier, source), *rest]
    for join in _JOINS:
        pieces = [p.strip() for p in join.split(core)]
        if len(pieces) < 2 or not all(pieces):
            continue
        out: list[DeclaredItem] = []
        for piece in pieces:  # stops at the first part that does not map
            named = item_warnings(piece, taxonomy=taxonomy, source=source, strict=strict)
            if named[0].warning_id is None:
                break
            out.extend(named)
        else:
            return out
    return None
