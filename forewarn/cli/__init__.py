"""The ``forewarn`` command: a thin layer over the library.

Exit codes of ``scan`` (documented in the README and in ``forewarn scan --help``):
0 scanned, every detected warning was declared; 1 scanned, at least one
detected warning was not declared; 2 an input could not be read or the
command was misused; 141 stdout was closed before the output ended
(``forewarn scan story.txt | head``), quietly, as a program SIGPIPE ended.

One module per group of commands: ``scan`` (scan, warnings), ``model`` (train,
evaluate), ``collection`` (batch: works into a results database), ``results`` (query, stats,
export: reading it) and ``serve`` (the web app); ``common`` holds what several share.
"""

from __future__ import annotations

from typing import Any

import click

from forewarn import __version__
from forewarn.cli import collection, model, results, scan, serve
from forewarn.cli.common import EXIT_BROKEN_PIPE, SCORERS, quiet_broken_pipe

__all__ = ["EXIT_BROKEN_PIPE", "SCORERS", "main"]  # what was importable from forewarn.cli before


class _Group(click.Group):
    """The command group; a broken pipe on stdout in any command is the quiet exit (click's is 1),
    also for the group's own ``--help`` and ``--version``, which print while parsing."""

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


for command in (
    scan.scan,
    scan.warnings_cmd,
    model.train,
    model.evaluate,
    collection.batch,
    results.query,
    results.export,
    results.stats,
    serve.serve,
):
    main.add_command(command)
