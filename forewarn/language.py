"""Is the work in English? forewarn's cues and model read English only.

A German story with a stabbing scanned clean ("General Audiences") and said nothing of why.
This is a check, not a language identifier: the share of a text's words that are common
function words of English and of a few other languages (words shared with English left
out), and the script of its letters. Function words make up 35-55% of English prose; an
English passage of a log or a list can fall to 5%, so a work is called another language only
when that language's function words clearly outnumber English ones, and undetermined
(``None``) when neither does or it is too short to tell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from forewarn.work import CJK_CHARS

_ENGLISH = """the a an and or but of to in on at for with from by as is was were are be been being had has
    have he she it they we you i his her him them their my your our its that this these those not
    no what when then there so if would could should did do does don me us into out up just like
    all who which said one about over back can will than only now very too down off how where why"""
ENGLISH = frozenset(_ENGLISH.split())

# Frequent function words per language (names for people; codes as BCP 47). Words that are
# also English ("a", "in", "die", "was") are dropped below, so they count for English only.
_OTHERS: dict[str, tuple[str, str]] = {
    "de": ("German", "der die das und ist nicht ich sie er es ein eine zu den mit sich auf dem des für war "
           "aber auch wie noch nur wenn dann ihr ihm mir mich dich wir uns hatte wurde sein seine nach "
           "schon immer doch"),
    "fr": ("French", "le la les et est pas je il elle un une des du de que qui dans pour sur avec mais ne se "
           "ce lui au aux son sa ses nous vous était plus avait tout cette comme"),
    "es": ("Spanish", "el la los las y es que de en un una por con para se lo le su sus pero como más muy "
           "está era ella él yo del al había cuando porque sin"),
    "it": ("Italian", "il lo la gli le e è che di un una per con non si mi ti ma come più era sono della del "
           "alla sua suo lui lei aveva anche quando"),
    "pt": ("Portuguese", "o os as e é que de em um uma para com não se mas como mais era ele ela do da dos "
           "das na ao pela pelo muito você"),
    "nl": ("Dutch", "de het een en is niet ik je hij zij ze we van op met voor maar dat die er naar ook nog "
           "wel zijn had werd"),
    "pl": ("Polish", "i w nie na się że z do to jest jak ale co tak jej go mu by był była już jego"),
    "sv": ("Swedish", "och att det som en är på av för med jag han hon inte var hade till om men sig"),
    "da": ("Danish or Norwegian", "og at det som en er på af for med jeg han hun ikke var havde til om men "
           "sig hadde av"),
    "tr": ("Turkish", "ve bir bu da de ne için ile çok ama gibi daha sonra olan"),
    "id": ("Indonesian or Malay", "yang dan di ke dari ini itu tidak dengan untuk ada aku kau dia akan sudah"),
}  # fmt: skip
OTHERS: dict[str, tuple[str, frozenset[str]]] = {
    code: (name, frozenset(words.split()) - ENGLISH) for code, (name, words) in _OTHERS.items()
}

# Letters of scripts other than Latin: the Unicode name's first word, as BCP 47's script subtag.
_SCRIPTS = {
    "CYRILLIC": ("und-Cyrl", "Cyrillic script"),
    "GREEK": ("el", "Greek"),
    "ARABIC": ("und-Arab", "Arabic script"),
    "HEBREW": ("he", "Hebrew"),
    "DEVANAGARI": ("und-Deva", "Devanagari script"),
    "THAI": ("th", "Thai"),
    "HANGUL": ("ko", "Korean"),
    "HIRAGANA": ("ja", "Japanese"),
    "KATAKANA": ("ja", "Japanese"),
    "CJK": ("zh", "Chinese"),
}

# A word: letters (with inner apostrophes), or one Chinese or Japanese character (no spaces
# between their words; ``forewarn.work.count_words`` counts them so too).
_WORD = re.compile(rf"[{CJK_CHARS}]|(?:(?![{CJK_CHARS}])[^\W\d_])+(?:['’](?:(?![{CJK_CHARS}])[^\W\d_])+)*")
MIN_WORDS = 30  # fewer letter-words than this: too little to tell
MIN_SHARE = 0.15  # another language's function words must make up this much of the words...
MARGIN = 2.0  # ...and this many times English's share
MAX_CHARS = 120_000  # characters looked at, at most: ``WINDOWS`` stretches spread over a long text
WINDOWS = 100


@dataclass(frozen=True)
class Language:
    """A guess at a text's language: a BCP 47 code ("en", "de", "und-Cyrl") and a name."""

    code: str
    name: str

    @property
    def english(self) -> bool:
        return self.code == "en"


def _script(words: list[str]) -> Language | None:
    """The script most letters are in, when it is not Latin (Japanese when any kana is used)."""
    counts: dict[str, int] = {}
    letters = 0
    for word in words:
        for ch in word:
            letters += 1
            first = unicodedata.name(ch, "").split(" ", 1)[0]
            if first in _SCRIPTS:
                counts[first] = counts.get(first, 0) + 1
    if not counts or 2 * sum(counts.values()) < letters:
        return None
    if counts.get("HIRAGANA", 0) + counts.get("KATAKANA", 0) > 0.05 * letters:
        return Language(*_SCRIPTS["HIRAGANA"])
    return Language(*_SCRIPTS[max(counts, key=lambda k: counts[k])])


def _sample(texts: Iterable[str]) -> list[str]:
    """The words of the text, or of ``WINDOWS`` stretches spread evenly over it when it is longer
    than ``MAX_CHARS`` (a long work reads the same all through; 5 MB took 1 s whole)."""
    text = "\n".join(texts)
    if len(text) <= MAX_CHARS:
        return [w.lower() for w in _WORD.findall(text)]
    size, step = MAX_CHARS // WINDOWS, len(text) // WINDOWS
    words: list[str] = []
    for k in range(WINDOWS):
        # A window's first and last words may be cut: left out.
        words += [w.lower() for w in _WORD.findall(text, k * step, k * step + size)[1:-1]]
    return words


def guess_language(texts: str | Iterable[str]) -> Language | None:
    """English, another language, or None when the text is too short or too odd to tell.

    ``texts``: the text, or its parts (a work's story without its metadata)."""
    words = _sample([texts] if isinstance(texts, str) else texts)
    if len(words) < MIN_WORDS:
        return None
    script = _script(words)
    if script is not None:
        return script
    english = sum(w in ENGLISH for w in words) / len(words)
    shares = {code: sum(w in vocab for w in words) / len(words) for code, (_, vocab) in OTHERS.items()}
    best = max(shares, key=lambda c: shares[c])
    if shares[best] >= MIN_SHARE and shares[best] >= MARGIN * english:
        return Language(best, OTHERS[best][0])
    if english >= MIN_SHARE and english >= MARGIN * shares[best]:
        return Language("en", "English")
    return None


def language_name(code: str) -> str:
    """The name ``guess_language`` gives a code ("de": "German"); the code itself if unknown."""
    if code == "en":
        return "English"
    names = {c: name for c, name in _SCRIPTS.values()} | {c: name for c, (name, _) in OTHERS.items()}
    return names.get(code, code)


def caveat(language: Language | None) -> str | None:
    """What a report says about a work that is not in English (None: nothing to say)."""
    if language is None or language.english:
        return None
    return (
        f"This work reads as {language.name}, not English. forewarn's cues and model read English "
        "only: it finds little in other languages, so a clean report here means nothing."
    )


UNKNOWN = "unknown"  # what filters call a work whose language could not be told (``None``)


def language_codes() -> list[str]:
    """Every code ``guess_language`` gives: English, the other languages and the scripts."""
    return sorted({"en", *OTHERS, *(code for code, _ in _SCRIPTS.values())})


def parse_language(value: str) -> str | None:
    """A language as a filter names it: a code in any case ("de", "und-cyrl") or a name
    ("German"), the code returned; ``UNKNOWN`` is None (not told). A ValueError otherwise, since
    a misspelt one would match nothing and read as "no such works"."""
    wanted = value.strip().lower()
    if wanted == UNKNOWN:
        return None
    for code in language_codes():
        if wanted in (code.lower(), language_name(code).lower()):
            return code
    raise ValueError(f"unknown language {value!r}: one of {', '.join(language_codes())} or {UNKNOWN}")


def parse_languages(values: Iterable[str]) -> list[str | None]:
    """The codes a repeatable, comma-separated language filter names (``parse_language`` each);
    an empty name is a ValueError too, as it would match nothing."""
    names = [name for value in values for name in value.split(",")]
    if not all(name.strip() for name in names):
        raise ValueError(f"a language is a code or name (en, de, German) or {UNKNOWN!r}, not empty")
    return [parse_language(name) for name in names]
