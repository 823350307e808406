"""``forewarn train`` (labeled passages into a model bundle) and ``forewarn evaluate``."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from forewarn.cli.common import EXIT_ERROR, SCORERS, fail, load_scorer, model_option

if TYPE_CHECKING:
    import numpy as np


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
        fail(f"{what} needs scikit-learn, the training extra: pip install 'forewarn[train]'")
        sys.exit(EXIT_ERROR)


def _read_each(load: Callable[[str], list[Any]], paths: Sequence[str]) -> list[Any]:
    """``load(path)`` for every file; a bad file or line is one line naming it, exit 2."""
    out: list[Any] = []
    for path in paths:
        try:
            out += load(path)
        except UnicodeDecodeError:
            fail(f"{path}:{_first_bad_utf8_line(path)}: not UTF-8 text (save the file as UTF-8)")
            sys.exit(EXIT_ERROR)
        except ValueError as e:  # the loaders name the file and line already
            fail(str(e))
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


@click.command(short_help="Train the per-warning heads into a model bundle.")
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
        fail(f"cannot train on this data: {e}")
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


@click.command(short_help="Per-warning precision, recall and F1 on labeled data.")
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
@model_option("Bundle to evaluate (default: the packaged model).")
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
        cascade = load_scorer(scorer, model_dir)
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
            load_scorer("cascade", model_dir)  # its encoder embeds: a broken bundle is one line first
        emb = _embed(passages, model_dir or default_bundle())
        config = HeadsConfig(seed=seed)
        focus = _embed_focus(passages, emb, model_dir or default_bundle()) if config.focus else None
        try:
            result = cross_validate(passages, emb, folds=folds, config=config, focus=focus)
        except ValueError as e:  # as `forewarn train` says it: one line, not a traceback
            fail(f"cannot train on this data: {e}")
            sys.exit(EXIT_ERROR)
        per, doc = result.per_warning, result.metrics_dict()
        click.echo("heads alone, every passage (--scorer encoder-everywhere):")
        click.echo(format_table(result.heads_per_warning))
        click.echo("default cascade (what 'forewarn scan' uses):")
    else:
        _note_if_training_data(data, model_dir or default_bundle())
        judge = load_scorer(scorer, model_dir)
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
