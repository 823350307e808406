"""Cue patterns compiled into one alternation, and the packaged ``lexicon.toml``: its text (whose
hash is the default scorer's version), its tables and its idioms, each read once per process."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import cache
from importlib import resources

from forewarn.score.literals import LiteralGate


def compile_cues(patterns: Sequence[str]) -> re.Pattern[str] | None:
    """One case-insensitive alternation of cue patterns, matched at word boundaries (None if empty)."""
    if not patterns:
        return None
    body = "|".join(f"(?:{p})" for p in patterns)
    # (?=\S): no cue starts with a space, and without it every space of a long run (a page of
    # blank lines or padding) tried each of hundreds of cues: 25 MiB of spaces took minutes.
    return re.compile(rf"(?<![\w-])(?=\S)(?:{body})(?![\w])", re.IGNORECASE)


@cache
def _packaged_text() -> str:
    """The packaged ``lexicon.toml`` (its hash is the default scorer's version)."""
    return (resources.files("forewarn") / "data" / "lexicon.toml").read_text(encoding="utf-8")


@cache
def _packaged_lexicon() -> dict[str, dict[str, list[str]]]:
    """The packaged lexicon's tables (read once: the idioms, their gates and the default
    ``LexiconScorer`` all come from it; read twice, it was a tenth of building the lexicon)."""
    return tomllib.loads(_packaged_text())


@cache
def packaged_excludes() -> dict[str, re.Pattern[str]]:
    """Per warning, the packaged lexicon's idioms as one pattern: severity cues honour them too."""
    out: dict[str, re.Pattern[str]] = {}
    for wid, entry in _packaged_lexicon().items():
        pattern = compile_cues(entry.get("exclude", []))
        if pattern is not None:
            out[wid] = pattern
    return out


@cache
def packaged_exclude_gates() -> dict[str, LiteralGate]:
    """Per warning with idioms, the literals they need: a passage without them is not scanned
    for idioms (``LexiconScorer._idiom_spans``, severity cues)."""
    return {wid: LiteralGate(entry["exclude"]) for wid, entry in _packaged_lexicon().items() if entry.get("exclude")}
