"""``forewarn export``: a results database (from ``forewarn batch``) to CSV, JSON Lines or
Parquet, with the filters ``query`` and ``stats`` take (``forewarn.cli.results``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from forewarn.cli.common import EXIT_ERROR, fail
from forewarn.cli.results import (
    _MODEL_VERSION_HELP,
    LANGUAGE_OPTION,
    UNDER_OPTION,
    _check_model_version,
    _languages,
    _reading,
    _under,
)

# The export formats a --out suffix names (case aside); any other suffix needs --format.
_EXPORT_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


@click.command(short_help="Export a results database to CSV, JSON Lines or Parquet.")
@click.option("--db", required=True, type=click.Path(dir_okay=False), help="Results database (from forewarn batch).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl", "parquet"]),
    help="Output format (default: from the --out suffix, .csv, .jsonl or .ndjson, .parquet; csv for a "
    "name without a suffix and for '-').",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Output file; '-' writes to stdout (Parquet only to a pipe or file, not to a terminal).",
)
@click.option("--model-version", help=_MODEL_VERSION_HELP)
@LANGUAGE_OPTION
@UNDER_OPTION
def export(
    db: str, fmt: str | None, out: str, model_version: str | None, languages: tuple[str, ...], under: str | None
) -> None:
    """Export a results database: one row per work (jsonl: the full reports), with the
    result of the model version run most recently among those that scanned it
    (--model-version picks one; rows name theirs in model_version).

    The format is the --out suffix's (.csv, .jsonl or .ndjson, .parquet) unless
    --format says it; a --format the suffix contradicts, or another suffix without
    --format, is a usage error. '-' is stdout (the count goes to stderr).
    --language keeps the works whose text reads as that language, as for query.
    --under keeps the works with a file below a folder (or in a ZIP), as stats
    counts them; their rows list all their files.

    \b
    Examples:
      forewarn export --db results.db --out results.csv
      forewarn export --db results.db --out reports.jsonl
      forewarn export --db results.db --out results.parquet
      forewarn export --db results.db --out english.csv --language en
      forewarn export --db results.db --out drafts.csv --under ~/fics/drafts
      forewarn export --db results.db --format jsonl --out - | jq .work.title
    """
    from forewarn.export import export_db

    to_stdout = out == "-"
    if not to_stdout and _is_database_file(out, db):
        fail(f"--out {out} is the database itself (or its journal): choose another file")
        sys.exit(EXIT_ERROR)
    fmt = _export_format(fmt, out)
    codes, prefix = _languages(languages), _under(under)
    if to_stdout and fmt == "parquet" and sys.stdout.isatty():
        raise click.UsageError("Parquet is binary: redirect stdout to a file or a pipe, or give --out FILE.parquet")
    with _reading(db) as conn:
        _check_model_version(conn, db, model_version)
        try:
            n = export_db(
                conn,
                fmt=fmt,
                out=sys.stdout.buffer if to_stdout else out,
                model_version=model_version,
                languages=codes,
                under=prefix,
            )
        except RuntimeError as e:
            fail(str(e))
            sys.exit(EXIT_ERROR)
        except BrokenPipeError:
            raise  # the quiet exit (_Group)
        except OSError as e:
            fail(f"cannot write {'to stdout' if to_stdout else out}: {e.strerror or e}")
            sys.exit(EXIT_ERROR)
    works = f"{n:,} work{'s' if n != 1 else ''}"
    if to_stdout:
        click.echo(f"{works} written to stdout", err=True)
    else:
        click.echo(f"{works} written to {out}")


def _export_format(fmt: str | None, out: str) -> str:
    """The format for ``--format`` and ``--out``: the suffix's when no --format is given, a usage
    error when they disagree or the suffix names no format; csv when there is no suffix."""
    suffix = "" if out == "-" else Path(out).suffix
    implied = _EXPORT_SUFFIXES.get(suffix.lower())
    if fmt is None:
        if suffix and implied is None:
            raise click.UsageError(
                f"cannot tell the format from --out {out}: give --format csv, jsonl or parquet "
                "(or end the name in .csv, .jsonl or .parquet)"
            )
        return implied or "csv"
    if implied is not None and implied != fmt:
        raise click.UsageError(f"--format {fmt} does not match --out {out}: a {suffix} file is {implied}")
    return fmt


def _is_database_file(out: str, db: str) -> bool:
    """``out`` names the database or one of SQLite's files next to it (a hard link or symlink too)."""
    base = Path(db).resolve()
    target = Path(out).resolve()
    if target in {base, *(base.with_name(base.name + s) for s in ("-wal", "-shm", "-journal"))}:
        return True
    try:
        return os.path.samefile(out, db)
    except OSError:  # out does not exist yet
        return False
