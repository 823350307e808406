"""A trained model, and the bundle directory it is written to."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from forewarn import __version__
from forewarn.score.model import write_checksums
from forewarn.train.heads import Heads, HeadsConfig


@dataclass
class TrainedModel:
    heads: Heads
    ungated: dict[str, float]  # label -> threshold above which it adds flags (``--scorer thorough``)
    lexicon_only: list[str]  # background-trained heads that did not qualify: the lexicon decides
    selection: dict[str, dict[str, Any]]  # per candidate head, the evidence for ``ungated``
    calibration: dict[str, tuple[float, float]]
    thresholds: dict[str, float]
    config: HeadsConfig
    metrics: dict[str, Any]
    data_sha256: str
    data_files: list[str]
    seconds: float
    select_files: list[str]
    select_sha256: str
    lexicon_version: str = ""  # the lexicon whose hits routed the passages and made the cue sentences


def save_bundle(model: TrainedModel, out_dir: str | Path, *, encoder_dir: Path, command: str = "") -> Path:
    """Write the bundle; the encoder and tokenizer are copied from ``encoder_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("encoder.onnx", "tokenizer.json"):
        if (encoder_dir / name).resolve() != (out / name).resolve():
            shutil.copy(encoder_dir / name, out / name)
    arrays: dict[str, Any] = {k: v.astype(np.float32) for k, v in model.heads.arrays.items()}
    np.savez(out / "heads.npz", **arrays)
    (out / "vocab.json").write_text(json.dumps(model.heads.vocabulary, sort_keys=True) + "\n")
    (out / "labels.json").write_text(json.dumps(model.heads.labels, indent=2) + "\n")
    tag = model.data_sha256[:8] or "nodata"
    config = {
        "version": f"forewarn-minilm-heads-{__version__}-{tag}-s{model.config.seed}",
        "format": 2 if "focus_coef" in model.heads.arrays else 1,
        # The heads read the cue sentences of this lexicon's hits: another lexicon changes their input.
        "lexicon": model.lexicon_version,
        "encoder": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), ONNX, int8 per-channel weights",
        "max_length": 256,
        "w_emb": model.config.w_emb,
        "heads": asdict(model.config),
        "calibration": {k: list(v) for k, v in model.calibration.items()},
        "thresholds": model.thresholds,
        "ungated": model.ungated,
        "lexicon_only": model.lexicon_only,
        "data_files": model.data_files,
        "data_sha256": model.data_sha256,
        "select_files": model.select_files,
        "select_sha256": model.select_sha256,
        "created_by": command,
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    metrics = {**model.metrics, "thorough_selection": model.selection}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    write_checksums(out)
    return out
