"""How bad is a flagged passage: mentioned, implied, depicted or graphic.

A passage's severity for a warning starts from the strongest lexicon cue the cascade saw
for it (mention -> mentioned, depiction -> depicted, graphic -> graphic, a negated cue ->
mentioned, no cue -> implied: a learned head flagged it alone). The lexicon's tiers weigh
evidence for detection, though, not how much is shown: "raped her" and "slapped the boy"
are plain mentions there, yet they narrate an act. So severity cues
(``data/severity.toml``) may then raise it: a cue that narrates the act raises it to
depicted, blood or gore on the page to graphic. They are read only in passages already
flagged and never change a probability, so detection is untouched.

A cue inside one of the lexicon's idioms for the warning ("dead tired") raises nothing.
A cue in a backstory or reported frame (in its sentence, before it: the past perfect "had
beaten", "used to", "years ago", "said", "told"...) or after a negation raises nothing.

Cues shared by several warnings (``[group.*]``: gore, bleeding, assault) say how bad the
harm on the page is, not always whose warning it is: a nosebleed in a fight must not make a
grandmother's peaceful death later in the passage graphic. For the warnings a group lists
as ``anchored`` (death, suicide: another event in the same scene is common), and for a
warning's own cues when its table says ``anchored = true`` ("went still" may be a lake), a
cue counts only in the sentence of one of the warning's lexicon cues or the sentence after it
(own cues also the sentence before; a table's ``window = [first, last]`` widens that, as for
a miscarriage's bleeding); a passage flagged by a head alone (no cue to anchor to)
keeps them all. For the others (violence, abuse...) gore two sentences after the blow is
usually the same event. The idioms are the packaged lexicon's, whatever lexicon scored.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from forewarn.score.lexicon import compile_cues, packaged_exclude_gates, packaged_excludes
from forewarn.score.literals import LiteralGate, folded

SEVERITIES = ("mentioned", "implied", "depicted", "graphic")
# Lexicon tiers -> severity. A flagged passage without any lexicon cue (or only a topic
# word, which routes a passage to a head without being evidence) was caught by a head alone.
TIER_SEVERITY = {"negated": "mentioned", "mention": "mentioned", "depiction": "depicted", "graphic": "graphic"}
_FRAME = re.compile(
    # the past perfect ("had beaten", "'d been"; not "had the deserter flogged"), habit, report, hearsay
    r"\b(?:(?:had|hadn'?t)(?: (?:\w+ly|already|just|never|once|always|been))? \w+(?:ed|en|wn|ne|t|k|g)|'d been|"
    r"used to|years (?:ago|before|earlier)|as a (?:child|kid|boy|girl)|knew|say|said|says|told|tells|telling|"
    r"reported|according to|statement|report|file|notes|rumou?r|heard|remembered|stories|story|ballad|song)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|didn'?t|don'?t|doesn'?t|wasn'?t|weren'?t|won'?t|wouldn'?t|couldn'?t|without)\b"
    r"[^.!?;:\n]{0,25}$",
    re.IGNORECASE,
)
_SENTENCE_START = re.compile(r"[.!?\n][^.!?\n]*$")
_SENTENCE_END = re.compile(r"[.!?\n]+")


@dataclass(frozen=True)
class SeverityCues:
    """Per warning, the ``(severity, pattern, window, gate)`` cues that may raise a flagged
    passage (``window``: for an anchored cue, the sentences after a cue of the warning it may
    be in: (0, 1) for a group's, the same or the next; (-1, 0, 1) for the warning's own, which
    may also lead up to it, "he went still" before "he was dead". Empty: anywhere. ``gate``:
    the literals the pattern's cues need, tested before the pattern scans a passage)."""

    cues: dict[str, list[tuple[str, re.Pattern[str], tuple[int, ...], LiteralGate]]]

    def raised(self, text: str, warning: str, *, near: Sequence[tuple[int, int]] = ()) -> str | None:
        """The strongest severity a cue in ``text`` shows for ``warning`` (None: no cue).

        ``near`` holds the spans of the warning's own lexicon cues in ``text``; when given,
        an anchored cue counts only within its window of one of them.
        """
        ends = [m.start() for m in _SENTENCE_END.finditer(text)] if near else []
        anchors = {bisect.bisect_left(ends, start) for start, _ in near}
        vetoes: list[tuple[int, int]] | None = None  # the idioms' spans, found once a cue matches
        best: str | None = None
        lowered: str | None = None  # folded(text), made for the first gate
        lowered_made = False
        for severity, pattern, window, gate in self.cues.get(warning, ()):
            if best is not None and SEVERITIES.index(severity) <= SEVERITIES.index(best):
                continue
            if not lowered_made:
                lowered, lowered_made = folded(text), True
            if not gate.open(lowered):
                continue  # no cue's literals in the text: scanning it for them would find nothing
            for m in pattern.finditer(text):
                if window and anchors and not {bisect.bisect_left(ends, m.start()) - k for k in window} & anchors:
                    continue
                if vetoes is None:
                    exclude = packaged_excludes().get(warning)
                    vetoes = (
                        [x.span() for x in exclude.finditer(text)]
                        if exclude is not None and packaged_exclude_gates()[warning].open(lowered)
                        else []
                    )
                if any(a < m.end() and m.start() < b for a, b in vetoes):
                    continue  # an idiom the lexicon knows ("dead tired" is not "was dead")
                if _counts(text, m.start()):
                    best = severity
                    break
        return best


def _counts(text: str, start: int) -> bool:
    """A cue counts unless its sentence frames it as backstory or report, or negates it."""
    head = text[max(0, start - 300) : start]
    cut = _SENTENCE_START.search(head)
    sentence = head[cut.start() + 1 :] if cut else head
    return not _FRAME.search(sentence) and not _NEGATION.search(sentence)


def _cues_text() -> str:
    return (resources.files("forewarn") / "data" / "severity.toml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def severity_version() -> str:
    """A fingerprint of the severity cues, part of a scorer's version (stored results)."""
    return f"severity-{hashlib.sha256(_cues_text().encode()).hexdigest()[:8]}"


def _window(table: dict[str, Any], default: tuple[int, ...]) -> tuple[int, ...]:
    """A table's ``window = [first, last]`` (sentences relative to an anchor), else the default."""
    if "window" not in table:
        return default
    first, last = table["window"]
    return tuple(range(first, last + 1))


@lru_cache(maxsize=1)
def load_severity_cues() -> SeverityCues:
    """The packaged cues: shared groups (``[group.*]``, with their ``warnings``) and per warning."""
    data = tomllib.loads(_cues_text())
    cues: dict[str, list[tuple[str, re.Pattern[str], tuple[int, ...], LiteralGate]]] = {}
    groups = data.pop("group", {})
    tables: list[tuple[dict[str, Any], list[str], set[str], tuple[int, ...]]]
    tables = [(g, g["warnings"], set(g.get("anchored", ())), _window(g, (0, 1))) for g in groups.values()]
    tables += [(e, [w], {w} if e.get("anchored") else set(), _window(e, (-1, 0, 1))) for w, e in data.items()]
    for entry, warnings, anchored, window in tables:
        for severity in ("graphic", "depicted"):
            pattern = compile_cues(entry.get(severity, []))
            if pattern is not None:
                # A pattern's gate tests the literals its cues need before it scans a passage.
                gate = LiteralGate(entry.get(severity, []))
                for w in warnings:
                    cues.setdefault(w, []).append((severity, pattern, window if w in anchored else (), gate))
    for w in cues:
        cues[w].sort(key=lambda c: -SEVERITIES.index(c[0]))  # strongest first
    return SeverityCues(cues)


def passage_severity(
    tier: str | None, text: str = "", warning: str = "", *, near: Sequence[tuple[int, int]] = ()
) -> str:
    """Severity of one flagged passage from its strongest lexicon tier, raised by severity cues
    (``near``: the spans of the warning's lexicon cues in ``text``, see SeverityCues.raised)."""
    base = TIER_SEVERITY.get(tier or "", "implied")
    if not text or not warning:
        return base
    raised = load_severity_cues().raised(text, warning, near=near)
    if raised is not None and SEVERITIES.index(raised) > SEVERITIES.index(base):
        return raised
    return base
