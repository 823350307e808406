"""Literal strings that every match of a pattern must contain: a cheap test before a costly scan.

A warning's idioms ("killing time", "dead tired") are one alternation of up to 60 patterns
that the lexicon ran over the whole passage as soon as a cue of the warning matched; on the AO3
dev passages that was a quarter of the lexicon's time, though few passages hold an idiom. The
idioms' literals tell the same far more cheaply: when no idiom has all it needs in the lowered
text, the alternation cannot match anywhere, and its scan is skipped.

The test is exact, not a heuristic. The literals are read from the regex parser's own tree, so
an escape or a group is never misread, and a pattern the walk does not understand yields none
(the scan then always runs). Lowering stands in for ``re.IGNORECASE`` only where that is
faithful for ASCII literals: the text holds none of the four non-ASCII characters that
IGNORECASE matches to an ASCII letter (``FOLDS_TO_ASCII``); on other texts the scan runs.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import Any

# The only non-ASCII characters that re.IGNORECASE matches to an ASCII character ("İ" and "ı"
# to "i", "ſ" to "s", the Kelvin sign to "k"); tests/test_literals.py checks every code point.
FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"
_FOLDS = re.compile(f"[{FOLDS_TO_ASCII}]")
MIN_LENGTH = 3  # a shorter literal ("a ", "he") is in nearly every text: it would never rule a pattern out

try:  # the regex parser is private; without it no literal is known and every scan runs
    _PARSER: Any = importlib.import_module("re._parser")
    _OPS: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - another Python's layout
    _PARSER = _OPS = None

Choice = frozenset[str]  # one of these lowered literals is in every match


def folded(text: str) -> str | None:
    """``text`` lowered, for literal tests; None where lowering is not faithful to IGNORECASE."""
    return text.lower() if _FOLDS.search(text) is None else None


def required_literals(pattern: str) -> list[Choice]:
    """Choices of lowered ASCII literals that every match of ``pattern`` (case-insensitive)
    must contain, each at least ``MIN_LENGTH`` long, most telling first; empty when nothing
    is known."""
    if _PARSER is None:
        return []
    try:
        tree = _PARSER.parse(pattern, re.IGNORECASE)
    except (re.error, RecursionError):
        return []
    # The most telling first, so that ``could_match`` mostly stops at the first.
    return sorted(_sequence(list(tree)), key=lambda c: (-_letters(c), len(c)))


def could_match(lowered: str, choices: Sequence[Choice]) -> bool:
    """False when ``lowered`` (a ``folded`` text) lacks every literal of one of the ``choices``
    of a pattern (``required_literals``), so the pattern matches nowhere in the text."""
    for choice in choices:
        for literal in choice:
            if literal in lowered:
                break
        else:
            return False
    return True


class LiteralGate:
    """Whether an alternation of ``patterns`` could match a text, from the literals each
    pattern needs (read from the patterns the first time the gate is asked)."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self._patterns = tuple(patterns)
        self._needs: list[list[Choice]] | None = None

    def open(self, lowered: str | None) -> bool:
        """False when no pattern could match the text lowered to ``lowered`` (``folded``; with
        None, a text lowering misreads, the gate is always open)."""
        if lowered is None:
            return True
        if self._needs is None:
            self._needs = [required_literals(p) for p in self._patterns]
        return any(could_match(lowered, need) for need in self._needs)

    def forget(self) -> None:
        """Drop the literals read (benchmarks time a first use this way)."""
        self._needs = None


def _letters(choice: Choice) -> int:
    """How telling a choice is: the letters of its shortest literal (" the " is as common as "the")."""
    return min(sum(ch.isalnum() for ch in literal) for literal in choice)


def _best(choices: Sequence[Choice]) -> Choice:
    """The choice least likely to be in a text: most letters, then fewest literals."""
    return max(choices, key=lambda c: (_letters(c), -len(c)))


def _sequence(items: Sequence[tuple[Any, Any]]) -> list[Choice]:
    """The choices required by a concatenation: each run of literal characters is one, and
    groups, alternations and repeats of at least once add theirs. Anything else (a class, an
    optional part, a lookaround, a backreference) ends a run and adds nothing."""
    out: list[Choice] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= MIN_LENGTH:
            out.append(frozenset({"".join(run).lower()}))
        run.clear()

    for op, av in items:
        if op is _OPS.LITERAL and av < 128:
            run.append(chr(av))
            continue
        flush()
        if op is _OPS.SUBPATTERN:  # (group, add flags, del flags, content), matched once
            out += _sequence(list(av[-1]))
        elif op is _OPS.BRANCH:
            choice = _alternatives(av[1])
            if choice is not None:
                out.append(choice)
        elif op in (_OPS.MAX_REPEAT, _OPS.MIN_REPEAT, getattr(_OPS, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
            out += _sequence(list(av[2]))
    flush()
    return out


def _alternatives(branches: Sequence[Sequence[tuple[Any, Any]]]) -> Choice | None:
    """One choice for an alternation: each branch's best choice together (None when a branch
    requires nothing, so neither does the alternation)."""
    found: set[str] = set()
    for branch in branches:
        choices = _sequence(list(branch))
        if not choices:
            return None
        found |= _best(choices)
    return frozenset(found)
