"""The pipeline in one call: read -> split -> score -> aggregate -> compare -> Report.

``scan`` is what the CLI, the batch runner and the web app all call, so they
agree on every number. Rendering lives in ``forewarn.report``.

The package's modules: ``reports`` (the ``Report`` dataclass), ``options`` (checking the
options and warning names), ``sources`` (reading what ``scan`` is given as a work) and
``scoring`` (the texts as scored, and the scorer run over them). ``scan`` and ``scan_work`` are
here, and every name is importable from ``forewarn.pipeline``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace

import numpy as np

from forewarn import STAGES, __version__
from forewarn.aggregate import aggregate
from forewarn.declared import compare, declared_from_metadata
from forewarn.language import caveat, guess_language
from forewarn.pipeline.options import (
    check_format,
    check_options,
    check_scorer,
    check_threshold,
    resolve_labels,
    resolve_selection,
)
from forewarn.pipeline.reports import SCHEMA, Report
from forewarn.pipeline.scoring import (
    _get_scorer,
    head_only,
    meta_spans,
    score_in_chunks,
    scoring_text,
    scoring_texts,
)
from forewarn.pipeline.sources import (
    Source,
    _as_work,
    check_read_options_unused,
    check_source,
    looks_like_path,
)
from forewarn.rating import suggest_archive_warnings, suggest_rating
from forewarn.readers import DEFAULT_MAX_BYTES
from forewarn.score.cascade import HEAD_ONLY, CascadeScorer
from forewarn.split import split_work
from forewarn.taxonomy import Taxonomy, load_taxonomy
from forewarn.work import Work, has_opening

__all__ = [  # the API, then the names other modules, tests and bench/ import from here
    "SCHEMA",
    "STAGES",
    "Report",
    "scan",
    "scan_work",
    "resolve_labels",
    "__version__",
    "check_threshold",
    "load_taxonomy",
    "looks_like_path",
    "meta_spans",
    "resolve_selection",
    "scoring_text",
    "scoring_texts",
]


def scan(
    source: Source,
    *,
    format: str | None = None,
    only: str | Iterable[str] | None = None,
    ignore: str | Iterable[str] | None = None,
    threshold: float | str | None = None,
    scorer: CascadeScorer | str | None = None,
    taxonomy: Taxonomy | None = None,
    max_bytes: int | None = None,
    on_stage: Callable[[str], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Scan a path, raw bytes (also a bytearray or memoryview), pasted text or an
    already-read ``Work``.

    A ``str`` is taken as a path when it names an existing file or looks like a
    path (see ``looks_like_path``; "~/" is the home folder; a missing one raises
    ``ReadError("PATH: file not found")``), otherwise as the text of a work, read as
    ``format`` when one is given ("html": the str is markup). ``only``/``ignore``:
    warning ids or aliases, a list or one comma-separated str. ``threshold`` (0 to 1,
    or a numeric str) overrides the per-warning passage thresholds. ``scorer``: a
    ``CascadeScorer``, or a mode name ("cascade", "thorough", "encoder-everywhere",
    "lexicon") for the packaged one; None is "cascade". ``on_stage`` and
    ``on_progress``: see ``scan_work``; the first stage here is "reading". ``taxonomy``:
    another ``forewarn.taxonomy.Taxonomy`` (default: the packaged one). ``max_bytes``: the
    size limit of any source (a str counts as its UTF-8 bytes, with or without a ``format``;
    None is 25 MiB), whose excess raises ``ReadError`` ("text is 28.6 MiB, over the 25 MiB
    limit (pass a larger max_bytes)"). ``format`` and ``max_bytes`` apply when reading, so
    with a ``Work`` (already read) either one is a ``ValueError`` rather than silently unused.

    Bad options raise ``ValueError`` before anything is read: an unknown format,
    scorer or warning name, an empty ``only``, ``only``/``ignore`` leaving no warning
    to look for, a threshold outside 0-1, or an option or source of the wrong type.
    A source that cannot be read as a work (missing, a folder, empty, binary, damaged,
    too large) raises ``ReadError``, a broken model bundle ``BundleError``: both are
    ``ValueError``s with a one-line message for people.
    """
    check_source(source)
    check_format(format)
    check_scorer(scorer)
    if isinstance(source, Work):
        check_read_options_unused(format=format, max_bytes=max_bytes)
    max_bytes = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    check_options(taxonomy=taxonomy, on_stage=on_stage, on_progress=on_progress, max_bytes=max_bytes)
    threshold = check_threshold(threshold)
    taxonomy = taxonomy or load_taxonomy()
    only_ids, ignore_ids = resolve_selection(only, ignore, taxonomy=taxonomy)
    _stage(on_stage, "reading")
    t0 = time.perf_counter()
    work = _as_work(source, fmt=format, max_bytes=max_bytes)
    t1 = time.perf_counter()
    return scan_work(
        work,
        only=only_ids,
        ignore=ignore_ids,
        threshold=threshold,
        scorer=scorer,
        taxonomy=taxonomy,
        read_seconds=t1 - t0,
        on_stage=on_stage,
        on_progress=on_progress,
    )


def _stage(on_stage: Callable[[str], None] | None, name: str) -> None:
    if on_stage is not None:
        on_stage(name)


def scan_work(
    work: Work,
    *,
    only: str | Iterable[str] | None = None,
    ignore: str | Iterable[str] | None = None,
    threshold: float | str | None = None,
    scorer: CascadeScorer | str | None = None,
    taxonomy: Taxonomy | None = None,
    read_seconds: float = 0.0,
    on_stage: Callable[[str], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Scan a work that is already read (the batch runner's entry point).

    For progress displays: ``on_stage(name)`` is called as each stage of ``STAGES``
    starts (reading a large file and splitting it take seconds before any passage is
    scored), and ``on_progress(done, total)`` as passages are scored, from ``(0, total)``.
    Options are checked as in ``scan``; also, ``only``/``ignore`` leaving none of the
    scorer's warnings is a ``ValueError``, and a broken model bundle a ``BundleError``.
    ``read_seconds``: the time already spent reading the work, reported as
    ``timings["read_s"]`` and counted in ``timings["total_s"]``.
    """
    if not isinstance(work, Work):
        raise ValueError(f"scan_work takes a Work (see forewarn.readers.read), not {type(work).__name__}")
    check_scorer(scorer)
    check_options(taxonomy=taxonomy, on_stage=on_stage, on_progress=on_progress)
    threshold = check_threshold(threshold)
    taxonomy = taxonomy or load_taxonomy()
    only_ids, ignored = resolve_selection(only, ignore, taxonomy=taxonomy)
    ignore_ids = set(ignored)
    scorer = _get_scorer(scorer)
    selected = only_ids is not None or ignore_ids
    wanted = [label for label in scorer.labels_ if (only_ids is None or label in only_ids) and label not in ignore_ids]
    if selected and not wanted:  # a scorer without the taxonomy's every warning: the same clean report
        n = len(scorer.labels_)
        raise ValueError(f"only and ignore leave no warning to look for (none of the scorer's {n} is left)")
    _stage(on_stage, "splitting")
    t1 = time.perf_counter()
    passages = split_work(work)
    t2 = time.perf_counter()
    _stage(on_stage, "scoring")
    texts = scoring_texts(work, passages, taxonomy=taxonomy)
    result = score_in_chunks(scorer, texts, on_progress=on_progress, labels=wanted if selected else None)
    t3 = time.perf_counter()

    labels = list(result.labels)
    keep = [j for j, label in enumerate(labels) if (only_ids is None or label in only_ids) and label not in ignore_ids]
    probs = result.probs[:, keep] if result.probs.size else np.zeros((len(passages), len(keep)))
    kept = [labels[j] for j in keep]
    thresholds = (
        {label: threshold for label in kept}
        if threshold is not None
        else {label: result.thresholds[label] for label in kept}
    )
    warnings = aggregate(
        passages,
        probs,
        kept,
        taxonomy=taxonomy,
        thresholds=thresholds,
        cues=result.cues,
        texts=texts,
        spans=result.spans,
    )
    language = guess_language(texts)  # the passages as scored: the story, metadata blanked
    caveats = [note] if (note := caveat(language)) else []
    unsure = head_only(warnings, result.cues, scorer)
    warnings = [replace(w, confidence=min(w.confidence, HEAD_ONLY)) if w.id in unsure else w for w in warnings]
    declared = declared_from_metadata(work.metadata, taxonomy=taxonomy)
    comparison = compare(
        declared,
        [w.id for w in warnings],
        taxonomy=taxonomy,
        considered=set(kept),
        severities={w.id: w.severity for w in warnings},
    )
    considered = [d for d in declared if d.warning_id in kept]  # --only/--ignore apply to these too
    # AO3 reasons number chapters as the reports do: from the first heading, after any opening.
    opening = has_opening(work.chapters)
    counted = len(work.chapters) - opening
    basis = [w for w in warnings if w.id not in unsure]  # unsure flags do not set AO3 labels
    t4 = time.perf_counter()
    return Report(
        work=work,
        passages=passages,
        warnings=warnings,
        declared=declared,
        comparison=comparison,
        rating=suggest_rating(basis, taxonomy=taxonomy, chapters=counted, opening=opening, declared=considered),
        archive_warnings=suggest_archive_warnings(
            basis, taxonomy=taxonomy, chapters=counted, opening=opening, declared=considered
        ),
        model_version=scorer.version_,
        settings={
            "threshold": threshold,
            "only": only_ids,
            "ignore": sorted(ignore_ids),
            "filtered": len(kept) < len(labels),
            "considered": kept,
        },
        timings={
            "read_s": round(read_seconds, 4),
            "split_s": round(t2 - t1, 4),
            "score_s": round(t3 - t2, 4),
            "total_s": round(read_seconds + t4 - t1, 4),
        },
        language=language,
        caveats=caveats,
    )
