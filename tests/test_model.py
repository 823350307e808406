"""The packaged model bundle: checksums, labels, calibrated probabilities."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from forewarn.score.model import BundleError, default_bundle, load_model

DEV_LABELS = ["abduction", "ableism", "death", "homophobia", "misogyny", "racism", "violence", "war"]
WRITTEN_LABELS = [
    "abuse", "blood", "child-abuse", "drug-use", "eating-disorders", "self-harm",
    "sexual-assault", "sexual-content", "strong-language", "suicide", "torture",
    # the 18 with train-other.jsonl
    "abortion", "animal-cruelty", "animal-death", "body-hatred", "captivity", "childbirth",
    "classism", "dissection", "dying", "fatphobia", "incest", "kidnapping", "mental-illness",
    "miscarriage", "pregnancy", "sexism", "transphobia", "underage",
]  # fmt: skip
LABELS = sorted(DEV_LABELS + WRITTEN_LABELS)


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    return load_model()


def test_bundle_carries_its_labels_version_and_thresholds(model) -> None:  # type: ignore[no-untyped-def]
    assert model.labels_ == LABELS
    assert model.version_.startswith("forewarn-minilm-heads-")
    assert model.thresholds_.shape == (len(LABELS),)
    assert np.all((model.thresholds_ > 0) & (model.thresholds_ < 1))
    assert set(model.metrics_["per_warning"]) == set(LABELS)


def test_written_only_heads_are_either_trusted_to_add_or_left_to_the_lexicon(model) -> None:  # type: ignore[no-untyped-def]
    """Heads learned from project-written sentences never replace the lexicon; the AO3 ones are gated."""
    ungated, lexicon_only = set(model.ungated_), model.lexicon_only_
    assert ungated | lexicon_only == set(WRITTEN_LABELS) and not ungated & lexicon_only
    for label, thr in model.ungated_.items():
        assert thr >= model.thresholds_[LABELS.index(label)]


def test_probabilities_have_the_right_shape_and_order(model) -> None:  # type: ignore[no-untyped-def]
    texts = [
        "the soldiers went over the top into the machine-gun fire and the shelling did not stop for days",
        "she made a cup of tea and read her book in the garden while the cat slept",
    ]
    p = model.predict_proba(texts)
    assert p.shape == (2, len(LABELS)) and np.all((p >= 0) & (p <= 1))
    war = LABELS.index("war")
    assert p[0, war] > p[1, war]
    assert model.predict_proba([]).shape == (0, len(LABELS))
    np.testing.assert_allclose(model.predict_proba(texts[:1]), p[:1], rtol=1e-4, atol=1e-5)


def test_the_encoder_reads_whitespace_runs_as_one_space_and_not_the_tail_of_junk(model) -> None:  # type: ignore[no-untyped-def]
    """Regression: a passage of one sentence and 25 MB of spaces (or 2 MB of "a.a.a.") was
    tokenized whole, 4-12 s and 1.5 GB, for the 256 tokens the encoder reads. Runs of spaces
    and line breaks only separate word pieces, so the vector is the same."""
    from forewarn.score.encoder import tokenizer_input

    enc = model.encoder
    padded = "He stabbed the guard.\n\n" + " \t\r\n" * 500_000 + "Blood pooled on the stones."
    np.testing.assert_array_equal(
        enc.encode([padded]), enc.encode(["He stabbed the guard. Blood pooled on the stones."])
    )
    junk = "a." * 1_000_000
    assert len(tokenizer_input(junk, enc.max_length)) <= 64 * enc.max_length
    assert enc.tokenizer.encode(tokenizer_input(junk, enc.max_length)).ids[:256] == enc.tokenizer.encode(junk).ids[:256]


def test_side_by_side_encoding_gives_each_passage_its_own_serial_vector(model) -> None:  # type: ignore[no-untyped-def]
    """Passages run on several threads at once (one single-threaded run per core); each must
    land in its own row, as one thread running them in turn would write it."""
    from forewarn.score.encoder import Encoder

    bundle = default_bundle()
    parallel = Encoder(bundle / "encoder.onnx", bundle / "tokenizer.json")
    parallel.workers = 3  # whatever the machine has
    serial = Encoder(bundle / "encoder.onnx", bundle / "tokenizer.json", threads=1)
    assert serial.workers == 1
    texts = [f"{'The rain kept on. ' * (i % 7 + 1)}Passage {i} ends with the {word}." for i, word in
             enumerate(["knife", "garden", "funeral", "kiss", "war", "tea", "bruise", "letter"] * 3)]  # fmt: skip
    np.testing.assert_array_equal(parallel.encode(texts), serial.encode(texts))
    np.testing.assert_array_equal(parallel.encode(texts[5:6]), serial.encode(texts)[5:6])


def test_tampered_bundle_is_refused(tmp_path: Path) -> None:
    bundle = tmp_path / "b"
    shutil.copytree(default_bundle(), bundle)
    labels = json.loads((bundle / "labels.json").read_text())
    (bundle / "labels.json").write_text(json.dumps(list(reversed(labels))))
    with pytest.raises(BundleError, match="labels.json does not match"):
        load_model(bundle)


def test_two_bundles_with_the_same_config_version_report_different_model_versions(tmp_path: Path) -> None:
    """Regression: --label-mode and --encoder do not enter config.json's version, so two
    different bundles reported the same model version and batch kept the first one's results."""
    import re

    from forewarn.score.model import write_checksums

    shipped = load_model()
    config = json.loads((default_bundle() / "config.json").read_text())
    assert re.fullmatch(re.escape(config["version"]) + r"@[0-9a-f]{8}", shipped.version_)
    same = tmp_path / "same"
    shutil.copytree(default_bundle(), same)
    assert load_model(same).version_ == shipped.version_  # content, not folder, decides
    other = tmp_path / "other"
    shutil.copytree(default_bundle(), other)
    thresholds = {label: min(0.99, t + 0.05) for label, t in config["thresholds"].items()}
    (other / "config.json").write_text(json.dumps({**config, "thresholds": thresholds}, indent=2) + "\n")
    write_checksums(other)
    assert load_model(other).config_["version"] == config["version"]
    assert load_model(other).version_ != shipped.version_
    (same / "metrics.json").write_text("{}\n")  # documentation only: the scores are the same
    write_checksums(same)
    assert load_model(same).version_ == shipped.version_


def test_missing_file_is_refused(tmp_path: Path) -> None:
    bundle = tmp_path / "b"
    shutil.copytree(default_bundle(), bundle)
    (bundle / "encoder.onnx").unlink()
    with pytest.raises(BundleError, match="missing encoder.onnx"):
        load_model(bundle)


def _rewrite_config(bundle: Path, change: str) -> None:
    """A config.json changed and its checksum updated, as a newer forewarn would write it."""
    from forewarn.score.model import write_checksums

    (bundle / "config.json").write_text(change, encoding="utf-8")
    write_checksums(bundle)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("{not json", "not a bundle this forewarn can read"),
        ('{"version": "x"}', "not a bundle this forewarn can read"),  # a key renamed or missing
        (None, r"needs a newer forewarn \(bundle format 99\)"),
    ],
)
def test_a_config_this_forewarn_cannot_read_is_a_bundle_error(tmp_path: Path, config: str | None, message: str) -> None:
    """A bad or renamed config.json was a JSONDecodeError/KeyError traceback; a bundle from a
    newer forewarn was read as if it were this one's."""
    bundle = tmp_path / "b"
    shutil.copytree(default_bundle(), bundle)
    if config is None:
        config = json.dumps({**json.loads((bundle / "config.json").read_text()), "format": 99})
    _rewrite_config(bundle, config)
    with pytest.raises(BundleError, match=message):
        load_model(bundle)


def test_scan_and_evaluate_take_a_bundle_and_refuse_a_broken_one_in_one_line(tmp_path: Path) -> None:
    """`forewarn train --out my-model` made a bundle nothing could scan with; a broken bundle
    given to evaluate was a traceback with exit 1."""
    from click.testing import CliRunner

    from forewarn.cli import main

    story = tmp_path / "s.txt"
    story.write_text("He stabbed the guard and blood pooled on the stones.\n", encoding="utf-8")
    good = tmp_path / "good"
    shutil.copytree(default_bundle(), good)
    result = CliRunner().invoke(main, ["scan", str(story), "--model", str(good), "--json"])
    assert result.exit_code == 1 and "forewarn-minilm-heads" in json.loads(result.stdout)["reports"][0]["model_version"]
    broken = tmp_path / "broken"
    shutil.copytree(default_bundle(), broken)
    (broken / "vocab.json").write_text("{}", encoding="utf-8")
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"warning": "violence", "label": 1, "text": "He stabbed him."}) + "\n")
    for args in (["scan", str(story)], ["evaluate", "--data", str(data)]):
        result = CliRunner().invoke(main, [*args, "--model", str(broken)])
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
        assert "vocab.json does not match its SHA256 sum" in result.stderr
    result = CliRunner().invoke(main, ["scan", str(story), "--model", str(good), "--scorer", "lexicon"])
    assert result.exit_code == 2 and "--model has no effect with --scorer lexicon" in result.output


def test_numpy_tfidf_matches_scikit_learn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from forewarn.score.model import Tfidf

    docs = [
        "The war was long, the war was cruel.",
        "a quiet day; tea and toast",
        "war and peace and war again",
        "Don't stop -- it's fine, it's fine!",
    ]
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(docs)
    ref = vec.transform(docs + ["unseen words only war"]).toarray()
    tf = Tfidf({k: int(v) for k, v in vec.vocabulary_.items()}, vec.idf_)
    coef = np.eye(len(vec.vocabulary_))
    np.testing.assert_allclose(tf.dot([d.lower() for d in docs + ["unseen words only war"]], coef), ref, atol=1e-12)
