"""The learned scorer: sentence embeddings + TF-IDF, one linear head per warning.

A bundle is a directory: ``encoder.onnx`` (MiniLM, int8, mean-pooled output),
``tokenizer.json``, ``heads.npz`` (embedding and TF-IDF coefficients per
label, the TF-IDF idf vector; in format 2 also coefficients on the embedding of
a passage's cue sentences, ``forewarn.score.focus``), ``vocab.json`` (TF-IDF vocabulary),
``labels.json``, ``config.json`` (version, ensemble weight, per-label Platt
calibration and thresholds), ``metrics.json`` and ``SHA256SUMS``. Nothing is
unpickled (``np.load(allow_pickle=False)``) and every file is checked against
its sum. Run time needs numpy, onnxruntime and tokenizers only.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from forewarn.score.base import check_texts
from forewarn.score.encoder import Encoder
from forewarn.score.focus import CueSpans, cue_sentences, hit_spans

BUNDLE_FILES = (
    "encoder.onnx",
    "tokenizer.json",
    "heads.npz",
    "vocab.json",
    "labels.json",
    "config.json",
    "metrics.json",
)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


# The bundle layout this forewarn reads; a config.json with a higher "format" is refused.
# 2: heads may read cue sentences (``focus_coef`` in heads.npz), which format-1 readers would ignore.
BUNDLE_FORMAT = 2
_ENCODER_LOCK = threading.Lock()


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


def verify_checksums(bundle: Path) -> dict[str, str]:
    """Check every bundle file against ``SHA256SUMS``; returns the verified sums by file name."""
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
    return {name: listed[name] for name in BUNDLE_FILES}


def bundle_fingerprint(sums: dict[str, str]) -> str:
    """A short hash of the files the scores come from (all but ``metrics.json``).

    ``config.json``'s ``version`` names forewarn, the data and the seed, not ``--label-mode``
    or ``--encoder``: two different bundles could share it, and a batch keyed on it kept the
    first one's results. The fingerprint tells them apart.
    """
    text = "".join(f"{sums[name]}  {name}\n" for name in BUNDLE_FILES if name != "metrics.json")
    return hashlib.sha256(text.encode()).hexdigest()[:8]


class Tfidf:
    """scikit-learn's TfidfVectorizer transform (word 1-2-grams, sublinear tf, l2), in numpy."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, *, ngram_max: int = 2) -> None:
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float64)
        self.ngram_max = ngram_max

    def transform(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR parts ``(data, indices, indptr)`` of the TF-IDF matrix."""
        data: list[float] = []
        indices: list[int] = []
        indptr = [0]
        vocab = self.vocabulary
        for text in texts:
            tokens = _TOKEN.findall(text.lower())
            grams = list(tokens)
            for n in range(2, self.ngram_max + 1):
                grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
            counts = Counter(vocab[g] for g in grams if g in vocab)
            cols = sorted(counts)
            vals = [(1.0 + math.log(counts[c])) * self.idf[c] for c in cols]
            norm = math.sqrt(sum(v * v for v in vals)) or 1.0
            indices += cols
            data += [v / norm for v in vals]
            indptr.append(len(indices))
        return np.asarray(data), np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)

    def dot(self, texts: Sequence[str], coef: np.ndarray) -> np.ndarray:
        """``X @ coef.T`` for coefficient rows ``coef`` of shape ``(labels, vocab)``."""
        data, indices, indptr = self.transform(texts)
        out = np.zeros((len(texts), coef.shape[0]))
        for i in range(len(texts)):
            s, e = indptr[i], indptr[i + 1]
            if e > s:
                out[i] = coef[:, indices[s:e]] @ data[s:e]
        return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


Focus = dict[int, tuple[np.ndarray, np.ndarray]]


def head_scores(
    emb: np.ndarray, tfidf_scores: np.ndarray, heads: dict[str, np.ndarray], w_emb: float, *, focus: Focus | None = None
) -> np.ndarray:
    """The uncalibrated ensemble score: a weighted mean of the two heads' probabilities.

    Heads with ``focus_coef`` also read the embedding of a passage's cue sentences
    (``forewarn.score.focus``); ``focus`` maps a label's column to ``(rows, embeddings)`` of the
    rows that have cue sentences for it (each row once). Other rows read the passage itself in
    that slot, as in training.
    """
    logits = emb @ heads["emb_coef"].T + heads["emb_intercept"]
    if "focus_coef" in heads:
        coef = heads["focus_coef"]
        logits = logits + emb @ coef.T
        for k, (rows, cue_emb) in (focus or {}).items():
            logits[rows, k] += (cue_emb - emb[rows]) @ coef[k]
    p_emb = _sigmoid(logits)
    p_tfidf = _sigmoid(tfidf_scores + heads["tfidf_intercept"])
    return w_emb * p_emb + (1.0 - w_emb) * p_tfidf


def calibrate(score: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Platt scaling on the logit of the ensemble score."""
    s = np.clip(score, 1e-6, 1 - 1e-6)
    return _sigmoid(a * np.log(s / (1 - s)) + b)


class ModelScorer:
    """``predict_proba(texts)`` -> calibrated per-warning probabilities."""

    def __init__(self, bundle: str | Path, *, batch_size: int = 1, threads: int | None = None) -> None:
        self.bundle = Path(bundle)
        self.batch_size = batch_size
        self.threads = threads
        self.fingerprint_ = bundle_fingerprint(verify_checksums(self.bundle))
        try:
            self._load(json.loads((self.bundle / "config.json").read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError, IndexError) as e:  # JSONDecodeError is a ValueError
            if isinstance(e, BundleError):
                raise
            raise BundleError(f"model bundle {self.bundle}: not a bundle this forewarn can read ({e!r})") from None
        self._encoder: Encoder | None = None
        self._lexicon: Any = None  # for cue spans when a caller gives none (see ``scores``)

    def _load(self, config: dict[str, Any]) -> None:
        """Read the bundle's configuration and heads (a newer format is refused, not misread)."""
        if int(config.get("format", BUNDLE_FORMAT)) > BUNDLE_FORMAT:
            raise BundleError(f"model bundle {self.bundle} needs a newer forewarn (bundle format {config['format']})")
        self.config_: dict[str, Any] = config
        self.labels_: list[str] = json.loads((self.bundle / "labels.json").read_text(encoding="utf-8"))
        # What reports give as model_version and batch keys stored results on: the trained
        # version plus the bundle's fingerprint, "forewarn-minilm-heads-0.1.0-<data>-s0@<files>".
        self.version_: str = f"{config['version']}@{self.fingerprint_}"
        self.max_length_: int = int(config.get("max_length", 256))
        self.w_emb_: float = float(config["w_emb"])
        cal = config["calibration"]
        self.platt_a_ = np.array([cal[label][0] for label in self.labels_])
        self.platt_b_ = np.array([cal[label][1] for label in self.labels_])
        self.thresholds_ = np.array([config["thresholds"][label] for label in self.labels_])
        # Heads learned from project-written passages that may add flags in "thorough" mode,
        # above their own (stricter) threshold.
        self.ungated_: dict[str, float] = {str(k): float(v) for k, v in config.get("ungated", {}).items()}
        # Background-trained heads too weak to trust: the cascade leaves these labels to the lexicon.
        self.lexicon_only_: set[str] = {str(label) for label in config.get("lexicon_only", [])}
        self.metrics_: dict[str, Any] = json.loads((self.bundle / "metrics.json").read_text(encoding="utf-8"))
        with np.load(self.bundle / "heads.npz", allow_pickle=False) as z:
            self.heads_ = {k: z[k] for k in z.files}
        # Labels whose heads also read the sentences holding their cues (forewarn.score.focus).
        focus = self.heads_.get("focus_coef")
        self.focus_: set[str] = (
            set() if focus is None else {label for label, row in zip(self.labels_, focus, strict=True) if row.any()}
        )
        vocab = json.loads((self.bundle / "vocab.json").read_text(encoding="utf-8"))
        self.tfidf_ = Tfidf(vocab, self.heads_["idf"])

    @property
    def encoder(self) -> Encoder:
        """The ONNX encoder, made on first use, once also when threads scan at once."""
        if self._encoder is not None:
            return self._encoder
        with _ENCODER_LOCK:  # module-wide: a lock attribute would not pickle
            if self._encoder is None:
                self._encoder = Encoder(
                    self.bundle / "encoder.onnx",
                    self.bundle / "tokenizer.json",
                    max_length=self.max_length_,
                    batch_size=self.batch_size,
                    threads=self.threads,
                )
        return self._encoder

    def scores(
        self,
        texts: Sequence[str],
        *,
        embeddings: np.ndarray | None = None,
        cue_spans: Sequence[CueSpans] | None = None,
    ) -> np.ndarray:
        """Uncalibrated ensemble scores; ``embeddings`` may be passed if already computed.

        ``cue_spans``: per text, label -> where the lexicon found that label's cues and topic
        words (the cascade has them, ``forewarn.score.focus.hit_spans``); focus heads read those
        sentences. Labels left out are not read with cue sentences, so their scores are not the
        trained ones. None: the packaged lexicon finds them (about 1 s to build, once).
        """
        if cue_spans is None and self.focus_:
            cue_spans = self._cue_spans(texts)
        if cue_spans is not None and len(cue_spans) != len(texts):
            raise ValueError(f"cue_spans has {len(cue_spans)} entries for {len(texts)} texts")
        emb = self.encoder.encode(texts) if embeddings is None else embeddings
        lowered = [t.lower() for t in texts]
        tfidf = self.tfidf_.dot(lowered, self.heads_["tfidf_coef"])
        return head_scores(emb, tfidf, self.heads_, self.w_emb_, focus=self._focus(texts, cue_spans or []))

    def _cue_spans(self, texts: Sequence[str]) -> list[dict[str, list[tuple[int, int]]]]:
        """Cue spans from the packaged lexicon, for callers without a cascade (training read the
        same lexicon's hits)."""
        if self._lexicon is None:
            from forewarn.score.lexicon import LexiconScorer

            self._lexicon = LexiconScorer()
        return [hit_spans(self._lexicon.hits(t)) for t in texts]

    def _focus(self, texts: Sequence[str], cue_spans: Sequence[CueSpans]) -> Focus:
        """Per focus label, the rows with cue sentences and their embeddings (each distinct
        sentence set encoded once)."""
        if not self.focus_:
            return {}
        wanted: dict[int, list[tuple[int, str]]] = {}
        for k, label in enumerate(self.labels_):
            if label not in self.focus_:
                continue
            for i, spans in enumerate(cue_spans):
                if spans.get(label):
                    window = cue_sentences(texts[i], spans[label])
                    if window != texts[i]:
                        wanted.setdefault(k, []).append((i, window))
        distinct = sorted({w for pairs in wanted.values() for _, w in pairs})
        if not distinct:
            return {}
        row_of = {w: r for r, w in enumerate(distinct)}
        encoded = self.encoder.encode(distinct)
        return {
            k: (np.array([i for i, _ in pairs]), encoded[[row_of[w] for _, w in pairs]]) for k, pairs in wanted.items()
        }

    def predict_proba(self, texts: Sequence[str], *, cue_spans: Sequence[CueSpans] | None = None) -> np.ndarray:
        """Calibrated probabilities, shape ``(len(texts), len(labels_))``."""
        check_texts(texts)
        if len(texts) == 0:
            return np.zeros((0, len(self.labels_)), dtype=np.float32)
        return calibrate(self.scores(texts, cue_spans=cue_spans), self.platt_a_, self.platt_b_).astype(np.float32)


def default_bundle() -> Path:
    return Path(str(resources.files("forewarn") / "models" / "default"))


def load_model(path: str | Path | None = None) -> ModelScorer:
    """Load a bundle from ``path`` (local directories only), or the packaged default."""
    return ModelScorer(default_bundle() if path is None else Path(path))
