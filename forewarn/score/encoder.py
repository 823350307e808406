"""Sentence embeddings from an ONNX MiniLM: no torch at run time.

The ONNX graph returns mean-pooled token states; we L2-normalise here. Texts are
lower-cased (the labeled data is). The default batch size is 1 on purpose: the
int8 graph quantises activations per batch, so in a larger batch a passage's
embedding would depend on its neighbours; one at a time it is reproducible, and
measured just as fast on 2 cores (about 10,000 words/s). Passages are encoded
side by side, one single-threaded run per core (see ``Encoder.__init__``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from forewarn.score.base import check_texts

# What the tokenizer is given of a text: runs of spaces and line breaks as one space (the same
# word pieces: they only separate words) and then at most 64 characters per token read (a
# token is a word piece, or one [UNK] for a long word), so the encoder reads the same first
# ``max_length`` tokens of any passage of prose. Whole, a passage of junk (one sentence and
# 25 MB of spaces, or 2 MB of "a.a.a.") took 4-12 s and 1.5 GB to tokenize.
_WHITESPACE_RUN = re.compile(r"[ \t\n\r]{2,}")
_CHARS_PER_TOKEN = 64


def tokenizer_input(text: str, max_length: int) -> str:
    """``text`` as the encoder's tokenizer needs it: lower-cased (the labeled data is), runs of
    whitespace collapsed, and cut where ``max_length`` tokens certainly end in prose."""
    return _WHITESPACE_RUN.sub(" ", text)[: max_length * _CHARS_PER_TOKEN].lower()


class Encoder:
    """Embed texts with an ONNX sentence encoder and its ``tokenizer.json``."""

    def __init__(
        self,
        model_path: str | Path,
        tokenizer_path: str | Path,
        *,
        max_length: int = 256,
        batch_size: int = 1,
        threads: int | None = None,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        # Parallel batch workers set FOREWARN_THREADS=1 so N processes do not run N x cores threads.
        threads = threads or int(os.environ.get("FOREWARN_THREADS", "0") or 0)
        # Otherwise one single-threaded run per core, side by side: a passage's 128-256 tokens
        # are too small a matrix for ONNX Runtime to split well across cores (2 cores: 300 dev
        # passages 2.1-2.3 s with two threads in each run, 1.8-1.9 s with two runs at once;
        # the same embeddings, since each passage is still its own run).
        self.workers = 1 if threads else min(_cores(), MAX_WORKERS)
        if threads or self.workers > 1:
            opts.intra_op_num_threads = threads or 1
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(model_path), sess_options=opts, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.enable_truncation(max_length)
        self.tokenizer.no_padding()
        self.max_length = max_length
        self.batch_size = batch_size
        out = self.session.get_outputs()[0]
        self.dim = int(out.shape[-1]) if isinstance(out.shape[-1], int) else 384
        self._inputs = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return L2-normalised embeddings, shape ``(len(texts), dim)``, float32."""
        check_texts(texts)
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if n == 0:
            return out
        encodings = self.tokenizer.encode_batch([tokenizer_input(t, self.max_length) for t in texts])
        order = sorted(range(n), key=lambda i: len(encodings[i].ids))
        batches = [order[s : s + self.batch_size] for s in range(0, n, self.batch_size)]

        def run(idx: list[int]) -> None:
            width = max(len(encodings[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for r, i in enumerate(idx):
                e = encodings[i].ids
                ids[r, : len(e)] = e
                mask[r, : len(e)] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            out[idx] = self.session.run(None, feed)[0]  # each batch writes its own rows

        workers = min(self.workers, len(batches))
        if workers > 1:
            with ThreadPoolExecutor(workers, thread_name_prefix="forewarn-encode") as pool:
                list(pool.map(run, batches))  # list(): a run's exception is raised here
        else:
            for idx in batches:
                run(idx)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


# Side-by-side encoder runs at most: beyond this a big machine's other work gets the cores.
MAX_WORKERS = 8


def _cores() -> int:
    """CPUs this process may run on (a container's or ``taskset``'s limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
