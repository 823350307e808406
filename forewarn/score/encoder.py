"""Sentence embeddings from an ONNX MiniLM: no torch at run time.

The ONNX graph returns mean-pooled token states; we L2-normalise here. Texts are
lower-cased (the labeled data is). The default batch size is 1 on purpose: the
int8 graph quantises activations per batch, so in a larger batch a passage's
embedding would depend on its neighbours; one at a time it is reproducible, and
measured just as fast on 2 cores (about 10,000 words/s).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np


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
        if threads:
            opts.intra_op_num_threads = threads
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
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if n == 0:
            return out
        encodings = self.tokenizer.encode_batch([t.lower() for t in texts])
        order = sorted(range(n), key=lambda i: len(encodings[i].ids))
        for s in range(0, n, self.batch_size):
            idx = order[s : s + self.batch_size]
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
            pooled = self.session.run(None, feed)[0]
            out[idx] = pooled
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)
