"""What the HTML report's parts share: escaping, the work's language, and where a passage is
("chapter 2, 5% in"), counted as the reader counts chapters."""

from __future__ import annotations

import re
from html import escape

from forewarn.aggregate import PassageRef
from forewarn.pipeline import Report
from forewarn.readers.notices import notice_parts
from forewarn.split import Passage
from forewarn.work import chapter_number

# A BCP 47 language tag, loosely: "de", "pt-BR", "zh-Hant-TW", "ar" ("en_GB" is read as en-GB).
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
# Language names as AO3 (its own names), FanFicFare and text headers give them, lowercase.
_LANG_NAMES = {
    "english": "en", "deutsch": "de", "german": "de", "español": "es", "spanish": "es",
    "français": "fr", "french": "fr", "italiano": "it", "italian": "it", "português": "pt",
    "português brasileiro": "pt-BR", "português europeu": "pt-PT", "portuguese": "pt",
    "русский": "ru", "russian": "ru", "polski": "pl", "polish": "pl", "nederlands": "nl",
    "dutch": "nl", "svenska": "sv", "swedish": "sv", "dansk": "da", "danish": "da",
    "norsk": "no", "norwegian": "no", "suomi": "fi", "finnish": "fi", "čeština": "cs",
    "czech": "cs", "magyar": "hu", "hungarian": "hu", "română": "ro", "romanian": "ro",
    "türkçe": "tr", "turkish": "tr", "ελληνικά": "el", "greek": "el", "українська": "uk",
    "ukrainian": "uk", "català": "ca", "catalan": "ca", "tiếng việt": "vi", "vietnamese": "vi",
    "bahasa indonesia": "id", "indonesian": "id", "bahasa malaysia": "ms", "malay": "ms",
    "filipino": "fil", "tagalog": "tl", "العربية": "ar", "arabic": "ar", "עברית": "he",
    "hebrew": "he", "فارسی": "fa", "persian": "fa", "farsi": "fa", "اردو": "ur", "urdu": "ur",
    "हिन्दी": "hi", "hindi": "hi", "ไทย": "th", "thai": "th", "日本語": "ja", "japanese": "ja",
    "한국어": "ko", "korean": "ko", "中文": "zh", "中文-普通话 國語": "zh", "中文-广东话 粵語": "yue",
    "chinese": "zh",
}  # fmt: skip


def work_language(language: str | None) -> str | None:
    """The work's language as a tag for ``lang`` ("Deutsch" -> "de", "pt_BR" -> "pt-BR"), or
    None when it is unknown or not a language ("Klingon", anything else: no attribute)."""
    value = (language or "").strip()
    if value.lower() in _LANG_NAMES:
        return _LANG_NAMES[value.lower()]
    tag = value.replace("_", "-")
    return tag if _LANG_TAG.fullmatch(tag) and len(tag) <= 35 else None


def _lang(report: Report) -> str:
    """` lang="..."` for an element of the work's own text (the page's chrome stays English), so
    screen readers read it in its language; nothing when the language is unknown."""
    tag = work_language(report.work.metadata.language)
    return f' lang="{_e(tag)}"' if tag else ""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def notice_html(notice: str) -> str:
    """A reader's notice, escaped, each path it names in a <bdi>: a right-to-left EPUB member
    name must not turn the notice's own words after it."""
    return "".join(f"<bdi>{_e(text)}</bdi>" if is_path else _e(text) for text, is_path in notice_parts(notice))


def _passage_map(report: Report) -> dict[int, Passage]:
    return {p.index: p for p in report.passages}


def _chapter_name(report: Report, chapter: int, *, capital: bool = False) -> str:
    """ "chapter 2", counted as the reader does from the first chapter heading (the terminal's
    ``chapter_number``), or "opening" for the text before it."""
    number = chapter_number(report.work.chapters, chapter)
    name = "opening" if number is None else f"chapter {number}"
    return name.capitalize() if capital else name


def _place(report: Report, p: Passage | PassageRef) -> str:
    """ "chapter 2, 5% in" (into the chapter, as a reader on a chapter page skips) or "36% in"."""
    if len(report.work.chapters) > 1:
        return f"{_chapter_name(report, p.chapter)}, {p.chapter_position:.0f}% in"
    return f"{p.position:.0f}% in"
