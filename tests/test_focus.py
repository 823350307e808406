"""Cue sentences (forewarn.score.focus) and the heads that read them."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
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
    # Given no cue spans the head reads the passage in the cue-sentence slot; other heads never change.
    plain = model.scores([text], cue_spans=[{}])
    with_spans = model.scores([text], cue_spans=spans)
    assert plain[0, k] != with_spans[0, k]
    np.testing.assert_array_equal(np.delete(plain, k, axis=1), np.delete(with_spans, k, axis=1))


class _Spy:
    """A model that records the cue spans the cascade gives it and answers 0."""

    ungated_: dict[str, float] = {}
    lexicon_only_: set[str] = set()
    version_ = "spy"

    def __init__(self, labels: list[str]) -> None:
        self.labels_ = labels
        self.thresholds_ = np.full(len(labels), 0.5)
        self.seen: list[object] = []

    def predict_proba(self, texts: list[str], *, cue_spans: object = None) -> np.ndarray:
        self.seen.append(cue_spans)
        return np.zeros((len(texts), len(self.labels_)), dtype=np.float32)


def test_the_cascade_gives_the_model_cue_and_topic_spans_of_routed_passages() -> None:
    from forewarn.score.cascade import CascadeScorer

    spy = _Spy(["war"])
    texts = ["A quiet day by the river.", "The shelling went on all night."]
    CascadeScorer(model=spy).score(texts)
    seen = spy.seen
    (spans,) = seen
    assert isinstance(spans, list) and len(spans) == 1  # only the routed passage is encoded
    start, end = spans[0]["war"][0]
    assert "shelling" in texts[1][start:end]


def test_training_and_the_cascade_make_the_same_cue_sentences() -> None:
    """What a head learned from (``train.focus_texts``) is what a scan gives it: the same hits
    (topic words and negated cues included), the same sentences."""
    from forewarn.evaluate import load_labeled
    from forewarn.score.cascade import CascadeScorer
    from forewarn.train import focus_texts

    root = Path(__file__).resolve().parent.parent
    written = load_labeled([root / "data/written/train-gate.jsonl"])
    # As AO3 passages (what the focus heads train on): violence, death, abduction and war.
    passages = [dataclasses.replace(p, source="dev") for p in written]
    expected = focus_texts(passages)
    _, _, _, routes = CascadeScorer()._lexicon_pass([p.text for p in passages])
    got = [cue_sentences(p.text, r.get(p.warning, [])) for p, r in zip(passages, routes, strict=True)]
    assert got == expected
    assert sum(e != p.text for e, p in zip(expected, passages, strict=True)) > 50  # cue sentences, not passages


def test_without_cue_spans_the_model_finds_them_with_the_lexicon(tmp_path: Path) -> None:
    model = load_model(_focus_bundle(tmp_path, "war", np.full(384, 0.5, dtype=np.float32)))
    texts = ["They ate bread by the river. The shelling went on all night. Nobody slept.", "A calm day."]
    from forewarn.score.focus import hit_spans
    from forewarn.score.lexicon import LexiconScorer

    lexicon = LexiconScorer()
    spans = [hit_spans(lexicon.hits(t)) for t in texts]
    np.testing.assert_array_equal(model.predict_proba(texts), model.predict_proba(texts, cue_spans=spans))
    with pytest.raises(ValueError, match="cue_spans has 1 entries for 2 texts"):
        model.predict_proba(texts, cue_spans=spans[:1])


def test_only_the_wanted_heads_get_cue_spans() -> None:
    from forewarn.score.cascade import CascadeScorer

    spy = _Spy(["war", "death"])
    CascadeScorer(model=spy).score(["The shelling killed him and he died in the trench."], labels=["war"])
    (spans,) = spy.seen
    assert isinstance(spans, list) and set(spans[0]) == {"war"}


def test_a_bundle_trained_without_focus_labels_stays_format_1() -> None:
    """Written-only data has no gated heads: no cue-sentence coefficients, nothing older readers refuse."""
    from forewarn.evaluate import LabeledPassage
    from forewarn.train import HeadsConfig, train

    rng = np.random.default_rng(0)
    passages = [
        LabeledPassage(f"plain words number {i}", "abuse", i % 2, i % 2, f"w{i}", source="forewarn-written")
        for i in range(40)
    ]
    emb = rng.normal(size=(40, 8))
    model = train(passages, emb, config=HeadsConfig(), focus=emb.copy())
    assert "focus_coef" not in model.heads.arrays


def test_a_passage_labeled_for_two_warnings_keeps_each_warnings_own_column_in_cross_validation() -> None:
    """Multi-label data often repeats a passage once per warning; its rows see different cue
    sentences, and the cascade, which looks rows up by text, must get each warning's own."""
    from forewarn.evaluate import FixedHeads, own_columns

    texts = ["same text", "other text", "same text"]
    probs = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    merged = own_columns(texts, probs, [0, 0, 1])  # row 0 is labeled for column 0, row 2 for column 1
    np.testing.assert_array_equal(merged, [[0.1, 0.6], [0.3, 0.4], [0.5, 0.6]])

    class Model:
        heads = type("H", (), {"labels": ["a", "b"]})()
        thresholds = {"a": 0.5, "b": 0.5}
        ungated: dict[str, float] = {}
        lexicon_only: list[str] = []

    fixed = FixedHeads(texts, merged, model=Model())
    np.testing.assert_array_equal(fixed.predict_proba(["same text", "same text"]), [[0.1, 0.6], [0.1, 0.6]])
