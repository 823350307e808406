"""``forewarn serve``: the reader's web app."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from forewarn.cli.common import EXIT_ERROR, SCORERS, fail, load_scorer, model_option, open_results_db, parse_size_option


@click.command(short_help="Run the reader's web app: paste or upload, read safely.")
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
@model_option("A bundle from 'forewarn train' instead of the packaged model (loaded before serving).")
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
        fail("the web app needs the extra: pip install 'forewarn[web]'")
        sys.exit(EXIT_ERROR)
    if db is not None:
        open_results_db(db).close()  # fail now with one line, not on the first /db request
    max_upload_bytes = parse_size_option(max_upload)
    # The packaged cascade loads on the first scan (a quick start); one asked for by name loads
    # now, so a broken bundle is one line before "serving on", not a 500 on every scan.
    chosen = None if scorer == "cascade" and model_dir is None else load_scorer(scorer, model_dir)
    try:
        app = create_app(
            db_path=db, max_upload_bytes=max_upload_bytes, scan_timeout_s=timeout, max_scans=max_scans, scorer=chosen
        )
    except ValueError as e:  # --timeout 0, -1 or nan
        fail(str(e))
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
        fail(f"cannot listen on {host}:{port}: {err.strerror or err}{busy}")
        sys.exit(EXIT_ERROR)
    sock.set_inheritable(True)
    return sock
