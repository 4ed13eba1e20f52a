"""Decoding the bytes of a text file a city gives us (UTF-8, with or without BOM, or Shift_JIS as Excel writes it)."""

from __future__ import annotations

from charset_normalizer import from_bytes

from importing.errors import ImportFailed
from importing.errors import RowError

# Encodings charset-normalizer may propose that can hold a Japanese FAQ; anything else it guesses
# for a file that is neither UTF-8 nor cp932 would be mojibake, so it is refused.
_FALLBACK_ENCODINGS = frozenset(
    {
        "euc_jp",
        "euc_jis_2004",
        "euc_jisx0213",
        "iso2022_jp",
        "iso2022_jp_1",
        "iso2022_jp_2",
        "iso2022_jp_2004",
        "iso2022_jp_3",
        "iso2022_jp_ext",
        "shift_jis_2004",
        "shift_jisx0213",
        "utf_16",
        "utf_32",
    }
)


def decode_text(data: bytes) -> str:
    """Decode the bytes of a text file written as UTF-8 or Shift_JIS (cp932), or raise ImportFailed.

    Strict UTF-8 (a BOM is dropped) is tried first, then cp932; charset-normalizer is asked only
    when both fail, and only a Japanese encoding or UTF-16/32 is accepted from it. A UTF-8 file
    with a few damaged bytes is reported as such rather than read as cp932 mojibake.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if not _mostly_utf8(data):
        try:
            return data.decode("cp932")
        except UnicodeDecodeError as exc:
            cp932_error = exc
        best = from_bytes(data).best()
        if best is not None and best.encoding in _FALLBACK_ENCODINGS:
            return str(best).lstrip("\ufeff")
        # Point at the place that broke the encoding the file got furthest in.
        error = max(utf8_error, cp932_error, key=lambda e: e.start)
    else:
        error = utf8_error
    line = data[: error.start].count(b"\n") + 1
    byte = data[error.start : error.start + 1].hex().upper()
    raise ImportFailed(
        [
            RowError(
                0,
                f"cannot read the text: invalid byte 0x{byte} on line {line}; the file is neither clean "
                "UTF-8 nor Shift_JIS. Save it again from Excel as 'CSV UTF-8 (コンマ区切り)' and retry.",
            )
        ]
    )


def _mostly_utf8(data: bytes) -> bool:
    """Tell whether bytes that fail strict UTF-8 are still UTF-8 apart from a few damaged bytes."""
    text = data.decode("utf-8", "replace")
    damaged = text.count("\ufffd")
    decoded = sum(1 for ch in text if ord(ch) > 0x7F) - damaged
    return decoded >= 10 * damaged
