"""Reading a results database (from ``forewarn batch``): ``forewarn query`` and ``stats``; the
options and helpers ``export`` (``forewarn.cli.export``) shares with them."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from forewarn.cli.common import (
    EXIT_ERROR,
    Probability,
    check_warning_list,
    echo_err,
    echo_json,
    echo_line,
    fail,
    open_results_db,
    shown,
    shown_notice,
)

# --language, as query and stats take it (parsed with _languages).
LANGUAGE_OPTION = click.option(
    "--language",
    "languages",
    multiple=True,
    help="Only works whose text reads as this language: a code or name (en, de, German), or 'unknown' "
    "(too short or odd to tell); repeatable, any may match; comma-separated works too.",
)


def _languages(values: tuple[str, ...]) -> list[str | None] | None:
    """The codes --language names (None: not told); None when not given. A usage error for an
    unknown one, which would match nothing and read as "no such works"."""
    from forewarn.language import parse_languages

    if not values:
        return None
    try:
        return parse_languages(values)
    except ValueError as e:
        raise click.UsageError(f"--language: {e}") from None


# --under, as query, stats and export take it (parsed with _under).
UNDER_OPTION = click.option(
    "--under",
    metavar="FOLDER",
    help="Only files below this folder (or in this ZIP), as batch stored them: one part of a collection.",
)


def _under(value: str | None) -> str | None:
    """The stored-path prefix --under names (``batch.path_prefix``); a usage error for a file."""
    from forewarn.batch import path_prefix

    if value is None:
        return None
    try:
        return path_prefix(value)
    except ValueError as e:
        raise click.UsageError(f"--under: {e}") from None


@contextmanager
def _reading(db: str) -> Iterator[Any]:
    """``open_results_db`` for a command's reads: a database damaged past the pages opening it
    reads (sqlite3.DatabaseError on a later query) is one line and exit 2 too, as for scan."""
    import json
    import sqlite3

    conn = open_results_db(db)
    try:
        yield conn
    except (sqlite3.DatabaseError, json.JSONDecodeError) as e:  # a stored report cut short is damage too
        fail(f"{db}: the results database is damaged ({e})")
        sys.exit(EXIT_ERROR)
    finally:
        conn.close()


_MODEL_VERSION_HELP = (
    "Results of this model version (see `forewarn stats`); default: each work's result from the "
    "model version run most recently among those that scanned it."
)


def _check_model_version(conn: Any, db: str, model_version: str | None, *, errors_too: bool = False) -> None:
    """A --model-version the database has no results of is one line, exit 2 (not an empty list);
    ``errors_too``: one that only failed is known too (``query --failed``)."""
    from forewarn.store import model_versions

    if model_version is None:
        return
    known = [v["model_version"] for v in model_versions(conn)]
    if errors_too:
        known += [r[0] for r in conn.execute("SELECT DISTINCT model_version FROM errors") if r[0] not in known]
    if model_version not in known:
        has = f"it has: {', '.join(known)}" if known else "it has no results"
        fail(f"{db}: no results of model version {model_version} ({has})")
        sys.exit(EXIT_ERROR)


@click.command(short_help="Find works in a results database.")
@click.option("--db", required=True, type=click.Path(dir_okay=False), help="Results database (from forewarn batch).")
@click.option("--has", "has", multiple=True, help="Detected warning (id or alias; repeatable: all must match).")
@click.option("--not-declared", is_flag=True, help="Only detections the author did not declare.")
@click.option("--min-confidence", type=Probability(), default=0.0, show_default=True)
@click.option("--rating-mismatch", is_flag=True, help="Declared AO3 rating differs from the suggestion.")
@LANGUAGE_OPTION
@UNDER_OPTION
@click.option("--model-version", help=_MODEL_VERSION_HELP)
@click.option("--failed", is_flag=True, help="List the files that could not be scanned, with why, instead of works.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
def query(
    db: str,
    has: tuple[str, ...],
    not_declared: bool,
    min_confidence: float,
    rating_mismatch: bool,
    languages: tuple[str, ...],
    under: str | None,
    model_version: str | None,
    failed: bool,
    as_json: bool,
) -> None:
    """Find works in a results database.

    One line per work: its path, the suggested AO3 rating and the declared one
    (when the work states one), the detected warnings and the undeclared ones.
    --json rows carry rating_suggested, rating_declared, model_version and
    detected_language. Each work is listed once, with the result of the model
    version run most recently among those that scanned it (--model-version
    picks one). --language keeps works whose text reads as that language:
    forewarn reads English only, so its results on others mean little.
    --under keeps the files below a folder (or in a ZIP).

    --failed lists every file that could not be scanned instead ("path: why"),
    identical ones each, except those whose content a model version has read
    since (with --model-version: that version's failures).

    \b
    Examples:
      forewarn query --db results.db --has self-harm --not-declared
      forewarn query --db results.db --has violence --min-confidence 0.8 --json
      forewarn query --db results.db --rating-mismatch
      forewarn query --db results.db --language unknown --language de
      forewarn query --db results.db --failed
      forewarn query --db results.db --under ~/fics/drafts --has violence
    """
    import json

    from forewarn.pipeline import load_taxonomy, resolve_labels
    from forewarn.store import query_works

    if failed:
        given = {"--has": has, "--not-declared": not_declared, "--min-confidence": min_confidence}
        given |= {"--rating-mismatch": rating_mismatch, "--language": languages}
        if clash := [name for name, value in given.items() if value]:
            raise click.UsageError(f"--failed lists files that have no results: it takes no {clash[0]}")
        _query_failed(db, model_version=model_version, under=_under(under), as_json=as_json)
        return
    taxonomy = load_taxonomy()
    check_warning_list(has, option="--has", taxonomy=taxonomy)
    ids = resolve_labels(has or None, taxonomy=taxonomy) or []
    codes = _languages(languages)
    with _reading(db) as conn:
        _check_model_version(conn, db, model_version)
        rows = query_works(
            conn,
            has=ids,
            not_declared=not_declared,
            min_confidence=min_confidence,
            rating_mismatch=rating_mismatch,
            model_version=model_version,
            languages=codes,
            under=_under(under),
        )
    if as_json:
        echo_json(json.dumps(rows, indent=2))
        return
    for r in rows:
        undeclared = f"  undeclared: {', '.join(r['undeclared'])}" if r["undeclared"] else ""
        # A file name (or a declared rating) may hold a newline or escape sequences: one line per
        # work, whatever it holds (printable() keeps newlines, which a multi-line report needs).
        echo_line(f"{shown(r['path'])}  [{_ratings(r)}]  {', '.join(r['detected']) or '-'}{undeclared}")
    works = len({r["id"] for r in rows})
    shared = f" ({works:,} distinct work{'s' if works != 1 else ''}: identical files)" if works != len(rows) else ""
    versions = sorted({r["model_version"] for r in rows})
    if len(versions) == 1:
        shared += f"; model version {versions[0]}"
    elif versions:
        shared += f"; results of {len(versions)} model versions (--json shows each row's, --model-version picks one)"
    echo_err(f"{len(rows):,} work{'s' if len(rows) != 1 else ''}{shared}")


def _query_failed(db: str, *, model_version: str | None, under: str | None, as_json: bool) -> None:
    """``query --failed``: a line per file that could not be scanned; the count on stderr."""
    import json

    from forewarn.store import failed_files

    with _reading(db) as conn:
        _check_model_version(conn, db, model_version, errors_too=True)
        rows = failed_files(conn, model_version=model_version, under=under)
    if as_json:
        echo_json(json.dumps(rows, indent=2))
        return
    for r in rows:
        echo_line(f"{shown(r['path'])}: {shown_notice(r['error'])}")
    contents = len({r["content_hash"] or f"path:{r['path']}" for r in rows})
    shared = f" ({contents:,} distinct content{'s' if contents != 1 else ''})" if contents != len(rows) else ""
    echo_err(f"{len(rows):,} file{'s' if len(rows) != 1 else ''} could not be scanned{shared}")


def _ratings(row: dict[str, Any]) -> str:
    """Both AO3 ratings of a query row: a bare suggestion reads as if it were the work's rating;
    and, for a work in another language, that its results mean little (a German "war" is "was")."""
    from forewarn.language import language_name

    declared = f"; declared: {shown(row['rating_declared'])}" if row["rating_declared"] else ""
    code = row.get("detected_language")
    other = f"; reads as {language_name(code)}, not English" if code not in (None, "en") else ""
    return f"suggested: {row['rating_suggested']}{declared}{other}"


@click.command(short_help="How many works in a results database under-warn.")
@click.option("--db", required=True, type=click.Path(dir_okay=False), help="Results database (from forewarn batch).")
@click.option("--model-version", help=_MODEL_VERSION_HELP)
@LANGUAGE_OPTION
@UNDER_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
def stats(db: str, model_version: str | None, languages: tuple[str, ...], under: str | None, as_json: bool) -> None:
    """Summary of a results database: how many works under-warn, per warning.

    Each work is counted once, with the result of the model version run most
    recently among those that scanned it (--model-version picks one); the model
    versions in the database are listed when there are several, and the works
    per detected language when not all read as English. --language counts
    only works in that language (forewarn reads English only: --language en
    leaves out works its results mean little on); unreadable files have no
    language and are counted all the same. --under counts only the works and
    unreadable files below a folder (or in a ZIP), and only those files.

    \b
    Examples:
      forewarn stats --db results.db
      forewarn stats --db results.db --language en
      forewarn stats --db results.db --under ~/fics/drafts
    """
    import json

    from forewarn.store import stats as db_stats

    codes = _languages(languages)
    with _reading(db) as conn:
        _check_model_version(conn, db, model_version)
        s = db_stats(conn, model_version=model_version, languages=codes, under=_under(under))
    if as_json:
        echo_json(json.dumps(s, indent=2))
        return
    works = s["works"]
    files = f" ({s['files']:,} files; identical ones are one work)" if s["files"] != works else ""
    click.echo(
        f"{works:,} work{'s' if works != 1 else ''} scanned{files}, {_unreadable(s['errors'], s['error_files'])}"
        + f"; {s['works_under_warned']:,} with an undeclared warning"
        + (f" (model version {model_version})" if model_version else "")
    )
    if codes is not None or [r["language"] for r in s["languages"]] not in ([], ["en"]):
        click.echo(f"by detected language: {_by_language(s['languages'])}")
    versions = s["model_versions"]
    if model_version is None and len(versions) > 1:
        click.echo(f"each work's result from the model version run last on it; {len(versions)} in the database:")
        for v in versions:
            last = f", last run {v['last_run']}" if v["last_run"] else ""
            click.echo(f"  {v['model_version']}: {v['works']:,} work{'s' if v['works'] != 1 else ''}{last}")
    for r in s["per_warning"]:
        click.echo(
            f"  {r['warning']:<18} detected in {r['detected']:>7,}  undeclared in {r['undeclared']:>7,} "
            f"({r['undeclared_share']:.0%})"
        )


def _by_language(counts: list[dict[str, Any]]) -> str:
    """``stats``' works per detected language: "en 266, de (German) 5, unknown 3"."""
    from forewarn.language import UNKNOWN, language_name

    def label(code: str | None) -> str:
        if code is None:
            return UNKNOWN
        return code if code == "en" or language_name(code) == code else f"{code} ({language_name(code)})"

    return ", ".join(f"{label(r['language'])} {r['works']:,}" for r in counts) or "no works"


def _unreadable(contents: int, files: int) -> str:
    """``stats``' count of unreadable files: identical ones are one content, and where to find them."""
    if not contents:
        return "0 unreadable"
    shared = f" in {files:,} files" if files != contents else ""
    return f"{contents:,} unreadable{shared} (`forewarn query --failed` lists them)"
