"""Metrics, calibration and threshold picking on hand-made cases."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from forewarn.evaluate import binary_metrics, ece, fit_platt, load_labeled, pick_threshold, roc_auc


def test_binary_metrics_by_hand() -> None:
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    pred = np.array([1, 1, 0, 1, 0, 0, 0, 0], dtype=bool)
    prob = np.array([0.9, 0.8, 0.3, 0.7, 0.2, 0.1, 0.1, 0.0])
    m = binary_metrics(y, prob, pred)
    assert m["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["balanced_accuracy"] == pytest.approx((2 / 3 + 4 / 5) / 2, abs=1e-4)
    assert m["roc_auc"] == pytest.approx(14 / 15, abs=1e-4)
    assert m["support"] == 8 and m["positives"] == 3


def test_roc_auc_handles_ties_and_one_class() -> None:
    assert roc_auc(np.array([1, 0]), np.array([0.5, 0.5])) == pytest.approx(0.5)
    assert roc_auc(np.array([1, 1]), np.array([0.1, 0.9])) is None


def test_ece_is_zero_when_calibrated_and_large_when_not() -> None:
    y = np.array([1, 0] * 50)
    assert ece(y, np.full(100, 0.5)) == pytest.approx(0.0)
    assert ece(y, np.full(100, 0.95)) == pytest.approx(0.45)


def test_platt_recovers_a_logistic_relation() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=4000) * 3
    y = (rng.random(4000) < 1 / (1 + np.exp(-(2.0 * x - 1.0)))).astype(int)
    a, b = fit_platt(x, y)
    assert a == pytest.approx(2.0, rel=0.1) and b == pytest.approx(-1.0, abs=0.15)


def test_pick_threshold_maximises_f1() -> None:
    prob = np.array([0.9, 0.8, 0.6, 0.4, 0.3, 0.1])
    y = np.array([1, 1, 0, 1, 0, 0])
    t = pick_threshold(prob, y)
    assert t == pytest.approx(0.4)


def test_load_labeled_majority_any_and_single_labels(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    rows = [
        {"warning": "war", "labels": [1, 0, 0], "text": "a", "work_id": "1"},
        {"warning": "war", "labels": [1, 1, 0], "text": "b", "work_id": "2"},
        {"warning": "blood", "label": 1, "text": "c", "work_id": "w-3"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    maj = load_labeled([path])
    assert [p.label for p in maj] == [0, 1, 1]
    assert [round(p.target, 3) for p in maj] == [0.333, 0.667, 1.0]
    assert [p.label for p in load_labeled([path], label_mode="any")] == [1, 1, 1]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "no warning"}\n')
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        load_labeled([bad])


def test_balanced_accuracy_objective_trades_precision_for_recall() -> None:
    prob = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0])
    y = np.array([1, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    assert pick_threshold(prob, y) == pytest.approx(0.9)  # F1 2/3 against 4/7 at 0.5
    assert pick_threshold(prob, y, objective="balanced_accuracy") == pytest.approx(0.5)  # 0.81 against 0.75


def test_work_level_evaluation_counts_each_work_once_per_scored_warning(tmp_path: Path) -> None:
    from forewarn.evaluate import evaluate_works, load_works

    path = tmp_path / "works.jsonl"
    rows = [
        {"id": "a", "text": "blood everywhere", "warnings": ["blood"], "scored": ["blood", "war"]},
        {"id": "b", "text": "a quiet tea", "warnings": [], "scored": ["blood", "war"]},
        {"id": "c", "text": "blood on the tea", "warnings": [], "scored": ["blood"]},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    works = load_works(path)
    per = evaluate_works(works, lambda text: {"blood"} if "blood" in text else {"war"})
    assert per["blood"]["support"] == 3 and per["blood"]["positives"] == 1
    assert per["blood"]["precision"] == 0.5 and per["blood"]["recall"] == 1.0
    assert per["war"]["support"] == 2 and per["war"]["precision"] == 0.0  # work b flagged for war wrongly
    (tmp_path / "bad.jsonl").write_text('{"id": "x", "text": "no labels"}\n')
    with pytest.raises(ValueError, match="bad.jsonl:1"):
        load_works(tmp_path / "bad.jsonl")
    (tmp_path / "string.jsonl").write_text('{"text": "t", "warnings": ["war"]}\n{"text": "t", "warnings": "blood"}\n')
    with pytest.raises(ValueError, match="string.jsonl:2: not a labeled work"):
        load_works(tmp_path / "string.jsonl")


PASSAGE = {"warning": "violence", "labels": [1, 1, 0], "text": "He punched him.", "work_id": "1"}
WORK = {"id": "w", "text": "He punched him.", "warnings": ["violence"]}


@pytest.mark.parametrize(
    ("option", "rows", "message"),
    [
        ("--data", [PASSAGE, {**PASSAGE, "text": 5}], "d.jsonl:2: not a labeled passage (text must be"),
        ("--data", [{**PASSAGE, "text": "  "}], "d.jsonl:1: not a labeled passage (text is empty)"),
        ("--data", [{**PASSAGE, "labels": []}], "d.jsonl:1: not a labeled passage (labels is empty)"),
        ("--data", [{**PASSAGE, "warning": 3}], "d.jsonl:1: not a labeled passage (warning must be"),
        ("--data", [], "d.jsonl: no labeled passage in it"),
        ("--works", [WORK, {**WORK, "text": ""}], "d.jsonl:2: not a labeled work (text is empty)"),
        ("--works", [{**WORK, "text": 5}], "d.jsonl:1: not a labeled work (text must be"),
        ("--works", [], "d.jsonl: no labeled work in it"),
    ],
)
def test_evaluate_refuses_bad_data_in_one_line(tmp_path: Path, option: str, rows: list, message: str) -> None:  # type: ignore[type-arg]
    """Regression: "text": 5 and an empty text were tracebacks; an empty file printed a table of NaNs, exit 0."""
    from click.testing import CliRunner

    from forewarn.cli import main

    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) or "\n")
    r = CliRunner().invoke(main, ["evaluate", option, str(path), "--scorer", "lexicon"])
    assert r.exit_code == 2 and r.stderr.startswith(f"forewarn: error: {tmp_path}/"), r.output
    assert message in r.stderr and r.stderr.count("\n") == 1 and "nan" not in r.output


def test_evaluate_says_which_warnings_the_model_does_not_score(tmp_path: Path) -> None:
    """Passages of an unknown id were dropped silently: all unknown printed a table of NaNs, exit 0."""
    from click.testing import CliRunner

    from forewarn.cli import main

    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({**PASSAGE, "warning": "sexual_assault"}) + "\n")
    r = CliRunner().invoke(main, ["evaluate", "--data", str(path), "--scorer", "lexicon"])
    assert r.exit_code == 2 and "no passage is labeled with a warning the model scores (sexual_assault)" in r.stderr
    path.write_text(json.dumps({**PASSAGE, "warning": "sexual_assault"}) + "\n" + json.dumps(PASSAGE) + "\n")
    r = CliRunner().invoke(main, ["evaluate", "--data", str(path), "--scorer", "lexicon"])
    assert r.exit_code == 0 and "1 passages left out: the model does not score sexual_assault" in r.stderr
    assert "violence" in r.stdout


def test_balanced_accuracy_is_undefined_with_one_class() -> None:
    """20 positives and no negatives printed bal.acc 0.425 (a true-negative rate of 0 by
    convention) and a mean of nan; it is '-' like ROC-AUC, and means skip it."""
    from forewarn.evaluate import format_table

    y = np.ones(20, dtype=int)
    prob = np.linspace(0.1, 0.9, 20)
    one = binary_metrics(y, prob, prob >= 0.5)
    assert one["balanced_accuracy"] is None and one["roc_auc"] is None and one["recall"] == 0.5
    both = binary_metrics(np.array([1, 0, 1, 0]), np.array([0.9, 0.1, 0.2, 0.8]), np.array([1, 0, 0, 1], dtype=bool))
    table = format_table({"blood": one, "violence": both})
    blood, mean = table.splitlines()[2], next(ln for ln in table.splitlines() if ln.startswith("mean"))
    assert blood.split()[6:8] == ["-", "-"] and "nan" not in table
    assert mean.split()[4] == f"{both['balanced_accuracy']:.3f}"


# --- Bootstrap intervals ------------------------------------------------------------------


def test_binary_metrics_carry_the_confusion_counts_and_intervals_around_the_figures() -> None:
    y = np.array([1] * 40 + [0] * 40)
    pred = np.array([True] * 30 + [False] * 10 + [True] * 5 + [False] * 35)
    m = binary_metrics(y, pred.astype(float), pred)
    assert m["confusion"] == {"tp": 30, "fp": 5, "fn": 10, "tn": 35}
    for key in ("f1", "balanced_accuracy"):
        lo, hi = m[f"{key}_ci"]
        assert lo < m[key] < hi and hi - lo > 0.05  # 80 passages: wide, and around the figure
    perfect = binary_metrics(y, y.astype(float), y.astype(bool))
    assert perfect["f1_ci"] == [1.0, 1.0] and perfect["balanced_accuracy_ci"] == [1.0, 1.0]
    one_class = binary_metrics(np.ones(5, dtype=int), np.ones(5), np.ones(5, dtype=bool))
    assert one_class["balanced_accuracy"] is None and one_class["balanced_accuracy_ci"] is None


def test_intervals_narrow_with_more_passages_and_with_more_warnings() -> None:
    from forewarn.evaluate import interval

    def width(ci: list[float] | None) -> float:
        assert ci is not None
        return ci[1] - ci[0]

    small = {"tp": 30, "fp": 5, "fn": 10, "tn": 35}
    large = {k: v * 100 for k, v in small.items()}
    assert width(interval([large], "f1")) < width(interval([small], "f1")) / 5
    assert width(interval([small] * 8, "balanced_accuracy")) < width(interval([small], "balanced_accuracy")) / 2
    assert interval([small], "f1", seed=3) == interval([small], "f1", seed=3)
    assert interval([], "f1") is None
    with pytest.raises(ValueError, match="no interval"):
        interval([small], "roc_auc")


def test_the_interval_of_a_mean_covers_the_true_mean_about_95_times_in_100() -> None:
    """Coverage: test sets of 80 passages drawn from two known classifiers; the interval of the
    mean F1 should hold the classifiers' true mean F1 in about 95% of them."""
    from forewarn.evaluate import interval

    rng = np.random.default_rng(1)
    cells = [np.array([0.35, 0.05, 0.15, 0.45]), np.array([0.2, 0.1, 0.1, 0.6])]  # tp, fp, fn, tn

    def f1(p: np.ndarray) -> float:
        return float(2 * p[0] / (2 * p[0] + p[1] + p[2]))

    truth = np.mean([f1(p) for p in cells])
    hits = 0
    for trial in range(300):
        drawn = [dict(zip(("tp", "fp", "fn", "tn"), map(int, rng.multinomial(80, p)), strict=True)) for p in cells]
        ci = interval(drawn, "f1", draws=500, seed=trial)
        assert ci is not None
        hits += ci[0] <= truth <= ci[1]
    assert 0.88 <= hits / 300 <= 0.99


def test_tables_and_means_report_the_interval_of_the_mean() -> None:
    from forewarn.evaluate import format_table, mean_metrics

    y = np.array([1] * 40 + [0] * 40)
    pred = np.array([True] * 30 + [False] * 10 + [True] * 5 + [False] * 35)
    per = {"blood": binary_metrics(y, pred.astype(float), pred), "abuse": binary_metrics(y, pred.astype(float), ~pred)}
    means = mean_metrics(per)
    assert means["f1"] == round((per["blood"]["f1"] + per["abuse"]["f1"]) / 2, 4)
    lo, hi = means["f1_ci"]
    assert lo < means["f1"] < hi
    assert f"F1 {lo:.3f}-{hi:.3f}" in format_table(per).splitlines()[-1]
    # Figures read from an older metrics.json (no confusion counts): means, no interval.
    old = {w: {k: v for k, v in m.items() if k != "confusion"} for w, m in per.items()}
    assert mean_metrics(old)["f1_ci"] is None and "interval" not in format_table(old)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--folds", "5", "--scorer", "lexicon"], "--scorer lexicon has no effect with --folds"),
        (["--works", "W", "--folds", "5"], "--folds retrains on labeled passages: use it with --data, not --works"),
    ],
)
def test_evaluate_refuses_options_that_folds_would_ignore(tmp_path: Path, args: list[str], message: str) -> None:
    """Regression: --folds with --scorer lexicon cross-validated the cascade anyway, and --folds
    with --works scanned with the bundle as it is; each said nothing (the help says "not with
    --folds")."""
    from click.testing import CliRunner

    from forewarn.cli import main

    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(PASSAGE) + "\n" if "--works" not in args else json.dumps(WORK) + "\n")
    data = [] if "--works" in args else ["--data", str(path)]
    r = CliRunner().invoke(main, ["evaluate", *data, *[str(path) if a == "W" else a for a in args]])
    assert r.exit_code == 2 and message in r.output, r.output
