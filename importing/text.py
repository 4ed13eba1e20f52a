"""Decoding the bytes of a text file a city gives us, and the characters imported text may not contain.

Files come as UTF-8 (with or without BOM, Excel's 'CSV UTF-8'), as Shift_JIS in Microsoft's cp932 form
(Excel's plain 'CSV'), as EUC-JP (older Unix systems and web tools), rarely as UTF-16 with a BOM. The
encoding is decided from the bytes alone:

1. A BOM decides (UTF-8 or UTF-16); a zip file (an .xlsx renamed) or NUL bytes are refused.
2. Valid UTF-8 with any character from U+0800 up (all kana and kanji) is UTF-8; text that is UTF-8
   apart from a few damaged bytes is refused as damaged, never read as another encoding.
3. Otherwise the text must decode strictly as cp932 or as EUC-JP. cp932's stand-ins for bytes that are
   no character (0x80, 0xA0, 0xFD–0xFF, decoded by Python as U+0080 and U+F8F0–U+F8F3) count as invalid.
4. When only one of the two decodes, it is the one. Both decode only when every non-ASCII byte is
   0xA1–0xFE: then the cp932 reading can only be half-width katakana and rare kanji, and the EUC-JP
   reading can be anything. The EUC-JP reading is taken when it reads as ordinary Japanese (kana and
   common kanji) and the cp932 reading is not clean half-width katakana, or when the cp932 reading has
   private-use characters (bytes 0xF0–0xF9) and the EUC-JP reading has few rare ones; the cp932 reading is
   taken when it is clean half-width katakana and the EUC-JP reading is mostly rare characters.
5. Valid UTF-8 whose only non-ASCII characters are two-byte ones (ñ, ʬ: a few EUC-JP kanji can be such
   bytes) is read as cp932 or EUC-JP only when step 4 chooses a reading of ordinary Japanese, as UTF-8
   when neither decodes; a chosen reading made mostly of rare characters (a Latin-1 file read as kanji)
   is not taken. Anything else is refused as too short or too unusual to tell, so a file never comes
   out as mojibake.

charset-normalizer is not used for the choice: on short Japanese files it picks cp932 for EUC-JP bytes
and refuses ordinary FAQ text with many ○△ symbols (see tests/importing/test_text.py, which checks the
rule above on the demo pack's own text in both encodings and at every length).

Every refusal is one file-level error (row 0) that says what to do: save the file as 'CSV UTF-8' (the
``text.*`` codes of ``importing.messages``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from collections.abc import Sequence
from typing import NoReturn

from importing import messages
from importing.errors import ImportFailed
from importing.errors import file_error
from importing.messages import Problem

# Bytes that are no character in Shift_JIS, which Python's cp932 decodes to stand-ins instead of failing.
_CP932_NON_CHARACTERS = frozenset("\u0080\uf8f0\uf8f1\uf8f2\uf8f3")
_HALFWIDTH_VOICED = frozenset("ｳｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾊﾋﾌﾍﾎ")  # may take ﾞ
_HALFWIDTH_SEMI_VOICED = frozenset("ﾊﾋﾌﾍﾎ")  # may take ﾟ
_EUC_LEAD_MARKERS = frozenset("｡､･")  # 0xA1, 0xA4, 0xA5 in cp932: EUC-JP's first bytes of 、。 and of kana
_EUC_MARKER_SHARE = 4  # one in this many half-width characters being a marker is too many for real text
# The EUC-JP reading must have this many kana and at most this share of rare characters to be taken;
# a cp932 reading of clean half-width katakana is taken when the EUC-JP reading has at least this share.
_MIN_KANA = 2
_MAX_RARE_SHARE = 0.2
_MIN_RARE_SHARE_OF_MOJIBAKE = 0.3
# JIS X 0208 rows (the first byte of EUC-JP minus 0xA0) of everyday text: symbols, digits and Latin,
# and the 2,965 level-1 kanji. Kana rows (4, 5) are counted separately.
_SYMBOL_ROWS = range(1, 4)
_LEVEL1_KANJI_ROWS = range(16, 48)


def decode_text(data: bytes, file: str = "") -> str:
    """The text of a file's bytes in UTF-8, UTF-16 with BOM, cp932 or EUC-JP, as the module docstring decides.

    Raises ImportFailed with one file-level error (row 0, named by ``file`` when given) when the bytes are
    none of these, are damaged, or cannot be told apart.
    """
    if data.startswith(b"PK\x03\x04"):
        _refuse(file, Problem("text.zip"))
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig", file, "UTF-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", file, "UTF-16")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        _refuse(file, Problem("text.nul_byte", line=line))
    utf8, utf8_error = _decode(data, "utf-8")
    if utf8 is not None and (utf8.isascii() or any(ord(char) >= 0x800 for char in utf8)):
        return utf8
    if utf8 is None and _mostly_utf8(data):
        _refuse(file, Problem("text.utf8_damaged", **_invalid_byte(data, utf8_error)))
    readings: dict[str, str] = {}
    failed_at = [utf8_error]
    for encoding in ("cp932", "euc_jp"):
        text, error = _decode(data, encoding)
        if text is None:
            failed_at.append(error)
        else:
            readings[encoding] = text
    if utf8 is not None and not readings:
        return utf8
    if not readings:
        _refuse(file, Problem("text.unknown_encoding", **_invalid_byte(data, max(failed_at))))
    chosen = choose_reading(readings["cp932"], readings["euc_jp"]) if len(readings) == 2 else next(iter(readings))
    if chosen is not None and utf8 is not None and not _ordinary_japanese(readings[chosen]):
        chosen = None  # only two-byte UTF-8 characters (ñ, ʬ) or a short Japanese reading: either could be it
    if chosen is not None and _mostly_rare(readings[chosen]):
        chosen = None  # a Latin-1 file read as kanji
    if chosen is None:
        _refuse(file, Problem("text.ambiguous"))
    return readings[chosen]


def choose_reading(cp932: str, euc_jp: str) -> str | None:
    """Which of two readings of the same bytes is the text: "cp932", "euc_jp", or None when unsure."""
    _kana, everyday, rare = _japanese_evidence(euc_jp)
    euc_mojibake = rare > 0 and rare >= _MIN_RARE_SHARE_OF_MOJIBAKE * (everyday + rare)
    euc_clean = everyday > 0 and rare <= _MAX_RARE_SHARE * (everyday + rare)
    cp932_halfwidth = _clean_halfwidth(cp932)
    cp932_private = any(0xE000 <= ord(char) <= 0xF8FF for char in cp932)  # lead bytes 0xF0–0xF9: no real text
    if (_ordinary_japanese(euc_jp) and not cp932_halfwidth) or (cp932_private and euc_clean):
        return "euc_jp"
    if cp932_halfwidth and euc_mojibake:
        return "cp932"
    return None


def text_problem(value: str, *, place: str, multiline: bool = False) -> Problem | None:
    """What makes ``value`` unfit to import, or None: a private-use or control character, a damaged character.

    ``place`` names where the value is (``messages.column``, ``messages.json_field``, a header's name). Tab,
    line feed and carriage return are allowed only in ``multiline`` text (an answer, a notice).
    """
    for position, char in enumerate(value, start=1):
        code = ord(char)
        if char in "\t\n\r":
            if not multiline:
                if char == "\t":
                    return Problem("text.tab", place=place, position=position)
                return Problem("text.line_break", place=place, position=position)
        elif 0xE000 <= code <= 0xF8FF or code >= 0xF0000:
            return Problem("text.private_use", place=place, position=position, codepoint=f"{code:04X}")
        elif unicodedata.category(char) == "Cc":
            return Problem("text.control", place=place, position=position, codepoint=f"{code:04X}")
        elif char == "\ufffd":
            return Problem("text.replacement", place=place, position=position)
    return None


def column_label(index: int) -> str:
    """Name a 0-based column as a spreadsheet does: A, B, …, Z, AA, …."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


def cell_problems(
    fields: Sequence[str], names: Sequence[str], multiline: Collection[str] = (), *, only: Collection[str] | None = None
) -> list[Problem]:
    """One problem per cell of a row whose text (stripped, as imported) ``text_problem`` refuses, named by column.

    ``names`` are the header's column names (a cell right of the header is named by its letter only);
    columns named in ``multiline`` may hold line breaks and tabs; with ``only``, other columns (which the
    importer ignores) are not checked.
    """
    problems = []
    for index, value in enumerate(fields):
        name = names[index].strip() if index < len(names) else ""
        if only is not None and name not in only:
            continue
        problem = text_problem(value.strip(), place=messages.column(column_label(index), name),
                               multiline=name in multiline)
        if problem is not None:
            problems.append(problem)
    return problems


# --- decoding helpers ----------------------------------------------------------------------------


def _refuse(file: str, problem: Problem) -> NoReturn:
    raise ImportFailed([file_error(problem, file)])


def _strict(data: bytes, encoding: str, file: str, name: str) -> str:
    """``data`` decoded strictly as ``encoding`` (its BOM dropped), or a refusal naming the first invalid byte."""
    try:
        return data.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        _refuse(file, Problem("text.bom_damaged", encoding=name, **_invalid_byte(data, exc.start)))


def _decode(data: bytes, encoding: str) -> tuple[str | None, int]:
    """``data`` decoded strictly (cp932's stand-ins for non-characters refused), or None and the failing offset."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        return None, exc.start
    if encoding == "cp932":
        for index, char in enumerate(text):
            if char in _CP932_NON_CHARACTERS:
                return None, len(text[:index].encode("cp932"))
    return text, 0


def _invalid_byte(data: bytes, offset: int) -> dict[str, object]:
    """The line and the byte (hex) at ``offset``: the parameters of a refusal naming an invalid byte."""
    return {"line": data[:offset].count(b"\n") + 1, "byte": data[offset : offset + 1].hex().upper()}


def _ordinary_japanese(text: str) -> bool:
    """True for text with some kana and few rare characters (``_japanese_evidence``)."""
    kana, everyday, rare = _japanese_evidence(text)
    return kana >= _MIN_KANA and rare <= _MAX_RARE_SHARE * (everyday + rare)


def _mostly_rare(text: str) -> bool:
    """True when most non-ASCII characters are rare ones: bytes of another encoding read as kanji."""
    _kana, everyday, rare = _japanese_evidence(text)
    return rare > everyday


def _mostly_utf8(data: bytes) -> bool:
    """Tell whether bytes that fail strict UTF-8 are still UTF-8 apart from a few damaged bytes."""
    text = data.decode("utf-8", "replace")
    damaged = text.count("\ufffd")
    decoded = sum(1 for ch in text if ord(ch) > 0x7F) - damaged
    return decoded >= 10 * damaged


def _jis_row(char: str) -> int | None:
    """The JIS X 0208 row of ``char`` (1–94), or None when it has none."""
    try:
        encoded = char.encode("euc_jp")
    except UnicodeEncodeError:
        return None
    return encoded[0] - 0xA0 if len(encoded) == 2 and encoded[0] >= 0xA1 else None


def _japanese_evidence(text: str) -> tuple[int, int, int]:
    """Counts over the non-ASCII characters of ``text``: kana, everyday characters (kana included), rare ones.

    Everyday: hiragana, katakana, well-formed half-width katakana, JIS symbols, full-width digits and
    Latin, level-1 kanji. Rare: everything else (level-2 kanji, Greek, box drawing, misplaced sound marks).
    """
    kana = everyday = rare = 0
    previous = ""
    for char in text:
        code = ord(char)
        if code < 0x80:
            previous = char
            continue
        row = _jis_row(char)
        if 0x3041 <= code <= 0x3096 or 0x30A1 <= code <= 0x30FA or code == 0x30FC:
            kana += 1
            everyday += 1
        elif 0xFF61 <= code <= 0xFF9F:
            if _halfwidth_mark_ok(char, previous):
                kana += 1
                everyday += 1
            else:
                rare += 1
        elif row is not None and (row in _SYMBOL_ROWS or row in _LEVEL1_KANJI_ROWS):
            everyday += 1
        else:
            rare += 1
        previous = char
    return kana, everyday, rare


def _halfwidth_mark_ok(char: str, previous: str) -> bool:
    """False for a half-width sound mark after a character that cannot take it."""
    if char == "ﾞ":
        return previous in _HALFWIDTH_VOICED
    if char == "ﾟ":
        return previous in _HALFWIDTH_SEMI_VOICED
    return True


def _clean_halfwidth(text: str) -> bool:
    """True when every non-ASCII character is half-width katakana, with sound marks where they belong.

    Half-width ｡ ､ ･ are the bytes 0xA1, 0xA4, 0xA5 that start EUC-JP's punctuation, hiragana and katakana:
    when they are a quarter of the half-width characters or more, the text is EUC-JP read as cp932.
    """
    previous = ""
    halfwidth = markers = 0
    for char in text:
        if ord(char) >= 0x80:
            if not (0xFF61 <= ord(char) <= 0xFF9F and _halfwidth_mark_ok(char, previous)):
                return False
            halfwidth += 1
            markers += char in _EUC_LEAD_MARKERS
        previous = char
    return markers * _EUC_MARKER_SHARE < halfwidth or markers < 2
