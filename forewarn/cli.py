"""The ``forewarn`` command: a thin layer over the library.

Exit codes of ``scan`` (documented in the README and in ``forewarn scan --help``):
0 scanned, every detected warning was declared; 1 scanned, at least one
detected warning was not declared; 2 an input could not be read or the
command was misused; 141 stdout was closed before the output ended
(``forewarn scan story.txt | head``), quietly, as a program SIGPIPE ended.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn, cast

import click
from rich.console import Console
from rich.text import Text

from forewarn import __version__

if TYPE_CHECKING:
    import numpy as np

SCORERS = ["cascade", "thorough", "encoder-everywhere", "lexicon"]  # forewarn.score.cascade.MODES, without its imports

EXIT_OK, EXIT_UNDECLARED, EXIT_ERROR = 0, 1, 2
EXIT_SOME_FAILED = 1  # batch: finished, but at least one work could not be read or scanned
EXIT_INTERRUPTED = 130  # batch: Ctrl-C (128 + SIGINT, as shells report it); what was done is saved
EXIT_TERMINATED = 143  # batch: SIGTERM (128 + 15), stopped like Ctrl-C
PROGRESS_LINE_SECONDS = 10.0  # batch --progress into a log file: at most a line this often
# stdout's reader left early (`| head`, a pager quit): 128 + SIGPIPE, as shells report a program
# that SIGPIPE ended. click and rich exited 1 there, which is scan's "undeclared warnings".
EXIT_BROKEN_PIPE = 141


class _Probability(click.FloatRange):
    """A number from 0 to 1. click's FloatRange lets "nan" through, and every comparison with
    it is false: a traceback later (--threshold) or silently no rows (--min-confidence)."""

    def __init__(self) -> None:
        super().__init__(0.0, 1.0)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if number != number:
            self.fail("nan is not a number from 0 to 1", param, ctx)
        return number


def _model_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--model DIR`` (a bundle from ``forewarn train``), as scan, batch, evaluate and serve take it."""
    return click.option(
        "--model", "model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), help=help_text
    )


# --max-size, as scan and batch take it (parsed with _parse_size).
MAX_SIZE_OPTION = click.option(
    "--max-size", default="25MiB", show_default=True, help="Refuse larger files (binary units: 25MB = 25 MiB)."
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


# --under, as query and stats take it (parsed with _under).
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


def _load_scorer(mode: str, model_dir: Path | None) -> Any:
    """The scorer for --scorer and --model: a broken bundle (tampered, incomplete, not a bundle,
    from a newer forewarn) is one line and exit 2, never a traceback."""
    from forewarn.score.cascade import default_scorer
    from forewarn.score.model import BundleError

    if model_dir is not None and mode == "lexicon":
        raise click.UsageError("--model has no effect with --scorer lexicon, which uses no model")
    try:
        return default_scorer(mode, str(model_dir) if model_dir else None)
    except BundleError as e:
        _fail(str(e))
        sys.exit(EXIT_ERROR)


def _quiet_broken_pipe() -> NoReturn:
    """End quietly once stdout's reader has gone: no traceback and no message, and stdout
    pointed at /dev/null so flushing it at exit does not print "Exception ignored"."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # a stdout without a descriptor (a test runner's)
        pass
    sys.exit(EXIT_BROKEN_PIPE)


class _WholeWrites:
    """A text stream (stdout) whose every write is written whole, or raises BrokenPipeError when
    the reader has gone. A long write (over the stream's 8 KiB buffer) that the pipe took only in
    part, its reader leaving meanwhile (``forewarn scan --json | head -1``), was lost in silence:
    Python's buffered writer returns the part it wrote and its text layer ignores the count, so
    no error came and the scan exited 1 ("undeclared") instead of 141. Here the rest is written
    again, which raises. Everything else is the stream's own."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        stream = self._stream
        buffer = getattr(stream, "buffer", None)
        if buffer is None:  # a stream without a binary layer has no such partial writes
            return int(stream.write(text))
        stream.flush()  # what was written before goes first
        # As the text layer would write it: stdout's newlines are os.linesep on Windows.
        data = memoryview(text.replace("\n", os.linesep).encode(stream.encoding or "utf-8", stream.errors or "strict"))
        while data:
            written = buffer.write(data)
            if not written:
                raise BrokenPipeError(errno.EPIPE, "stdout took nothing")
            data = data[written:]
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _Console(Console):
    """A rich console for stdout whose broken pipe is the quiet exit (rich's own exits 1),
    also mid-write (see ``_WholeWrites``)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(file=cast("IO[str]", _WholeWrites(sys.stdout)), **options)

    def on_broken_pipe(self) -> None:
        self.quiet = True
        _quiet_broken_pipe()


class _Group(click.Group):
    """The command group; a broken pipe on stdout in any command is the quiet exit (click's is 1),
    also for the group's own ``--help`` and ``--version``, which print while parsing."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except BrokenPipeError:
            _quiet_broken_pipe()

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_broken_pipe()


def _fail(message: str) -> None:
    _err(f"forewarn: error: {message}")


_LINE_BREAKS = {ord(c): "\ufffd" for c in "\n\u2028\u2029"}  # printable() turns the other ones into U+FFFD


def _err(line: str) -> None:
    """One line to stderr; names from a work or an archive may hold escape sequences, and a
    newline in a file name would forge a second line ("failed: x" that never failed)."""
    from forewarn.report import printable

    one = line.translate(_LINE_BREAKS)
    click.echo(printable(one, encoding=getattr(sys.stderr, "encoding", None) or "utf-8"), err=True)


def _parse_size(value: str) -> int:
    """The library's size parser (binary units), as a usage error on bad input."""
    from forewarn.readers import parse_size

    try:
        return parse_size(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


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
        _fail(f"cannot write {path}: {problem}")
        sys.exit(EXIT_ERROR)


def _check_warning_list(values: tuple[str, ...], *, option: str, taxonomy: Any, empty_ok: bool = False) -> None:
    """Usage error for an unknown warning, or for an option given with no warning at all.

    ``--only ""`` used to select nothing and report a clean work, which reads as "safe";
    ``--ignore ""`` (``empty_ok``) ignores nothing, as in the Python API and over HTTP.
    """
    from forewarn.pipeline import resolve_labels

    try:
        ids = resolve_labels(values or None, taxonomy=taxonomy)
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    if values and not ids and not empty_ok:
        raise click.UsageError(f"{option} needs at least one warning id or alias (see `forewarn warnings`)")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="forewarn")
def main() -> None:
    """forewarn: find content warnings in fiction, offline, and where they are.

    \b
    Examples:
      forewarn scan story.txt
      forewarn scan --json work.epub > report.json
      forewarn warnings
    """


@main.command(short_help="Scan works and compare with what the author declared.")
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
    type=_Probability(),
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
@_model_option("A bundle from 'forewarn train' instead of the packaged model.")
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
    was not declared; 2 an input could not be read or bad usage; 141 the output
    was closed early (| head), after --html was written.
    """
    from forewarn.pipeline import Report, load_taxonomy, resolve_selection, scan_work
    from forewarn.readers import CLI_SIZE_HINT, TooLargeError
    from forewarn.report import printable
    from forewarn.report.json import dumps
    from forewarn.report.terminal import render
    from forewarn.work import ReadError

    max_bytes = _parse_size(max_size)
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
    _check_warning_list(only, option="--only", taxonomy=taxonomy)
    _check_warning_list(ignore, option="--ignore", taxonomy=taxonomy, empty_ok=True)
    try:
        resolve_selection(only or None, ignore or None, taxonomy=taxonomy)
    except ValueError as e:
        message = re.sub(r"\b(only|ignore)\b", r"--\1", str(e))  # the options' names on the command line
        raise click.UsageError(message) from None

    console = _Console(soft_wrap=False)
    err = Console(stderr=True)
    reports: list[Report] = []
    errors: list[tuple[str, str]] = []
    with err.status(f"loading the {scorer} scorer") if err.is_terminal else nullcontext():
        the_scorer = _load_scorer(scorer, model_dir)
    for path in paths:
        try:
            with _progress(err, path.name) as hooks:
                hooks.stage("reading")
                started = time.perf_counter()
                work = _read_input(path, fmt=fmt, max_bytes=max_bytes)
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
            errors.append((str(path), e.reason))
            _fail(f"{path}: {e.reason}")
            continue
        except OSError as e:
            errors.append((str(path), e.strerror or str(e)))
            _fail(f"{path}: {e.strerror or e}")
            continue
        reports.append(report)
        if html_path is not None:  # before stdout, which `| head` may close: the file is not lost
            _write_html(html_path, report)
        if not as_json:
            if len(paths) > 1:
                console.rule(Text(printable(str(path), encoding=console.encoding)))  # a name is not markup
            render(report, console=console, show_passages=show_passages)
    if as_json:
        _echo_json(dumps(reports, errors=errors))
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
        _fail(f"cannot write {html_path}: {e.strerror or e}")
        sys.exit(EXIT_ERROR)


def _echo_json(doc: str) -> None:
    """Print JSON, as ASCII escapes when stdout's encoding lacks a character (a cp1252
    stdout crashed on a Japanese title); the document is the same."""
    import json

    from forewarn.report import printable

    if printable(doc, encoding=getattr(sys.stdout, "encoding", None) or "utf-8") != doc:
        doc = json.dumps(json.loads(doc), indent=2)
    out = _WholeWrites(sys.stdout)  # a long document: see there
    out.write(doc + "\n")
    out.flush()


def _read_input(path: Path, *, fmt: str | None, max_bytes: int) -> Any:
    """A work from a file, or from stdin for '-' (bytes, so the reader detects the encoding).

    A folder is that input's error, not a usage error: the other inputs are still scanned.
    """
    from forewarn.readers import read
    from forewarn.work import ReadError

    if str(path) != "-":
        if path.is_dir():
            raise ReadError("is a folder; scan its files, or use `forewarn batch` for a whole folder")
        return read(path, format=fmt, max_bytes=max_bytes)
    data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:  # only read up to the limit: its real size is unknown
        raise ReadError(f"input is more than {max_bytes:,} bytes, the --max-size limit (stdin is read up to it)")
    work = read(data, format=fmt, max_bytes=max_bytes)
    work.source_path = "<stdin>"
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


@main.command("warnings", short_help="List the known warnings, or show some in full with their aliases.")
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
    _check_warning_list(names, option="NAMES", taxonomy=taxonomy)
    ids = list(dict.fromkeys(resolve_labels(names, taxonomy=taxonomy) or [])) or None
    rows = quality_rows(ids)
    if as_json:
        _echo_json(json.dumps(rows, indent=2))
        return
    console = _Console()
    if ids is None:
        render_table(rows, console=console)
        return
    for i, row in enumerate(rows):
        if i:
            console.print()
        render_card(row, console=console)


def _embed(passages: list[Any], encoder_dir: Path) -> Any:
    """Embeddings for labeled passages with the bundle's encoder, with a progress line."""
    from forewarn.score.encoder import Encoder

    enc = Encoder(encoder_dir / "encoder.onnx", encoder_dir / "tokenizer.json", max_length=256)
    click.echo(f"embedding {len(passages):,} passage{'s' if len(passages) != 1 else ''}...", err=True)
    return enc.encode([p.text for p in passages])


def _embed_focus(passages: list[Any], emb: np.ndarray, encoder_dir: Path) -> np.ndarray:
    """Each passage's cue-sentence embedding for its own warning (``forewarn.train.focus_embeddings``)."""
    from forewarn.score.encoder import Encoder
    from forewarn.train import focus_embeddings

    enc = Encoder(encoder_dir / "encoder.onnx", encoder_dir / "tokenizer.json", max_length=256)
    click.echo("embedding cue sentences...", err=True)
    return focus_embeddings(passages, emb, enc.encode)


def _require_sklearn(what: str) -> None:
    """Exit with one line naming the extra when scikit-learn is missing (it is optional)."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        _fail(f"{what} needs scikit-learn, the training extra: pip install 'forewarn[train]'")
        sys.exit(EXIT_ERROR)


def _read_each(load: Callable[[str], list[Any]], paths: Sequence[str]) -> list[Any]:
    """``load(path)`` for every file; a bad file or line is one line naming it, exit 2."""
    out: list[Any] = []
    for path in paths:
        try:
            out += load(path)
        except UnicodeDecodeError:
            _fail(f"{path}:{_first_bad_utf8_line(path)}: not UTF-8 text (save the file as UTF-8)")
            sys.exit(EXIT_ERROR)
        except ValueError as e:  # the loaders name the file and line already
            _fail(str(e))
            sys.exit(EXIT_ERROR)
    return out


def _first_bad_utf8_line(path: str) -> int:
    """Line number of the first byte that is not UTF-8 (the decoder only knows its chunk offset)."""
    data = Path(path).read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return data.count(b"\n", 0, e.start) + 1
    return 0


def _note_if_training_data(data: Sequence[str], bundle: Path) -> None:
    """Warn (stderr) when the bundle was trained on these files: its figures would not be held-out."""
    import json

    from forewarn.train import data_checksum

    try:
        config = json.loads((bundle / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    trained_on = set(config.get("data_files") or [])
    seen = [Path(d).name for d in data if Path(d).name in trained_on]
    if not seen and config.get("data_sha256") and data_checksum(list(data)) == config["data_sha256"]:
        seen = [Path(d).name for d in data]
    if seen:
        click.echo(
            f"forewarn: note: the model was trained on {', '.join(seen)}: these figures are not held-out "
            "(add --folds 5 to cross-validate the training procedure instead)",
            err=True,
        )


DATA_OPTION = click.option(
    "--data",
    "data",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Labeled JSONL (repeatable).",
)


@main.command(short_help="Train the per-warning heads into a model bundle.")
@DATA_OPTION
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Bundle directory.")
@click.option(
    "--encoder",
    "encoder_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Directory with encoder.onnx and tokenizer.json (default: the packaged model's).",
)
@click.option("--seed", default=0, show_default=True)
@click.option(
    "--folds",
    default=5,
    show_default=True,
    type=click.IntRange(min=2),
    help="Cross-validation folds for the reported metrics.",
)
@click.option("--label-mode", type=click.Choice(["majority", "any"]), default="majority", show_default=True)
@click.option(
    "--select",
    "select",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Labeled JSONL never trained on (repeatable): decides which project-written heads "
    "'--scorer thorough' uses (default: out of fold on their own training passages).",
)
def train(
    data: tuple[str, ...],
    out: Path,
    encoder_dir: Path | None,
    seed: int,
    folds: int,
    label_mode: str,
    select: tuple[str, ...],
) -> None:
    """Train the per-warning heads on labeled passages and write a model bundle.

    Needs the training extra: pip install 'forewarn[train]' (scikit-learn).
    Cross-validates first (metrics go into the bundle), then fits on all data.

    \b
    Example (reproduces the packaged model, as in the README's Training section):
      forewarn train --data ../shared/data/passages-dev.jsonl --data data/written/tune.jsonl \\
          --data data/written/train.jsonl --data data/written/train-other.jsonl \\
          --select data/written/select.jsonl --select data/written/select-other.jsonl \\
          --out forewarn/models/default --seed 0
    """
    from forewarn.evaluate import cross_validate, load_labeled
    from forewarn.score.model import default_bundle
    from forewarn.train import HeadsConfig, Selection, save_bundle
    from forewarn.train import train as run_train

    _require_sklearn("forewarn train")
    encoder_dir = encoder_dir or default_bundle()
    passages = _read_each(lambda p: load_labeled([p], label_mode=label_mode), data)
    _check_trainable(passages, folds=folds)
    chosen = _read_each(lambda p: load_labeled([p], label_mode=label_mode), select)
    emb = _embed(passages, encoder_dir)
    config = HeadsConfig(seed=seed)
    focus = _embed_focus(passages, emb, encoder_dir) if config.focus else None
    selection = Selection(chosen, _embed(chosen, encoder_dir), list(select)) if select else None
    try:
        cv = cross_validate(passages, emb, folds=folds, config=config, focus=focus)
        model = run_train(
            passages,
            emb,
            config=config,
            data_files=list(data),
            metrics=cv.metrics_dict(),
            select=selection,
            focus=focus,
        )
    except ValueError as e:  # what the checks above do not foresee, in one line
        _fail(f"cannot train on this data: {e}")
        sys.exit(EXIT_ERROR)
    names = " ".join([f"--data {Path(d).name}" for d in data] + [f"--select {Path(d).name}" for d in select])
    save_bundle(
        model,
        out,
        encoder_dir=encoder_dir,
        command=f"forewarn train {names} --seed {seed} --folds {folds} --label-mode {label_mode}",
    )
    click.echo(cv.table())
    click.echo(f"bundle written to {out}")


def _check_trainable(passages: list[Any], *, folds: int) -> None:
    """Refuse, before the slow embedding, data the heads cannot be cross-validated on: a warning
    id outside the taxonomy (it failed after embedding), or a warning with fewer positive or
    negative passages than folds (scikit-learn's "n_splits cannot be greater than...")."""
    from forewarn.evaluate import NO_WARNING
    from forewarn.taxonomy import load_taxonomy

    known = set(load_taxonomy().ids)
    unknown = sorted({p.warning for p in passages} - known - {NO_WARNING})
    if unknown:
        raise click.UsageError(f"unknown warning ids in the data: {', '.join(unknown[:5])} (see forewarn warnings)")
    for warning in sorted({p.warning for p in passages} - {NO_WARNING}):
        labels = [p.label for p in passages if p.warning == warning]
        pos, neg = sum(labels), len(labels) - sum(labels)
        if min(pos, neg) < folds:
            raise click.UsageError(
                f"{warning} has {pos} positive and {neg} negative passages; training with --folds {folds} "
                f"needs at least {folds} of each"
            )


@main.command(short_help="Per-warning precision, recall and F1 on labeled data.")
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Labeled passages, JSONL (repeatable).",
)
@click.option(
    "--works",
    "works_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Labeled whole works, JSONL (id, text, warnings, scored): judged by scanning each.",
)
@_model_option("Bundle to evaluate (default: the packaged model).")
@click.option(
    "--folds", default=0, show_default=True, help="Cross-validate the training procedure instead (retrains per fold)."
)
@click.option("--seed", default=0, show_default=True)
@click.option("--label-mode", type=click.Choice(["majority", "any"]), default="majority", show_default=True)
@click.option(
    "--scorer",
    type=click.Choice(SCORERS),
    default="cascade",
    show_default=True,
    help="How passages are scored, as in 'forewarn scan' (not with --folds, which reports cascade and heads).",
)
@click.option("--json", "json_out", type=click.Path(dir_okay=False), help="Also write the metrics as JSON.")
def evaluate(
    data: tuple[str, ...],
    works_path: str | None,
    model_dir: Path | None,
    folds: int,
    seed: int,
    label_mode: str,
    scorer: str,
    json_out: str | None,
) -> None:
    """Per-warning precision, recall, F1, balanced accuracy, ROC-AUC and calibration error.

    Without --folds the bundle is judged as it is: the figures are held-out
    only for data it was not trained on, so a note is printed when a --data
    file has the name of one of its training files (config.json data_files)
    or the same contents. With --folds (needs scikit-learn) the training
    procedure is cross-validated instead: every figure is on held-out folds.

    \b
    Examples:
      forewarn evaluate --data held-out.jsonl
      forewarn evaluate --data ../shared/data/passages-dev.jsonl --folds 5 --json cv.json
      forewarn evaluate --data held-out.jsonl --label-mode any
      forewarn evaluate --works data/written/works.jsonl
    """
    import json

    from forewarn.evaluate import cross_validate, evaluate_model, format_table, load_labeled, mean_metrics
    from forewarn.score.model import default_bundle

    if bool(data) == bool(works_path):
        raise click.UsageError("give either --data (labeled passages) or --works (labeled works)")
    if works_path and folds:  # both were ignored: the works were scanned by the bundle as it is
        raise click.UsageError("--folds retrains on labeled passages: use it with --data, not --works")
    if folds and scorer != "cascade":
        raise click.UsageError(
            f"--scorer {scorer} has no effect with --folds, which reports the cascade and the heads alone"
        )
    if works_path:
        from forewarn.evaluate import evaluate_works, format_work_table, load_works
        from forewarn.pipeline import scan

        works = _read_each(load_works, [works_path])
        cascade = _load_scorer(scorer, model_dir)
        per_work = evaluate_works(works, lambda text: {w.id for w in scan(text.encode(), scorer=cascade).warnings})
        click.echo(format_work_table(per_work))
        if json_out:
            doc = {
                "evaluation": f"{len(works)} labeled works, scorer {scorer}",
                "mean": mean_metrics(per_work, ("precision", "recall", "f1", "balanced_accuracy")),
                "per_warning": per_work,
            }
            Path(json_out).write_text(json.dumps(doc, indent=2) + "\n")
        return
    if folds:
        if folds < 2:
            raise click.UsageError("--folds needs 2 or more (0: judge the bundle as it is)")
        _require_sklearn("forewarn evaluate --folds")
    passages = _read_each(lambda p: load_labeled([p], label_mode=label_mode), data)
    if folds:
        _check_trainable(passages, folds=folds)
        from forewarn.train import HeadsConfig

        if model_dir is not None:
            _load_scorer("cascade", model_dir)  # its encoder embeds: a broken bundle is one line first
        emb = _embed(passages, model_dir or default_bundle())
        config = HeadsConfig(seed=seed)
        focus = _embed_focus(passages, emb, model_dir or default_bundle()) if config.focus else None
        try:
            result = cross_validate(passages, emb, folds=folds, config=config, focus=focus)
        except ValueError as e:  # as `forewarn train` says it: one line, not a traceback
            _fail(f"cannot train on this data: {e}")
            sys.exit(EXIT_ERROR)
        per, doc = result.per_warning, result.metrics_dict()
        click.echo("heads alone, every passage (--scorer encoder-everywhere):")
        click.echo(format_table(result.heads_per_warning))
        click.echo("default cascade (what 'forewarn scan' uses):")
    else:
        _note_if_training_data(data, model_dir or default_bundle())
        judge = _load_scorer(scorer, model_dir)
        _check_known_warnings(passages, judge.labels_)
        per = evaluate_model(judge, passages)
        doc = {
            "evaluation": f"the bundle on the given data, scorer {scorer}",
            "mean": mean_metrics(per),
            "per_warning": per,
        }
    click.echo(format_table(per))
    if json_out:
        Path(json_out).write_text(json.dumps(doc, indent=2) + "\n")


def _check_known_warnings(passages: list[Any], known: list[str]) -> None:
    """Passages of warnings the model does not score were left out silently: a table of NaNs
    (every id unknown, e.g. "sexual_assault") or a missing row. Say so; refuse when none is known."""
    unknown = sorted({p.warning for p in passages} - set(known))
    if not unknown:
        return
    named = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
    if len(unknown) == len({p.warning for p in passages}):
        raise click.UsageError(
            f"no passage is labeled with a warning the model scores ({named}); see forewarn warnings"
        )
    n = sum(p.warning in unknown for p in passages)
    click.echo(f"note: {n} passages left out: the model does not score {named}", err=True)


@main.command(short_help="Scan a folder, ZIP or glob into a results database.")
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
@_model_option("A bundle from 'forewarn train' instead of the packaged model (with dask: a path every worker reads).")
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

    from forewarn.batch import BatchInterrupted, BatchSummary, run_batch
    from forewarn.readers import CLI_SIZE_HINT

    max_bytes = _parse_size(max_size)
    if model_dir is not None:
        _load_scorer(scorer, model_dir)  # a broken bundle is one line before any database is made
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
        _fail(str(e))
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
    _first_lines([f"  failed: {name}: {message}" for name, message in summary.errors], more=kept)
    if summary.removed:
        click.echo(
            f"{summary.removed:,} file{'s' if summary.removed != 1 else ''} no longer there "
            f"{'were' if summary.removed != 1 else 'was'} removed from the database",
            err=True,
        )
    if summary.left_out:
        _err(_left_out_line(summary.left_out))
    partial = [f"  read in part: {name}: {notice}" for name, notice in summary.partial]
    _first_lines(partial, more=" read in part (their reports say so)")
    if summary.not_english:
        from forewarn.language import language_name

        n = len(summary.not_english)
        click.echo(
            f"{n:,} scanned work{'s' if n != 1 else ''} read as another language than English, which forewarn"
            " cannot read (their reports say so):",
            err=True,
        )
        _first_lines([f"  {language_name(code)}: {name}" for name, code in summary.not_english])
    sys.exit(EXIT_SOME_FAILED if summary.failed else EXIT_OK)


def _left_out_line(left_out: Counter[str]) -> str:
    """What ``batch`` did not scan for its suffix (a PDF, a DOCX, a ZIP in a folder), so those
    works are not lost silently; a ZIP can be scanned as its own target."""
    from forewarn.batch import count_suffixes
    from forewarn.readers import SUPPORTED_SUFFIXES

    n = sum(left_out.values())
    zips = "; a ZIP is scanned as its own target (forewarn batch FILE.zip)" if ".zip" in left_out else ""
    return (
        f"left out {n:,} file{'s' if n != 1 else ''} of other types: {count_suffixes(left_out)} (forewarn reads "
        f"{', '.join(sorted(SUPPORTED_SUFFIXES))} and files without a suffix){zips}"
    )


def _first_lines(lines: list[str], *, more: str = "", shown: int = 20) -> None:
    """The first ``shown`` of ``lines`` on stderr, then how many more ("... and 5 more" + ``more``)."""
    for line in lines[:shown]:
        _err(line)
    if len(lines) > shown:
        click.echo(f"  ... and {len(lines) - shown:,} more{more}", err=True)


def _open_existing(db: str) -> Any:
    """The results database at ``db``, read-only (``store.open_existing``: never created,
    migrated or switched to WAL); a one-line error (exit 2) when missing, not one or damaged."""
    from forewarn.store import NotADatabase, open_existing

    if not Path(db).is_file():
        _fail(f"no database at {db} (create one with `forewarn batch`)")
        sys.exit(EXIT_ERROR)
    try:
        return open_existing(db)
    except NotADatabase as e:
        _fail(str(e))
        sys.exit(EXIT_ERROR)


@contextmanager
def _reading(db: str) -> Iterator[Any]:
    """``_open_existing`` for a command's reads: a database damaged past the pages opening it
    reads (sqlite3.DatabaseError on a later query) is one line and exit 2 too, as for scan."""
    import json
    import sqlite3

    conn = _open_existing(db)
    try:
        yield conn
    except (sqlite3.DatabaseError, json.JSONDecodeError) as e:  # a stored report cut short is damage too
        _fail(f"{db}: the results database is damaged ({e})")
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
        _fail(f"{db}: no results of model version {model_version} ({has})")
        sys.exit(EXIT_ERROR)


@main.command(short_help="Find works in a results database.")
@click.option("--db", required=True, type=click.Path(dir_okay=False), help="Results database (from forewarn batch).")
@click.option("--has", "has", multiple=True, help="Detected warning (id or alias; repeatable: all must match).")
@click.option("--not-declared", is_flag=True, help="Only detections the author did not declare.")
@click.option("--min-confidence", type=_Probability(), default=0.0, show_default=True)
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
    _check_warning_list(has, option="--has", taxonomy=taxonomy)
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
        _echo_json(json.dumps(rows, indent=2))
        return
    from forewarn.report import printable

    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    for r in rows:
        undeclared = f"  undeclared: {', '.join(r['undeclared'])}" if r["undeclared"] else ""
        # A file name (or a declared rating) may hold a newline or escape sequences: one line per
        # work, whatever it holds (printable() keeps newlines, which a multi-line report needs).
        line = f"{r['path']}  [{_ratings(r)}]  {', '.join(r['detected']) or '-'}{undeclared}"
        click.echo(printable(line.translate(_LINE_BREAKS), encoding=encoding))
    works = len({r["id"] for r in rows})
    shared = f" ({works:,} distinct work{'s' if works != 1 else ''}: identical files)" if works != len(rows) else ""
    versions = sorted({r["model_version"] for r in rows})
    if len(versions) == 1:
        shared += f"; model version {versions[0]}"
    elif versions:
        shared += f"; results of {len(versions)} model versions (--json shows each row's, --model-version picks one)"
    _err(f"{len(rows):,} work{'s' if len(rows) != 1 else ''}{shared}")


def _query_failed(db: str, *, model_version: str | None, under: str | None, as_json: bool) -> None:
    """``query --failed``: a line per file that could not be scanned; the count on stderr."""
    import json

    from forewarn.report import printable
    from forewarn.store import failed_files

    with _reading(db) as conn:
        _check_model_version(conn, db, model_version, errors_too=True)
        rows = failed_files(conn, model_version=model_version, under=under)
    if as_json:
        _echo_json(json.dumps(rows, indent=2))
        return
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    for r in rows:
        click.echo(printable(f"{r['path']}: {r['error']}".translate(_LINE_BREAKS), encoding=encoding))
    contents = len({r["content_hash"] or f"path:{r['path']}" for r in rows})
    shared = f" ({contents:,} distinct content{'s' if contents != 1 else ''})" if contents != len(rows) else ""
    _err(f"{len(rows):,} file{'s' if len(rows) != 1 else ''} could not be scanned{shared}")


def _ratings(row: dict[str, Any]) -> str:
    """Both AO3 ratings of a query row: a bare suggestion reads as if it were the work's rating;
    and, for a work in another language, that its results mean little (a German "war" is "was")."""
    from forewarn.language import language_name

    declared = f"; declared: {row['rating_declared']}" if row["rating_declared"] else ""
    code = row.get("detected_language")
    other = f"; reads as {language_name(code)}, not English" if code not in (None, "en") else ""
    return f"suggested: {row['rating_suggested']}{declared}{other}"


# The export formats a --out suffix names (case aside); any other suffix needs --format.
_EXPORT_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


@main.command(short_help="Export a results database to CSV, JSON Lines or Parquet.")
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
def export(db: str, fmt: str | None, out: str, model_version: str | None, languages: tuple[str, ...]) -> None:
    """Export a results database: one row per work (jsonl: the full reports), with the
    result of the model version run most recently among those that scanned it
    (--model-version picks one; rows name theirs in model_version).

    The format is the --out suffix's (.csv, .jsonl or .ndjson, .parquet) unless
    --format says it; a --format the suffix contradicts, or another suffix without
    --format, is a usage error. '-' is stdout (the count goes to stderr).
    --language keeps the works whose text reads as that language, as for query.

    \b
    Examples:
      forewarn export --db results.db --out results.csv
      forewarn export --db results.db --out reports.jsonl
      forewarn export --db results.db --out results.parquet
      forewarn export --db results.db --out english.csv --language en
      forewarn export --db results.db --format jsonl --out - | jq .work.title
    """
    from forewarn.export import export_db

    to_stdout = out == "-"
    if not to_stdout and _is_database_file(out, db):
        _fail(f"--out {out} is the database itself (or its journal): choose another file")
        sys.exit(EXIT_ERROR)
    fmt = _export_format(fmt, out)
    codes = _languages(languages)
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
            )
        except RuntimeError as e:
            _fail(str(e))
            sys.exit(EXIT_ERROR)
        except BrokenPipeError:
            raise  # the quiet exit (_Group)
        except OSError as e:
            _fail(f"cannot write {'to stdout' if to_stdout else out}: {e.strerror or e}")
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


@main.command(short_help="How many works in a results database under-warn.")
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
        _echo_json(json.dumps(s, indent=2))
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


@main.command(short_help="Run the reader's web app: paste or upload, read safely.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface (localhost only by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any free port.")
@click.option("--db", type=click.Path(dir_okay=False), help="Also browse a results database at /db.")
@click.option("--max-upload", default="10MiB", show_default=True, help="Largest upload accepted (binary units).")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds a scan may take (then a 504).")
@click.option(
    "--max-scans",
    type=click.IntRange(1, 16),
    default=2,
    show_default=True,
    help="Scans running at once; more get a 503 with Retry-After. A scan past --timeout keeps its slot "
    "until it ends (a running thread cannot be stopped).",
)
@click.option("--scorer", type=click.Choice(SCORERS), default="cascade", show_default=True, help="As for scan.")
@_model_option("A bundle from 'forewarn train' instead of the packaged model (loaded before serving).")
def serve(
    host: str,
    port: int,
    db: str | None,
    max_upload: str,
    timeout: float,
    max_scans: int,
    scorer: str,
    model_dir: Path | None,
) -> None:
    """Run the reader's web app: paste or upload a work, see its warnings, read it safely.

    Needs the web extra: pip install 'forewarn[web]'.

    \b
    Examples:
      forewarn serve
      forewarn serve --port 8080 --db results.db
      forewarn serve --model my-model          # a bundle from forewarn train
    """
    try:
        import uvicorn

        from forewarn.web.app import create_app
    except ImportError:
        _fail("the web app needs the extra: pip install 'forewarn[web]'")
        sys.exit(EXIT_ERROR)
    if db is not None:
        _open_existing(db).close()  # fail now with one line, not on the first /db request
    max_upload_bytes = _parse_size(max_upload)
    # The packaged cascade loads on the first scan (a quick start); one asked for by name loads
    # now, so a broken bundle is one line before "serving on", not a 500 on every scan.
    chosen = None if scorer == "cascade" and model_dir is None else _load_scorer(scorer, model_dir)
    try:
        app = create_app(
            db_path=db, max_upload_bytes=max_upload_bytes, scan_timeout_s=timeout, max_scans=max_scans, scorer=chosen
        )
    except ValueError as e:  # --timeout 0, -1 or nan
        _fail(str(e))
        sys.exit(EXIT_ERROR)
    sock = _listen(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"forewarn: serving on http://{shown}:{bound}/ (Ctrl+C to stop)", err=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


def _listen(host: str, port: int) -> Any:
    """A listening socket, or one error line and exit 2.

    Binding here, not in uvicorn, means "serving on" is only printed once it is true
    (uvicorn printed its own "address already in use" after ours and exited 3).
    """
    import errno
    import socket

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: restarts reuse the port at once
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as err:
        sock.close()
        busy = " (another server is using it: stop it or pick another --port)" if err.errno == errno.EADDRINUSE else ""
        _fail(f"cannot listen on {host}:{port}: {err.strerror or err}{busy}")
        sys.exit(EXIT_ERROR)
    sock.set_inheritable(True)
    return sock


if __name__ == "__main__":  # pragma: no cover
    main()
