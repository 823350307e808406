"""Export a results database to CSV, JSON Lines or Parquet."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from forewarn.store import all_work_paths, language_expr, shown_in, stored_report

COLUMNS = [
    "path",
    "paths",
    "content_hash",
    "model_version",
    "title",
    "words",
    "rating_declared",
    "rating_suggested",
    "detected",
    "undeclared",
    "scanned_at",
    "detected_language",
]


# A spreadsheet runs a cell starting with one of these as a formula: titles and declared ratings
# are the author's text (=HYPERLINK(...) is an exfiltration link). OWASP's advice: an apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # and full-width forms


def _csv_cell(value: Any) -> Any:
    """``value`` safe to open in a spreadsheet: text that would start a formula gets a leading ``'``."""
    # Spreadsheets skip leading spaces, and some read full-width signs as their ASCII forms.
    if isinstance(value, str) and value.lstrip(" \u3000").startswith(_FORMULA_START):
        return "'" + value
    return value


def rows(
    conn: sqlite3.Connection,
    *,
    model_version: str | None = None,
    languages: list[str | None] | None = None,
    under: str | None = None,
) -> list[dict[str, Any]]:
    """One flat row per work, its result from ``shown_works(model_version)`` (the newest model's
    by default; ``model_version`` says which); warning lists are ';'-joined ids, strongest first,
    and ``paths`` the list of every file with the work's content (identical files are one work):
    a list column in Parquet, a JSON array in CSV (a file name may hold any separator);
    ``detected_language`` what the text reads as ("en", "de"; empty when not told), and
    ``languages`` keeps the works in those, ``under`` those with a file whose stored path starts
    so (``store.shown_in``; their rows list all their files, as without it)."""
    chosen, args = shown_in(conn, model_version, languages, under=under)
    known = all_work_paths(conn)
    out = []
    language = language_expr(conn)
    works = conn.execute(
        f"SELECT w.*, {language} AS language FROM works w WHERE w.id IN ({chosen}) ORDER BY w.path, w.id", args
    )
    for w in works:
        paths = known.get(w["content_hash"], [])
        dets = conn.execute(
            "SELECT warning, declared FROM detections WHERE work_id = ? ORDER BY confidence DESC", (w["id"],)
        ).fetchall()
        out.append(
            {
                "path": w["path"],
                "paths": paths or [w["path"]],
                "content_hash": w["content_hash"],
                "model_version": w["model_version"],
                "title": w["title"],
                "words": w["words"],
                "rating_declared": w["rating_declared"],
                "rating_suggested": w["rating_suggested"],
                "detected": ";".join(d["warning"] for d in dets),
                "undeclared": ";".join(d["warning"] for d in dets if not d["declared"]),
                "scanned_at": w["scanned_at"],
                "detected_language": w["language"],
            }
        )
    return out


def export_db(
    conn: sqlite3.Connection,
    *,
    fmt: str,
    out: str | Path | IO[bytes],
    model_version: str | None = None,
    languages: list[str | None] | None = None,
    under: str | None = None,
) -> int:
    """Write the export to a path or a binary stream (``sys.stdout.buffer``: the same bytes as
    the file); returns the number of works (one result each, as ``rows`` chooses)."""
    if fmt == "jsonl":
        chosen, args = shown_in(conn, model_version, languages, under=under)
        ids = [r[0] for r in conn.execute(f"SELECT id FROM works WHERE id IN ({chosen}) ORDER BY path, id", args)]
        known = all_work_paths(conn)
        with _text(out) as f:
            for work_id in ids:
                f.write(json.dumps(stored_report(conn, work_id, known=known), ensure_ascii=False) + "\n")
        return len(ids)
    data = rows(conn, model_version=model_version, languages=languages, under=under)
    if fmt == "csv":
        with _text(out) as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            for row in data:
                cells = {**row, "paths": json.dumps(row["paths"], ensure_ascii=False)}
                writer.writerow({k: _csv_cell(v) for k, v in cells.items()})
        return len(data)
    if fmt == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise RuntimeError("parquet export needs the extra: pip install 'forewarn[parquet]'") from None
        types = {"paths": pa.list_(pa.string()), "words": pa.int64()}
        schema = pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])
        pq.write_table(pa.Table.from_pylist(data, schema=schema), str(out) if isinstance(out, (str, Path)) else out)
        return len(data)
    raise ValueError(f"unknown format {fmt!r}")


class _Utf8:
    """A text sink over a binary stream: each write as UTF-8, the newlines as written (CSV's are
    CRLF, as in the file); the stream is never closed here."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(text.encode("utf-8"))
        return len(text)


@contextmanager
def _text(out: str | Path | IO[bytes]) -> Iterator[IO[str] | _Utf8]:
    """``out`` for writing text: a UTF-8 file, or a binary stream (the same bytes), flushed after."""
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8", newline="") as f:
            yield f
        return
    yield _Utf8(out)
    out.flush()
