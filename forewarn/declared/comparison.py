"""Everything a work declares (warnings lines, a rating's reason, AO3 archive warnings and
tags), and how it compares with what forewarn detected."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from forewarn.declared.lines import parse_declaration, rating_reason
from forewarn.declared.negation import AO3_NO_WARNING, CHOSE_NOT_TO_WARN, NO_WARNINGS_APPLY, ao3_value, names_no_warning
from forewarn.declared.phrase import DeclaredItem, item_warnings
from forewarn.taxonomy import Taxonomy
from forewarn.work import Metadata


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
        items.extend(d for d in item_warnings(tag, taxonomy=taxonomy, source="ao3-tag", strict=True) if d.warning_id)
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
