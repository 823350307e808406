"""What one line of a work is: a declaration, a "Key: value" header, a note, a list item.

The line patterns the text, HTML and EPUB readers and the declared-warnings parser share;
each reader decides where in a work such a line counts (see ``forewarn.readers.headerlines``).
"""

from __future__ import annotations

import re

# The words that start a declaration: "Warnings", "Warning(s)", "Chapter Warnings",
# "Chapter 3 warnings", "Ch. 3 warnings", "Trigger Warning(s)", "TW", "CWs", "TW/CW", "CN",
# "Content notes", "Triggers", "Heads up", each maybe "for this chapter" or "for chapter 3".
# A colon or dash must follow (see below).
_FOR_CHAPTER = r"(?:\s+for\s+(?:this\s+chapter|chapter\s+\d+))?"
_DECLARATION_WORD = (
    rf"(?:(?:archive|(?:chapter|ch\.?)(?:\s*\d+)?|trigger|content)\s+)?warnings?(?:\(s\))?{_FOR_CHAPTER}"
    rf"|(?:tw|cw|cn)s?(?:\s*/\s*(?:tw|cw|cn)s?)?{_FOR_CHAPTER}|content\s+notes?{_FOR_CHAPTER}"
    rf"|triggers?{_FOR_CHAPTER}|heads[\s-]?up{_FOR_CHAPTER}"
)
# Symbols authors put before the word ("\u26a0\ufe0f Warnings:", "~ TW:") or after it ("Warnings
# \u26a0\ufe0f:"); not quotes, so dialogue
# ('"Warning: the stove is hot," she said.') is not taken for a declaration.
_LEAD_SYMBOLS = r"\u2190-\u21ff\u2600-\u27bf\u2b00-\u2bff\ufe0f\U0001f000-\U0001faff"
# What ends the words: a colon, a dash, "//", maybe after "!" ("WARNINGS!!:"); a hyphen only
# before a space ("CW-7" and "Warning-track" are words of a story). A note in brackets may
# come first ("Warnings (for the whole fic):"), and symbols may stand for the mark before
# words on the same line ("\u2757\ufe0fTW\u2757\ufe0f self-harm", "TW \u27a1\ufe0f blood"; not
# "Triggers \u2728" alone, a title). "TW", "CW", "CN", "Content warning" and "Trigger warning"
# may instead be followed by "for" ("TW for self harm", "Content warning for drug use.").
_MARK = r"(?:[:\u2013\u2014]|-(?!\w)|//)"
_WORD_NOTE = r"(?:\s*[(\[][^()\[\]\n]{1,40}[)\]])?"
_FOR_WORD = r"(?:(?:content|trigger)\s+warnings?|(?:tw|cw|cn)s?(?:\s*/\s*(?:tw|cw|cn)s?)?)"
# A declaration line's start; the declared-warnings parser reads it too, and the readers keep
# such lines out of the scored text.
DECLARATION = re.compile(
    rf"^[\s*_>~\[({_LEAD_SYMBOLS}]*(?:(?:a/?n|author'?s? notes?|notes?)\s*:\s*)?"
    rf"(?:(?:{_DECLARATION_WORD}){_WORD_NOTE}(?:[\s*_\])!{_LEAD_SYMBOLS}]*{_MARK}"
    rf"|[\s*_\])]*[{_LEAD_SYMBOLS}][\s*_\]){_LEAD_SYMBOLS}]*(?:{_MARK}|(?=\w)))"
    rf"|{_FOR_WORD}\s+for\s+(?=\w))",
    re.IGNORECASE,
)
# A warnings line that follows a sentence on the same line: "Thanks to my beta! TW: blood."
# Only a colon counts here ("He stopped. Warning - ..." is as likely prose).
_INLINE_DECLARATION = re.compile(
    rf"[.!?\u2026][\"'\u201d\u2019)\]*_]*\s+(?P<declaration>[*_{_LEAD_SYMBOLS}]*(?:{_DECLARATION_WORD})"
    r"[*_]*\s*(?::|//).*)$",
    re.IGNORECASE,
)
# AO3's archive-warning choice on a line of its own, without an "Archive Warning:" label in
# front, as authors copy it into a preface: "Author chose not to use archive warnings", "No
# Archive Warnings Apply". Only wordings that name the author or the archive's warnings ("I
# chose not to warn him." is story); ``forewarn.declared.ao3_value`` reads each as AO3's value.
_ARCHIVE_CHOICE = re.compile(
    r"^[\s*_>~\[(\-\u2013\u2022]*(?P<value>(?:the\s+)?(?:creator|author|writer)\s+(?:chose|choose|has\s+chosen)"
    r"\s+not\s+to\s+(?:use\s+(?:the\s+)?(?:archive\s+)?warnings|warn)"
    r"|(?:i\s+)?(?:chose|choose|have\s+chosen)\s+not\s+to\s+use\s+(?:the\s+)?archive\s+warnings"
    r"|no\s+archive\s+warnings\s+apply)[\s*_\])!.]*$",
    re.IGNORECASE,
)
# A line of a bulleted list; the item must hold a word ("---" under a header is a separator).
# Bullets are dashes and dots, a number ("1.", "2)") or emoji, which authors use as bullets
# ("\U0001fa78 blood"); without them a numbered or emoji list declared its first line only.
LIST_ITEM = re.compile(
    rf"^[ \t]*(?:[-*+\u2013\u2022\u2023\u25e6\u2043]|\d{{1,2}}[.)](?=[ \t])|[{_LEAD_SYMBOLS}]+)"
    r"[ \t]*(?P<item>(?=[^\n]*\w)\S.*?)[ \t]*$"
)
_HEADER_KEYS = (
    r"title|authors?|rating|fandoms?|pairings?|relationships?|characters?|"
    r"(?:additional |freeform )?tags|summary|categor(?:y|ies)|language"
)
HEADER = re.compile(
    rf"^[\s*_]*(?P<key>{_HEADER_KEYS})[\s*_]*:[\s*_]*(?P<value>.+?)\s*$",
    re.IGNORECASE,
)
# The start of a "Key: value" header line the readers read as metadata (its value may be empty).
HEADER_LINE = re.compile(rf"^[\s*_]*(?P<key>{_HEADER_KEYS})[\s*_]*:", re.IGNORECASE)
# A rating line as FanFiction.Net authors write it ("Rated T for language.", "Rated: K+", "This
# story is rated M."), or with a dash ("Rating - M"). A rating must follow ("Rated by
# critics..." is prose).
RATED = re.compile(
    r"^[\s*_]*(?:(?:(?:this\s+)?(?:story|fic|chapter|work|one)\s+(?:is\s+)?)?rated(?:[\s*_]*:)?"
    r"|rating[\s*_]*[\-\u2013\u2014])[\s*_]+"
    r"(?P<value>(?:g|gen|k\+?|t\+?|teen|m|ma|mature|e|explicit|r|nc-?17|pg-?13)"
    r"(?![\w+-]).*?)[\s*_.!]*$",
    re.IGNORECASE,
)
NOTE = re.compile(
    r"^[\s*_>\[(]*(?:a/?n|author'?s?\s+notes?|notes?|disclaimer|dedication|beta(?:'?d)?(?:\s+by)?)\s*[:\-\u2013\u2014]",
    re.IGNORECASE,
)
SEPARATOR = re.compile(r"^[\W_]+$")
QUOTES = '"\u201c\u201d\u00ab\u00bb'
# A line ending so is prose, not a title (Chinese and Japanese: 。！？，、； and 」』 after them).
SENTENCE_ENDS = tuple(".!?\u2026,;\u3002\uff01\uff1f\uff0c\u3001\uff1b\u300d\u300f")


def is_declaration(line: str) -> bool:
    """A line like "Warnings: ...", "TW - ...", "A/N: CW: ..."."""
    return bool(DECLARATION.match(line))


def archive_choice(line: str) -> str | None:
    """The AO3 archive-warning choice a line makes on its own ("Author chose not to use archive
    warnings.", "No Archive Warnings Apply"), without its markup, else None."""
    m = _ARCHIVE_CHOICE.match(line)
    return m.group("value") if m else None


def is_bare_declaration(line: str) -> bool:
    """A declaration line with nothing after its colon ("Warnings:"): its list is below it."""
    m = DECLARATION.match(line)
    return m is not None and not line[m.end() :].strip(" \t*_")


def list_item(line: str) -> str | None:
    """The item of a bullet line ("- violence", "* death", "\u2022 blood"), else None."""
    m = LIST_ITEM.match(line)
    return m.group("item") if m else None


def find_declaration(line: str) -> str | None:
    """The declaration in a preface, summary or notes line, if any.

    A whole declaration line, or one that follows a sentence ("Tea, rain, and a bad
    night. Warnings: self-harm."), which authors write in AO3 summaries and notes.
    Not for story prose: there only ``is_declaration`` lines are candidates.
    """
    line = line.strip()
    if is_declaration(line):
        return line
    m = _INLINE_DECLARATION.search(line)
    return m.group("declaration").strip() if m else None
