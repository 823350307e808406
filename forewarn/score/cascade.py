"""The combined scorer: lexicon everywhere, the learned model only where it is needed.

The learned heads were trained on passages that annotators picked by keyword
search, so they are calibrated only on passages where the topic is present:
applied to arbitrary passages they over-fire (measured: on a fan-fiction
chapter, the racism head flagged half the passages). The cascade mirrors how
the training data was made: the lexicon (cheap) finds candidate passages per
warning (a cue, or a ``topic`` word that routes without being evidence); the
encoder (costly) runs only on passages that are candidates for at least one
modelled warning; a head's probability replaces the lexicon's only where its
own warning is a candidate. Elsewhere the lexicon's stands. The heads are
trained and thresholded on candidate passages only (forewarn.train).

Heads the bundle lists as ``ungated`` were learned from project-written
passages with AO3 passages as background negatives (see forewarn.train). Only
mode "thorough" uses them, on every passage and only to add: above a strict
threshold (one that flags at most 1% of AO3 background passages out of fold and
none of the selection set's ordinary passages written for other warnings) they
flag a passage; below, the lexicon's judgement stands. They find implied content
the lexicon misses in written test passages, but on AO3 prose 2 of the 29
passages they alone flagged were right when read, so such a flag is unsure
(``HEAD_ONLY``) and the default leaves those warnings to the lexicon. Heads
marked ``lexicon_only`` are never used.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from forewarn.score.base import check_texts
from forewarn.score.focus import CueSpans, hit_spans
from forewarn.score.lexicon import LexiconScorer
from forewarn.score.model import default_bundle, load_model
from forewarn.severity import severity_version

# The probability of a passage flagged by a written-data head alone (``thorough``): low
# confidence in every report. On AO3 prose 2 of the 29 passages these heads flagged were
# right when read blind (data/audit/), though on the written evaluation set most are.
HEAD_ONLY = 0.35
Spans = dict[str, list[tuple[int, int]]]  # warning id -> [start, end) of its cues in a passage
_TIER_RANK = {"topic": 0, "negated": 1, "mention": 2, "depiction": 3, "graphic": 4}
MODES = ("cascade", "thorough", "encoder-everywhere", "lexicon")
LEXICON_THRESHOLD = 0.3  # one plain mention flags a passage (see CascadeScorer)


class Heads(Protocol):
    """What the cascade needs of a learned model (``forewarn.score.model.ModelScorer``)."""

    labels_: list[str]
    thresholds_: np.ndarray
    ungated_: dict[str, float]
    lexicon_only_: set[str]
    version_: str

    def predict_proba(self, texts: Sequence[str], *, cue_spans: Sequence[CueSpans] | None = None) -> np.ndarray: ...


@dataclass
class ScoreResult:
    """Per-passage probabilities plus what aggregation needs to interpret them."""

    labels: list[str]
    probs: np.ndarray
    thresholds: dict[str, float]
    cues: list[dict[str, str]]  # per passage: warning id -> strongest lexicon tier
    encoded: int  # passages that went through the encoder
    # per passage: warning id -> spans of its lexicon cues (topic words aside), for severity
    spans: list[dict[str, list[tuple[int, int]]]] = field(default_factory=list)


class CascadeScorer:
    """Lexicon + model with a keyword gate; ``mode`` switches the gate for benchmarking.

    ``lexicon_threshold`` decides lexicon-only warnings: 0.3 flags a passage with one
    plain mention (probability 0.34) but not one with only negated mentions. Chosen on
    data/written/tune.jsonl (bench/tune_lexicon.py: F1 0.49 at 0.2-0.3 vs 0.23 at 0.5;
    0.1 scored 0.51 but flags negated-only cues), never on the evaluation set.
    """

    def __init__(
        self,
        *,
        lexicon: LexiconScorer | None = None,
        model: Heads | None = None,
        mode: str = "cascade",
        lexicon_threshold: float = LEXICON_THRESHOLD,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.lexicon = lexicon if lexicon is not None else LexiconScorer()
        self.model = model
        self.mode = mode
        self.lexicon_threshold = lexicon_threshold
        self.labels_: list[str] = list(self.lexicon.labels_)
        # What a stored result depends on: the mode, the cues (and severity cues) and the heads.
        mv = model.version_ if model is not None and mode != "lexicon" else "none"
        rules = f"{mode}/{self.lexicon.version_}/{severity_version()}"
        self.version_ = f"{rules}+{mv}" if mv != "none" else rules

    def lexicon_view(self, texts: Sequence[str]) -> tuple[np.ndarray, list[dict[str, str]]]:
        """Lexicon probabilities and, per passage, the strongest cue tier per warning.

        A warning present in a passage's dict is one the passage is routed to: the
        gate of the cascade (any cue, a ``topic`` or negated one included).
        """
        probs, cues, _, _ = self._lexicon_pass(texts)
        return probs, cues

    def _lexicon_pass(self, texts: Sequence[str]) -> tuple[np.ndarray, list[dict[str, str]], list[Spans], list[Spans]]:
        """``lexicon_view`` plus, per passage, where each warning's cues are: topic words aside
        (for severity), and with them (for the heads' cue sentences)."""
        probs = np.zeros((len(texts), len(self.labels_)), dtype=np.float32)
        cues: list[dict[str, str]] = []
        spans: list[Spans] = []
        routes: list[Spans] = []  # every hit: what routes a passage, and what its heads' cue sentences hold
        for i, text in enumerate(texts):
            hits = self.lexicon.hits(text)
            probs[i] = self.lexicon.proba_from_hits(hits)
            best: dict[str, str] = {}
            where: Spans = {}
            for hit in hits:
                tier = "negated" if hit.negated and hit.tier != "topic" else hit.tier
                if _TIER_RANK[tier] > _TIER_RANK.get(best.get(hit.warning, ""), -1):
                    best[hit.warning] = tier
                if hit.tier != "topic":
                    where.setdefault(hit.warning, []).append((hit.start, hit.end))
            cues.append(best)
            spans.append(where)
            routes.append(hit_spans(hits))
        return probs, cues, spans, routes

    def score(self, texts: Sequence[str], *, labels: Collection[str] | None = None) -> ScoreResult:
        """Score passages; returns probabilities, thresholds and severity cues.

        ``labels``: the warnings wanted (None: all). Their columns are exactly what a full
        score gives; the others keep the lexicon's, and the encoder runs only for the wanted
        heads, so ``--only`` a lexicon-only warning encodes nothing.
        """
        check_texts(texts)
        n = len(texts)
        probs, cues, spans, routes = self._lexicon_pass(texts)
        thresholds = {label: self.lexicon_threshold for label in self.labels_}
        encoded = 0
        model = self.model
        unwanted = set() if labels is None else set(self.labels_) - set(labels)
        if model is not None and self.mode != "lexicon" and n and not set(model.labels_) <= unwanted:
            # Only "thorough" lets the ungated heads add flags; elsewhere the lexicon decides them.
            ungated = {k: v for k, v in model.ungated_.items() if k not in unwanted} if self.mode == "thorough" else {}
            skip = model.lexicon_only_ | (set(model.ungated_) if self.mode != "thorough" else set()) | unwanted
            everywhere = self.mode == "encoder-everywhere"
            if (everywhere and not set(model.labels_) <= skip) or ungated:
                rows = list(range(n))
            else:
                rows = [i for i in range(n) if any(label in cues[i] and label not in skip for label in model.labels_)]
            if rows:
                # Cue sentences only for the heads used (``skip`` heads' columns are discarded).
                wanted = [{w: s for w, s in routes[i].items() if w not in skip} for i in rows]
                mp = model.predict_proba([texts[i] for i in rows], cue_spans=wanted)
                encoded = len(rows)
                sub = [cues[i] for i in rows]
                for k, label in enumerate(model.labels_):
                    if label in skip:
                        continue
                    col = self.labels_.index(label)
                    lex = probs[rows, col]
                    if label in ungated:
                        # Trained on written sentences, these heads only add: above their
                        # strict threshold they flag, as unsure as one plain mention; below it
                        # the lexicon's judgement stands.
                        probs[rows, col] = np.where(
                            mp[:, k] > ungated[label], np.maximum(max(HEAD_ONLY, self.lexicon_threshold), lex), lex
                        )
                    else:
                        # Encoder-everywhere routes every passage: one without a cue counts as "topic".
                        tiers = [c.get(label, "topic" if everywhere else None) for c in sub]
                        probs[rows, col] = combine(mp[:, k], lex, tiers)
            for label, thr in zip(model.labels_, model.thresholds_, strict=True):
                if label not in skip and label not in ungated:
                    thresholds[label] = float(thr)
        return ScoreResult(self.labels_, probs, thresholds, cues, encoded, spans)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.score(texts).probs


def combine(head: np.ndarray, lexicon: np.ndarray, tiers: Sequence[str | None]) -> np.ndarray:
    """The cascade's probability for one modelled warning, passage by passage.

    ``tiers`` holds each passage's strongest cue tier for the warning (None: no cue,
    so the passage never reached the head and the lexicon's probability stands). A
    depicted or graphic cue keeps its weight even where the head disagrees
    (measured on dev out of fold: F1 +0.002, balanced accuracy +0.002); otherwise
    the head decides.
    """
    routed = np.array([t is not None for t in tiers], dtype=bool)
    strong = np.array([t in ("depiction", "graphic") for t in tiers], dtype=bool)
    head = np.asarray(head, dtype=np.float32)
    lexicon = np.asarray(lexicon, dtype=np.float32)
    return np.where(routed, np.where(strong, np.maximum(head, lexicon), head), lexicon).astype(np.float32)


_LOADING = threading.Lock()
_KEEP_SCORERS = 4  # (mode, bundle folder) pairs kept loaded, least recently asked for dropped
_SCORERS: OrderedDict[tuple[str, str | None], CascadeScorer] = OrderedDict()


def default_scorer(mode: str = "cascade", *, bundle: str | os.PathLike[str] | None = None) -> CascadeScorer:
    """The packaged lexicon and model (or the bundle in the folder ``bundle``), loaded once per
    process and bundle folder, however it is named (a str or Path, relative or absolute, the
    packaged one's own path), also when threads ask at once (``lru_cache`` alone let each load
    its own copy: seconds and about 100 MiB each). A scorer is safe to share between threads.
    A broken bundle raises ``BundleError``, an unknown mode ``ValueError``."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    given = folder = None
    if bundle is not None and mode != "lexicon":  # the lexicon mode reads no bundle
        given = os.fspath(bundle)
        folder = os.path.realpath(given)
        if folder == os.path.realpath(default_bundle()):
            given = folder = None
    key = (mode, folder)
    with _LOADING:
        if key not in _SCORERS:
            # The name as given, so a broken bundle's error names it as the user did.
            _SCORERS[key] = CascadeScorer(model=None if mode == "lexicon" else load_model(given), mode=mode)
            while len(_SCORERS) > _KEEP_SCORERS:
                _SCORERS.popitem(last=False)
        _SCORERS.move_to_end(key)
        return _SCORERS[key]
