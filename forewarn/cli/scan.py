"""``forewarn scan`` (one work at a time, from files or stdin) and ``forewarn warnings``."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from forewarn.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_UNDECLARED,
    MAX_SIZE_OPTION,
    SCORERS,
    PipeSafeConsole,
    Probability,
    check_warning_list,
    echo_err,
    echo_json,
    fail,
    load_scorer,
    model_option,
    parse_size_option,
    shown,
)

# What standard input ("-") is called in every line and report about it.
STDIN = "<stdin>"


def _check_writable(path: Path) -> None:
    """One line and exit 2 before scanning when ``path`` cannot be written: a missing
    folder used to end a finished scan with a traceback and exit 1 (undeclared)."""
    parent = path.parent
    problem = None
    if not parent.exists():
        problem = f"no such folder {parent}"
    elif not parent.is_dir():
        problem = f"{parent} is not a folder"
    elif not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        problem = "permission denied"
    if problem:
        fail(f"cannot write {path}: {problem}")
        sys.exit(EXIT_ERROR)


@click.command(short_help="Scan works and compare with what the author declared.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the versioned JSON report instead.")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML report (one work only).",
)
@click.option(
    "--only",
    multiple=True,
    help="Only these warnings (ids or aliases, comma-separated); the AO3 suggestions then cover these only.",
)
@click.option(
    "--ignore",
    multiple=True,
    help="Skip these warnings (ids or aliases, comma-separated); the AO3 suggestions then leave them out.",
)
@click.option(
    "--threshold",
    type=Probability(),
    help="Passage probability needed to flag a warning (default: per-warning, tuned).",
)
@click.option(
    "--show-passages", is_flag=True, help="Quote the evidence passages (spoilers!; terminal only, not in --json)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "html", "epub"]),
    help="Input format (default: from the file name and contents).",
)
@MAX_SIZE_OPTION
@click.option(
    "--scorer",
    type=click.Choice(SCORERS),
    default="cascade",
    show_default=True,
    help="cascade: lexicon + learned heads where the lexicon finds the topic (default); thorough: also "
    "the heads learned from project-written passages, on every passage, for more recall on implied "
    "content; what only they find is shown as unsure (slower; see the model card); "
    "encoder-everywhere and lexicon: for comparison.",
)
@model_option("A bundle from 'forewarn train' instead of the packaged model.")
def scan(
    paths: tuple[Path, ...],
    as_json: bool,
    html_path: Path | None,
    only: tuple[str, ...],
    ignore: tuple[str, ...],
    threshold: float | None,
    show_passages: bool,
    fmt: str | None,
    max_size: str,
    scorer: str,
    model_dir: Path | None,
) -> None:
    """Scan works for content warnings and compare them with the author's declaration.

    \b
    Examples:
      forewarn scan story.txt
      forewarn scan chapter1.html chapter2.html --only violence,self-harm
      forewarn scan work.epub --json > report.json
      forewarn scan story.txt --html report.html
      forewarn scan story.txt --ignore strong-language --threshold 0.7
      forewarn scan story.txt --model my-model   # a bundle from forewarn train
      pbpaste | forewarn scan -          # '-' reads the work from stdin

    \b
    Exit codes: 0 every detected warning was declared; 1 a detected warning
    was not declared; 2 an input could not be read or bad usage; 130 interrupted
    (Ctrl-C); 141 the output was closed early (| head), after --html was written.
    """
    from forewarn.pipeline import Report, load_taxonomy, resolve_selection, scan_work
    from forewarn.readers import CLI_SIZE_HINT, TooLargeError
    from forewarn.report.json import dumps
    from forewarn.report.terminal import render
    from forewarn.work import ReadError

    max_bytes = parse_size_option(max_size)
    if html_path is not None and len(paths) != 1:
        raise click.UsageError("--html takes exactly one input file")
    if html_path is not None:
        _check_writable(html_path)
    if sum(str(p) == "-" for p in paths) > 1:
        raise click.UsageError("'-' (stdin) can be given once")
    if as_json and show_passages:
        click.echo(
            "forewarn: note: --json never contains the work's text; --show-passages applies to the terminal "
            "report (slice the text with the evidence offsets instead)",
            err=True,
        )
    taxonomy = load_taxonomy()
    check_warning_list(only, option="--only", taxonomy=taxonomy)
    check_warning_list(ignore, option="--ignore", taxonomy=taxonomy, empty_ok=True)
    try:
        resolve_selection(only or None, ignore or None, taxonomy=taxonomy)
    except ValueError as e:
        message = re.sub(r"\b(only|ignore)\b", r"--\1", str(e))  # the options' names on the command line
        raise click.UsageError(message) from None

    console = PipeSafeConsole(soft_wrap=False)
    err = Console(stderr=True)
    reports: list[Report] = []
    errors: list[tuple[str, str]] = []
    with err.status(f"loading the {scorer} scorer") if err.is_terminal else nullcontext():
        the_scorer = load_scorer(scorer, model_dir)
    for path in paths:
        name = STDIN if str(path) == "-" else str(path)  # as the report names it
        try:
            # Typed or pasted at a terminal: the text before the bar, which redrew over the typing.
            typed = _typed_stdin(max_bytes) if str(path) == "-" and _stdin_is_terminal() else None
            with _progress(err, shown(path.name if name != STDIN else name, err=True)) as hooks:
                hooks.stage("reading")
                started = time.perf_counter()
                work = _read_input(path, fmt=fmt, max_bytes=max_bytes, data=typed)
                report = scan_work(
                    work,
                    only=only or None,
                    ignore=ignore or None,
                    threshold=threshold,
                    scorer=the_scorer,
                    taxonomy=taxonomy,
                    read_seconds=time.perf_counter() - started,
                    on_stage=hooks.on_stage,
                    on_progress=hooks.on_progress,
                )
        except ReadError as e:  # "PATH: reason" as for every input; the JSON has the path beside the reason
            if isinstance(e, TooLargeError):  # the library's hint names its max_bytes
                e = e.hinting(CLI_SIZE_HINT)
            errors.append((name, e.reason))
            fail(f"{shown(name, err=True)}: {e.reason}")
            continue
        except OSError as e:
            errors.append((name, e.strerror or str(e)))
            fail(f"{shown(name, err=True)}: {e.strerror or e}")
            continue
        reports.append(report)
        if html_path is not None:  # before stdout, which `| head` may close: the file is not lost
            _write_html(html_path, report)
        if not as_json:
            if len(paths) > 1:
                console.rule(Text(shown(name)))  # a name is not markup
            render(report, console=console, show_passages=show_passages)
    if as_json:
        echo_json(dumps(reports, errors=errors))
    if html_path is not None and reports and not as_json:
        click.echo(f"HTML report written to {html_path}")
    if errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_UNDECLARED if any(r.undeclared for r in reports) else EXIT_OK)


def _write_html(html_path: Path, report: Any) -> None:
    from forewarn.report.html import render_html

    try:
        html_path.write_text(render_html(report), encoding="utf-8")
    except OSError as e:
        fail(f"cannot write {html_path}: {e.strerror or e}")
        sys.exit(EXIT_ERROR)


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):  # no stdin, or closed
        return False


def _typed_stdin(max_bytes: int) -> bytes:
    """The work typed or pasted at a terminal for '-', after saying how to end it: a terminal
    waiting in silence (under a progress bar) reads as a hung scan."""
    eof = "Ctrl-Z, then Enter" if sys.platform == "win32" else "Ctrl-D on a line of its own"
    echo_err(f"forewarn: reading the work from the terminal: paste or type it, then press {eof}")
    return bytes(sys.stdin.buffer.read(max_bytes + 1))


def _read_input(path: Path, *, fmt: str | None, max_bytes: int, data: bytes | None = None) -> Any:
    """A work from a file, or from stdin for '-' (bytes, so the reader detects the encoding;
    ``data``: stdin read already).

    A folder is that input's error, not a usage error: the other inputs are still scanned.
    """
    from forewarn.readers import read
    from forewarn.work import ReadError

    if str(path) != "-":
        if path.is_dir():
            raise ReadError("is a folder; scan its files, or use `forewarn batch` for a whole folder")
        return read(path, format=fmt, max_bytes=max_bytes)
    if data is None:
        data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:  # only read up to the limit: its real size is unknown
        raise ReadError(f"input is more than {max_bytes:,} bytes, the --max-size limit (stdin is read up to it)")
    work = read(data, format=fmt, max_bytes=max_bytes)
    work.source_path = STDIN
    return work


# What the bar says during each stage of forewarn.pipeline.STAGES.
_STAGE_LABELS = {"reading": "reading", "splitting": "splitting into passages", "scoring": "scoring"}


@dataclass
class _Hooks:
    """Progress callbacks for one scan; both None (nothing shown) when stderr is not a terminal."""

    on_stage: Callable[[str], None] | None = None
    on_progress: Callable[[int, int], None] | None = None

    def stage(self, name: str) -> None:
        if self.on_stage is not None:
            self.on_stage(name)


@contextmanager
def _progress(err: Console, name: str) -> Iterator[_Hooks]:
    """One bar for the whole scan of a file on a terminal: the stage, then passages scored.

    Reading and splitting a 20 MB file take about 10 s before the first passage is scored,
    so the bar names the stage instead of showing "0/?" for that long.
    """
    if not err.is_terminal:
        yield _Hooks()
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("scanning {task.fields[name]}:", markup=False),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TextColumn("{task.fields[count]}", markup=False),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None, name=name, count="")

        def on_stage(stage: str) -> None:
            bar.update(task, description=_STAGE_LABELS.get(stage, stage))

        def on_progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, count=f"{done:,}/{total:,} passages")

        yield _Hooks(on_stage, on_progress)


@click.command("warnings", short_help="List the known warnings, or show some in full with their aliases.")
@click.argument("names", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the warnings as JSON (with descriptions and aliases).")
def warnings_cmd(names: tuple[str, ...], as_json: bool) -> None:
    """List the warnings forewarn knows, each with its measured quality.

    With NAMES (ids or aliases, as --only takes them), show those warnings in
    full: description, the aliases that map to it, group, AO3 mapping and
    quality. An alias shows the warning it maps to.

    \b
    Examples:
      forewarn warnings
      forewarn warnings self-harm
      forewarn warnings noncon MCD        # which warnings do these tags map to?
      forewarn warnings --json | jq '.[] | select(.f1 != null)'
    """
    import json

    from forewarn.pipeline import load_taxonomy, resolve_labels
    from forewarn.quality import quality_rows
    from forewarn.report.taxonomy import render_card, render_table

    taxonomy = load_taxonomy()
    check_warning_list(names, option="NAMES", taxonomy=taxonomy)
    ids = list(dict.fromkeys(resolve_labels(names, taxonomy=taxonomy) or [])) or None
    rows = quality_rows(ids)
    if as_json:
        echo_json(json.dumps(rows, indent=2))
        return
    console = PipeSafeConsole()
    if ids is None:
        render_table(rows, console=console)
        return
    for i, row in enumerate(rows):
        if i:
            console.print()
        render_card(row, console=console)
