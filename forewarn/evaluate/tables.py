"""The per-warning tables ``forewarn evaluate`` prints, passages and works."""

from __future__ import annotations

from typing import Any

from forewarn.evaluate.metrics import CI_METRICS, _means, mean_metrics


def _cell(value: float | None, width: int) -> str:
    """A figure, or "-" where it is undefined (one class only)."""
    return f"{'-' if value is None else f'{value:.3f}':>{width}}"


def format_table(per_warning: dict[str, dict[str, Any]]) -> str:
    head = f"{'warning':<18}{'n':>6}{'pos':>6}{'prec':>7}{'rec':>7}{'F1':>7}{'bal.acc':>9}{'AUC':>7}{'ECE':>7}"
    lines = [head, "-" * len(head)]
    for w, m in per_warning.items():
        lines.append(
            f"{w:<18}{m['support']:>6}{m['positives']:>6}{m['precision']:>7.3f}{m['recall']:>7.3f}"
            f"{m['f1']:>7.3f}{_cell(m['balanced_accuracy'], 9)}{_cell(m['roc_auc'], 7)}{m['ece']:>7.3f}"
        )
    means = _means(per_warning, ("precision", "recall", "f1", "balanced_accuracy", "roc_auc", "ece"))
    lines.append("-" * len(head))
    lines.append(
        f"{'mean':<18}{'':>12}{means['precision']:>7.3f}{means['recall']:>7.3f}{means['f1']:>7.3f}"
        f"{_cell(means['balanced_accuracy'], 9)}{_cell(means['roc_auc'], 7)}{means['ece']:>7.3f}"
    )
    return "\n".join([*lines, *_interval_line(per_warning)])


def _interval_line(per_warning: dict[str, dict[str, Any]]) -> list[str]:
    """The mean's 95% intervals, as a line under a table (none without confusion counts)."""
    means = mean_metrics(per_warning, CI_METRICS)
    parts = [
        f"{name} {ci[0]:.3f}-{ci[1]:.3f}"
        for name, ci in (("F1", means.get("f1_ci")), ("balanced accuracy", means.get("balanced_accuracy_ci")))
        if ci is not None
    ]
    return [f"95% bootstrap interval of the mean: {', '.join(parts)}"] if parts else []


def format_work_table(per_warning: dict[str, dict[str, Any]]) -> str:
    head = f"{'warning':<18}{'works':>6}{'pos':>6}{'prec':>7}{'rec':>7}{'F1':>7}{'bal.acc':>9}"
    lines = [head, "-" * len(head)]
    for w, m in per_warning.items():
        lines.append(
            f"{w:<18}{m['support']:>6}{m['positives']:>6}{m['precision']:>7.3f}{m['recall']:>7.3f}"
            f"{m['f1']:>7.3f}{_cell(m['balanced_accuracy'], 9)}"
        )
    means = _means(per_warning, ("precision", "recall", "f1", "balanced_accuracy"))
    lines.append("-" * len(head))
    lines.append(
        f"{'mean':<18}{'':>12}{means['precision']:>7.3f}{means['recall']:>7.3f}{means['f1']:>7.3f}"
        f"{_cell(means['balanced_accuracy'], 9)}"
    )
    return "\n".join([*lines, *_interval_line(per_warning)])
