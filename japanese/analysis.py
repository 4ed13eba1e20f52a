"""Japanese analysis with SudachiPy: the hiragana reading key and the content words of a text.

One Sudachi dictionary is loaded per process, on first use, and shared behind a lock (a Sudachi
tokenizer is not safe to use from two threads at once). Results are cached per text and analyser.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

from sudachipy import Dictionary
from sudachipy import SplitMode

from japanese.normalize import normalize
from japanese.normalize import to_hiragana

# Part-of-speech heads whose words carry the meaning of a question.
_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "接尾辞", "代名詞"}
# Words too common in questions to tell one FAQ from another (normalised forms, hiragana-folded).
_LIGHT_WORDS = frozenset(to_hiragana(w) for w in (
    "為る", "有る", "居る", "成る", "出来る", "言う", "思う", "教える", "知る", "分かる", "良い", "無い",
    "下さる", "頂く", "貰う", "遣る", "呉れる", "見る", "来る", "行く", "事", "物", "方", "時", "所", "為",
    "何", "どこ", "いつ", "どう", "どの", "どれ", "此の", "其の", "此れ", "其れ", "私", "自分", "様",
    "さん", "について", "ください", "場合", "等", "など", "的", "達", "頃", "位", "ほど",
))
# Small kana and the typos residents make with them: ちよう for ちょう, つ for づ.
_LOOSE = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖづぢゐゑを", "あいうえおつやゆよわかけずじいえお")


def loose(key: str) -> str:
    """Fold small kana to large and づ/ぢ to ず/じ in a hiragana key, forgiving common kana typos."""
    return key.translate(_LOOSE)


_LOCK = threading.Lock()
_TOKENIZERS: dict[str, object] = {}


def _tokenizer(mode: str):
    """The process's Sudachi tokenizer for split mode "A" or "C" (one dictionary; call under ``_LOCK``)."""
    if mode not in _TOKENIZERS:
        dictionary = _TOKENIZERS.setdefault("dictionary", Dictionary(dict="core"))
        _TOKENIZERS[mode] = dictionary.tokenizer(mode=SplitMode.A if mode == "A" else SplitMode.C)
    return _TOKENIZERS[mode]


@functools.lru_cache(maxsize=256)
def _tokenized(text: str, mode: str) -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """Sudachi's morphemes of ``text`` in split ``mode`` as (surface, normalised form, reading, part of speech
    with its subdivisions). The dictionary (about 90 MB resident) is loaded once per process and shared by every
    caller. The last few texts are kept: one message is read by the matcher's reading key and content words, by
    the intents' ``words`` and by the health desk while it is answered, and Sudachi reads it once (a few thousand
    kept an index's answers, 50 MB at 10,000 entries)."""
    with _LOCK:
        return tuple((m.surface(), m.normalized_form(), m.reading_form(), m.part_of_speech())
                     for m in _tokenizer(mode).tokenize(text))


@functools.lru_cache(maxsize=256)
def morphemes(text: str) -> tuple[tuple[str, str, str, str], ...]:
    """Sudachi mode-C morphemes of ``text`` as (surface, normalised form, reading, part of speech)."""
    return tuple((surface, form, reading, pos[0]) for surface, form, reading, pos in _tokenized(text, "C"))


@dataclass(frozen=True)
class Word:
    """One Sudachi morpheme: as typed, its normalised form and reading (both kana-folded), its part of speech."""

    surface: str
    lemma: str
    reading: str
    pos: str  # the part of speech (名詞, 動詞, 助詞…)
    sub: str  # its first subdivision (普通名詞, 格助詞, 名詞的…)
    detail: str = ""  # its second subdivision (一般, 副詞可能, 地名…)


@functools.lru_cache(maxsize=20000)
def words(text: str, *, short: bool = False) -> tuple[Word, ...]:
    """The morphemes of ``text`` (NFKC) as ``Word``s: mode C, or mode A (the shortest units) when ``short``.

    Mode A splits compounds into their parts (蛍光灯 → 蛍光 + 灯, レジ袋 → レジ + 袋), which is how a
    compound's head (its last part) is found.
    """
    found = _tokenized(unicodedata.normalize("NFKC", text), "A" if short else "C")
    return tuple(Word(surface, to_hiragana(norm.lower()), to_hiragana(reading), pos[0], pos[1], pos[2])
                 for surface, norm, reading, pos in found)


@functools.lru_cache(maxsize=4096)
def character_readings(char: str) -> tuple[str, ...]:
    """Every reading the dictionary gives one character standing as a word (栗: くり, ぐり, りつ), in hiragana.

    A name read character by character (栗林 as りつりん, 木太 as きぶと) is how residents guess an unknown
    reading; the tokenizer gives only the one reading it picks.
    """
    with _LOCK:
        _tokenizer("C")
        found = _TOKENIZERS["dictionary"].lookup(char)
        return tuple(sorted({to_hiragana(m.reading_form()) for m in found if m.surface() == char}))


_UNVOICED = str.maketrans("がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽゔ",
                          "かきくけこさしすせそたちつてとはひふへほはひふへほう")


def unvoiced(key: str) -> str:
    """A hiragana key without voicing marks (やじま → やしま, きだ → きた): readings that differ only by them."""
    return key.translate(_UNVOICED)


def is_content(word: Word) -> bool:
    """True when ``word`` carries meaning for matching (a content word that is not too common in questions)."""
    return word.pos in _CONTENT_POS and word.lemma not in _LIGHT_WORDS and bool(normalize(word.lemma))


def has_proper_noun(text: str) -> bool:
    """True when Sudachi reads a proper noun (a place, a person, a name) in ``text``: 「火星」, 「大町」, 「木太」."""
    return any(word.pos == "名詞" and word.sub == "固有名詞" for word in words(text))


class JapaneseText:
    """Sudachi-based analysis: reading keys and content words, cached per text."""

    def __init__(self, cache_size: int = 20000):
        self.reading = functools.lru_cache(maxsize=cache_size)(self._reading)
        self.content_words = functools.lru_cache(maxsize=cache_size)(self._content_words)
        self.nouns = functools.lru_cache(maxsize=cache_size)(self._nouns)

    def _morphemes(self, text: str):
        return morphemes(text)

    def _reading(self, text: str) -> str:
        """The hiragana reading key: kana and latin as typed, kanji replaced by their Sudachi reading."""
        parts = []
        for surface, _norm, reading, pos in self._morphemes(unicodedata.normalize("NFKC", text)):
            if pos in {"空白", "補助記号"}:
                continue
            parts.append(surface if _has_no_kanji(surface) else reading)
        return loose(normalize("".join(parts)))

    def _nouns(self, text: str) -> tuple[str, ...]:
        """The content words of ``text`` that are nouns (the things it names), as ``content_words`` gives them."""
        return self._content_words(text, ("名詞",))

    def _content_words(self, text: str, kinds: Collection[str] = _CONTENT_POS) -> tuple[str, ...]:
        """Sudachi's normalised forms of the content words, kana-folded, light words left out."""
        words = []
        for _surface, norm, _reading, pos in self._morphemes(unicodedata.normalize("NFKC", text)):
            if pos not in kinds:
                continue
            word = to_hiragana(norm.lower())
            if word in _LIGHT_WORDS or not normalize(word):
                continue
            words.append(word)
        return tuple(words)


def _has_no_kanji(text: str) -> bool:
    return not any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or c == "々" for c in text)
