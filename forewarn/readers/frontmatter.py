"""YAML front matter ("---" lines around "key: value" lines at the top of a file).

Markdown fics written for static sites start this way. Only the simple YAML that
such headers use is read: plain and quoted scalars, flow lists (``[a, "b"]``),
block lists (``- a``) and block scalars (``>``, ``|``); no YAML dependency, and
anything fancier is kept as text rather than guessed at.
"""

from __future__ import annotations

import re

_OPEN = re.compile(r"\A\ufeff?[ \t]*---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_KEY = re.compile(r"^(?P<key>[A-Za-z][\w -]*?)[ \t]*:(?:[ \t]+(?P<value>.*?))?[ \t]*\r?$")
_ITEM = re.compile(r"^[ \t]*-(?:[ \t]+(?P<value>.*?))?[ \t]*\r?$")
_DOUBLE = re.compile(r'^"(?P<body>(?:[^"\\]|\\.)*)"[ \t]*(?:#.*)?$')
_SINGLE = re.compile(r"^'(?P<body>(?:[^']|'')*)'[ \t]*(?:#.*)?$")
_FLOW_ITEM = re.compile(r'\s*(?:"(?:[^"\\]|\\.)*"|\'(?:[^\']|\'\')*\'|[^,]+)')
# YAML's double-quoted escapes; any other backslash is kept as written.
# fmt: off
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
# fmt: on
_ESCAPE = re.compile(r"\\(?:x(?P<x>[0-9A-Fa-f]{2})|u(?P<u>[0-9A-Fa-f]{4})|U(?P<U>[0-9A-Fa-f]{8})|(?P<char>.))")
_MAX_LINES = 200  # a header, not a document: an unclosed "---" is just a separator

Value = str | list[str]


def _unescape(m: re.Match[str]) -> str:
    """One double-quoted escape ("\\u00e9" is "\u00e9"); unknown or surrogate ones stay as written."""
    code = m.group("x") or m.group("u") or m.group("U")
    if code is None:
        return _ESCAPES.get(m.group("char"), m.group(0))
    point = int(code, 16)
    return chr(point) if point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF else m.group(0)


def scalar(raw: str) -> str:
    """A YAML scalar's text: quotes removed ("The <Long> Night"), a trailing comment dropped."""
    raw = raw.strip()
    m = _DOUBLE.match(raw)
    if m:
        return _ESCAPE.sub(_unescape, m.group("body"))
    m = _SINGLE.match(raw)
    if m:
        return m.group("body").replace("''", "'")
    return re.sub(r"[ \t]+#.*$", "", raw).strip()


def _flow_list(raw: str) -> list[str]:
    inner = raw.strip()[1:]
    inner = inner[: inner.rfind("]")] if "]" in inner else inner
    return [v for v in (scalar(item) for item in _FLOW_ITEM.findall(inner)) if v]


def _value(first: str, rest: list[str]) -> Value:
    """One key's value from its own line and its indented continuation lines."""
    items = [_ITEM.match(line) for line in rest if line.strip()]
    if not first and items and all(items):
        return [v for v in (scalar(m.group("value") or "") for m in items if m) if v]
    if first.startswith("["):
        return _flow_list(" ".join([first, *(line.strip() for line in rest)]))
    lines = [line.strip() for line in rest]
    if first[:1] in ("|", ">"):
        if first.startswith("|"):
            return "\n".join(lines).strip()
        paragraphs = re.split(r"\n{2,}", "\n".join(lines))
        return "\n\n".join(" ".join(p.split()) for p in paragraphs).strip()
    return scalar(" ".join([first, *(line for line in lines if line)]))


def parse_front_matter(text: str) -> tuple[dict[str, Value], int] | None:
    """The front matter's fields (keys lower-cased, "_"/"-" as spaces) and where it ends.

    None when the text does not start with "---", the block is not closed within
    200 lines, or it holds no "key: value" line.
    """
    opening = _OPEN.match(text)
    if not opening:
        return None
    closing = _CLOSE.search(text, opening.end())
    if not closing or text.count("\n", opening.end(), closing.start()) > _MAX_LINES:
        return None
    lines = text[opening.end() : closing.start()].split("\n")
    fields: dict[str, Value] = {}
    i = 0
    while i < len(lines):
        m = _KEY.match(lines[i])
        i += 1
        if not m:
            continue
        rest: list[str] = []
        while i < len(lines) and (not lines[i].strip() or lines[i][:1] in (" ", "\t") or _ITEM.match(lines[i])):
            rest.append(lines[i])
            i += 1
        key = re.sub(r"[\s_-]+", " ", m.group("key")).strip().lower()
        fields.setdefault(key, _value(m.group("value") or "", rest))
    if not fields:
        return None
    end = closing.end()
    return fields, end + 1 if text[end : end + 1] == "\n" else end
