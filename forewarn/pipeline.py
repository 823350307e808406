"""The pipeline in one call: read -> split -> score -> aggregate -> compare -> Report.

``scan`` is what the CLI, the batch runner and the web app all call, so they
agree on every number. Rendering lives in ``forewarn.report``.
"""

from __future__ import annotations

import bisect
import inspect
import numbers
import os
import re
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from forewarn import __version__
from forewarn.aggregate import WorkWarning, aggregate
from forewarn.declared import Comparison, DeclaredItem, compare, declared_from_metadata
from forewarn.language import Language, caveat, guess_language
from forewarn.rating import Suggestion, suggest_archive_warnings, suggest_rating
from forewarn.readers import (
    DEFAULT_MAX_BYTES,
    FORMATS,
    SUPPORTED_SUFFIXES,
    read,
    read_text,
    replace_lone_surrogates,
    too_large,
)
from forewarn.readers.frontmatter import parse_front_matter
from forewarn.readers.text import read_plain, scan_lines
from forewarn.score.cascade import HEAD_ONLY, MODES, CascadeScorer, ScoreResult, default_scorer
from forewarn.split import Passage, split_work
from forewarn.taxonomy import Taxonomy, load_taxonomy
from forewarn.work import Metadata, Span, Work, has_opening

SCHEMA = "forewarn.report/1"
STAGES = ("reading", "splitting", "scoring")  # what on_stage reports, in order (scan_work starts at "splitting")


def meta_spans(text: str, *, taxonomy: Taxonomy | None = None) -> list[tuple[int, int]]:
    """The ``[start, end)`` ranges of ``text``, read as a text work, that the reader took as
    the author's declarations or metadata rather than story: kept out of scoring (offsets
    unchanged). They are the spans the reader records (``Work.meta_spans``, see
    ``forewarn.readers.headerlines.scan_lines``), so what is read as declared is exactly what is
    blanked: its YAML front matter; in the preface (a short one before "Chapter 1" too), the
    header block and the end notes, declaration lines (with a bullet list under a bare
    "Warnings:") and "Key: value" header lines; in the story, only a declaration line that
    is a list of known warnings ("TW: blood, SA"). So a line of prose that starts like one
    ("Warning: anyone who comes closer will be shot", "Summary: the guard stabbed her") is
    scored like any other.
    """
    return [(s.start, s.end) for s in _work_spans(read_plain(text, markdown=True), taxonomy)]


def _work_spans(work: Work, taxonomy: Taxonomy | None = None) -> list[Span]:
    if work.meta_spans is not None:
        return work.meta_spans
    front = parse_front_matter(work.text)
    end = front[1] if front is not None else 0
    found = scan_lines(work.text[end:], Metadata(), taxonomy=taxonomy)
    return ([Span(0, end)] if end else []) + [Span(end + s.start, end + s.end) for s in found]


def _blank(text: str, spans: Iterable[tuple[int, int]], offset: int = 0) -> str:
    """``text`` (at ``offset`` in the work) with the parts inside ``spans`` (in order) replaced
    by spaces, newlines kept."""
    parts, pos = [], 0
    for start, end in spans:
        a, b = max(start - offset, pos), min(end - offset, len(text))
        if a < b:
            parts += [text[pos:a], re.sub(r"[^\n]", " ", text[a:b])]
            pos = b
    return "".join([*parts, text[pos:]])


def scoring_text(text: str, *, taxonomy: Taxonomy | None = None) -> str:
    """``text``, read as a whole work, as scored: what ``meta_spans`` finds replaced by spaces."""
    return _blank(text, meta_spans(text, taxonomy=taxonomy))


def scoring_texts(work: Work, passages: Sequence[Passage], *, taxonomy: Taxonomy | None = None) -> list[str]:
    """Each passage's text as scored: what the reader took as the work's declarations and
    metadata (``Work.meta_spans``, see ``meta_spans``) blanked."""
    spans = [(s.start, s.end) for s in _work_spans(work, taxonomy)]
    ends = [b for _, b in spans]  # in order and disjoint
    texts = []
    for p in passages:
        inside, k = [], bisect.bisect_right(ends, p.start)
        while k < len(spans) and spans[k][0] < p.start + len(p.text):
            inside.append(spans[k])
            k += 1
        texts.append(_blank(p.text, inside, p.start) if inside else p.text)
    return texts


@dataclass(repr=False)
class Report:
    """Everything forewarn found about one work.

    Its repr leaves out the text and the passage lists (a 2,600-word chapter printed
    40 KB in a REPL): sizes and warning ids instead.
    """

    work: Work
    passages: list[Passage]
    warnings: list[WorkWarning]
    declared: list[DeclaredItem]
    comparison: Comparison
    rating: Suggestion
    archive_warnings: list[Suggestion]
    model_version: str
    settings: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    # The language the story reads as (None: too short or too odd to tell); forewarn reads
    # English only, so another language is a caveat.
    language: Language | None = None
    # What limits this report, one sentence each, for people; every report form shows them.
    caveats: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        found = ", ".join(f"{w.id} {w.confidence:.2f}" for w in self.warnings)
        return (
            f"Report(work={self.work!r}, passages=<{_count(len(self.passages), 'passage')}>, "
            f"warnings=[{found}], undeclared={[w.id for w in self.undeclared]!r}, "
            f"declared=<{_count(len(self.declared), 'declaration')}>, rating={self.rating.name!r}, "
            f"archive_warnings={[s.name for s in self.archive_warnings]!r}, model_version={self.model_version!r}, "
            f"filtered={self.filtered!r}, total_s={self.timings.get('total_s')!r})"
        )

    @property
    def filtered(self) -> bool:
        """Whether ``only``/``ignore`` left warnings out.

        The AO3 suggestions are then computed from ``settings["considered"]`` alone and may
        be lower than a full scan's, so every report form has to say so.
        """
        return bool(self.settings.get("filtered"))

    @property
    def undeclared(self) -> list[WorkWarning]:
        """Detected warnings the author did not declare."""
        missing = set(self.comparison.missing)
        return [w for w in self.warnings if w.id in missing]


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


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


_ANCHORED = re.compile(r"^(?:~|\.{1,2})?[\\/]|^[A-Za-z]:[\\/]")
_MAX_PATH_CHARS = 1024


def looks_like_path(source: str) -> bool:
    """Whether a ``str`` given to ``scan`` means a file, even one that does not exist.

    A typo'd path must fail loudly rather than be scanned as one word of text. One
    line of at most 1024 characters is a path when it ends with a supported suffix
    (.txt, .md, .html, .htm, .xhtml, .epub, ...) and has no spaces or has a path
    separator ("stroy.epub", "C:\\My Fics\\a.txt"), or when it has no spaces and
    starts like a path ("/", "./", "../", "~/", "C:\\"). Anything else is text.
    """
    s = source.strip()
    if not s or "\n" in s or "\r" in s or len(s) > _MAX_PATH_CHARS:
        return False
    no_space = not any(c.isspace() for c in s)
    has_sep = "/" in s or "\\" in s
    suffix = s.rsplit(".", 1)[-1].lower() if "." in s else ""
    if f".{suffix}" in SUPPORTED_SUFFIXES and (no_space or has_sep):
        return True
    return no_space and bool(_ANCHORED.match(s))


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


def _get_scorer(scorer: CascadeScorer | str | None) -> CascadeScorer:
    check_scorer(scorer)
    if isinstance(scorer, str):
        return default_scorer(scorer)
    return scorer or default_scorer()


def _expand_user(path: str) -> str:
    """``path`` with a leading ``~`` or ``~user`` expanded (``open`` and ``os.stat`` do not)."""
    return os.path.expanduser(path) if path.startswith("~") else path


def _is_file(source: str) -> bool:
    """Whether ``source`` names an existing file; a line of text longer than the system's
    file-name limit ("File name too long") is text, not an error."""
    try:
        return Path(source).is_file()
    except OSError:
        return False


Source = str | os.PathLike[str] | bytes | bytearray | memoryview | Work


def check_source(source: object) -> None:
    """A clear error for a source ``scan`` cannot take (``scan(None)``), before reading."""
    if not isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview, Work)):
        raise ValueError(f"source must be a path, bytes, a str of text or a Work, not {type(source).__name__}")


def _as_work(source: Source, *, fmt: str | None, max_bytes: int) -> Work:
    """The work ``source`` names or holds. A path starting with ``~`` (a str taken as a path,
    or a ``Path``) is expanded unless a file of that very name exists."""
    if isinstance(source, Work):
        return source
    if isinstance(source, (bytes, bytearray, memoryview)):
        return read(bytes(source), format=fmt, max_bytes=max_bytes)
    if isinstance(source, os.PathLike):
        path = os.fspath(source)
        if isinstance(path, str) and path.startswith("~") and not _is_file(path):
            return read(Path(_expand_user(path)), format=fmt, max_bytes=max_bytes)
        return read(source, format=fmt, max_bytes=max_bytes)
    if "\n" not in source and len(source) < 4096:
        if _is_file(source):
            return read(source, format=fmt, max_bytes=max_bytes)
        expanded = _expand_user(source.strip())
        if expanded != source.strip() and _is_file(expanded):
            return read(expanded, format=fmt, max_bytes=max_bytes)
    if looks_like_path(source):
        return read(_expand_user(source.strip()), format=fmt, max_bytes=max_bytes)
    source = replace_lone_surrogates(source)  # before encoding a str given a format
    if fmt == "epub":
        raise ValueError("format 'epub' needs the file's bytes or its path, not a str")
    # A str is held to max_bytes as its UTF-8 bytes are, with or without a format.
    size = len(source) if source.isascii() else len(source.encode("utf-8"))
    if size > max_bytes:
        raise too_large(size, max_bytes, what="text")
    if fmt is None:
        return read_text(source)
    # Text in a given format (HTML markup, markdown) reads like the same file's bytes.
    return read(source.encode("utf-8"), format=fmt, max_bytes=max_bytes)


def _score(scorer: CascadeScorer, texts: list[str], labels: Collection[str] | None) -> ScoreResult:
    # ``labels`` only to a ``score`` that takes it: any object with ``score(texts)`` is a scorer
    # (a subclass overriding it, a test double); it then scores every warning, as before.
    if labels is None or "labels" not in inspect.signature(scorer.score).parameters:
        return scorer.score(texts)
    return scorer.score(texts, labels=labels)


def head_only(warnings: Sequence[WorkWarning], cues: Sequence[dict[str, str]], scorer: CascadeScorer) -> set[str]:
    """Warnings that only ``thorough``'s written-data heads found: no flagged passage has a
    lexicon cue for them. On AO3 prose 2 of 29 such flags were right (data/audit/), so they
    stay unsure (confidence at most ``HEAD_ONLY``, however many passages) and do not set the
    AO3 rating or archive warnings: one suggested Rape/Non-Con for a 100,000-word text."""
    model = scorer.model
    heads = set(model.ungated_) if model is not None and scorer.mode == "thorough" else set()
    evidence = ("mention", "depiction", "graphic")  # a negated cue says the opposite
    return {w.id for w in warnings if w.id in heads and not any(cues[i].get(w.id) in evidence for i in w.passages)}


def score_in_chunks(
    scorer: CascadeScorer,
    texts: list[str],
    *,
    on_progress: Callable[[int, int], None] | None = None,
    chunk: int = 64,
    labels: Collection[str] | None = None,
) -> ScoreResult:
    """``scorer.score`` over all texts, in chunks when progress is reported (same result).

    Progress starts with ``(0, total)`` so a bar knows its length before the first chunk.
    """
    if on_progress is not None:
        on_progress(0, len(texts))
    if on_progress is None or len(texts) <= chunk:
        result = _score(scorer, texts, labels)
        if on_progress is not None:
            on_progress(len(texts), len(texts))
        return result
    parts = []
    for start in range(0, len(texts), chunk):
        parts.append(_score(scorer, texts[start : start + chunk], labels))
        on_progress(min(start + chunk, len(texts)), len(texts))
    return ScoreResult(
        labels=parts[0].labels,
        probs=np.concatenate([p.probs for p in parts]),
        thresholds=parts[0].thresholds,
        cues=[c for p in parts for c in p.cues],
        encoded=sum(p.encoded for p in parts),
        spans=[c for p in parts for c in p.spans],
    )


def scan(
    source: Source,
    *,
    format: str | None = None,
    only: str | Iterable[str] | None = None,
    ignore: str | Iterable[str] | None = None,
    threshold: float | str | None = None,
    scorer: CascadeScorer | str | None = None,
    taxonomy: Taxonomy | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
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
    size limit of any source (a str counts as its UTF-8 bytes, with or without a ``format``),
    whose excess raises ``ReadError`` ("text is 28.6 MiB, over the 25 MiB limit (pass a
    larger max_bytes)").

    Bad options raise ``ValueError`` before anything is read: an unknown format,
    scorer or warning name, an empty ``only``, ``only``/``ignore`` leaving no warning
    to look for, a threshold outside 0-1, or an option or source of the wrong type.
    """
    check_source(source)
    check_format(format)
    check_scorer(scorer)
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
    scorer's warnings is a ``ValueError``.
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


__all__ = ["SCHEMA", "STAGES", "Report", "scan", "scan_work", "resolve_labels", "__version__"]
