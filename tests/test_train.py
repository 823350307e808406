"""Training pieces: stable folds per source, background negatives, which heads may add flags."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.model_selection import StratifiedGroupKFold  # noqa: E402

from forewarn.evaluate import NO_WARNING, LabeledPassage, grouped_folds  # noqa: E402
from forewarn.train import (  # noqa: E402
    WRITTEN_SOURCE,
    HeadsConfig,
    background_matrix,
    lexicon_view,
    own_rows,
    real_rows,
    train,
)


def _arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    warnings = rng.choice(["war", "death"], n)
    y = rng.integers(0, 2, n)
    groups = np.array([f"w{seed}-{i // 2}" for i in range(n)])  # two passages per work
    return warnings, y, groups


def test_single_source_folds_are_scikit_learns() -> None:
    warnings, y, groups = _arrays(60, 0)
    ours = grouped_folds(warnings, y, groups, np.array(["dev"] * 60), folds=5, seed=3)
    strata = np.array([f"{w}:{v}" for w, v in zip(warnings, y, strict=True)])
    theirs = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=3).split(warnings, strata, groups)
    for (tr, te), (tr2, te2) in zip(ours, theirs, strict=True):
        assert (np.sort(te) == np.sort(te2)).all() and (np.sort(tr) == np.sort(tr2)).all()


def test_adding_a_source_keeps_the_other_sources_folds() -> None:
    w1, y1, g1 = _arrays(60, 0)
    w2, y2, g2 = _arrays(30, 1)
    alone = grouped_folds(w1, y1, g1, np.array(["dev"] * 60), folds=5, seed=0)
    both = grouped_folds(
        np.r_[w1, w2], np.r_[y1, y2], np.r_[g1, g2], np.array(["dev"] * 60 + [WRITTEN_SOURCE] * 30), folds=5, seed=0
    )
    for (_, te), (_, te_both) in zip(alone, both, strict=True):
        assert (te == te_both[te_both < 60]).all()
        assert (te_both >= 60).any()  # every fold holds some of the new source too
    groups = np.r_[g1, g2]
    for tr, te in both:
        assert not set(groups[tr]) & set(groups[te])


def _p(text: str, warning: str, label: int, source: str = "dev", work: str | None = None) -> LabeledPassage:
    return LabeledPassage(text, warning, label, float(label), work or text[:20], source)


def test_background_is_ao3_passages_of_other_warnings_without_a_cue() -> None:
    passages = [
        _p("the soldiers marched to the front", "war", 1),
        _p("he called her useless and abusive words every day", "war", 0),  # has an abuse cue
        _p("he checked her phone every night", "abuse", 1, WRITTEN_SOURCE),
        _p("they argued about the dishes", "abuse", 0, WRITTEN_SOURCE),
    ]
    labels = ["abuse", "war"]
    bg = background_matrix(passages, labels, lexicon_view(passages, labels)[0])
    assert bg[:, 1].sum() == 0  # war has AO3 passages of its own: no background
    assert bg[:, 0].tolist() == [True, False, False, False]


def test_passages_written_to_warrant_no_warning_are_background_for_written_heads_only() -> None:
    """A kiss on a sofa is what the keyword-picked AO3 background lacks; such a passage trains
    no head of its own and is no own passage of any warning."""
    passages = [
        _p("the soldiers marched to the front", "war", 1),
        _p("he checked her phone every night", "abuse", 1, WRITTEN_SOURCE),
        _p("they argued about the dishes", "abuse", 0, WRITTEN_SOURCE),
        _p("she kissed him on the sofa and they watched a film", NO_WARNING, 0, WRITTEN_SOURCE),
    ]
    labels = ["abuse", "war"]
    cued, routed = lexicon_view(passages, labels)
    bg = background_matrix(passages, labels, cued)
    assert bg[:, 0].tolist() == [True, False, False, True]  # written-only abuse learns from it
    assert not bg[:, 1].any()  # war is AO3-labeled: no background at all
    warnings = np.array([p.warning for p in passages])
    rows = own_rows(warnings, np.array([p.label for p in passages]), labels, routed, bg)
    assert not rows[3]


def test_a_passage_of_no_warning_must_be_labeled_0(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from forewarn.evaluate import load_labeled

    f = tmp_path / "none.jsonl"
    f.write_text('{"warning": "none", "label": 0, "text": "a quiet walk"}\n')
    assert load_labeled([f])[0].warning == NO_WARNING
    f.write_text('{"warning": "none", "label": 1, "text": "a quiet walk"}\n')
    with pytest.raises(ValueError, match="none.jsonl:1: .*label must be 0"):
        load_labeled([f])


def _synthetic(rng: np.random.Generator) -> tuple[list[LabeledPassage], np.ndarray]:
    """AO3-like 'war' passages, plus two written-only warnings: one learnable, one noise."""
    passages, emb = [], []
    words = ["river", "lamp", "stone", "window", "garden", "letter", "bread", "road", "music", "winter"]
    for i in range(160):
        y = i % 2
        text = " ".join(rng.choice(words, 12)) + (" trench shelling" if y else "")
        passages.append(_p(text, "war", y, "dev", f"ao3-{i}"))
        emb.append(rng.normal(size=8) + (2.0 if y else 0.0) * np.eye(8)[0])
    for label, signal in (("abuse", 3.0), ("suicide", 0.0)):
        for i in range(48):
            y = i % 2
            passages.append(_p(" ".join(rng.choice(words, 6)), label, y, WRITTEN_SOURCE, f"{label}-{i}"))
            emb.append(rng.normal(size=8) + (signal if y else 0.0) * np.eye(8)[1])
    e = np.array(emb)
    return passages, e / np.linalg.norm(e, axis=1, keepdims=True)


def test_only_a_head_that_beats_the_lexicon_out_of_fold_may_add_flags() -> None:
    passages, emb = _synthetic(np.random.default_rng(0))
    model = train(passages, emb, config=HeadsConfig(c_emb=10.0))
    assert set(model.ungated) == {"abuse"}  # separable from its negatives and from AO3 prose
    assert model.lexicon_only == ["suicide"]  # noise: left to the lexicon
    assert model.ungated["abuse"] >= model.thresholds["abuse"]


@pytest.mark.parametrize(("signal", "qualifies"), [(3.0, True), (0.0, False)])
def test_selection_passages_decide_which_heads_add_flags(tmp_path, signal: float, qualifies: bool) -> None:  # type: ignore[no-untyped-def]
    """Held-out passages, not the heads' own (where the lexicon's cues were written), decide;
    they never train: the heads come out identical."""
    from forewarn.train import Selection

    passages, emb = _synthetic(np.random.default_rng(0))
    rng = np.random.default_rng(5)
    chosen, rows = [], []
    for i in range(40):
        chosen.append(_p(f"selection passage {i}", "abuse", i % 2, WRITTEN_SOURCE, f"sel-{i}"))
        rows.append(rng.normal(size=8) + (signal if i % 2 else 0.0) * np.eye(8)[1])
    e = np.array(rows)
    (tmp_path / "select.jsonl").write_text("x\n")
    select = Selection(chosen, e / np.linalg.norm(e, axis=1, keepdims=True), [str(tmp_path / "select.jsonl")])
    model = train(passages, emb, config=HeadsConfig(c_emb=10.0), select=select)
    plain = train(passages, emb, config=HeadsConfig(c_emb=10.0))
    assert ("abuse" in model.ungated) is qualifies
    assert ("abuse" in model.lexicon_only) is not qualifies
    assert model.selection["abuse"]["n"] == 40 and plain.selection["abuse"]["n"] == 48
    assert model.select_files == ["select.jsonl"] and len(model.select_sha256) == 64
    for name, arr in plain.heads.arrays.items():
        assert np.array_equal(arr, model.heads.arrays[name])


def test_ordinary_prose_written_for_other_warnings_raises_a_heads_threshold(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A head may add flags only above every ordinary passage (grief, a kiss) of the selection
    set written for another warning: at the background threshold the written-data heads flagged
    4-20% of them."""
    from forewarn.train import Selection, above_ordinary

    assert above_ordinary(0.6, np.array([0.2, 0.71234])) == 0.7124
    assert above_ordinary(0.6, np.array([0.2, 0.3])) == 0.6 == above_ordinary(0.6, np.zeros(0))
    passages, emb = _synthetic(np.random.default_rng(0))
    rng = np.random.default_rng(5)
    chosen, rows = [], []
    for i in range(40):
        chosen.append(_p(f"selection passage {i}", "abuse", i % 2, WRITTEN_SOURCE, f"sel-{i}"))
        rows.append(rng.normal(size=8) + (3.0 if i % 2 else 0.0) * np.eye(8)[1])
    for i in range(6):  # ordinary prose written for suicide that looks like abuse to the abuse head
        chosen.append(LabeledPassage(f"ordinary {i}", "suicide", 0, 0.0, f"ord-{i}", WRITTEN_SOURCE, "ordinary"))
        rows.append(rng.normal(size=8) * 0.1 + 4.0 * np.eye(8)[1])
    e = np.array(rows)
    (tmp_path / "select.jsonl").write_text("x\n")
    select = Selection(chosen, e / np.linalg.norm(e, axis=1, keepdims=True), [str(tmp_path / "select.jsonl")])
    assert select.ordinary().tolist() == [False] * 40 + [True] * 6
    model = train(passages, emb, config=HeadsConfig(c_emb=10.0), select=select)
    plain = train(
        passages,
        emb,
        config=HeadsConfig(c_emb=10.0),
        select=Selection(chosen[:40], select.embeddings[:40], select.files),
    )
    assert model.selection["abuse"]["threshold"] > plain.selection["abuse"]["threshold"]
    assert model.selection["abuse"]["n"] == 40  # ordinary prose of other warnings guards, it is not judged


def test_gated_heads_learn_only_from_routed_passages_unless_a_class_would_be_missing() -> None:
    warnings = np.array(["war", "war", "war", "war", "abuse", "abuse", "death", "death"])
    y = np.array([1, 0, 1, 0, 1, 0, 1, 0])
    labels = ["abuse", "death", "war"]
    routed = np.zeros((8, 3), dtype=bool)
    routed[[0, 1], 2] = True  # two war passages reach the war head, one of each class
    routed[6, 1] = True  # only a positive reaches the death head
    background = np.zeros((8, 3), dtype=bool)
    background[[2, 3], 0] = True  # abuse is written-only: it trains with background negatives
    rows = own_rows(warnings, y, labels, routed, background)
    assert rows.tolist() == [True, True, False, False, True, True, True, True]


def test_cross_validation_reports_the_default_cascade_and_the_heads_alone() -> None:
    from forewarn.evaluate import cross_validate

    passages, emb = _synthetic(np.random.default_rng(1))
    result = cross_validate(passages, emb, folds=3, config=HeadsConfig(c_emb=10.0))
    assert set(result.per_warning) == set(result.heads_per_warning) == {"abuse", "suicide", "war"}
    # War negatives have no war cue: the gate answers "no" before any head is asked.
    assert result.per_warning["war"]["precision"] == 1.0
    # Written-only warnings are the lexicon's in the default cascade, even where a head learned them.
    assert result.per_warning["abuse"]["recall"] == 0.0 < result.heads_per_warning["abuse"]["recall"]
    doc = result.metrics_dict()
    assert doc["heads_everywhere"]["per_warning"] == result.heads_per_warning
    # The per-passage predictions are the ones the table counts.
    warn = np.array([p.warning for p in passages])
    y = np.array([p.label for p in passages])
    for w, m in result.per_warning.items():
        pred = result.pred[warn == w]
        assert m["confusion"]["tp"] == int((pred & (y[warn == w] == 1)).sum())
        assert m["confusion"]["fp"] == int((pred & (y[warn == w] == 0)).sum())
    assert result.prob.shape == (len(passages),)


def test_no_warning_passages_train_no_head_and_get_no_metrics() -> None:
    from forewarn.evaluate import cross_validate

    passages, emb = _synthetic(np.random.default_rng(1))
    rng = np.random.default_rng(9)
    ordinary = [_p(f"an ordinary scene {i}", NO_WARNING, 0, WRITTEN_SOURCE, f"none-{i}") for i in range(30)]
    extra = rng.normal(size=(30, 8))
    emb = np.vstack([emb, extra / np.linalg.norm(extra, axis=1, keepdims=True)])
    model = train(passages + ordinary, emb, config=HeadsConfig(c_emb=10.0))
    assert NO_WARNING not in model.heads.labels and NO_WARNING not in model.thresholds
    result = cross_validate(passages + ordinary, emb, folds=3, config=HeadsConfig(c_emb=10.0))
    assert set(result.per_warning) == {"abuse", "suicide", "war"}


def test_a_head_that_would_flag_every_written_passage_does_not_qualify() -> None:
    """Gain is judged in balanced accuracy: flagging all of a half-positive set scores F1 0.67
    over a silent lexicon, but balanced accuracy 0.5, no better than the lexicon."""
    from forewarn.train import background_thresholds, qualifying, selection_record

    n_own, n_bg = 20, 100
    y = np.r_[np.tile([0, 1], n_own // 2), np.zeros(n_bg, dtype=int)]
    warnings = np.array(["abuse"] * n_own + ["war"] * n_bg)
    own_scores = 0.9 + 0.05 * y[:n_own]  # perfectly ranked, yet every one above threshold
    scores = np.r_[own_scores, np.full(n_bg, 0.1)][:, None]
    background = np.r_[np.zeros(n_own, dtype=bool), np.ones(n_bg, dtype=bool)][:, None]
    silent = np.zeros(n_own, dtype=bool)
    cal = {"abuse": (1.0, 0.0)}

    def judged(thresholds: dict[str, float]) -> dict[str, float]:
        cand = background_thresholds(
            scores, scores[:, 0], warnings, y, background, ["abuse"], cal, thresholds, HeadsConfig()
        )
        prob = 1 / (1 + np.exp(-np.log(own_scores / (1 - own_scores))))  # Platt (1, 0) is the identity
        records = {w: selection_record(y[:n_own], silent, prob, t) for w, t in cand.items()}
        assert records["abuse"]["with_head_f1"] > records["abuse"]["lexicon_f1"] == 0.0
        return qualifying(records, HeadsConfig())

    assert judged({"abuse": 0.5}) == {}
    # The same head judged more sharply (threshold between its classes) does qualify.
    assert set(judged({"abuse": 0.92})) == {"abuse"}


def test_a_head_with_poor_ranking_is_no_candidate() -> None:
    from forewarn.train import background_thresholds

    y = np.array([0, 1] * 10)
    scores = np.where(y == 1, 0.2, 0.8)[:, None]  # ranks backwards: ROC-AUC 0
    background = np.zeros((20, 1), dtype=bool)
    background[:4] = True
    args = (scores, scores[:, 0], np.array(["abuse"] * 20), y, background, ["abuse"], {"abuse": (1.0, 0.0)})
    assert background_thresholds(*args, {"abuse": 0.5}, HeadsConfig()) == {}


def test_the_background_threshold_counts_ao3_passages_not_ordinary_written_ones() -> None:
    """Easy ordinary passages in the quantile lowered the threshold: on AO3 dev passages the
    heads' own flags went from 96 to 158 when 480 of them joined the background."""
    from forewarn.train import background_thresholds

    n = 1100
    warnings = np.array(["abuse"] * 40 + ["war"] * 60 + [NO_WARNING] * 1000)
    y = np.r_[np.tile([0, 1], 20), np.zeros(1060, dtype=int)]
    own = np.r_[np.where(y[:40] == 1, 0.9, 0.1), np.zeros(1060)]
    scores = np.r_[own[:40], np.linspace(0.3, 0.69, 60), np.full(1000, 0.01)][:, None]
    background = np.zeros((n, 1), dtype=bool)
    background[40:] = True
    cal = {"abuse": (1.0, 0.0)}  # identity on the logit
    out = background_thresholds(scores, own, warnings, y, background, ["abuse"], cal, {"abuse": 0.5}, HeadsConfig())
    assert out["abuse"] > 0.68  # the AO3 passages' 99th percentile (0.686), not the pooled one (0.62)


def test_written_passages_of_an_ao3_warning_train_but_neither_calibrate_nor_judge() -> None:
    """Thresholds must fit the prose that is scanned: AO3 passages where a warning has them."""
    from forewarn.evaluate import cross_validate

    passages = [
        _p("the soldiers marched", "war", 1),
        _p("he wrote to the front", "war", 1, WRITTEN_SOURCE),
        _p("he checked her phone", "abuse", 1, WRITTEN_SOURCE),
    ]
    assert real_rows(passages).tolist() == [True, False, True]  # abuse has no AO3 passages
    rng = np.random.default_rng(2)
    ao3, emb = _synthetic(rng)
    ao3 = [p for p in ao3 if p.warning == "war"]
    written = [_p(f"written war passage {i}", "war", i % 2, WRITTEN_SOURCE, f"w-{i}") for i in range(40)]
    e = np.vstack([emb[: len(ao3)], rng.normal(size=(40, emb.shape[1]))])
    result = cross_validate(ao3 + written, e / np.linalg.norm(e, axis=1, keepdims=True), folds=3)
    assert result.per_warning["war"]["support"] == len(ao3)


@pytest.mark.parametrize(
    ("rows", "args", "message"),
    [
        ([("violence", 1)] * 6, [], "violence has 6 positive and 0 negative passages"),
        ([("violence", 1), ("violence", 0), ("violence", 0)], [], "needs at least 5 of each"),
        ([("spiders", 1)] * 6 + [("spiders", 0)] * 6, [], "unknown warning ids in the data: spiders"),
        ([("violence", 1)] * 6 + [("violence", 0)] * 6, ["--folds", "1"], "1 is not in the range x>=2"),
    ],
)
def test_train_refuses_data_it_cannot_cross_validate_before_embedding(
    tmp_path, rows: list[tuple[str, int]], args: list[str], message: str
) -> None:  # type: ignore[no-untyped-def]
    """One-class, tiny or unknown-warning data was embedded first, then a scikit-learn or
    ValueError traceback (exit 1); --folds 1 likewise."""
    import json

    from click.testing import CliRunner

    from forewarn.cli import main

    data = tmp_path / "d.jsonl"
    lines = [
        json.dumps({"warning": w, "label": y, "text": f"Passage {i}.", "work_id": str(i)})
        for i, (w, y) in enumerate(rows)
    ]
    data.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(main, ["train", "--data", str(data), "--out", str(tmp_path / "m"), *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "m").exists()


def test_gated_heads_read_cue_sentences_and_written_only_heads_do_not() -> None:
    from forewarn.train import focus_labels, focus_texts

    passages, emb = _synthetic(np.random.default_rng(2))
    assert focus_labels(passages) == {"war"}
    texts = focus_texts(passages)
    y = np.array([p.label for p in passages])
    war = np.array([p.warning == "war" for p in passages])
    # War positives end "... trench shelling" with no sentence end: the whole passage is the sentence.
    assert all(t == p.text for t, p in zip(texts, passages, strict=True))
    assert focus_texts([_p("A quiet road. Then the shelling began. Bread.", "war", 1)]) == ["Then the shelling began."]
    # The signal lives only in the cue-sentence embedding: the passage embedding is noise.
    rng = np.random.default_rng(3)
    noise = rng.normal(size=emb.shape)
    focus = emb.copy()
    focus[war] = rng.normal(size=(war.sum(), emb.shape[1])) + 3.0 * y[war, None] * np.eye(emb.shape[1])[0]
    with_focus = train(passages, noise, config=HeadsConfig(c_emb=10.0), focus=focus)
    k = with_focus.heads.labels.index("war")
    coef = with_focus.heads.arrays["focus_coef"]
    assert coef[k].any() and not np.delete(coef, k, axis=0).any()
    scores = with_focus.heads.scores(
        noise[war], [p.text for p in passages if p.warning == "war"], 0.7, focus=focus[war]
    )
    plain = train(passages, noise, config=HeadsConfig(c_emb=10.0)).heads
    assert "focus_coef" not in plain.arrays
    no_focus = plain.scores(noise[war], [p.text for p in passages if p.warning == "war"], 0.7)
    from forewarn.evaluate import roc_auc

    assert roc_auc(y[war], scores[:, k]) > roc_auc(y[war], no_focus[:, plain.labels.index("war")])
