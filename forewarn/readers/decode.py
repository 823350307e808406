"""Bytes to text: BOMs, UTF-8, legacy code pages, mojibake, binary rejection.

Fan fiction arrives from everywhere: Windows editors saving cp1252, sites that
double-encoded UTF-8 ("donâ€™t"), UTF-16 exports. The aim is to always return
readable text for genuine text files and a clear ``ReadError`` for the rest.
"""

from __future__ import annotations

import codecs
import contextlib
import re

import charset_normalizer
import ftfy

from forewarn.work import ReadError

# Only undo encoding damage; leave typography (curly quotes, widths, ligatures) alone.
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)

_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# C0 controls that never appear in text files (tab, newlines, form feed, ESC allowed).
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_CONTROL_TEXT = re.compile(_CONTROL.pattern.decode("ascii"))
_NEWLINES = re.compile(r"\r\n?")
_SAMPLE = 64 * 1024
# NULs in a text past this share of it make it binary; fewer are damage, left out (see ``decode``).
_MAX_NUL_SHARE = 0.1
_HIGH = re.compile(rb"[\x80-\xff]")
_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Decode a stray non-UTF-8 byte as cp1252 (latin-1 for its 5 holes)."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    byte = err.object[err.start : err.start + 1]
    try:
        return byte.decode("cp1252"), err.start + 1
    except UnicodeDecodeError:
        return byte.decode("latin-1"), err.start + 1


codecs.register_error("forewarn-cp1252", _cp1252_fallback)


def _utf16_codec(data: bytes) -> str | None:
    """UTF-16 text without a BOM shows NULs in every other byte: which ones gives the byte order."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    codec = _utf16_codec(data)
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def head_text(data: bytes, *, size: int = 1024) -> str:
    """The first ``size`` bytes as text, best effort, for format sniffing.

    UTF-16/32 markup (a BOM, or NULs in every other byte) must still look like markup.
    """
    sample = data[:size]
    codec = next((c for bom, c in _BOMS if sample.startswith(bom)), None) or _utf16_codec(sample) or "utf-8"
    return sample.decode(codec, errors="ignore")


def _looks_western(text: str) -> bool:
    """Mostly-ASCII letters with a few accents: a Western code page fits."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    non_ascii = sum(1 for c in letters if ord(c) > 127)
    return non_ascii <= 0.3 * len(letters)


def _decode_legacy(data: bytes, hint: str | None) -> tuple[str, str]:
    """Decode bytes that are not valid UTF-8."""
    if hint:
        try:
            return data.decode(hint), codecs.lookup(hint).name
        except (LookupError, UnicodeDecodeError):
            pass
    lenient = data.decode("utf-8", errors="forewarn-cp1252")
    # Mostly UTF-8 with a few stray bytes: keep the UTF-8 and patch the strays.
    sequences = _MULTIBYTE.findall(data)
    strays = len(_HIGH.findall(data)) - sum(len(seq) for seq in sequences)
    if len(sequences) > strays:
        return lenient, "utf-8"
    cp1252 = data.decode("cp1252", errors="forewarn-cp1252")
    if _looks_western(cp1252):
        return cp1252, "cp1252"
    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        return str(best), best.encoding
    return lenient, "utf-8"


def nul_notice(count: int, *, unit: str = "byte") -> str:
    """The notice for the NULs left out of a text (see ``decode``)."""
    return f"{count:,} NUL {unit}{'' if count == 1 else 's'} (damage, not text) left out; all else was read"


def _too_many_nuls(count: int, size: int) -> bool:
    return count > _MAX_NUL_SHARE * size


def is_binary_text(text: str) -> bool:
    """Whether a str holds what ``decode`` refuses in bytes as binary (NULs past a tenth of it,
    or other control characters past 2% of its start): a file's bytes handed over as text
    (JSON's "\\u0000", latin-1), which would otherwise be scanned as a one-word work and look
    clean. Fewer NULs are damage, left out (``without_nuls``)."""
    nuls = text.count("\0")
    sample = text[:_SAMPLE].replace("\0", "")
    return _too_many_nuls(nuls, len(text)) or len(_CONTROL_TEXT.findall(sample)) > 0.02 * len(sample)


def without_nuls(text: str, notices: list[str]) -> str:
    """``text`` without its NULs, saying how many in ``notices`` (see ``is_binary_text``)."""
    count = text.count("\0")
    if count:
        notices.append(nul_notice(count, unit="character"))
    return text.replace("\0", "") if count else text


def decode(data: bytes, *, hint: str | None = None, notices: list[str] | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` with mojibake fixed and newlines as ``"\\n"``.

    The repair may shorten the text ("donâ€™t" is "don’t"): reports' offsets index this
    text (``Work.text``), not the bytes decoded with ``encoding`` alone.

    ``hint`` is an encoding the container declared (an HTML ``meta charset``);
    it is tried only when the bytes are not valid UTF-8.

    NULs in otherwise good text (at most a tenth of it: a crash's padding, a bad copy) are
    damage, not a binary file: they are left out, and ``notices`` says how many. Refusing
    the file lost all of its text to a few bytes.
    """
    if not data:
        raise ReadError("empty file: nothing to scan")
    text: str | None = None
    encoding = ""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text, encoding = data.decode(codec), codec
            except UnicodeDecodeError as err:
                raise ReadError(f"cannot decode text: invalid {codec} ({err.reason})") from None
            break
    if text is None and 0 in data[:_SAMPLE]:
        text = _utf16_without_bom(data)
        encoding = "utf-16" if text is not None else ""
    if text is None:
        nuls = data.count(0)
        if _too_many_nuls(nuls, len(data)):
            raise ReadError("binary file (not text, HTML or EPUB)")
        if nuls:
            data = data.replace(b"\0", b"")
        sample = data[:_SAMPLE]
        if len(_CONTROL.findall(sample)) > 0.02 * len(sample):
            raise ReadError("binary file (not text, HTML or EPUB)")
        if nuls and notices is not None:
            notices.append(nul_notice(nuls))
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = _decode_legacy(data, hint)
    if "\0" in text:  # NUL characters after a BOM, or in UTF-16
        if is_binary_text(text):
            raise ReadError("binary file (not text, HTML or EPUB)")
        text = without_nuls(text, notices if notices is not None else [])
    text = text.lstrip("\ufeff")
    text = _NEWLINES.sub("\n", text)
    # ftfy is best effort: if it fails the unfixed text is still usable.
    with contextlib.suppress(Exception):
        text = ftfy.fix_text(text, config=_FTFY_CONFIG)
    return text, encoding
