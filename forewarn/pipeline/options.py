"""Checks of ``scan``'s options, before any input is read, and the warning names it is given."""

from __future__ import annotations

import numbers
from collections.abc import Iterable

from forewarn.readers import DEFAULT_MAX_BYTES, FORMATS
from forewarn.score.cascade import MODES, CascadeScorer
from forewarn.taxonomy import Taxonomy


def resolve_labels(
    names: str | Iterable[str] | None, *, taxonomy: Taxonomy, option: str = "warning names"
) -> list[str] | None:
    """Map user-given warning names (ids or aliases) to ids; unknown names are an error.

    A ``str`` is one comma-separated list, as on the command line ("violence,self-harm"):
    iterated, it would be its letters ("unknown warning 'v'"). Anything but a str or an
    iterable of names (``only=123``, bytes) is a ``ValueError`` naming ``option``.
    """
    if names is None:
        return None
    if isinstance(names, str):
        names = [names]
    elif isinstance(names, (bytes, bytearray, memoryview)) or not isinstance(names, Iterable):
        raise ValueError(
            f"{option} must be warning ids or aliases, a list or one comma-separated str, not {type(names).__name__}"
        )
    ids: list[str] = []
    for name in names:
        for part in str(name).split(","):
            part = part.strip()
            if not part:
                continue
            d = taxonomy.resolve(part)
            if d is None:
                meant = ""
                if near := taxonomy.closest(part):
                    alias, warning = near
                    meant = f"did you mean {alias!r}{'' if alias == warning.id else f' ({warning.id})'}? "
                raise ValueError(f"unknown warning {part!r} ({meant}see `forewarn warnings`)")
            ids.append(d.id)
    return ids


def resolve_selection(
    only: str | Iterable[str] | None, ignore: str | Iterable[str] | None, *, taxonomy: Taxonomy
) -> tuple[list[str] | None, list[str]]:
    """``only`` and ``ignore`` as warning ids, each read once (a generator was used up by the
    check). An empty ``only`` selects nothing and reports a clean work, which reads as safe;
    so do an ``only`` wholly inside ``ignore`` and an ``ignore`` naming every warning: all three
    are a ``ValueError``. An empty ``ignore`` ignores nothing."""
    only_ids = resolve_labels(only, taxonomy=taxonomy, option="only")
    if only_ids is not None and not only_ids:
        raise ValueError("only needs at least one warning id or alias (None: every warning)")
    ignore_ids = resolve_labels(ignore, taxonomy=taxonomy, option="ignore") or []
    if only_ids and set(only_ids) <= set(ignore_ids):  # the same clean "no warnings" as an empty only
        raise ValueError(f"only and ignore leave no warning to look for ({', '.join(only_ids)} in both)")
    every = [d.id for d in taxonomy.warnings]
    if only_ids is None and every and set(every) <= set(ignore_ids):
        raise ValueError(f"ignore leaves no warning to look for (it names all {len(every)} warnings)")
    return only_ids, ignore_ids


def check_format(fmt: str | None) -> None:
    """A clear error for a format no reader has ("pdf"), before any input is read."""
    if fmt is not None and fmt not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise ValueError(f"unknown format {fmt!r} (use one of: {known}, or None to detect it)")


def check_threshold(threshold: float | str | None) -> float | None:
    """The threshold as a Python float; thresholds are probabilities: 2 would silently flag
    nothing, -1 everything. (A numpy float passed and then broke the report's JSON.) A
    numeric str ("0.6") is read as its number, as over HTTP; anything else is a ValueError."""
    if threshold is None:
        return None
    if isinstance(threshold, str):
        try:
            threshold = float(threshold)
        except ValueError:
            raise ValueError(f"threshold must be a number from 0 to 1, not {threshold!r}") from None
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
        raise ValueError(f"threshold must be a number from 0 to 1, not {type(threshold).__name__}")
    if not 0.0 <= threshold <= 1.0:  # also rejects NaN
        raise ValueError(f"threshold must be from 0 to 1, not {threshold!r}")
    return float(threshold)


def check_scorer(scorer: CascadeScorer | str | None) -> None:
    """A clear error for a scorer that is neither a scorer nor a mode name, before any input is
    read (``scorer="lexicon"`` failed deep in the scan with an AttributeError)."""
    if scorer is None or isinstance(scorer, CascadeScorer):
        return
    modes = ", ".join(MODES)
    if isinstance(scorer, str):
        if scorer not in MODES:
            raise ValueError(f"unknown scorer {scorer!r} (use one of: {modes}, a CascadeScorer, or None)")
        return
    if not callable(getattr(scorer, "score", None)) or not hasattr(scorer, "labels_"):
        raise ValueError(f"scorer must be a CascadeScorer or one of: {modes}, not {type(scorer).__name__}")


def check_options(
    *,
    taxonomy: object = None,
    on_stage: object = None,
    on_progress: object = None,
    max_bytes: object = DEFAULT_MAX_BYTES,
) -> None:
    """Clear errors for the other options of ``scan``, before any input is read: a callback
    that is not callable failed as a TypeError once reading began, a ``taxonomy`` of the wrong
    type as an AttributeError, and ``max_bytes=-1`` read as "file is 2.3 KiB, over the -1
    bytes limit" (as on the command line, a limit must be a whole number above zero)."""
    if taxonomy is not None and not isinstance(taxonomy, Taxonomy):
        kind = type(taxonomy).__name__
        raise ValueError(f"taxonomy must be a Taxonomy (see forewarn.taxonomy.load_taxonomy), not {kind}")
    for name, value in (("on_stage", on_stage), ("on_progress", on_progress)):
        if value is not None and not callable(value):
            raise ValueError(f"{name} must be callable or None, not {type(value).__name__}")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, numbers.Integral) or max_bytes <= 0:
        shown = repr(max_bytes) if isinstance(max_bytes, numbers.Number) else type(max_bytes).__name__
        raise ValueError(f"max_bytes must be a whole number of bytes above zero, not {shown}")
