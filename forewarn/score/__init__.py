"""Passage scorers: each maps passage texts to per-warning probabilities."""
