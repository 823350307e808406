"""``forewarn batch``: a folder, ZIP or glob of works into a results database."""

from __future__ import annotations

import signal
import sys
import time
from collections import Counter
from pathlib import Path

import click

from forewarn.cli.common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,  # batch: Ctrl-C; what was done is saved
    EXIT_OK,
    MAX_SIZE_OPTION,
    SCORERS,
    echo_err,
    fail,
    load_scorer,
    model_option,
    parse_size_option,
    shown,
    shown_notice,
)

EXIT_SOME_FAILED = 1  # batch: finished, but at least one work could not be read or scanned
EXIT_TERMINATED = 143  # batch: SIGTERM (128 + 15), stopped like Ctrl-C
PROGRESS_LINE_SECONDS = 10.0  # batch --progress into a log file: at most a line this often


@click.command(short_help="Scan a folder, ZIP or glob into a results database.")
@click.argument("target")
@click.option("--db", required=True, type=click.Path(dir_okay=False), help="Results database (created if missing).")
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: processes on this machine; dask: a Dask cluster (pip install 'forewarn[dask]').",
)
@click.option("--workers", type=click.IntRange(min=1), help="Processes (default: all cores; 1 = in this process).")
@click.option("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster).")
@click.option("--scorer", type=click.Choice(SCORERS), default="cascade", show_default=True)
@model_option("A bundle from 'forewarn train' instead of the packaged model (with dask: a path every worker reads).")
@MAX_SIZE_OPTION
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar (default: when stderr is a terminal); into a file, a line every 10 s or so.",
)
def batch(
    target: str,
    db: str,
    engine: str,
    workers: int | None,
    scheduler: str | None,
    scorer: str,
    model_dir: Path | None,
    max_size: str,
    progress: bool | None,
) -> None:
    """Scan every work in a folder, ZIP or glob into a results database.

    Resumable: works already in the database (same content and model version)
    are skipped, so re-running after an interruption finishes the rest.
    Identical files are scanned once and stored as one work with every path
    (query lists each path). Bad
    files are recorded with their error and do not stop the batch; a re-run
    tries them again (a newer forewarn may read them) and counts them as
    retried. Files with a supported suffix or none are scanned (an
    extensionless binary file is reported as failed); other suffixes and
    hidden files (dot-files, dot-folders, __MACOSX/ and macOS's ._* files)
    are left out, unless the target is that one file. Paths are stored absolute.
    After a run over a folder or ZIP, files recorded under it that are no
    longer there are removed from the database (a renamed file keeps its work).

    \b
    Exit codes: 0 every work is in the database; 1 at least one work failed
    (listed on stderr; `forewarn query --failed` lists them from the
    database); 2 bad usage, a missing
    path, a pattern matching nothing, or a --db that is not a results database
    (no database is created then); 130 interrupted (Ctrl-C), 143 stopped by
    SIGTERM: the works done are saved, and the same command finishes the rest.

    \b
    Examples:
      forewarn batch ~/fics --db results.db
      forewarn batch archive.zip --db results.db --workers 2
      forewarn batch 'works/**/*.epub' --db results.db
      forewarn batch works/ --db results.db --engine dask --scheduler tcp://scheduler:8786
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from forewarn.batch import BatchInterrupted, BatchSummary, is_zip_target, run_batch
    from forewarn.readers import CLI_SIZE_HINT

    max_bytes = parse_size_option(max_size)
    if model_dir is not None:
        load_scorer(scorer, model_dir)  # a broken bundle is one line before any database is made
    err = Console(stderr=True)
    show = err.is_terminal if progress is None else progress
    # Not a terminal (a log file): a bar would only be drawn at the end, so a line now and then.
    lines = show and not err.is_terminal
    last_line = time.monotonic()
    bar = Progress(
        TextColumn("[bold]scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=err,
        disable=not show or lines,
    )
    task = bar.add_task("works", total=None, rate="")

    def on_progress(summary: BatchSummary, total: int) -> None:
        nonlocal last_line
        done = summary.scanned + summary.duplicates + summary.failed + summary.skipped
        bar.update(task, total=total, completed=done, rate=f"{summary.words_per_second:,.0f} words/s")
        if lines and time.monotonic() - last_line >= PROGRESS_LINE_SECONDS:
            last_line = time.monotonic()
            per_s = done / summary.seconds if summary.seconds else 0.0
            click.echo(
                f"{done:,} of {total:,} files, {per_s:,.0f} files/s ({summary.words_per_second:,.0f} words/s), "
                f"{summary.failed:,} failed",
                err=True,
            )

    try:
        with bar:
            summary = run_batch(
                target,
                db=db,
                engine=engine,
                workers=workers,
                scheduler=scheduler,
                mode=scorer,
                bundle=str(model_dir.resolve()) if model_dir else None,
                max_bytes=max_bytes,
                size_hint=CLI_SIZE_HINT,
                on_progress=on_progress,
            )
    except (ValueError, RuntimeError, OSError) as e:
        fail(str(e))
        sys.exit(EXIT_ERROR)
    except BatchInterrupted as e:
        done = e.summary
        failed = f" ({done.failed:,} failed)" if done.failed else ""
        term = e.signum == signal.SIGTERM
        click.echo(
            f"{'terminated (SIGTERM)' if term else 'interrupted'}: {done.scanned:,} "
            f"work{'s' if done.scanned != 1 else ''} saved{failed}; run the same command again to finish",
            err=True,
        )
        sys.exit(EXIT_TERMINATED if term else EXIT_INTERRUPTED)
    except KeyboardInterrupt:  # before the run started (listing files, loading the model)
        click.echo("interrupted before any work was scanned", err=True)
        sys.exit(EXIT_INTERRUPTED)
    # Files throughout; the errors table has a row per content, so say how many when fewer.
    shared = summary.failed_contents < summary.failed
    n = summary.failed_contents
    contents = f" ({n:,} distinct content{'s' if n != 1 else ''})" if shared else ""
    retried = (
        f"; {summary.retried:,} file{'s' if summary.retried != 1 else ''} had failed before and "
        f"{'was' if summary.retried == 1 else 'were'} tried again"
        if summary.retried
        else ""
    )
    copies = (
        f"{summary.duplicates:,} identical to another work (path recorded, not scanned twice), "
        if summary.duplicates
        else ""
    )
    click.echo(
        f"scanned {summary.scanned:,}, skipped {summary.skipped:,} (already in the database), {copies}"
        f"failed {summary.failed:,}{contents}{retried}; "
        + (
            f"{summary.words:,} words in {summary.seconds:.1f} s ({summary.words_per_second:,.0f} words/s)"
            if summary.words
            else f"{summary.seconds:.1f} s"
        )
    )
    kept = " (`forewarn query --failed` lists them all)"
    failures = [f"  failed: {shown(name, err=True)}: {shown_notice(why, err=True)}" for name, why in summary.errors]
    _first_lines(failures, more=kept)
    if summary.removed:
        click.echo(
            f"{summary.removed:,} file{'s' if summary.removed != 1 else ''} no longer there "
            f"{'were' if summary.removed != 1 else 'was'} removed from the database",
            err=True,
        )
    if summary.second_paths:
        n = summary.second_paths
        click.echo(
            f"{n:,} link path{'s' if n != 1 else ''} to {'files' if n != 1 else 'a file'} recorded under "
            f"{'their' if n != 1 else 'its'} own path{'s' if n != 1 else ''} {'were' if n != 1 else 'was'} "
            "removed from the database",
            err=True,
        )
    if summary.reopened:
        n = summary.reopened
        click.echo(
            f"{n:,} folder{'s' if n != 1 else ''} that could not be opened before "
            f"{'were' if n != 1 else 'was'} read this time",
            err=True,
        )
    if summary.left_out:
        echo_err(_left_out_line(summary.left_out, in_zip=is_zip_target(target)))
    partial = [
        f"  read in part: {shown(name, err=True)}: {shown_notice(notice, err=True)}" for name, notice in summary.partial
    ]
    _first_lines(partial, more=" read in part (their reports say so)")
    if summary.not_english:
        from forewarn.language import language_name

        n = len(summary.not_english)
        click.echo(
            f"{n:,} scanned work{'s' if n != 1 else ''} read as another language than English, which forewarn"
            " cannot read (their reports say so):",
            err=True,
        )
        _first_lines([f"  {language_name(code)}: {shown(name, err=True)}" for name, code in summary.not_english])
    sys.exit(EXIT_SOME_FAILED if summary.failed else EXIT_OK)


def _left_out_line(left_out: Counter[str], *, in_zip: bool = False) -> str:
    """What ``batch`` did not scan for its suffix (a PDF, a DOCX, a ZIP in a folder), so those
    works are not lost silently; a ZIP can be scanned as its own target, once out of the ZIP
    target (``in_zip``) holding it."""
    from forewarn.batch import count_suffixes
    from forewarn.readers import SUPPORTED_SUFFIXES

    n = sum(left_out.values())
    named: Counter[str] = Counter()  # a suffix is part of a file name: isolated, as the names are
    for suffix, count in left_out.items():
        named[shown(suffix, err=True)] += count
    zips = ""
    if ".zip" in left_out:
        zips = "; a ZIP " + ("in a ZIP is not opened: extract it, then scan it" if in_zip else "is scanned")
        zips += " as its own target (forewarn batch FILE.zip)"
    return (
        f"left out {n:,} file{'s' if n != 1 else ''} of other types: {count_suffixes(named)} (forewarn reads "
        f"{', '.join(sorted(SUPPORTED_SUFFIXES))} and files without a suffix){zips}"
    )


def _first_lines(lines: list[str], *, more: str = "", at_most: int = 20) -> None:
    """The first ``at_most`` of ``lines`` on stderr, then how many more ("... and 5 more" + ``more``)."""
    for line in lines[:at_most]:
        echo_err(line)
    if len(lines) > at_most:
        click.echo(f"  ... and {len(lines) - at_most:,} more{more}", err=True)
