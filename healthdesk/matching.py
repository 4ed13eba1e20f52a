"""Finding a city's health phrases in a resident's message, whatever the spelling.

A message and a phrase are both read by Sudachi into tokens: each token keeps its normalised form and
the hiragana reading of that form (the dictionary form, so 痛くて reads いたい), with width, katakana and
small kana folded. Particles, punctuation and polite or past endings are left out, and every negative
ending (ない, ず, ん of ありません or せん) reads ない. A phrase matches when each of its tokens has its own
match in the message within a window of about ``MAX_SKIPPED`` other tokens between two of them, in any
order (spoken Japanese turns phrases round: 「痛いの、胸が」): 「胸がすごく痛いです」 holds 胸 … 痛い,
「じいちゃんが倒れて返事せん」 holds 返事 … ない.

A phrase token written in kanji matches a message token with the same normalised form, or any token the
resident wrote in kana with the same reading; a phrase token in kana matches any token with its reading.
So むね finds 胸 and 胸 finds むね, but 咳 does not find 席. Sudachi sometimes splits kana it does not
know (ひきつけ → ひき + つけ); phrases whose parts are three kana or longer are therefore also looked for
in the plain reading of what the resident typed in kana (words in kanji stay blanks there, so the
reading of 医療情報 never spells 幼児).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from japanese.analysis import loose
from japanese.analysis import morphemes
from japanese.normalize import normalize
from japanese.normalize import to_hiragana

MAX_SKIPPED = 4  # other words (particles included) allowed between two words of a phrase
MAX_GAP = 8  # characters allowed between two parts of a phrase in the plain reading
MIN_PLAIN_PART = 3  # shorter parts are matched as whole tokens only
MAX_MERGED = 3  # kana words read together when Sudachi split one word into several

_SKIPPED_POS = {"助詞", "補助記号", "空白"}
# Endings that change politeness or tense, not meaning (negation and 「たい」 are kept).
_LIGHT_ENDINGS = {"ます", "です", "た", "だ", "てる", "でる", "ちゃう", "じゃう", "とる", "よる"}
_NEGATIVE = {"ず", "ぬ", "ん", "ない", "無い"}
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々]")
# Dictionary forms Sudachi reads wrongly on their own (為る alone reads なる).
_READINGS = {"為る": "する"}
_BLANK = "\u3000"
_KANJI_PARTICLE = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff々])([がをはにのもで])")
_SMALL_VOWELS = re.compile("[ぁぃぅぇぉァィゥェォ]")
_LARGE_VOWELS = dict(zip("ぁぃぅぇぉァィゥェォ", "あいうえおアイウエオ", strict=True))


@dataclass(frozen=True)
class Token:
    """One word of a text: its normalised form, the reading of that form, and whether it was typed in kana."""

    form: str
    reading: str
    kana: bool

    def matches(self, other: Token) -> bool:
        """True when ``other`` (a word of the message) is this word (of a phrase), in any spelling."""
        if self.form == other.form:
            return True
        return (self.kana or other.kana) and self.reading == other.reading


@dataclass(frozen=True)
class Spelled:
    """A text as matching sees it: one slot per word (the readings that word may stand for), its plain
    reading, and where the words start and end in that reading."""

    slots: tuple[tuple[Token, ...], ...]
    plain: str
    starts: frozenset[int]
    ends: frozenset[int]

    @property
    def tokens(self) -> tuple[Token, ...]:
        """The words as Sudachi read them (each slot's first reading)."""
        return tuple(slot[0] for slot in self.slots if slot)


@dataclass(frozen=True)
class Phrase:
    """One phrase as the city wrote it (parts separated by spaces), read for matching."""

    text: str
    tokens: tuple[Token, ...]
    parts: tuple[str, ...]  # the plain reading of each part

    @property
    def spelled(self) -> tuple[Token, ...]:
        """Each part as one word spelled in kana (はいた finds は + いた, as Sudachi may split it)."""
        return tuple(Token(part, part, False) for part in self.parts)


@functools.lru_cache(maxsize=4096)
def _reading_of(form: str) -> str:
    """The hiragana reading of a dictionary form (kana forms read as written)."""
    if form in _READINGS:
        return _READINGS[form]
    if not _KANJI.search(form):
        return loose(normalize(form))
    return loose(normalize("".join(reading for _s, _n, reading, _p in morphemes(form))))


def _as_read(text: str) -> str:
    """A message typed mostly in katakana, in hiragana: Sudachi knows イキガクルシイ only as いきがくるしい.

    Katakana among hiragana and kanji is kept: there it spells loanwords (ウイルス must not become うい+るす).
    """
    katakana = sum("\u30a1" <= c <= "\u30fa" for c in text)
    hiragana = sum("\u3041" <= c <= "\u3096" for c in text)
    return to_hiragana(text) if katakana > hiragana and not _KANJI.search(text) else text


def readings(text: str) -> tuple[Spelled, ...]:
    """A message read for matching, twice when a second reading may help: as typed, and with small vowels
    made large (くるしぃ) and a break after each kanji word before a particle (頭がいたい is read 頭蓋 + たい
    unless 頭 stands apart)."""
    first = spell(text)
    again = _SMALL_VOWELS.sub(lambda m: _LARGE_VOWELS[m.group()], _KANJI_PARTICLE.sub(r"\1 \2", text))
    return (first,) if again == text else (first, spell(again))


@functools.lru_cache(maxsize=20000)
def spell(text: str) -> Spelled:
    """``text`` read for matching (cached: the same phrases and messages come back often)."""
    read = [(surface, form, pos) for surface, form, _reading, pos
            in morphemes(_as_read(unicodedata.normalize("NFKC", text))) if pos not in {"補助記号", "空白"}]
    kana = [loose(normalize(surface)) if not _KANJI.search(surface) else "" for surface, _f, _p in read]
    slots: list[tuple[Token, ...]] = []
    plain = ""
    starts: set[int] = set()
    ends: set[int] = set()
    for index, (surface, form, pos) in enumerate(read):
        # Kanji words stand as one blank in the plain reading: it is there for kana Sudachi split.
        piece = kana[index] or _BLANK
        starts.add(len(plain))
        plain += piece
        ends.add(len(plain))
        slot = [token] if (token := _token(surface, form, pos)) is not None else []
        # Kana Sudachi may misread (いたい as 居る + たい) also stands for itself as typed and for the words
        # it spells with the next ones.
        for width in range(1, MAX_MERGED + 1):
            run = kana[index:index + width]
            if len(run) == width and all(run):
                slot.append(Token("".join(run), "".join(run), True))
        slots.append(tuple(slot))
    return Spelled(tuple(slots), plain, frozenset(starts), frozenset(ends))


def _token(surface: str, form: str, pos: str) -> Token | None:
    """The word a morpheme stands for, or None for particles and polite or past endings."""
    if pos in _SKIPPED_POS:
        return None
    base = to_hiragana(form.lower())
    if pos == "助動詞" and base in _LIGHT_ENDINGS:
        return None
    if base in _NEGATIVE and pos in {"助動詞", "形容詞"}:
        return Token("ない", "ない", True)
    reading = _reading_of(form)
    return Token(base, reading, not _KANJI.search(surface)) if reading else None


@functools.lru_cache(maxsize=4096)
def phrase(text: str) -> Phrase:
    """The phrase ``text`` read for matching; ValueError when nothing of it can be matched."""
    parts = [part for part in text.split() if part]
    tokens = tuple(token for part in parts for token in spell(part).tokens)
    if not tokens:
        raise ValueError(f"the phrase {text!r} has no word to look for")
    return Phrase(" ".join(parts), tokens, tuple(_kana_reading(part) for part in parts))


def _kana_reading(part: str) -> str:
    """The whole reading of one part of a phrase, kanji read too (ひきつけ for 引きつけ)."""
    pieces = [reading if _KANJI.search(surface) else surface
              for surface, _form, reading, pos in morphemes(unicodedata.normalize("NFKC", part))
              if pos not in {"補助記号", "空白"}]
    return loose(normalize("".join(pieces)))


def found(item: Phrase, message: Spelled) -> bool:
    """True when the phrase is in the message (see the module docstring)."""
    return (_tokens_in_order(item.tokens, message.slots) or _tokens_in_order(item.spelled, message.slots)
            or _parts_in_order(item.parts, message))


def _tokens_in_order(wanted: tuple[Token, ...], slots: tuple[tuple[Token, ...], ...]) -> bool:
    """True when every wanted token has its own slot within one window of the message's words."""
    width = len(wanted) + MAX_SKIPPED * (len(wanted) - 1)
    for start in range(len(slots)):
        window = slots[start:start + width]
        if any(item.matches(token) for item in wanted for token in window[0]):
            if _assign(wanted, 0, window, frozenset()):
                return True
    return False


def _assign(wanted: tuple[Token, ...], index: int, window: tuple[tuple[Token, ...], ...],
            used: frozenset[int]) -> bool:
    if index == len(wanted):
        return True
    return any(position not in used and any(wanted[index].matches(token) for token in slot)
               and _assign(wanted, index + 1, window, used | {position})
               for position, slot in enumerate(window))


def _parts_in_order(parts: tuple[str, ...], message: Spelled) -> bool:
    if not parts or any(len(part) < MIN_PLAIN_PART for part in parts):
        return False
    return _part_follows(parts, 0, message, 0, None)


def _part_follows(parts: tuple[str, ...], index: int, message: Spelled, at: int, limit: int | None) -> bool:
    if index == len(parts):
        return True
    part = parts[index]
    position = message.plain.find(part, at)
    while position != -1 and (limit is None or position <= limit):
        end = position + len(part)
        if _part_follows(parts, index + 1, message, end, end + MAX_GAP):
            return True
        position = message.plain.find(part, position + 1)
    return False


def any_found(phrases: tuple[Phrase, ...], message: tuple[Spelled, ...]) -> Phrase | None:
    """The first of ``phrases`` found in any reading of the message (``readings``), or None."""
    return next((item for item in phrases if any(found(item, reading) for reading in message)), None)
