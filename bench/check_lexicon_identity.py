"""Check that the lexicon's output is unchanged: a digest of every hit and probability.

Speed work on the lexicon must not move a single hit, so this hashes, per source, what the
lexicon gives: ``LexiconScorer.hits`` (warning, term, start, end, weight, tier, negated), the
probability rows (their float32 bytes) and the cascade's lexicon pass (strongest tier per
warning, the severity spans, the heads' cue spans); and, under ``severity/<source>``, the
severity each warning's severity cues raise in each text (near the warning's own lexicon
cues, as aggregation asks). The texts: the AO3 dev passages, every ``data/written/*.jsonl``
text, the benchmark work of ``bench/bench_scan.py`` (whole and as scored, passage by
passage), and variants of the dev passages (upper-cased, title-cased, runs of ten joined)
that exercise case folding and long texts (these and the whole work: lexicon only).

    python bench/check_lexicon_identity.py           # compare with bench/results/lexicon-identity.json
    python bench/check_lexicon_identity.py --write   # store the current digests there

Exits 1 and names the differing sources when a digest changed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_scan import generate
from forewarn.pipeline import scoring_texts
from forewarn.readers import read
from forewarn.score.cascade import CascadeScorer
from forewarn.score.lexicon import LexiconScorer
from forewarn.severity import load_severity_cues
from forewarn.split import split_work

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEV = ROOT.parent / "shared" / "data" / "passages-dev.jsonl"
STORED = HERE / "results" / "lexicon-identity.json"


def _jsonl_texts(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def sources() -> Iterator[tuple[str, list[str]]]:
    """``(name, texts)`` for every input the digest covers."""
    dev = _jsonl_texts(DEV)
    yield "dev", dev
    yield "dev-upper", [t.upper() for t in dev]
    yield "dev-title", [t.title() for t in dev]
    yield "dev-joined", [" ".join(dev[i : i + 10]) for i in range(0, len(dev), 10)]
    for path in sorted((ROOT / "data" / "written").glob("*.jsonl")):
        yield f"written/{path.name}", _jsonl_texts(path)
    text = generate(100_000)
    with tempfile.TemporaryDirectory() as tmp:  # read as bench_scan.py reads it: a .txt file
        path = Path(tmp) / "generated.txt"
        path.write_text(text, encoding="utf-8")
        work = read(path)
    yield "bench-passages", scoring_texts(work, split_work(work))
    yield "bench-whole", [text]


def digest(lexicon: LexiconScorer, cascade: CascadeScorer, texts: Sequence[str]) -> str:
    """One hash over the hits, probabilities and cascade lexicon pass of ``texts``."""
    h = hashlib.sha256()
    for text in texts:
        for hit in lexicon.hits(text):
            h.update(repr((hit.warning, hit.term, hit.start, hit.end, hit.weight, hit.tier, hit.negated)).encode())
        h.update(b"|")
    h.update(lexicon.predict_proba(texts).tobytes())
    probs, cues, spans, routes = cascade._lexicon_pass(texts)
    h.update(probs.tobytes())
    h.update(repr((cues, spans, routes)).encode())
    return h.hexdigest()


def severity_digest(lexicon: LexiconScorer, texts: Sequence[str]) -> str:
    """One hash over what ``SeverityCues.raised`` gives for every warning with severity cues."""
    cues = load_severity_cues()
    h = hashlib.sha256()
    for text in texts:
        near: dict[str, list[tuple[int, int]]] = {}
        for hit in lexicon.hits(text):
            if hit.tier != "topic":
                near.setdefault(hit.warning, []).append((hit.start, hit.end))
        h.update(repr([cues.raised(text, w, near=near.get(w, ())) for w in cues.cues]).encode())
    return h.hexdigest()


SEVERITY_SKIPS = ("dev-upper", "dev-title", "dev-joined", "bench-whole")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help=f"Store the digests in {STORED.relative_to(ROOT)}.")
    args = ap.parse_args()
    lexicon = LexiconScorer()
    cascade = CascadeScorer(lexicon=lexicon, model=None)
    found = {}
    for name, texts in sources():
        found[name] = {"texts": len(texts), "sha256": digest(lexicon, cascade, texts)}
        print(f"{name:<32} {len(texts):>6} texts  {found[name]['sha256'][:16]}")
        if name not in SEVERITY_SKIPS:
            key = f"severity/{name}"
            found[key] = {"texts": len(texts), "sha256": severity_digest(lexicon, texts)}
            print(f"{key:<32} {len(texts):>6} texts  {found[key]['sha256'][:16]}")
    if args.write:
        STORED.write_text(json.dumps(found, indent=2) + "\n")
        print(f"wrote {STORED.relative_to(ROOT)}")
        return
    stored = json.loads(STORED.read_text())
    changed = sorted(k for k in stored.keys() | found.keys() if stored.get(k) != found.get(k))
    if changed:
        print(f"CHANGED: {', '.join(changed)}")
        sys.exit(1)
    print(f"identical: {len(found)} sources, {sum(v['texts'] for v in found.values())} texts")


if __name__ == "__main__":
    main()
