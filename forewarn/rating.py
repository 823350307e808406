"""Suggest an AO3 rating and archive warnings from the detected warnings.

AO3 asks authors for one rating and any of four archive warnings. The rules are
the taxonomy's (``ao3_rating_depicted``, ``ao3_rating_graphic``,
``ao3_archive_warning``); this module only applies them and says why, so an
author can check the reasoning rather than trust a verdict.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from forewarn.aggregate import WorkWarning
from forewarn.declared import RATING_REASON_WORDS, DeclaredItem
from forewarn.severity import SEVERITIES
from forewarn.taxonomy import Taxonomy

RATINGS = ("General Audiences", "Teen And Up Audiences", "Mature", "Explicit")
NO_WARNINGS = "No Archive Warnings Apply"


@dataclass(frozen=True)
class Suggestion:
    """A suggested AO3 label with a one-line reason."""

    name: str
    reason: str


def _where(
    w: WorkWarning,
    chapters: int,
    *,
    opening: bool = False,
    severity: str | None = None,
    among: Sequence[int] | None = None,
) -> str:
    """Where the warning reaches the severity a suggestion rests on (not merely its likeliest
    passage: a funeral mentioned in chapter 1 must not locate a death shown in chapter 4);
    ``among``: only these passages may be cited ("" when none of them is in the evidence).
    With an ``opening`` (text before the first chapter heading) chapters count from that
    heading, as the reports number them."""
    cited = w.evidence if among is None else [e for e in w.evidence if e.index in among]
    if not cited:
        return ""
    wanted = severity or w.severity
    ref = next((e for e in cited if e.severity == wanted), cited[0])
    if opening and ref.chapter == 0:
        return f"the opening before chapter 1, {ref.position:.0f}% into the work"
    place = f"chapter {ref.chapter + (0 if opening else 1)}"
    if chapters > 1:  # where in the chapter, as a reader on an AO3 chapter page skips
        return f"{place}, {ref.chapter_position:.0f}% into the chapter"
    return f"{place}, {ref.position:.0f}% into the work"


def _rating_for(wid: str, severity: str, taxonomy: Taxonomy) -> str:
    d = taxonomy.get(wid)
    if severity == "graphic":
        return d.ao3_rating_graphic
    if severity == "depicted":
        return d.ao3_rating_depicted
    # Mentioned or implied content rates one step below an on-page depiction.
    return RATINGS[max(RATINGS.index(d.ao3_rating_depicted) - 1, 0)]


# Underage is sexual activity involving a minor: its cues include a bare age ("she was
# fifteen"), which finds implied cases in sexual passages but also "he was sixteen and had
# just passed his driving test". Without sexual content or sexual assault detected anywhere in
# the work it stays a detection to check, and does not drive the rating or the archive warning.
_UNDERAGE_CONTEXT = frozenset({"sexual-content", "sexual-assault"})


def _sex_in(warnings: Sequence[WorkWarning], declared: Sequence[DeclaredItem] = ()) -> bool:
    """Sexual content or sexual assault detected (or, when given, declared) in the work."""
    return any(w.id in _UNDERAGE_CONTEXT for w in warnings) or any(d.warning_id in _UNDERAGE_CONTEXT for d in declared)


def _counts_for_ao3(w: WorkWarning, warnings: Sequence[WorkWarning]) -> bool:
    if w.id != "underage" or w.severity in ("depicted", "graphic"):
        return True
    return _sex_in(warnings)


def suggest_rating(
    warnings: Sequence[WorkWarning],
    *,
    taxonomy: Taxonomy,
    chapters: int = 1,
    opening: bool = False,
    declared: Sequence[DeclaredItem] = (),
) -> Suggestion:
    """The lowest AO3 rating that covers every detected warning at its severity, and every
    ``declared`` one at its declared severity ("graphic violence") or else as a mention: what
    the author says is in the work counts even where forewarn missed it."""
    best = "General Audiences"
    driver: WorkWarning | None = None
    for w in warnings:
        if not _counts_for_ao3(w, warnings):
            continue
        r = _rating_for(w.id, w.severity, taxonomy)
        if RATINGS.index(r) > RATINGS.index(best):
            best, driver = r, w
    reason = f"{driver.name.lower()} {driver.severity} ({_where(driver, chapters, opening=opening)})" if driver else ""
    for d in declared:
        if d.warning_id is None or not _declared_counts(d, declared, warnings):
            continue
        r = _rating_for(d.warning_id, _declared_severity(d), taxonomy)
        if RATINGS.index(r) > RATINGS.index(best):
            best, reason = r, f"declared by the author: {d.raw.strip()}"
    if not reason:
        return Suggestion(best, "no detected or declared warning calls for more than General Audiences")
    return Suggestion(best, reason)


def _declared_severity(d: DeclaredItem) -> str:
    """A declaration's severity: its qualifier ("graphic violence"), AO3's own "Graphic
    Depictions Of Violence" graphic, anything else a mention (the least it can be)."""
    if d.qualifier:
        return d.qualifier
    if d.source == "ao3-archive-warning" and d.raw.strip().lower() == "graphic depictions of violence":
        return "graphic"
    return "mentioned"


def _declared_counts(d: DeclaredItem, declared: Sequence[DeclaredItem], warnings: Sequence[WorkWarning]) -> bool:
    """A declared underage counts for the AO3 labels only as AO3's own archive warning or
    beside sexual content or assault (declared or detected), as a detected one does: the
    rating and the archive warning must not disagree about it."""
    if d.warning_id != "underage" or d.source == "ao3-archive-warning":
        return True
    return _sex_in(warnings, declared)


def _deaths_not_of_animals(w: WorkWarning, warnings: Sequence[WorkWarning]) -> list[tuple[int, str]]:
    """Death passages beyond a mention, with their severities, leaving out those where an
    animal's death was found: a pet dying told with "he" and "his body" reads as a death, and
    alone must not suggest Major Character Death."""
    animal = {p for other in warnings if other.id == "animal-death" for p in other.passages}
    if w.passage_severities:
        flagged = list(zip(w.passages, w.passage_severities, strict=True))
    else:  # built without them (older callers): the evidence is what is known
        flagged = [(e.index, e.severity) for e in w.evidence]
    return [(p, sev) for p, sev in flagged if sev != "mentioned" and p not in animal]


# Archive warnings for what happens to a character, which AO3 asks for whether or not it is
# shown: a mention that a character was raped calls for Rape/Non-Con.
EVENT_WARNINGS = ("Rape/Non-Con", "Underage")
# A declaration that names AO3's warning itself ("TW: MCD", "major character death"), not just
# a death, which may be a minor character's ("minor character death" does not match).
_MCD = re.compile(r"\bmajor[\s-]+character[\s-]+death|\bmcd\b", re.IGNORECASE)


def suggest_archive_warnings(
    warnings: Sequence[WorkWarning],
    *,
    taxonomy: Taxonomy,
    chapters: int = 1,
    opening: bool = False,
    declared: Sequence[DeclaredItem] = (),
) -> list[Suggestion]:
    """AO3 archive warnings that the detections point to, or 'No Archive Warnings Apply'.

    Graphic Depictions Of Violence needs graphic violence; Major Character Death needs a
    death at least implied (a passing "dead" or "funeral" is everywhere); Rape/Non-Con and
    Underage apply at any severity, a mention included, since AO3 asks for them when it
    happens to a character, on the page or off it (Underage, when only mentioned, with sexual
    content or sexual assault detected in the work). The reason says what it rests on.

    ``declared``: what the author declared, which AO3 would also ask a label for when not
    detected (the author knows the work; forewarn's recall is far from perfect): any
    declaration of what Rape/Non-Con or Underage covers, graphic violence declared as
    graphic, a major character death declared by that name ("TW: MCD"), and AO3's own archive
    warnings as given.
    """
    out: dict[str, Suggestion] = {}
    for w in warnings:
        name = taxonomy.get(w.id).ao3_archive_warning
        if not name or name in out or not _counts_for_ao3(w, warnings):
            continue
        if name == "Graphic Depictions Of Violence" and w.severity != "graphic":
            continue  # AO3 reserves it for graphic, not merely depicted, violence
        if w.severity == "mentioned" and name not in EVENT_WARNINGS:
            continue  # a passing mention of a death is not what the warning is for
        reason = f"{w.name.lower()} {w.severity} ({_where(w, chapters, opening=opening)})"
        if name == "Major Character Death":
            deaths = _deaths_not_of_animals(w, warnings)
            if not deaths:
                continue
            severity = max((sev for _, sev in deaths), key=SEVERITIES.index)
            where = _where(w, chapters, opening=opening, severity=severity, among=[p for p, _ in deaths])
            at = f" ({where})" if where else ""  # never the animal's passage it left out
            reason = f"{w.name.lower()} {severity}{at}; applies only if a major character dies"
        elif w.severity == "mentioned":
            reason += "; only mentioned, not shown: applies if it happened to a character in the work"
        out[name] = Suggestion(name, reason)
    detected = {w.id: w for w in warnings}
    for d in declared:
        name = taxonomy.get(d.warning_id).ao3_archive_warning if d.warning_id else None
        if not name or name in out or not _declared_counts(d, declared, warnings):
            continue
        graphic = name == "Graphic Depictions Of Violence" and _declared_severity(d) == "graphic"
        mcd = name == "Major Character Death" and _MCD.search(d.raw) is not None
        if name in EVENT_WARNINGS or graphic or mcd or d.source == "ao3-archive-warning":
            seen = detected.get(d.warning_id or "")
            found = f"detected {seen.severity}" if seen else "not detected"
            out[name] = Suggestion(name, f"declared by the author ({d.raw.strip()}); {found}")
    if not out:
        return [Suggestion(NO_WARNINGS, "no detection or declaration maps to an AO3 archive warning")]
    return list(out.values())


# How authors write ratings outside AO3's own field: AO3's names, their initials, and the
# film-style and FanFiction.Net scales where they map one to one. "PG" and "Not Rated" map
# to nothing (PG sits between General and Teen; not rated is no claim).
_RATING_FORMS = {
    "General Audiences": ("general audiences", "general", "gen", "g", "k", "k+"),
    "Teen And Up Audiences": ("teen and up audiences", "teen and up", "teen", "t", "t+", "pg-13", "pg13"),
    "Mature": ("mature", "m", "r"),
    "Explicit": ("explicit", "e", "nc-17", "nc17", "ma", "x", "xxx"),
}
_RATING_OF = {form: name for name, forms in _RATING_FORMS.items() for form in forms}


# Where the reason for a rating starts: "M for language", "T due to swearing".
_REASON = re.compile(rf"\s{RATING_REASON_WORDS}\b.*$", re.S)


def declared_rating(text: str | None) -> str | None:
    """The AO3 rating an author's free-form rating stands for, or None when it names none.

    A declared "M" and a suggested "Mature" agree; compared as strings they would not.
    Of several ("Mature, Explicit") the first counts.
    """
    if not text:
        return None
    first = text.split(",")[0].lower().replace("&", " and ")
    first = re.sub(r"[(\[][^)\]]*[)\]]", " ", first)  # "M (for violence)": the reason is no rating
    first = _REASON.sub("", first)  # nor is it in "M for language and violence"
    first = re.sub(r"^\s*rated\b\s*:?", "", first)  # "Rated M"
    return _RATING_OF.get(" ".join(first.split()).rstrip("."))
