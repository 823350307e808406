"""What several commands share: the exit codes, options read the same way, the scorer, and
output: one-line errors on stderr, and a quiet exit when stdout's reader has gone.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, NoReturn, cast

import click
from rich.console import Console

SCORERS = ["cascade", "thorough", "encoder-everywhere", "lexicon"]  # forewarn.score.cascade.MODES, without its imports

EXIT_OK, EXIT_UNDECLARED, EXIT_ERROR = 0, 1, 2
# stdout's reader left early (`| head`, a pager quit): 128 + SIGPIPE, as shells report a program
# that SIGPIPE ended. click and rich exited 1 there, which is scan's "undeclared warnings".
EXIT_BROKEN_PIPE = 141
# Ctrl-C: 128 + SIGINT, as shells report it. click's own was "Aborted!" and exit 1, which is scan's
# "undeclared warnings" to a script.
EXIT_INTERRUPTED = 130


class Probability(click.FloatRange):
    """A number from 0 to 1. click's FloatRange lets "nan" through, and every comparison with
    it is false: a traceback later (--threshold) or silently no rows (--min-confidence)."""

    def __init__(self) -> None:
        super().__init__(0.0, 1.0)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if number != number:
            self.fail("nan is not a number from 0 to 1", param, ctx)
        return number


def model_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--model DIR`` (a bundle from ``forewarn train``), as scan, batch, evaluate and serve take it."""
    return click.option(
        "--model", "model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), help=help_text
    )


# --max-size, as scan and batch take it (parsed with parse_size_option).
MAX_SIZE_OPTION = click.option(
    "--max-size", default="25MiB", show_default=True, help="Refuse larger files (binary units: 25MB = 25 MiB)."
)


def load_scorer(mode: str, model_dir: Path | None) -> Any:
    """The scorer for --scorer and --model: a broken bundle (tampered, incomplete, not a bundle,
    from a newer forewarn) is one line and exit 2, never a traceback."""
    from forewarn.score.cascade import default_scorer
    from forewarn.score.model import BundleError

    if model_dir is not None and mode == "lexicon":
        raise click.UsageError("--model has no effect with --scorer lexicon, which uses no model")
    try:
        return default_scorer(mode, bundle=model_dir)
    except BundleError as e:
        fail(str(e))
        sys.exit(EXIT_ERROR)


def quiet_broken_pipe() -> NoReturn:
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


class PipeSafeConsole(Console):
    """A rich console for stdout whose broken pipe is the quiet exit (rich's own exits 1),
    also mid-write (see ``_WholeWrites``)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(file=cast("IO[str]", _WholeWrites(sys.stdout)), **options)

    def on_broken_pipe(self) -> None:
        self.quiet = True
        quiet_broken_pipe()


def fail(message: str) -> None:
    echo_err(f"forewarn: error: {message}")


def echo_line(line: str, *, err: bool = False) -> None:
    """One line to stdout (stderr with ``err``); names from a work or an archive may hold escape
    sequences, and a newline in a file name would forge a second line ("failed: x" that never
    failed)."""
    from forewarn.report import LINE_BREAKS, printable

    one = line.translate({ord(c): "\ufffd" for c in LINE_BREAKS})  # printable() does the other controls
    click.echo(printable(one, encoding=_encoding(err=err)), err=err)


def _encoding(*, err: bool) -> str:
    stream = sys.stderr if err else sys.stdout
    return getattr(stream, "encoding", None) or "utf-8"


def is_terminal(*, err: bool = False) -> bool:
    """Whether stdout (stderr with ``err``) is a terminal, where paths are isolated."""
    stream = sys.stderr if err else sys.stdout
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


def shown(text: str, *, err: bool = False) -> str:
    """A path or a work's words for a line to stdout (stderr with ``err``), on one line and, on
    a terminal, isolated (``forewarn.report.isolate``): a right-to-left name cannot reorder the
    words after it."""
    from forewarn.report import isolate

    return isolate(text, encoding=_encoding(err=err), terminal=is_terminal(err=err))


def shown_notice(notice: str, *, err: bool = False) -> str:
    """A reader's notice for such a line, each path in it as ``shown`` (``forewarn.report.isolate_paths``)."""
    from forewarn.report import isolate_paths

    return isolate_paths(notice, encoding=_encoding(err=err), terminal=is_terminal(err=err))


def echo_err(line: str) -> None:
    """``echo_line`` to stderr."""
    echo_line(line, err=True)


def parse_size_option(value: str) -> int:
    """The library's size parser (binary units), as a usage error on bad input."""
    from forewarn.readers import parse_size

    try:
        return parse_size(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


def check_warning_list(values: tuple[str, ...], *, option: str, taxonomy: Any, empty_ok: bool = False) -> None:
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


def echo_json(doc: str) -> None:
    """Print JSON, as ASCII escapes when stdout's encoding lacks a character (a cp1252
    stdout crashed on a Japanese title); the document is the same."""
    import json

    from forewarn.report import printable

    if printable(doc, encoding=getattr(sys.stdout, "encoding", None) or "utf-8") != doc:
        doc = json.dumps(json.loads(doc), indent=2)
    out = _WholeWrites(sys.stdout)  # a long document: see there
    out.write(doc + "\n")
    out.flush()


def open_results_db(db: str) -> Any:
    """The results database at ``db``, read-only (``store.open_existing``: never created,
    migrated or switched to WAL); a one-line error (exit 2) when missing, not one or damaged."""
    from forewarn.store import NotADatabase, open_existing

    if not Path(db).is_file():
        fail(f"no database at {db} (create one with `forewarn batch`)")
        sys.exit(EXIT_ERROR)
    try:
        return open_existing(db)
    except NotADatabase as e:
        fail(str(e))
        sys.exit(EXIT_ERROR)
