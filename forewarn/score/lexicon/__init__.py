"""A fast, context-aware lexicon scorer for every warning in the taxonomy.

It is the first stage of the cascade (cheap enough to run on every passage) and
the only scorer for warnings without labeled data. Two kinds of context are
used: idioms listed per warning ("killing time", "blood orange") veto a cue
they contain, and a negation shortly before a cue ("didn't kill", "no blood")
keeps it as a mention but weakens it.

The package's modules: ``anchors`` (what a cue's matches start with, and the index of cues by
it) and ``packaged`` (compiling cues; the packaged lexicon and its idioms). The scorer is here,
and every name other modules import is importable from ``forewarn.score.lexicon``.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from forewarn.score.base import check_texts
from forewarn.score.lexicon.anchors import _anchors, _group_anchors, _lookup, _prefixes, _with_stems
from forewarn.score.lexicon.packaged import (
    _packaged_lexicon,
    _packaged_text,
    compile_cues,
    packaged_exclude_gates,
    packaged_excludes,
)
from forewarn.score.literals import LiteralGate, folded
from forewarn.taxonomy import Taxonomy, load_taxonomy

__all__ = [  # the scorer and its hits, then the names other modules and tests import from here
    "FLOOR",
    "NEGATED_FACTOR",
    "RATE",
    "TIER_WEIGHTS",
    "LexiconHit",
    "LexiconScorer",
    "_anchors",
    "compile_cues",
    "packaged_exclude_gates",
    "packaged_excludes",
]

# `topic` cues only route a passage to the learned head for that warning (see
# forewarn.score.cascade); they add nothing to the lexicon's own probability.
TIER_WEIGHTS = {"topic": 0.0, "mention": 0.6, "depiction": 1.0, "graphic": 1.5}
NEGATED_FACTOR = 0.3
# p = 1 - exp(-RATE * sum(weights)): one depiction cue -> 0.5, two mentions -> 0.57.
RATE = math.log(2.0)
FLOOR = 0.02
_NEGATION = re.compile(
    r"\b(?:not|no|never|nobody|nothing|without|neither|nor|hardly|barely|didn'?t|don'?t|doesn'?t|"
    r"wasn'?t|weren'?t|isn'?t|aren'?t|won'?t|wouldn'?t|couldn'?t|can'?t|cannot|hadn'?t|hasn'?t|haven'?t)\b"
    r"[^.!?;:\n]{0,25}$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LexiconHit:
    """One cue found in a text."""

    warning: str
    term: str
    start: int
    end: int
    weight: float
    tier: str
    negated: bool


_WORDS = re.compile(r"\w+")


class LexiconScorer:
    """Scores every taxonomy warning from cue patterns in ``data/lexicon.toml``."""

    def __init__(self, *, lexicon_path: str | Path | None = None, taxonomy: Taxonomy | None = None) -> None:
        self.lexicon_path = lexicon_path
        self.taxonomy = taxonomy or load_taxonomy()
        text = _packaged_text() if lexicon_path is None else Path(lexicon_path).read_text(encoding="utf-8")
        # Stored results (batch, the results database) are keyed by the scorer's version:
        # a changed cue must not leave works scanned with the old ones marked as done.
        self.version_ = f"lexicon-{hashlib.sha256(text.encode()).hexdigest()[:8]}"
        data = _packaged_lexicon() if lexicon_path is None else tomllib.loads(text)
        unknown = set(data) - set(self.taxonomy.ids)
        if unknown:
            raise ValueError(f"lexicon has warnings not in the taxonomy: {sorted(unknown)}")
        self.labels_: list[str] = list(self.taxonomy.ids)
        # Groups whose every term has known leading letters are matched only at word starts
        # that fit them (see _anchors and _word_entries); the rest scan the text.
        self._tiers: list[tuple[str, str, tuple[str, ...], frozenset[str] | None]] = []
        self._patterns: dict[int, re.Pattern[str]] = {}  # a group's alternation, compiled when first needed
        # The anchored groups' cues in lexicon order: a cue's id is its place here.
        self._cue_terms: list[str] = []
        self._cue_groups: list[int] = []
        self._cues: dict[int, re.Pattern[str]] = {}  # a cue's own pattern, compiled when first needed
        # The index, by the anchors' first word ("=word", or its leading letters) and, for the
        # first words of two-word anchors ("the", "his"), by the second: anchor -> cue ids.
        self._firsts: dict[str, list[int]] = {}
        self._seconds: dict[str, dict[str, list[int]]] = {}
        # What a word (and, after a pair head, the next word) sends to the regexes; words
        # repeat, so this is looked up far more often than computed.
        self._word_cache: dict[tuple[str, str | None], tuple[tuple[int, re.Pattern[str]], ...]] = {}
        self._exclude: dict[str, re.Pattern[str]] = {}
        # Per warning, the literals each idiom needs (forewarn.score.literals); see _idiom_spans.
        self._idiom_gates: dict[str, LiteralGate] = {}
        shared = packaged_excludes() if lexicon_path is None else None
        shared_gates = packaged_exclude_gates() if lexicon_path is None else None
        for wid in self.labels_:
            entry = data.get(wid, {})
            for tier in ("graphic", "depiction", "mention", "topic"):
                terms = entry.get(tier, [])
                if not terms:
                    continue
                group = len(self._tiers)
                anchors = _group_anchors(terms)
                self._tiers.append((wid, tier, tuple(terms), anchors))
                if anchors is not None:
                    for term in terms:
                        self._add_cue(group, term)
            # The packaged idioms are compiled once per process, shared with the severity cues.
            exclude = shared.get(wid) if shared is not None else compile_cues(entry.get("exclude", []))
            if exclude is not None:
                self._exclude[wid] = exclude
                gate = shared_gates.get(wid) if shared_gates is not None else None
                self._idiom_gates[wid] = gate if gate is not None else LiteralGate(entry.get("exclude", []))
        self._firsts = _with_stems(self._firsts)
        self._seconds = {head: _with_stems(index) for head, index in self._seconds.items()}

    def _add_cue(self, group: int, term: str) -> None:
        """Index an anchored group's next cue under each of its anchors' full prefixes (not cut
        to 3 letters as the group's anchors are), so that a word's cues are found by lookups
        alone, with no prefixes to check on each candidate."""
        cue = len(self._cue_terms)
        self._cue_terms.append(term)
        self._cue_groups.append(group)
        for anchor in _prefixes(term) or ():
            first, _, second = anchor.partition(">")
            if second:
                self._seconds.setdefault(first[1:], {}).setdefault(second, []).append(cue)
            else:
                self._firsts.setdefault(first, []).append(cue)

    def hits(self, text: str) -> list[LexiconHit]:
        """Every cue in ``text``, idioms removed, negation marked; in text order."""
        out: list[LexiconHit] = []
        vetoes: dict[str, list[tuple[int, int]]] = {}
        taken: dict[str, list[tuple[int, int]]] = {}
        lowered: str | None = None  # folded(text), made for the first idiom test
        lowered_made = False
        found = self._anchored_matches(text)
        # Groups run in lexicon order (per warning: graphic, depiction, mention, topic), so a
        # stronger tier claims a stretch first; most groups have no match and are skipped.
        for group, (wid, tier, _, anchors) in enumerate(self._tiers):
            if anchors is None:
                matches: Iterator[re.Match[str]] | list[re.Match[str]] = self._pattern(group).finditer(text)
            elif group in found:
                matches = found[group]
            else:
                continue
            for m in matches:
                s, e = m.span()
                if any(a < e and s < b for a, b in taken.get(wid, ())):
                    continue  # a stronger tier already matched this stretch
                if wid not in vetoes:
                    if not lowered_made:
                        lowered, lowered_made = folded(text), True
                    vetoes[wid] = self._idiom_spans(wid, text, lowered)
                if any(a <= s and e <= b for a, b in vetoes[wid]):
                    continue
                negated = bool(_NEGATION.search(text, max(0, s - 40), s))
                weight = TIER_WEIGHTS[tier] * (NEGATED_FACTOR if negated else 1.0)
                taken.setdefault(wid, []).append((s, e))
                out.append(LexiconHit(wid, m.group(0), s, e, weight, tier, negated))
        out.sort(key=lambda h: (h.start, h.warning))
        return out

    def _idiom_spans(self, wid: str, text: str, lowered: str | None) -> list[tuple[int, int]]:
        """Where ``wid``'s idioms match in ``text``: the spans of their alternation's ``finditer``,
        or none without running it when ``lowered`` (``folded(text)``) lacks literals that
        each idiom needs. Scanning a passage for all of a warning's idioms took a quarter of
        the lexicon's time on the AO3 dev passages, and two passages in three rule out all."""
        ex = self._exclude.get(wid)
        if ex is None:
            return []
        if not self._idiom_gates[wid].open(lowered):
            return []
        return [x.span() for x in ex.finditer(text)]

    def _pattern(self, group: int) -> re.Pattern[str]:
        """A group's whole alternation, for a group without anchors: compiling all of them
        at start-up took as long as the rest of building the lexicon, for groups that the
        index answers."""
        if group not in self._patterns:
            compiled = compile_cues(self._tiers[group][2])
            assert compiled is not None
            self._patterns[group] = compiled
        return self._patterns[group]

    def _anchored_matches(self, text: str) -> dict[int, list[re.Match[str]]]:
        """Per anchored group, the same matches as ``finditer`` of its alternation, with each cue
        tried only at words that fit its anchors: at each start the first cue in lexicon order
        wins, and a group's matches do not overlap. Words are visited in text order and a
        word's cues in lexicon order (see ``_word_entries``), which is the alternation's own
        order, so each cue is tried as it comes, without gathering and sorting candidates."""
        found: dict[int, list[re.Match[str]]] = {}
        # Per group, the first offset where its next match may start: the end of its last match
        # (one past the start of an empty one).
        free = [0] * len(self._tiers)
        # Words are lowered one by one: lowering the whole text can shift offsets ("İ").
        words = [(w.start(), w.group(0).lower()) for w in _WORDS.finditer(text)]
        last = len(words) - 1
        cache = self._word_cache
        pair_heads = self._seconds  # the first words of two-word anchors
        for i, (start, word) in enumerate(words):
            key = (word, words[i + 1][1] if i < last and word in pair_heads else None)
            entries = cache.get(key)
            if entries is None:
                if len(cache) > 200_000:
                    cache.clear()  # bounds memory on endless vocabularies (batch workers)
                entries = cache[key] = self._word_entries(*key)
            for group, term in entries:
                if start < free[group]:
                    continue  # inside the group's last match, or where a cue before it matched
                m = term.match(text, start)
                if m is not None:
                    found.setdefault(group, []).append(m)
                    free[group] = max(m.end(), start + 1)
        return found

    def _word_entries(self, word: str, following: str | None) -> tuple[tuple[int, re.Pattern[str]], ...]:
        """The ``(group, cue)`` pairs whose anchors fit ``word`` (followed by ``following`` for a
        pair head), in lexicon order: a group's candidates then need no sorting per passage."""
        pairs = _lookup(self._seconds[word], following) if following is not None else []
        if following is not None and not pairs:
            # Most words after a pair head fit none of its pairs (4k of 57k on the AO3 dev
            # passages): the head's own entries, looked up once per head rather than per pair.
            alone = self._word_cache.get((word, None))
            if alone is None:
                alone = self._word_cache[word, None] = self._word_entries(word, None)
            return alone
        found = _lookup(self._firsts, word) + pairs
        if not found:
            return ()
        # A cue is under several anchors ("kill", "killin") that one word may fit.
        cues = found[0] if len(found) == 1 else sorted(set().union(*found))
        return tuple((self._cue_groups[cue], self._cue(cue)) for cue in cues)

    def _cue(self, cue: int) -> re.Pattern[str]:
        """A cue's own pattern, compiled when a word first sends a text to it: compiling every
        cue was over half of building the lexicon, and a work meets a part of them."""
        compiled = self._cues.get(cue)
        if compiled is None:
            compiled = compile_cues([self._cue_terms[cue]])
            assert compiled is not None
            self._cues[cue] = compiled
        return compiled

    def proba_from_hits(self, hits: Sequence[LexiconHit]) -> np.ndarray:
        """Per-warning probabilities from a text's hits (saturating in total weight)."""
        totals = np.zeros(len(self.labels_), dtype=np.float64)
        col = {w: i for i, w in enumerate(self.labels_)}
        for h in hits:
            totals[col[h.warning]] += h.weight
        return np.maximum(1.0 - np.exp(-RATE * totals), FLOOR).astype(np.float32)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Shape ``(len(texts), len(labels_))``."""
        check_texts(texts)
        out = np.zeros((len(texts), len(self.labels_)), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self.proba_from_hits(self.hits(text))
        return out
