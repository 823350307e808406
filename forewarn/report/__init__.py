"""Render a Report: terminal summary, JSON, self-contained HTML."""

from __future__ import annotations


def quote(text: str, limit: int = 600) -> str:
    """Evidence cut at a word boundary with an ellipsis, so a cut quote reads as cut
    (shared by the terminal and HTML renderers)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "\u2026"
