"""forewarn: offline content-warning detection for fiction.

    import forewarn
    report = forewarn.scan("story.epub")   # a path, bytes, pasted text or a Work

``scan``, ``scan_work``, ``Report`` and ``looks_like_path`` come from :mod:`forewarn.pipeline`;
they are loaded on first use, so ``import forewarn`` (and the CLI's start-up) does not pay for
numpy and the readers (nor do the constants ``SCHEMA`` and ``STAGES``, defined here). The
errors ``scan`` documents are loaded on first use too: ``ReadError`` (input that cannot be read
as a work) and ``BundleError`` (a broken model bundle); both are ``ValueError``s, like the
errors for bad options.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
SCHEMA = "forewarn.report/1"  # the JSON report's schema id (forewarn/schema/report-v1.json)
STAGES = ("reading", "splitting", "scoring")  # what on_stage reports, in order (scan_work starts at "splitting")

# name -> the module it comes from
_API = {
    "scan": "forewarn.pipeline",
    "scan_work": "forewarn.pipeline",
    "Report": "forewarn.pipeline",
    "looks_like_path": "forewarn.pipeline",
    "ReadError": "forewarn.work",
    "BundleError": "forewarn.score.model",
}
__all__ = [
    "scan",
    "scan_work",
    "Report",
    "STAGES",
    "SCHEMA",
    "looks_like_path",
    "ReadError",
    "BundleError",
    "__version__",
]

if TYPE_CHECKING:
    from forewarn.pipeline import Report, looks_like_path, scan, scan_work
    from forewarn.score.model import BundleError
    from forewarn.work import ReadError


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'forewarn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
