"""What the first words of a cue's matches look like, read from its pattern, and the index of
cues by those words: a cue is tried only at words of a text that fit it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache


def _literal_prefix(pattern: str) -> str:
    """The literal word characters a pattern must start with ('' when it has none)."""
    out: list[str] = []
    for i, ch in enumerate(pattern):
        if not (ch.isalnum() or ch == "_"):
            if ch in "?*{" and out:
                out.pop()  # the last letter was optional
            break
        if i + 1 < len(pattern) and pattern[i + 1] in "?*{":
            break
        out.append(ch)
    return "".join(out).lower()


# One token of a pattern's structure: an escape, a whole character class (up to its first
# unescaped "]"), or a group or alternation character; other characters are searched past.
_STRUCTURE = re.compile(r"\\.?|\[(?:\\.?|[^\]\\])*\]?|[()|]", re.DOTALL)


def _structure(pattern: str) -> Iterator[tuple[int, str, int]]:
    """``(index, char, group depth)`` for each ``(``, ``)`` and ``|`` outside escapes and character
    classes. Found by a regex: walking the patterns character by character in Python was over
    a quarter of the time of building the lexicon."""
    depth = 0
    for m in _STRUCTURE.finditer(pattern):
        ch = m.group()
        if ch in ("(", ")", "|"):
            yield m.start(), ch, depth
            depth += (ch == "(") - (ch == ")")


def _split_top(pattern: str) -> list[str]:
    """The pattern's top-level alternatives."""
    cuts = [i for i, ch, depth in _structure(pattern) if ch == "|" and depth == 0]
    return [pattern[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(pattern)], strict=True)]


def _group_end(pattern: str) -> int:
    """Index of the ``)`` closing the group that opens at ``pattern[0]``; -1 if none."""
    return next((i for i, ch, depth in _structure(pattern) if ch == ")" and depth == 1), -1)


def _union(patterns: Sequence[str], *, single: bool = False) -> set[str] | None:
    """The prefixes of all ``patterns`` together; None if any is unknown. ``single``: each
    pattern is known to have no top-level alternatives (see ``_sequence_prefixes``)."""
    found: set[str] = set()
    for p in patterns:
        sub = _sequence_prefixes(p) if single else _prefixes(p)
        if sub is None:
            return None
        found |= sub
    return found


@cache
def _prefixes(pattern: str) -> frozenset[str] | None:
    """Literal word prefixes any match of ``pattern`` starts with ("=word": that whole word);
    None if unknown. Cached: cues share groups ("(?:his|her|their)") and every cue is read
    twice at start-up (for its group's anchors and for the index)."""
    alternatives = _split_top(pattern)
    if len(alternatives) > 1:
        return _frozen(_union(alternatives, single=True))
    return _sequence_prefixes(pattern)


@cache
def _sequence_prefixes(pattern: str) -> frozenset[str] | None:
    """``_prefixes`` of a pattern without top-level alternatives. What follows a lookbehind, and
    each alternative of a leading group followed by the rest, has none either: splitting
    those again re-read the rest of long cues once per alternative (most of the time of
    reading the anchors)."""
    if pattern.startswith(("(?<!", "(?<=")):  # a lookbehind consumes nothing
        end = _group_end(pattern)
        return None if end < 0 else _sequence_prefixes(pattern[end + 1 :])
    if pattern.startswith("("):
        end = _group_end(pattern)
        quantifier = pattern[end + 1 : end + 2]
        if end < 0 or quantifier in ("*", "{"):
            return None
        inner = pattern[1:end]
        if inner.startswith("?"):
            if not inner.startswith("?:"):
                return None  # lookahead or another special group
            inner = inner[2:]
        # Each alternative is followed by the rest of the pattern (so "(his|her) own" gives the
        # whole words "his" and "her"); a repeated group may be followed by itself instead.
        rest = "" if quantifier == "+" else pattern[end + 1 + (quantifier == "?") :]
        starts = [alt + rest for alt in _split_top(inner)]
        if quantifier == "?":
            starts.append(rest)  # an optional group: the match may start after it
        return _frozen(_union(starts, single=True))
    prefix = _literal_prefix(pattern)
    if not prefix:
        return None
    # A literal word followed by a space is a whole word: "=the" matches only "the", not "then".
    after = pattern[len(prefix) : len(prefix) + 2]
    # So is one followed by an apostrophe or hyphen, where a text's words end too ("he'd").
    joiner = re.match(r"(?:'|-|\\x27|\\-)(?![?*{])", pattern[len(prefix) :])
    if joiner:
        return frozenset({"=" + prefix})
    if after[:1] != " " or after[1:] in ("?", "*", "{"):
        return frozenset({prefix})
    # With what the next word starts with, when known: "=the>bla" is "the" then "bla...".
    following = _next_word(pattern[len(prefix) + 1 :])
    if not following:
        return frozenset({"=" + prefix})
    return frozenset(f"={prefix}>{a}" for a in following)


def _frozen(found: set[str] | None) -> frozenset[str] | None:
    return None if found is None else frozenset(found)


def _next_word(rest: str) -> set[str] | None:
    """Letters the next word of a match starts with, read from one literal or one group only
    (following the whole rest of long patterns made loading the lexicon 15x slower)."""
    if not rest.startswith("("):
        prefix = _literal_prefix(rest)
        return {prefix} if prefix else None
    end = _group_end(rest)
    quantifier = rest[end + 1 : end + 2]
    if end < 0 or quantifier in ("*", "{") or (rest[1:2] == "?" and rest[1:3] != "?:"):
        return None
    found: set[str] = set()
    for alt in _split_top(rest[3:end] if rest[1:3] == "?:" else rest[1:end]):
        prefix = _literal_prefix(alt)
        if not prefix:
            return None
        found.add(prefix)
    if quantifier == "?":
        # An optional word ("the (?:first )?demand"): the next word is it or what follows it.
        after = _next_word(rest[end + 2 :])
        if not after:
            return None
        found |= after
    return found


def _anchors(pattern: str) -> set[str] | None:
    """What the first word of any match of ``pattern`` looks like; None if unknown.

    Each anchor is either up to 3 leading letters ("sta": the word starts so) or, with
    "=", a whole word ("=the"), which may be followed by ">" and what the next word looks
    like ("=the>bla", "=his>=own"). A cue can only match at a word of the text that fits one
    of its anchors, so a pattern group whose anchors all miss a passage is not run at
    all: this skips most of the lexicon on most passages. Nested groups, alternatives
    and leading lookbehinds are followed to their literal starts; whole words keep
    short ones ("a", "he") from sending every word that merely starts so to the regex,
    and the next word keeps "the" from sending every "the" of a text to dozens of cues.
    """
    found = _prefixes(pattern)
    return None if found is None else {_short(a) for a in found}


def _short(anchor: str) -> str:
    """An anchor with its letter prefixes cut to the 3 letters the index looks up."""
    first, _, second = anchor.partition(">")
    first = first if first.startswith("=") else first[:3]
    if not second:
        return first
    return f"{first}>{second if second.startswith('=') else second[:3]}"


def _group_anchors(patterns: Sequence[str]) -> frozenset[str] | None:
    """The anchors of a cue group (None if any cue has none: the group scans the text)."""
    found = _union(patterns)
    return None if found is None else frozenset(_short(a) for a in found)


def _with_stems(index: dict[str, list[int]]) -> dict[str, list[int]]:
    """``index`` with every leading part of its letter prefixes as a key too (with no cues when
    it is not a prefix itself), so that a word's lookups stop at its first part not there."""
    out: dict[str, list[int]] = {}
    for key in index:
        if key[:1] != "=":
            for n in range(1, len(key)):
                out.setdefault(key[:n], [])
    out.update(index)
    return out


def _lookup(index: dict[str, list[int]], word: str) -> list[list[int]]:
    """The non-empty lists of cue ids ``index`` (with its stems) holds under ``word`` as a whole
    word ("=word") and under each of its leading parts: most words leave the stems within
    three letters, so this is a few lookups."""
    found = [cues] if (cues := index.get("=" + word)) else []
    for n in range(1, len(word) + 1):
        cues = index.get(word[:n])
        if cues is None:
            break
        if cues:
            found.append(cues)
    return found
