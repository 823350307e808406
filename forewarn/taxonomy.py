"""The warning taxonomy, loaded from ``data/taxonomy.toml``.

The taxonomy is data so that adding a warning or an alias for a new author tag
is an edit to one file, checked on load, rather than a code change.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

AO3_RATINGS = ("General Audiences", "Teen And Up Audiences", "Mature", "Explicit")
AO3_WARNINGS = (
    "Graphic Depictions Of Violence",
    "Major Character Death",
    "Rape/Non-Con",
    "Underage",
)
# Every value AO3's archive-warning field takes, lower case, older spellings too ("Underage" is
# now "Underage Sex"; "Choose Not To..." was "Creator Chose Not To..."): how readers tell that
# field's values from other tags.
AO3_ARCHIVE_VALUES = frozenset(
    v.lower()
    for v in (
        *AO3_WARNINGS,
        "Underage Sex",
        "No Archive Warnings Apply",
        "Creator Chose Not To Use Archive Warnings",
        "Choose Not To Use Archive Warnings",
    )
)


@dataclass(frozen=True)
class WarningDef:
    """One warning: what it is, how authors tag it, what it means on AO3."""

    id: str
    name: str
    group: str
    description: str
    aliases: tuple[str, ...]
    pan23: bool
    ao3_rating_depicted: str
    ao3_rating_graphic: str
    ao3_archive_warning: str | None = None
    broader: tuple[str, ...] = ()


def normalize(name: str) -> str:
    """Fold case, punctuation, '&'/'and' and a plural 's' so tag spellings meet."""
    s = name.lower().replace("&", " and ")
    s = re.sub(r"[\s_\-/.:;,!?'\"()\[\]]+", " ", s).strip()
    s = re.sub(r"\band\b", " ", s)
    s = re.sub(r"\s+", " ", s).strip()
    words = [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in s.split()]
    return " ".join(words)


@dataclass(frozen=True)
class Taxonomy:
    version: str
    groups: dict[str, str]
    warnings: tuple[WarningDef, ...]

    def __post_init__(self) -> None:
        index: dict[str, WarningDef] = {}
        for w in self.warnings:
            for name in (w.id, w.name, *w.aliases):
                key = normalize(name)
                other = index.get(key)
                if other is not None and other.id != w.id:
                    raise ValueError(f"alias {name!r} maps to both {other.id!r} and {w.id!r}")
                index[key] = w
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_by_id", {w.id: w for w in self.warnings})

    @property
    def ids(self) -> list[str]:
        return [w.id for w in self.warnings]

    def get(self, warning_id: str) -> WarningDef:
        by_id: dict[str, WarningDef] = self._by_id  # type: ignore[attr-defined]
        return by_id[warning_id]

    def resolve(self, name: str) -> WarningDef | None:
        """The warning an id, a name or an author's alias refers to, if any."""
        index: dict[str, WarningDef] = self._index  # type: ignore[attr-defined]
        return index.get(normalize(name))

    def closest(self, name: str) -> tuple[str, WarningDef] | None:
        """The id, name or alias a misspelled ``name`` most likely meant ("violnce": "violence";
        "gor": "gore", of blood) and its warning, for an unknown name's error; None when
        nothing is close."""
        import difflib

        spelled = {normalize(n): (n, w) for w in self.warnings for n in (*w.aliases, w.id)}  # an id over its alias
        close = difflib.get_close_matches(normalize(name), list(spelled), n=1, cutoff=0.8)
        return spelled[close[0]] if close else None


def parse_taxonomy(data: dict[str, Any]) -> Taxonomy:
    """Build and validate a taxonomy from parsed TOML; errors name the problem."""
    groups = {g["id"]: g["name"] for g in data.get("group", [])}
    warnings: list[WarningDef] = []
    seen: set[str] = set()
    for raw in data.get("warning", []):
        wid = raw.get("id", "")
        if not re.fullmatch(r"[a-z][a-z0-9-]*", wid):
            raise ValueError(f"warning id {wid!r} is not kebab-case")
        if wid in seen:
            raise ValueError(f"duplicate warning id {wid!r}")
        seen.add(wid)
        if raw.get("group") not in groups:
            raise ValueError(f"warning {wid!r} has unknown group {raw.get('group')!r}")
        for key in ("ao3_rating_depicted", "ao3_rating_graphic"):
            if raw.get(key) not in AO3_RATINGS:
                raise ValueError(f"warning {wid!r}: {key} must be one of {AO3_RATINGS}")
        ao3 = raw.get("ao3_archive_warning")
        if ao3 is not None and ao3 not in AO3_WARNINGS:
            raise ValueError(f"warning {wid!r}: unknown AO3 archive warning {ao3!r}")
        if not raw.get("description") or not raw.get("aliases"):
            raise ValueError(f"warning {wid!r} needs a description and aliases")
        warnings.append(
            WarningDef(
                id=wid,
                name=raw["name"],
                group=raw["group"],
                description=raw["description"],
                aliases=tuple(raw["aliases"]),
                pan23=bool(raw.get("pan23", False)),
                ao3_rating_depicted=raw["ao3_rating_depicted"],
                ao3_rating_graphic=raw["ao3_rating_graphic"],
                ao3_archive_warning=ao3,
                broader=tuple(raw.get("broader", ())),
            )
        )
    for w in warnings:
        for b in w.broader:
            if b not in seen:
                raise ValueError(f"warning {w.id!r}: broader warning {b!r} does not exist")
    return Taxonomy(version=str(data.get("version", "0")), groups=groups, warnings=tuple(warnings))


@lru_cache(maxsize=1)
def _default() -> Taxonomy:
    text = (resources.files("forewarn") / "data" / "taxonomy.toml").read_text(encoding="utf-8")
    return parse_taxonomy(tomllib.loads(text))


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load the packaged taxonomy (cached) or one from ``path``."""
    if path is None:
        return _default()
    return parse_taxonomy(tomllib.loads(Path(path).read_text(encoding="utf-8")))
