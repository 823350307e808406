"""The versioned JSON form of a Report (schema: forewarn/schema/report-v1.json).

The text of the work is never included, only offsets into it: a report can be
shared without sharing the story, and evidence stays spoiler-free.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from forewarn import __version__
from forewarn.pipeline import SCHEMA, Report


def report_to_dict(report: Report) -> dict[str, Any]:
    """A plain-dict view of the report, matching the documented schema."""
    work = report.work
    meta = work.metadata
    missing = set(report.comparison.missing)
    return {
        "model_version": report.model_version,
        "caveats": list(report.caveats),
        "work": {
            "path": work.source_path,
            "format": work.source_format,
            "encoding": work.encoding,
            "title": meta.title,
            "authors": list(meta.authors),
            "language": meta.language,
            "detected_language": report.language.code if report.language else None,
            "words": work.word_count,
            "characters": len(work.text),
            "chapters": [{"index": c.index, "title": c.title, "start": c.start, "end": c.end} for c in work.chapters],
            "notices": list(work.notices),
        },
        "warnings": [
            {
                "id": w.id,
                "name": w.name,
                "group": w.group,
                "confidence": w.confidence,
                "severity": w.severity,
                "declared": w.id not in missing,
                "passage_count": w.passage_count,
                "word_count": w.word_count,
                "first_position": w.first_position,
                "evidence": [asdict(e) for e in w.evidence],
                "passages": list(w.passages),
                "passage_severities": list(w.passage_severities),
            }
            for w in report.warnings
        ],
        "declared": [asdict(d) for d in report.declared],
        "comparison": asdict(report.comparison),
        "ao3": {
            "rating": {
                "suggested": report.rating.name,
                "reason": report.rating.reason,
                "declared": meta.rating,
            },
            "archive_warnings": [asdict(s) for s in report.archive_warnings],
            "declared_archive_warnings": list(meta.archive_warnings),
        },
        "passages": [
            {
                "index": p.index,
                "chapter": p.chapter,
                "start": p.start,
                "end": p.end,
                "words": p.words,
                "position": p.position,
                "end_position": p.end_position,
                "chapter_position": p.chapter_position,
                "chapter_end_position": p.chapter_end_position,
            }
            for p in report.passages
        ],
        "settings": dict(report.settings),
        "timings": dict(report.timings),
    }


def scan_output(reports: list[Report], *, errors: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """The document ``forewarn scan --json`` prints: reports always a list, also for one work;
    ``errors`` are ``(path, message)`` pairs for the inputs that could not be read."""
    if isinstance(reports, Report):  # iterated, it failed as "'Report' object is not iterable"
        raise ValueError("reports must be a list of Reports, also for one: dumps([report]), not a Report")
    return {
        "schema": SCHEMA,
        "forewarn_version": __version__,
        "reports": [report_to_dict(r) for r in reports],
        "errors": [{"path": path, "error": message} for path, message in errors or []],
    }


def dumps(reports: list[Report], *, errors: list[tuple[str, str]] | None = None) -> str:
    """``scan_output`` as the JSON text ``forewarn scan --json`` prints (indented, UTF-8 kept);
    for one report of its ``reports`` list, ``report_to_dict``."""
    return json.dumps(scan_output(reports, errors=errors), indent=2, ensure_ascii=False)
