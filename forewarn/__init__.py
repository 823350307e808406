"""forewarn: offline content-warning detection for fiction.

    import forewarn
    report = forewarn.scan("story.epub")   # a path, bytes, pasted text or a Work

``scan``, ``scan_work``, ``Report``, ``STAGES``, ``SCHEMA`` and ``looks_like_path`` come from
:mod:`forewarn.pipeline`; they are loaded on first use, so ``import forewarn`` (and the CLI's
start-up) does not pay for numpy and the readers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = ("scan", "scan_work", "Report", "STAGES", "SCHEMA", "looks_like_path")
__all__ = ["scan", "scan_work", "Report", "STAGES", "SCHEMA", "looks_like_path", "__version__"]

if TYPE_CHECKING:
    from forewarn.pipeline import SCHEMA, STAGES, Report, looks_like_path, scan, scan_work


def __getattr__(name: str) -> Any:
    if name in _API:
        from forewarn import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'forewarn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
