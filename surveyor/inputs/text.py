"""Bytes to text: the one decoder for every delimited file surveyor reads.

Survey tools and spreadsheets write CSV as UTF-8 (with or without a byte-order mark),
UTF-16 ("Unicode text", with or without a mark), now and then UTF-32, or Windows-1252
(Excel on Windows). Responses files and survey-tool exports both come through here, so
a file reads the same, and fails with the same message, whichever path reads it.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

# A NUL byte this early means a binary file, not a text export with one damaged byte.
BINARY_HEAD = 8192
SNIFF_BYTES = 4096
CP1252_NOTE = (
    "is not UTF-8, so it was read as Windows-1252 (Western European); check that "
    "accented names look right, or save it as 'CSV UTF-8'"
)


@dataclass
class Decoded:
    """A file's text, the encoding it was read in, and warnings about the reading."""

    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)


class DecodeError(ValueError):
    """The bytes are no text surveyor can read; ``str()`` finishes ``<file>: ...``."""


def decode(raw: bytes) -> Decoded:
    """Decode the bytes of a delimited text file.

    Notes
    -----
    A byte-order mark decides first; UTF-32's marks are tested before UTF-16's, which
    begin the same way. Without a mark, UTF-32 and UTF-16 show as a regular pattern of
    NUL bytes in the first few KB. Otherwise UTF-8, and failing that Windows-1252 with a
    warning. A NUL character left in the text is refused with its line, never dropped:
    parsers stop a value at a NUL and would shorten a name silently.
    """
    encoding = _unicode_encoding(raw)
    if encoding is not None:
        text = _strict(raw, encoding)
        if text.startswith("\ufeff"):
            text = text[1:]
        _refuse_nul(text.find("\x00"), text, "\n")
        return Decoded(text, encoding)
    at = raw.find(b"\x00")
    if 0 <= at < BINARY_HEAD:
        raise DecodeError("is a binary file, not a CSV or .xlsx file")
    if at >= 0:
        _refuse_nul(at, raw, b"\n")
    encoding = "utf-8"
    if raw.startswith(codecs.BOM_UTF8):
        raw, encoding = raw[len(codecs.BOM_UTF8):], "utf-8-sig"
    try:
        return Decoded(raw.decode("utf-8"), encoding)
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"is neither UTF-8 nor Windows-1252 text (byte {exc.start}); save it as "
            "'CSV UTF-8'"
        ) from exc
    return Decoded(text, "cp1252", [CP1252_NOTE])


def _unicode_encoding(raw: bytes) -> str | None:
    """UTF-32 or UTF-16 (with the byte order) when the bytes are one of them, else None."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = raw[: SNIFF_BYTES]
    head = head[: len(head) - len(head) % 4]
    if len(head) >= 8:
        # Code points stop at U+10FFFF, so UTF-32's top byte is always 0 and the next one
        # is 0 outside the rare planes; ASCII text then fills only one byte in four.
        lanes = [head[i::4] for i in range(4)]
        zero = [lane.count(0) == len(lane) for lane in lanes]
        if zero[3] and zero[2] and not lanes[0].count(0):
            return "utf-32-le"
        if zero[0] and zero[1] and not lanes[3].count(0):
            return "utf-32-be"
    head = head[: len(head) - len(head) % 2]
    if len(head) >= 4:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > len(head) // 4 and not even.count(0):
            return "utf-16-le"
        if even.count(0) > len(head) // 4 and not odd.count(0):
            return "utf-16-be"
    return None


def _strict(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        name = encoding.upper().replace("-LE", " (little-endian)").replace("-BE", " (big-endian)")
        raise DecodeError(
            f"looks like {name} text but byte {exc.start} is not valid {name}; export it "
            "again as 'CSV UTF-8'"
        ) from exc


def _refuse_nul(at: int, data, newline) -> None:
    if at < 0:
        return
    line = data.count(newline, 0, at) + 1
    raise DecodeError(
        f"line {line} holds a NUL character (code 0), which is no text and would cut the "
        "value short; the file is damaged or was not exported as text: remove the NUL "
        "characters or export the file again"
    )
