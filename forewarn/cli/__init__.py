"""The ``forewarn`` command: a thin layer over the library.

Exit codes of ``scan`` (documented in the README and in ``forewarn scan --help``):
0 scanned, every detected warning was declared; 1 scanned, at least one
detected warning was not declared; 2 an input could not be read or the
command was misused; 141 stdout was closed before the output ended
(``forewarn scan story.txt | head``), quietly, as a program SIGPIPE ended; 130 Ctrl-C, quietly
(any command; ``batch`` says what it saved).

One module per group of commands: ``scan`` (scan, warnings), ``model`` (train,
evaluate), ``collection`` (batch: works into a results database), ``results`` (query, stats:
reading it), ``export`` (export: writing it out) and ``serve`` (the web app); ``common`` holds
what several share.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from forewarn import __version__
from forewarn.cli import collection, export, model, results, scan, serve
from forewarn.cli.common import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, SCORERS, quiet_broken_pipe

__all__ = ["EXIT_BROKEN_PIPE", "SCORERS", "main"]  # what was importable from forewarn.cli before


class _Group(click.Group):
    """The command group; a broken pipe on stdout in any command is the quiet exit (click's is 1),
    also for the group's own ``--help`` and ``--version``, which print while parsing; so is
    Ctrl-C, with 130 (click's "Aborted!" exited 1, scan's "undeclared")."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except BrokenPipeError:
            quiet_broken_pipe()

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            quiet_broken_pipe()
        except KeyboardInterrupt:  # batch handles its own, saying what it saved
            sys.exit(EXIT_INTERRUPTED)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="forewarn")
def main() -> None:
    """forewarn: find content warnings in fiction, offline, and where they are.

    \b
    Examples:
      forewarn scan story.txt
      forewarn scan --json work.epub > report.json
      forewarn warnings

    \b
    Exit codes: 0 done (scan: every detected warning was declared); 1 scan: a
    detected warning was not declared, batch: a work could not be read; 2 an
    error or bad usage; 130 interrupted (Ctrl-C); 141 the output was closed
    early (| head); 143 batch: stopped by SIGTERM. Each command's --help says
    more.
    """


for command in (
    scan.scan,
    scan.warnings_cmd,
    model.train,
    model.evaluate,
    collection.batch,
    results.query,
    export.export,
    results.stats,
    serve.serve,
):
    main.add_command(command)
