"""Masking of contact details in what residents type, before it is stored for the staff.

``mask(text)`` replaces phone numbers, e-mail addresses, postal codes and street numbers (丁目・番地・番・号,
``1-2-3``, ``2の3``) by a placeholder, and leaves the rest of the question as it was: dates (12月3日),
times, amounts (3000円), ages (65歳) and counts stay readable. The text is NFKC-normalised first, so
full-width digits, hyphens and ``＠`` are found like their ASCII forms.

Phone numbers are found by ``phonenumbers`` (Google's libphonenumber) as Japanese numbers: every number
it accepts as valid, and every possible one written the way a Japanese number is (a leading ``0`` and 10
or 11 digits, or ``+`` and a country code). Names are not masked: they cannot be told from other words.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

PHONE = "〔電話番号〕"
EMAIL = "〔メール〕"
POSTAL = "〔郵便番号〕"
STREET = "〔番地〕"

_DASH = "-‐‑‒–—―−ー"  # NFKC leaves these look-alikes of a hyphen; residents type any of them
_DASHES = re.escape(_DASH)  # for use inside a character class
_D = f"[{_DASHES}]"
_KANJI_NUMBER = "〇一二三四五六七八九十百千"
_NUMBER = rf"(?:\d+|[{_KANJI_NUMBER}]+)"
# A counter or unit after a number: what follows is a quantity, a date or a time, not an address.
_UNIT = "年月日時分秒円歳才人名個回件枚本冊台匹頭羽度倍割階週%"

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_POSTAL = re.compile(
    rf"(?:〒|郵便番号(?:は|:)?)\s*\d{{3}}{_D}?\d{{4}}(?!\d)"  # 〒123-4567, 郵便番号は1234567
    rf"|(?<![\d{_DASHES}])\d{{3}}{_D}\d{{4}}(?![\d{_DASHES}{_UNIT}])"  # 123-4567 on its own
)
# A run of address numbers: 1丁目2番3号, 2番地の3, 1-2-3, 2の3-101, 三丁目, 12番地, 101号室.
_STREET = re.compile(
    rf"{_NUMBER}丁目(?:\s*{_NUMBER}(?:番地?|号|{_D}|の))*(?:\s*\d+(?:号室|号|(?![\d{_UNIT}])))?"
    rf"|{_NUMBER}番地(?:の?\d+(?:号|{_D})?)*"
    rf"|\d+番\d+(?:号|{_D}\d+)?"
    rf"|(?<![\d{_DASHES}])\d+(?:{_D}|の)\d+(?:(?:{_D}|の)\d+)+(?:号室)?(?![\d{_UNIT}])"  # 1-2-3, 1-2-3-101
    rf"|\d+号室"
)
# ``N-N`` or ``NのN`` right after a place name (本町2-3, 本町2の3): an address unless a unit follows.
_SHORT_STREET = re.compile(
    rf"(?<=[\u4e00-\u9fff\u3041-\u30ff])(?<![{_KANJI_NUMBER}第約])(?<!令和|平成|昭和)"
    rf"\d+(?:{_D}|の)\d+(?![\d{_DASHES}{_UNIT}])"
)
_DATE = re.compile(rf"(?:19|20)\d\d{_D}(?:0?[1-9]|1[0-2]){_D}(?:0?[1-9]|[12]\d|3[01])(?!\d)")


def mask(text: str) -> str:
    """``text`` (NFKC) with phone numbers, e-mail addresses, postal codes and street numbers replaced;
    ``text`` itself, unchanged, when it has none of them."""
    masked = unicodedata.normalize("NFKC", text)
    masked = _EMAIL.sub(EMAIL, masked)
    masked = _mask_phones(masked)
    masked = _POSTAL.sub(POSTAL, masked)
    masked = _STREET.sub(lambda m: m.group() if _DATE.fullmatch(m.group()) else STREET, masked)
    masked = _SHORT_STREET.sub(STREET, masked)
    return masked if any(p in masked for p in (PHONE, EMAIL, POSTAL, STREET)) else text


def _mask_phones(text: str) -> str:
    spans = []
    for match in phonenumbers.PhoneNumberMatcher(text, "JP", leniency=phonenumbers.Leniency.POSSIBLE):
        if _is_phone(match):
            spans.append((match.start, match.end))
    for start, end in reversed(spans):
        text = text[:start] + PHONE + text[end:]
    return text


def _is_phone(match: phonenumbers.PhoneNumberMatch) -> bool:
    """A number libphonenumber finds valid, or one written the way Japanese numbers are."""
    if phonenumbers.is_valid_number(match.number):
        return True
    raw = match.raw_string.lstrip("(")
    if raw.startswith("+"):
        return True
    digits = re.sub(r"\D", "", raw)
    return digits.startswith("0") and len(digits) in (10, 11) and not _DATE.fullmatch(raw)
