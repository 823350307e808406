"""Bytes -> text: detect the encoding, refuse binaries, repair mojibake.

Fan fiction arrives through copy-paste, old archives and converters, so text
is often double-encoded ("donâ€™t"). ftfy repairs that conservatively: only
encoding damage, never quotes or widths, so the text stays as the author wrote it.
"""

from __future__ import annotations

import codecs

import ftfy

from forewarn.work import ReadError

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=True,
    fix_surrogates=True,
    remove_control_chars=True,
    normalization=None,
    explain=False,
)


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KiB mean not text."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(8, len(head) // 50)


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``; newlines are normalised to ``\\n``."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _clean(data.decode(name)), name.replace("-sig", "")
            except UnicodeDecodeError as e:
                raise ReadError(f"cannot decode text as {name}: {e.reason}") from None
    if looks_binary(data):
        raise ReadError("binary file (not text, HTML or EPUB)")
    try:
        return _clean(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    lossy = data.decode("utf-8", errors="replace")
    if lossy.count("\ufffd") <= max(2, len(lossy) // 200):
        # Mostly UTF-8 with a few bad bytes: keep the good text, mark the bad.
        return _clean(lossy), "utf-8 (with invalid bytes replaced)"
    try:
        # Most non-UTF-8 fan fiction is Windows-1252; prefer it over look-alikes.
        return _clean(data.decode("cp1252")), "cp1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return _clean(str(best)), str(best.encoding)
    return _clean(data.decode("latin-1")), "latin-1"


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return ftfy.fix_text(text, config=_FTFY)
