"""Finding a city's health phrases in a resident's message, whatever the spelling.

A message is read by Sudachi into words: each keeps its normalised form and the hiragana reading of that
form (the dictionary form, so 痛くて reads いたい), width, katakana and small kana folded. Particles and
polite or past endings stand for no word, and every negative ending (ない, ず, ん of ありません or せん)
reads ない. A phrase (``phrase``: words separated by spaces, read the same way) matches when each of its
words has its own word in the message within a window of about ``MAX_SKIPPED`` words between two of them,
in any order (spoken Japanese turns phrases round: 「痛いの、胸が」): 「胸がすごく痛いです」 holds
胸 … 痛い, 「じいちゃんが倒れて返事せん」 holds 返事 … ない.

A phrase word written in kanji matches a message word with the same normalised form, or any word the
resident typed in kana with the same reading; a phrase word in kana matches any word with its reading.
So むね finds 胸 and 胸 finds むね, but 咳 does not find 席 and 熱 not 断熱.

Sudachi misreads some kana (いたい as 居る + たい, ひきつけ as ひき + つけ), so kana words also stand for
themselves as typed and for the words they spell with the next ones (``MAX_MERGED``), and phrases whose
parts are three kana or more are also looked for in the plain reading of what was typed in kana (words in
kanji stay blanks there, so the reading of 医療情報 never spells 幼児). ``readings`` reads a message a
second time when a kanji word before a particle may have been misread (頭がいたい as 頭蓋 + たい) or a
small vowel is a typo (くるしぃ); a long phrase word after the first may be typed in kana with one letter
wrong (いきがくるすい).

Only words count in that window: particles and endings do not, so a burn told in two polite sentences is
one phrase. 苦しそう, 苦しげ, 苦しいみたい read as 苦しがる (how someone else seems). A kana word Sudachi
gave a form with another sound (ぷう of せんぷうき as 風) keeps its own sound, and a reading in the plain
text must begin and end where words do (やけど is not in ひやけどめ). Each part of a phrase may be found as
its words or spelled in kana, whatever the other parts do (ぜーぜー 苦しい).

``PhraseList`` looks phrases up by their first word, so a message is
compared with few of a city's several hundred phrases.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import KeysView
from dataclasses import dataclass
from dataclasses import field

from rapidfuzz.distance import Levenshtein

from japanese.analysis import loose
from japanese.analysis import morphemes
from japanese.normalize import katakana_as_hiragana
from japanese.normalize import normalize
from japanese.normalize import to_hiragana

MAX_SKIPPED = 4  # other words (particles included) allowed between two words of a phrase
MAX_GAP = 8  # characters allowed between two parts of a phrase in the plain reading
MIN_PLAIN_PART = 3  # shorter parts are matched as whole tokens only
MAX_MERGED = 3  # kana words read together when Sudachi split one word into several
MIN_TYPO_READING = 4  # a phrase word this long, after the first, may be typed in kana with one wrong letter

_SKIPPED_POS = {"助詞", "補助記号", "空白"}
_FUNCTION_POS = {"助詞", "助動詞"}
# Endings that change politeness or tense, not meaning (negation and 「たい」 are kept).
_LIGHT_ENDINGS = {"ます", "です", "た", "だ", "てる", "でる", "ちゃう", "じゃう", "とる", "よる"}
_NEGATIVE = {"ず", "ぬ", "ん", "ない", "無い"}
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々]")
# Dictionary forms Sudachi reads wrongly on their own (為る alone reads なる).
_READINGS = {"為る": "する"}
_BLANK = "\u3000"
_HONORIFICS = {"お", "ご", "おん"}  # kana prefixes that leave the next word whole (おなか, ごはん)
_KANJI_PARTICLE = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff々])([がをはにのもで])")
_SMALL_VOWELS = re.compile("[ぁぃぅぇぉァィゥェォ]")
_LARGE_VOWELS = dict(zip("ぁぃぅぇぉァィゥェォ", "あいうえおアイウエオ", strict=True))
_ADJECTIVE_ENDINGS = set("そげくかけさ")  # what follows an adjective's stem in its other forms
_INFLECTING_POS = {"動詞", "形容詞", "助動詞"}
# Endings after an adjective that say how someone else seems (苦しそう, 苦しげ, 苦しいみたい, 苦しいっぽい,
# 苦しいらしい, 苦しいようだ): they all read as がる, the phrase form of the same thing (苦しがる).
_SEEMING = {"そう", "げ", "みたい", "ぽい", "っぽい", "らしい", "よう", "がる"}


@dataclass(frozen=True)
class Token:
    """One word of a text: its normalised form, the reading of that form, and whether it was typed in kana."""

    form: str
    reading: str
    kana: bool
    # A verb or an adjective not as its dictionary form is typed (written in kanji, or うてる and うっ of うつ);
    # None: kana read together, not one word Sudachi read.
    inflected: bool | None = None

    def matches(self, other: Token) -> bool:
        """True when ``other`` (a word of the message) is this word (of a phrase), in any spelling."""
        same = self.form == other.form or ((self.kana or other.kana) and self.reading == other.reading)
        # A verb or an adjective typed in kana in one of its forms is no word written in kanji that does not
        # inflect, though it sounds the same: 「ただでうてるんか」 is 打つ, not 鬱 (「うつかも」 may be either).
        return same and (self.kana or not (other.inflected and self.inflected is False))

    def almost(self, other: Token) -> bool:
        """True when ``other``, typed in kana, is this long word with one letter wrong (くるすい for 苦しい)."""
        return (other.kana and len(self.reading) >= MIN_TYPO_READING and len(other.reading) >= MIN_TYPO_READING
                and Levenshtein.distance(self.reading, other.reading, score_cutoff=1) <= 1)


@dataclass(frozen=True)
class Spelled:
    """A text as matching sees it: one slot per word (the words it may stand for) and its plain reading."""

    slots: tuple[tuple[Token, ...], ...]
    plain: str
    weights: tuple[int, ...] = ()  # per slot: 1 for a word, 0 for a particle or ending (not counted as between)
    edges: frozenset[int] = frozenset()  # where words begin and end in the plain reading
    # What a phrase's word is looked up by (``_keys``: every word's form and reading, and the reading of a word
    # typed in kana), each with the slots that have it.
    at: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict, compare=False, repr=False)
    _grams: dict[int, frozenset[str]] = field(default_factory=dict, init=False, compare=False, repr=False)

    def grams(self, length: int) -> frozenset[str]:
        """Every run of ``length`` characters in the plain reading (made once per length: a message is
        looked up in every phrase list of the health desk)."""
        if (found := self._grams.get(length)) is None:
            plain = self.plain
            found = self._grams[length] = frozenset(plain[i:i + length] for i in range(len(plain) - length + 1))
        return found

    @property
    def keys(self) -> KeysView[tuple[str, str]]:
        """What phrases are looked up by (``PhraseList``)."""
        return self.at.keys()

    def may_hold(self, token: Token) -> bool:
        """False when no word of the text can match ``token`` (a quick test before the real one)."""
        at = self.at  # the keys of ``_keys``, without building them
        return (("form", token.form) in at or ("kana", token.reading) in at
                or (token.kana and ("reading", token.reading) in at))

    def slots_of(self, token: Token) -> frozenset[int]:
        """The slots holding a word that ``token`` (a phrase's word) ``matches``."""
        found = [self.at[key] for key in _keys(token) if key in self.at]
        return found[0] if len(found) == 1 else frozenset().union(*found)

    @property
    def tokens(self) -> tuple[Token, ...]:
        """The words as Sudachi read them (each slot's first reading)."""
        return tuple(slot[0] for slot in self.slots if slot)


@dataclass(frozen=True)
class Phrase:
    """One phrase as the city wrote it (parts separated by spaces), read for matching.

    Parts written with a leading ``-`` are words that rule the phrase out: 「倒れる -木 -電柱」 is a person
    falling, not a tree.
    """

    text: str
    tokens: tuple[Token, ...]
    parts: tuple[str, ...]  # the plain reading of each part
    spelled: tuple[Token, ...] = ()  # each part as one word spelled in kana (はいた finds は + いた)
    unless: tuple[Token, ...] = ()  # words that rule the phrase out
    mixed: tuple[tuple[Token, ...], ...] = ()  # some parts as words, others spelled (ぜーぜー 苦しい)


@functools.lru_cache(maxsize=4096)
def _reading_of(form: str) -> str:
    """The hiragana reading of a dictionary form (kana forms read as written)."""
    if form in _READINGS:
        return _READINGS[form]
    if not _KANJI.search(form):
        return loose(normalize(form))
    return loose(normalize("".join(reading for _s, _n, reading, _p in morphemes(form))))


def readings(text: str) -> tuple[Spelled, ...]:
    """A message read for matching, twice when a second reading may help: as typed, and with small vowels
    made large (くるしぃ) and a break after each kanji word before a particle (頭がいたい is read 頭蓋 + たい
    unless 頭 stands apart). When Sudachi reads both into the same words (most messages: 頭 already stood
    apart), the message is read once: a second reading would find exactly what the first finds."""
    first = _words_of(text, as_message=True)
    again = _SMALL_VOWELS.sub(lambda m: _LARGE_VOWELS[m.group()], _KANJI_PARTICLE.sub(r"\1 \2", text))
    second = first if again == text else _words_of(again, as_message=True)
    return (_spelled(first),) if second == first else (_spelled(first), _spelled(second))


def spell(text: str, *, as_message: bool = True) -> Spelled:
    """``text`` read for matching (the reading is cached by its words: the same phrases and messages come back).

    A message typed mostly in katakana is read as hiragana; a phrase (``as_message=False``) as written.
    """
    return _spelled(_words_of(text, as_message=as_message))


def _words_of(text: str, *, as_message: bool) -> tuple[tuple[str, str, str], ...]:
    """The words Sudachi reads in ``text`` as (surface, normalised form, part of speech), symbols and spaces
    left out: all that ``_spelled`` reads of a text."""
    text = unicodedata.normalize("NFKC", text)
    return tuple((surface, form, pos) for surface, form, _reading, pos
                 in morphemes(katakana_as_hiragana(text) if as_message else text) if pos not in {"補助記号", "空白"})


@functools.lru_cache(maxsize=20000)
def _spelled(read: tuple[tuple[str, str, str], ...]) -> Spelled:
    """A text's words (``_words_of``) as matching sees them (cached: the same phrases and messages come back)."""
    kana = [loose(normalize(surface)) if not _KANJI.search(surface) else "" for surface, _f, _p in read]
    # A run of endings and particles (んやけど: ん + や + けど, 関西の「だけど」) spells no word: its kana stay
    # out of the plain reading and of merged words, so it never reads as やけど.
    function_runs = _function_runs(read)
    for index in function_runs:
        kana[index] = ""
    slots: list[tuple[Token, ...]] = []
    weights: list[int] = []
    plain = ""
    edges = {0}
    for index, (surface, form, pos) in enumerate(read):
        # Kanji words stand as one blank in the plain reading: it is there for kana Sudachi split.
        plain += kana[index] or _BLANK
        edges.add(len(plain))
        # Kana after a kana prefix that is no honorific is part of a longer word Sudachi did not know
        # (こせき is こ + せき, not 咳): it is read only together with the prefix.
        glued = index > 0 and read[index - 1][2] == "接頭辞" and kana[index - 1] not in _HONORIFICS \
            and bool(kana[index - 1]) and bool(kana[index])
        seeming = index > 0 and read[index - 1][2] == "形容詞" and to_hiragana(form) in _SEEMING
        token = Token("がる", "がる", True) if seeming else _token(surface, form, pos)
        slot = [token] if not glued and token is not None else []
        # Particles and endings stand for no word: they do not count in the window between a phrase's words.
        weights.append(0 if token is None else 1)
        # Kana Sudachi may misread (いたい as 居る + たい) also stands for itself as typed and for the words
        # it spells with the next ones.
        for width in range(2 if glued else 1, MAX_MERGED + 1):
            run = kana[index:index + width]
            if len(run) == width and all(run):
                # One word as typed is still the kind of word Sudachi read (うっ of うった is a verb's).
                kind = token.inflected if width == 1 and token is not None else None
                slot.append(Token("".join(run), "".join(run), True, kind))
        slots.append(tuple(slot))
    at: dict[tuple[str, str], set[int]] = {}
    for position, slot in enumerate(slots):
        for token in slot:
            at.setdefault(("form", token.form), set()).add(position)
            at.setdefault(("reading", token.reading), set()).add(position)
            if token.kana:
                at.setdefault(("kana", token.reading), set()).add(position)
    return Spelled(tuple(slots), plain, tuple(weights), frozenset(edges),
                   at={key: frozenset(positions) for key, positions in at.items()})


def _function_runs(read: tuple[tuple[str, str, str], ...]) -> set[int]:
    """Positions of words in runs of two or more particles and endings (助詞, 助動詞) after a word Sudachi
    read whole (a verb, adjective or noun): 「ほしいんやけど」. After pieces of a word Sudachi did not know
    (アナフィラキシー typed in kana reads あな + ふ + ら + き + しー) the kana are left as they are."""
    function = [pos in _FUNCTION_POS for _s, _f, pos in read]
    runs: set[int] = set()
    start = 0
    while start < len(read):
        end = start
        while end < len(read) and function[end]:
            end += 1
        if end - start >= 2 and start > 0 and _whole_word(read[start - 1]):
            runs.update(range(start, end))
        start = end + 1 if end == start else end
    return runs


def _whole_word(morpheme: tuple[str, str, str]) -> bool:
    surface, _form, pos = morpheme
    return pos in {"動詞", "形容詞", "形状詞", "代名詞"} or (pos == "名詞" and len(surface) >= 2)


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
    typed = "" if _KANJI.search(surface) else loose(normalize(surface))
    if typed and pos not in _INFLECTING_POS and reading and not _same_start(typed, reading):
        # Kana Sudachi gave a dictionary form that reads otherwise (ぷう of せんぷうき as 風, read かぜ):
        # it reads as typed, so it never stands for another word with that form's sound (風邪).
        return Token(base, typed, True)
    inflected = pos in _INFLECTING_POS and (not typed or to_hiragana(normalize(surface)) != base)
    return Token(base, reading, bool(typed), inflected) if reading else None


def _same_start(typed: str, reading: str) -> bool:
    """True when two readings begin with the same kana, voiced or not (ぐすり and くすり, ぜーぜー and ぜいぜい)."""
    def plain(kana: str) -> str:
        return unicodedata.normalize("NFD", kana[:1])[:1]
    return plain(typed) == plain(reading)


@functools.lru_cache(maxsize=4096)
def phrase(text: str) -> Phrase:
    """The phrase ``text`` read for matching; ValueError when nothing of it can be matched."""
    words = [part for part in text.split() if part]
    parts = [part for part in words if not part.startswith("-")]
    read = [spell(part, as_message=False).tokens for part in parts]
    tokens = tuple(token for part in read for token in part)
    if not tokens:
        raise ValueError(f"the phrase {text!r} has no word to look for")
    unless = tuple(token for part in words if part.startswith("-")
                   for token in spell(part[1:], as_message=False).tokens)
    plain = tuple(_kana_reading(part) for part in parts)
    # A part of one word keeps what kind of word it is: spelled in kana, 鬱 is still no verb (うつ of 打つ).
    spelled = tuple(Token(part, part, False, words[0].inflected if len(words) == 1 else None)
                    for part, words in zip(plain, read, strict=True))
    # Each part may be found as its words or as one word spelled in kana, whatever the other parts do:
    # ぜーぜー reads ぜー + ぜー on its own but ぜいぜい in a message, next to 苦しい found as a word.
    mixed = tuple(
        combined for choice in itertools.product((False, True), repeat=len(parts)) if 0 < sum(choice) < len(parts)
        if (combined := tuple(token for part, word, as_word in zip(read, spelled, choice, strict=True)
                              for token in ((word,) if as_word else part)))
    ) if len(parts) > 1 else ()
    return Phrase(" ".join(words), tokens, plain, spelled, unless, mixed)


def _kana_reading(part: str) -> str:
    """The whole reading of one part of a phrase, kanji read too (ひきつけ for 引きつけ)."""
    pieces = [reading if _KANJI.search(surface) else surface
              for surface, _form, reading, pos in morphemes(unicodedata.normalize("NFKC", part))
              if pos not in {"補助記号", "空白"}]
    return loose(normalize("".join(pieces)))


def found(item: Phrase, message: Spelled) -> bool:
    """True when the phrase is in the message (see the module docstring) and no word rules it out."""
    if any(message.slots_of(word) for word in item.unless):
        return False
    parts = len(item.parts)
    return (_tokens_in_order(item.tokens, message, parts) or _tokens_in_order(item.spelled, message, parts)
            or any(_tokens_in_order(tokens, message, parts) for tokens in item.mixed)
            or _parts_in_order(item.parts, message))


def _tokens_in_order(wanted: tuple[Token, ...], message: Spelled, parts: int) -> bool:
    """True when every wanted token has its own slot within one window of the message's words: the phrase's
    words, and ``MAX_SKIPPED`` others between each two of its ``parts`` (none inside a part: いなくなる)."""
    if not message.may_hold(wanted[0]) or not all(message.may_hold(token) or len(token.reading) >= MIN_TYPO_READING
                                                  for token in wanted[1:]):
        return False
    slots = message.slots
    width = len(wanted) + MAX_SKIPPED * (parts - 1)
    # A window starts at a slot holding one of the wanted words (found by key, not by comparing every slot).
    for start in sorted(frozenset().union(*(message.slots_of(token) for token in wanted))):
        if _assign(wanted, 0, slots[start:_window_end(message, start, width)], frozenset()):
            return True
    return False


def _window_end(message: Spelled, start: int, width: int) -> int:
    """Where a window of ``width`` words from ``start`` ends; particles and endings are not counted."""
    end, counted = start + 1, 1
    while end < len(message.slots) and (counted < width or not message.weights[end]):
        counted += message.weights[end]
        end += 1
    return end


def _assign(wanted: tuple[Token, ...], index: int, window: tuple[tuple[Token, ...], ...],
            used: frozenset[int]) -> bool:
    if index == len(wanted):
        return True
    word = wanted[index]
    return any(position not in used
               and any(word.matches(token) or (index > 0 and word.almost(token)) for token in slot)
               and _assign(wanted, index + 1, window, used | {position})
               for position, slot in enumerate(window))


def _parts_in_order(parts: tuple[str, ...], message: Spelled) -> bool:
    if not parts or any(len(part) < MIN_PLAIN_PART or _stem(part) not in message.plain for part in parts):
        return False
    return _part_follows(parts, 0, message, 0, None)


def _stem(part: str) -> str:
    """What every form of a part begins with: an adjective's stem (くるし of くるしい), else the part."""
    return part[:-1] if part.endswith("い") and len(part) > MIN_PLAIN_PART else part


def _part_follows(parts: tuple[str, ...], index: int, message: Spelled, at: int, limit: int | None) -> bool:
    if index == len(parts):
        return True
    part = parts[index]
    stem = _stem(part)
    position = message.plain.find(stem, at)
    while position != -1 and (limit is None or position <= limit):
        # A part is a whole word or a run of words, never the inside of one (やけど in ひやけどめ); an
        # adjective may end in another form (くるしそう, くるしげ, くるしくて), whatever Sudachi made of it.
        for end in _ends(part, stem, message, position):
            if position in message.edges and _part_follows(parts, index + 1, message, end, end + MAX_GAP):
                return True
        position = message.plain.find(stem, position + 1)
    return False


def _ends(part: str, stem: str, message: Spelled, position: int) -> list[int]:
    """Where ``part`` found at ``position`` ends: the whole part at a word's end, or an adjective's stem
    before another ending."""
    ends = []
    plain = message.plain
    if plain.startswith(part, position) and position + len(part) in message.edges:
        ends.append(position + len(part))
    if stem != part and plain[position + len(stem):position + len(stem) + 1] in _ADJECTIVE_ENDINGS:
        ends.append(position + len(stem))
    return ends


def _keys(token: Token) -> tuple[tuple[str, str], ...]:
    """What a phrase's word is looked up by: its form, its reading from a kana word, any reading if kana."""
    keys = (("form", token.form), ("kana", token.reading))
    return keys + (("reading", token.reading),) if token.kana else keys


class PhraseList:
    """Phrases in the city's order, indexed by their first word so a message is compared with few of them."""

    def __init__(self, phrases: tuple[Phrase, ...]):
        self.phrases = phrases
        self._index: dict[tuple[str, str], set[int]] = {}
        # Phrases the plain reading may find (every part three kana or more), by the length of their first
        # part, then by that part.
        self._plain: dict[int, dict[str, list[int]]] = {}
        for position, item in enumerate(phrases):
            for first in (item.tokens[0], item.spelled[0]):
                for key in _keys(first):
                    self._index.setdefault(key, set()).add(position)
            if all(len(part) >= MIN_PLAIN_PART for part in item.parts):
                first_part = item.parts[0]
                self._plain.setdefault(len(first_part), {}).setdefault(first_part, []).append(position)

    def __len__(self) -> int:
        return len(self.phrases)

    def first_found(self, message: tuple[Spelled, ...]) -> Phrase | None:
        """The first phrase found in any reading of the message (``readings``), or None."""
        position = self.first_found_at(message)
        return None if position is None else self.phrases[position]

    def first_found_at(self, message: tuple[Spelled, ...]) -> int | None:
        """The position of the first phrase found in any reading of the message, or None."""
        candidates: set[int] = set()
        for reading in message:
            for key in self._index.keys() & reading.keys:
                candidates |= self._index[key]
            for length, by_part in self._plain.items():
                for part in by_part.keys() & reading.grams(length):
                    candidates.update(by_part[part])
        for position in sorted(candidates):
            if any(found(self.phrases[position], reading) for reading in message):
                return position
        return None
