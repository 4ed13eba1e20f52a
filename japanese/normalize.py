"""The Japanese normaliser: one matching key for queries, FAQ questions, aliases and item names.

The key is for matching only; text shown to residents is never altered.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
_KATAKANA_TO_HIRAGANA[ord("ヽ")] = ord("ゝ")
_KATAKANA_TO_HIRAGANA[ord("ヾ")] = ord("ゞ")

# Dash and long-vowel look-alikes that NFKC leaves alone; after a kana they are a long vowel.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70-"
_DASH_RUN = re.compile(f"[{re.escape(_DASHES)}]+")
# Spaces, punctuation and symbols that carry no meaning for matching.
_NOISE = re.compile(
    r"[\s\u3000、。，．,.・･!！?？~〜～「」『』【】()（）\[\]［］{}｛｝"
    r"<>＜＞\"'`…‥:：;；/／\\＼|｜*＊#＃@＠^＾_＿]+"
)
_UNITS = str.maketrans({"㎝": "cm", "㎜": "mm", "㎞": "km", "㎏": "kg", "㎎": "mg", "㍑": "l", "ℓ": "l", "㎡": "m2"})


def to_hiragana(text: str) -> str:
    """Fold full-width katakana to hiragana (ペットボトル → ぺっとぼとる); other characters are kept."""
    return text.translate(_KATAKANA_TO_HIRAGANA)


_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々]")


def katakana_as_hiragana(text: str) -> str:
    """A message typed mostly in katakana (as phones with half-width kana type everything: 「ﾌﾗｲﾊﾟﾝ ｽﾃﾙ」), in
    hiragana after NFKC: what the bot reads in a message (the words of its patterns, Sudachi's dictionary) is
    written in hiragana and kanji, and ｽﾃﾙ is すてる. Any other text is returned as it is: katakana among hiragana
    or kanji spells loanwords (ウイルス must not become うい + るす)."""
    folded = unicodedata.normalize("NFKC", text)
    katakana = sum("\u30a1" <= c <= "\u30fa" for c in folded)
    hiragana = sum("\u3041" <= c <= "\u3096" for c in folded)
    return to_hiragana(folded) if katakana > hiragana and not _KANJI.search(folded) else text


@functools.lru_cache(maxsize=16384)
def normalize(text: str) -> str:
    """Return the matching key of ``text``: NFKC, lower case, no spaces or punctuation, kana folded.

    Half-width kana and full-width ASCII become standard forms (NFKC), any run of dashes or long-vowel
    marks after kana becomes one ``ー``, other dash runs become ``-``, unit symbols are spelled out.
    Cached: a message, and the names it is compared with, are keyed many times while it is answered.
    """
    text = unicodedata.normalize("NFKC", text.translate(_UNITS)).lower()
    text = _DASH_RUN.sub(lambda m: "ー" if m.start() > 0 and _is_kana(text[m.start() - 1]) else "-", text)
    text = _NOISE.sub("", text)
    text = text.strip("-")
    return to_hiragana(text)


def _is_kana(char: str) -> bool:
    return "\u3041" <= char <= "\u30ff" or char == "ー"


def person(name: str | None) -> str:
    """A person's name as stored and shown: Unicode NFKC, spaces trimmed and runs of spaces made one ("" when
    there is none)."""
    return " ".join(unicodedata.normalize("NFKC", name or "").split())


def same_person(one: str | None, other: str | None) -> bool:
    """True when two names name the same person: equal after ``person`` and ignoring letter case (never for an
    empty name)."""
    first = person(one).casefold()
    return bool(first) and first == person(other).casefold()
