"""Terminal views of the taxonomy for ``forewarn warnings``: the table and one warning's card.

The rows come from ``forewarn.quality.quality_rows``. The table fits 80 columns:
where each figure was measured is a footnote, since the few distinct
measurement descriptions would otherwise wrap every row onto two or three lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

_SIZE = re.compile(r"\s*\(n=[\d,]+\)$")


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def footnotes(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Each distinct measurement description (without its "(n=...)") -> its footnote number."""
    notes: dict[str, int] = {}
    for r in rows:
        notes.setdefault(_SIZE.sub("", r["measured_on"]), len(notes) + 1)
    return notes


# Left out, in this order, when the table is wider than the console: the figures and the id are
# what the table is for (at 40 columns rich squeezed F1 and n to "…" to keep every column); a
# warning's card still has them all.
_DROPPABLE = ("group", "name", "n")


def render_table(rows: Sequence[dict[str, Any]], *, console: Console) -> None:
    """All warnings, one line each: id, name, group, F1, balanced accuracy, n, where measured;
    without group, then name, then n, on a console too narrow for them."""
    notes = footnotes(rows)
    cells: dict[str, list[str]] = {
        "id": [r["id"] for r in rows],
        "name": [r["name"] for r in rows],
        "group": [r["group"] for r in rows],
        "F1": [_figure(r["f1"]) for r in rows],
        "bal.acc": [_figure(r["balanced_accuracy"]) for r in rows],
        "n": ["-" if r["support"] is None else f"{r['support']:,}" for r in rows],
        "on": [f"[{notes[_SIZE.sub('', r['measured_on'])]}]" for r in rows],
    }
    shown = list(cells)
    for column in _DROPPABLE:
        if _width(cells, shown) <= console.width:
            break
        shown.remove(column)
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in shown:
        right = column not in ("id", "name", "group")
        table.add_column(column, justify="right" if right else "left", no_wrap=column != "name")
    for i in range(len(rows)):
        table.add_row(*(Text(cells[column][i]) for column in shown))
    console.print(table)
    for text, number in notes.items():
        console.print(Text(f"[{number}] measured on: {text}", style="dim"))
    console.print(Text("`forewarn warnings ID` shows a warning's description, aliases and AO3 mapping.", style="dim"))


def _width(cells: dict[str, list[str]], columns: list[str]) -> int:
    """The table's width with ``columns`` unwrapped, two spaces between them (rich's padding)."""
    return sum(max(map(cell_len, [column, *cells[column]])) for column in columns) + 2 * (len(columns) - 1)


def _ao3(row: dict[str, Any]) -> str:
    archive = row["ao3_archive_warning"] or "none"
    return (
        f"rating at least {row['ao3_rating_depicted']} when depicted, {row['ao3_rating_graphic']} when graphic; "
        f"archive warning: {archive}"
    )


def render_card(row: dict[str, Any], *, console: Console) -> None:
    """One warning in full: what it covers, the tags that map to it, its AO3 mapping and quality."""
    console.print(Text(f"{row['id']}: {row['name']}", style="bold"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    quality = f"F1 {_figure(row['f1'])}"
    if row.get("f1_ci"):
        quality += f" (95% interval {_figure(row['f1_ci'][0])}-{_figure(row['f1_ci'][1])})"
    quality += f", balanced accuracy {_figure(row['balanced_accuracy'])}"
    if row["precision"] is not None:
        quality += f", precision {_figure(row['precision'])}, recall {_figure(row['recall'])}"
    fields = [
        ("group", f"{row['group_name']} ({row['group']})"),
        ("description", row["description"]),
        ("aliases", ", ".join(row["aliases"])),
        ("AO3", _ao3(row)),
        ("broader", ", ".join(row["broader"])),
        ("quality", f"{quality}; measured on {row['measured_on']}"),
    ]
    for key, value in fields:
        if value:
            grid.add_row(key, Text(value))
    # Without the spaces rich pads each cell to its column's width with (9 trailing lines in a file).
    for line in console.render_lines(grid, pad=False):
        text = Text()
        for segment in line:
            if not segment.control:
                text.append(segment.text, segment.style)
        text.rstrip()
        console.print(text, no_wrap=True, crop=False)
