"""The zip inside an EPUB, opened with size, count and ratio limits checked before any read.

A zip bomb, a damaged archive or names stored in the wrong code page are each one
``ReadError`` line, never a crash or a read past the limits.
"""

from __future__ import annotations

import io
import lzma
import zipfile
import zlib

from forewarn.work import ReadError

MAX_MEMBERS = 5000
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
_RATIO_MIN_BYTES = 1024 * 1024  # tiny members can compress absurdly well without harm
# What zipfile raises for damage: LZMAError for a corrupt LZMA member (bzip2's is an OSError),
# UnicodeDecodeError for a name flagged UTF-8 that is not, ValueError for what else it does not
# foresee. Each is "EPUB is damaged", never a crash.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)


class Archive:
    """A zip opened with size, count and ratio limits checked before any read."""

    def __init__(self, data: bytes) -> None:
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except _ZIP_ERRORS as err:
            raise ReadError(f"EPUB is damaged: {_reason(err)}") from None
        if any(i.header_offset < 0 for i in infos):  # a directory that points before the file's start
            raise ReadError("EPUB is damaged: an entry lies outside the file")
        # Each message names the limit that was hit: "zip bomb" for 20,000 tiny entries misleads.
        if len(infos) > MAX_MEMBERS:
            raise ReadError(f"EPUB has {len(infos):,} entries, over the limit of {MAX_MEMBERS:,}")
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_BYTES:
            raise ReadError(
                f"EPUB expands to {_size(total)}, over the {_size(MAX_TOTAL_BYTES)} limit (possible zip bomb)"
            )
        for info in infos:
            if info.file_size >= _RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                raise ReadError(
                    f"an EPUB entry expands {ratio:,}-fold ({_size(info.compress_size)} to {_size(info.file_size)}),"
                    f" over the limit of {MAX_RATIO}-fold (possible zip bomb)"
                )
        # A name cut to "" (it began with a NUL) is no file the package can name: skipped, not fatal.
        self.infos = {i.filename: i for i in infos if i.filename and not i.is_dir()}
        repaired = {fixed: i.filename for i in self.infos.values() if (fixed := _utf8_name(i))}
        self.names = {**repaired, **{name: name for name in self.infos}}  # real names win
        self.folded = {spelling.lower(): name for spelling, name in self.names.items()}
        self.read_total = 0

    def find(self, name: str) -> str | None:
        """The member for a name the OPF uses: exact, UTF-8 repaired, or in another case."""
        return self.names.get(name) or self.folded.get(name.lower())

    def read(self, name: str) -> bytes:
        """Read a member, never trusting its declared size."""
        info = self.infos[name]
        chunks: list[bytes] = []
        size = 0
        try:
            with self.zf.open(info) as fh:
                while chunk := fh.read(1024 * 1024):
                    size += len(chunk)
                    self.read_total += len(chunk)
                    if size > info.file_size:
                        raise ReadError("an EPUB entry holds more than the zip directory says (damaged or a zip bomb)")
                    if self.read_total > MAX_TOTAL_BYTES:
                        raise ReadError(
                            f"EPUB expands past the {_size(MAX_TOTAL_BYTES)} limit while reading (possible zip bomb)"
                        )
                    chunks.append(chunk)
        except ReadError:  # a ValueError too: the limits above, not damage
            raise
        except _ZIP_ERRORS as err:
            raise ReadError(f"EPUB is damaged: {_reason(err)}") from None
        return b"".join(chunks)


def _utf8_name(info: zipfile.ZipInfo) -> str | None:
    """A UTF-8 name stored without the UTF-8 flag (the ``zip`` tool does), which zipfile reads as cp437."""
    if info.flag_bits & 0x800:
        return None
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except UnicodeError:
        return None


def _size(size: int) -> str:
    from forewarn.readers import format_size  # the package imports this module

    return format_size(size)


def _reason(err: BaseException) -> str:
    if isinstance(err, EOFError):
        return "unexpected end of data"
    if isinstance(err, UnicodeDecodeError):
        return "an entry's name is marked UTF-8 but is not"
    text = str(err).strip().rstrip(".") or type(err).__name__
    text = text[0].lower() + text[1:]
    return text if len(text) <= 100 else text[:97] + "..."
