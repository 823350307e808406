"""The learned scorer: a fine-tuned encoder with one head per warning, from a bundle.

A bundle is a directory: ``encoder.onnx`` (token ids -> one logit per label),
``tokenizer.json``, ``labels.json``, ``config.json`` (version, max length,
per-label Platt calibration and decision thresholds), ``metrics.json`` and
``SHA256SUMS``. Nothing is unpickled; every file is checked against its sum.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

BUNDLE_FILES = ("encoder.onnx", "tokenizer.json", "labels.json", "config.json", "metrics.json")


class BundleError(ValueError):
    """A model bundle that is missing files or fails its checksums."""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_checksums(bundle: Path) -> None:
    """Write ``SHA256SUMS`` for the bundle files (the last step of saving)."""
    lines = [f"{sha256(bundle / name)}  {name}" for name in BUNDLE_FILES]
    (bundle / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")


def verify_checksums(bundle: Path) -> None:
    sums = bundle / "SHA256SUMS"
    if not sums.is_file():
        raise BundleError(f"model bundle {bundle} has no SHA256SUMS")
    listed = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            listed[name.strip()] = digest
    for name in BUNDLE_FILES:
        path = bundle / name
        if not path.is_file():
            raise BundleError(f"model bundle {bundle} is missing {name}")
        if listed.get(name) != sha256(path):
            raise BundleError(f"model bundle {bundle}: {name} does not match its SHA256 sum")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


class ModelScorer:
    """``predict_proba(texts)`` -> calibrated per-warning probabilities."""

    def __init__(self, bundle: str | Path, *, batch_size: int = 32, threads: int | None = None) -> None:
        self.bundle = Path(bundle)
        self.batch_size = batch_size
        self.threads = threads
        verify_checksums(self.bundle)
        config = json.loads((self.bundle / "config.json").read_text(encoding="utf-8"))
        self.labels_: list[str] = json.loads((self.bundle / "labels.json").read_text(encoding="utf-8"))
        self.version_: str = str(config["version"])
        self.max_length_: int = int(config.get("max_length", 128))
        cal = config["calibration"]
        self.platt_a_ = np.array([cal[label][0] for label in self.labels_], dtype=np.float64)
        self.platt_b_ = np.array([cal[label][1] for label in self.labels_], dtype=np.float64)
        self.thresholds_ = np.array([config["thresholds"][label] for label in self.labels_])
        self.metrics_: dict = json.loads((self.bundle / "metrics.json").read_text(encoding="utf-8"))  # type: ignore[type-arg]
        self._session = None

    def _load(self):  # type: ignore[no-untyped-def]
        if self._session is None:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            opts = ort.SessionOptions()
            opts.log_severity_level = 3
            if self.threads:
                opts.intra_op_num_threads = self.threads
            self._session = ort.InferenceSession(
                str(self.bundle / "encoder.onnx"), sess_options=opts, providers=["CPUExecutionProvider"]
            )
            tok = Tokenizer.from_file(str(self.bundle / "tokenizer.json"))
            tok.enable_truncation(self.max_length_)
            tok.no_padding()
            self._tokenizer = tok
        return self._session

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw head outputs, shape ``(len(texts), len(labels_))``."""
        session = self._load()
        n = len(texts)
        out = np.zeros((n, len(self.labels_)), dtype=np.float32)
        if n == 0:
            return out
        enc = self._tokenizer.encode_batch([t.lower() for t in texts])
        order = sorted(range(n), key=lambda i: len(enc[i].ids))
        for s in range(0, n, self.batch_size):
            idx = order[s : s + self.batch_size]
            width = max(len(enc[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for r, i in enumerate(idx):
                e = enc[i].ids
                ids[r, : len(e)] = e
                mask[r, : len(e)] = 1
            out[idx] = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return _sigmoid(self.platt_a_ * self.logits(texts) + self.platt_b_).astype(np.float32)


def default_bundle() -> Path:
    return Path(str(resources.files("forewarn") / "models" / "default"))


def load_model(path: str | Path | None = None) -> ModelScorer:
    """Load a bundle from ``path`` (local directories only), or the packaged default."""
    return ModelScorer(default_bundle() if path is None else Path(path))
