"""Cue sentences (forewarn.score.focus) and the heads that read them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from forewarn.score.focus import cue_sentences, sentence_spans
from forewarn.score.model import default_bundle, load_model, write_checksums

TEXT = "The garden was quiet. Then the shelling began over the trench! She read on.\nA new line"


def test_cue_sentences_are_the_sentences_that_hold_a_cue() -> None:
    start = TEXT.index("shelling")
    assert cue_sentences(TEXT, [(start, start + 8)]) == "Then the shelling began over the trench!"
    last = TEXT.index("line")
    both = cue_sentences(TEXT, [(start, start + 8), (last, last + 4)])
    assert both == "Then the shelling began over the trench! A new line"
    # A cue across a sentence end brings both sentences.
    assert cue_sentences(TEXT, [(TEXT.index("quiet"), TEXT.index("Then") + 4)]).startswith("The garden was quiet. Then")


def test_without_cues_the_head_reads_the_passage() -> None:
    assert cue_sentences(TEXT, []) == TEXT
    assert cue_sentences("", [(0, 1)]) == ""


@given(st.text(alphabet="ab .!?\n\"'", max_size=80))
def test_sentences_are_ordered_disjoint_and_inside_the_text(text: str) -> None:
    spans = sentence_spans(text)
    for (a, b), (c, _) in zip(spans, spans[1:], strict=False):
        assert a < b <= c
    assert all(0 <= a < b <= len(text) and text[a:b].strip() for a, b in spans)
    # Every non-space character belongs to a sentence.
    covered = {i for a, b in spans for i in range(a, b)}
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def _focus_bundle(tmp_path: Path, label: str, coef: np.ndarray) -> Path:
    """The packaged bundle with a cue-sentence coefficient row for ``label`` (format 2)."""
    bundle = tmp_path / "focus"
    shutil.copytree(default_bundle(), bundle)
    labels = json.loads((bundle / "labels.json").read_text())
    with np.load(bundle / "heads.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["focus_coef"] = np.zeros_like(arrays["emb_coef"])
    arrays["focus_coef"][labels.index(label)] = coef
    np.savez(bundle / "heads.npz", **arrays)
    config = json.loads((bundle / "config.json").read_text())
    (bundle / "config.json").write_text(json.dumps({**config, "format": 2}))
    write_checksums(bundle)
    return bundle


def test_a_focus_head_reads_the_cue_sentences_it_is_given(tmp_path: Path) -> None:
    model = load_model(_focus_bundle(tmp_path, "war", np.full(384, 0.5, dtype=np.float32)))
    assert model.focus_ == {"war"}
    k = model.labels_.index("war")
    text = "They ate bread by the river. The shelling went on all night. Nobody slept."
    cue = text.index("shelling")
    spans = [{"war": [(cue, cue + 8)]}]
    emb = model.encoder.encode([text])
    window = model.encoder.encode(["The shelling went on all night."])
    heads = model.heads_
    logit = emb @ heads["emb_coef"][k] + heads["emb_intercept"][k] + window @ heads["focus_coef"][k]
    p_emb = 1 / (1 + np.exp(-logit))
    tfidf = model.tfidf_.dot([text.lower()], heads["tfidf_coef"])[:, k] + heads["tfidf_intercept"][k]
    expected = model.w_emb_ * p_emb + (1 - model.w_emb_) / (1 + np.exp(-tfidf))
    np.testing.assert_allclose(model.scores([text], cue_spans=spans)[:, k], expected, rtol=1e-5)
    # Without cue spans the head reads the passage in the cue-sentence slot; other heads never change.
    plain = model.scores([text])
    with_spans = model.scores([text], cue_spans=spans)
    assert plain[0, k] != with_spans[0, k]
    np.testing.assert_array_equal(np.delete(plain, k, axis=1), np.delete(with_spans, k, axis=1))


def test_the_cascade_gives_the_model_cue_and_topic_spans_of_routed_passages() -> None:
    from forewarn.score.cascade import CascadeScorer

    seen: list[object] = []

    class Spy:
        labels_ = ["war"]
        thresholds_ = np.array([0.5])
        ungated_: dict[str, float] = {}
        lexicon_only_: set[str] = set()
        version_ = "spy"

        def predict_proba(self, texts, *, cue_spans=None):  # type: ignore[no-untyped-def]
            seen.append(cue_spans)
            return np.zeros((len(texts), 1), dtype=np.float32)

    texts = ["A quiet day by the river.", "The shelling went on all night."]
    CascadeScorer(model=Spy()).score(texts)
    (spans,) = seen
    assert isinstance(spans, list) and len(spans) == 1  # only the routed passage is encoded
    start, end = spans[0]["war"][0]
    assert "shelling" in texts[1][start:end]
