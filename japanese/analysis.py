"""Japanese analysis with SudachiPy: the hiragana reading key and the content words of a text.

One Sudachi dictionary is loaded per process, on first use, and shared behind a lock (a Sudachi
tokenizer is not safe to use from two threads at once). Results are cached per text and analyser.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
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
_TOKENIZER = None


def morphemes(text: str) -> list[tuple[str, str, str, str]]:
    """Sudachi mode-C morphemes of ``text`` as (surface, normalised form, reading, part of speech).

    The dictionary (about 90 MB resident) is loaded once per process and shared by every caller.
    """
    global _TOKENIZER
    with _LOCK:
        if _TOKENIZER is None:
            _TOKENIZER = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
        return [
            (m.surface(), m.normalized_form(), m.reading_form(), m.part_of_speech()[0])
            for m in _TOKENIZER.tokenize(text)
        ]


@dataclass(frozen=True)
class Word:
    """One Sudachi morpheme: as typed, its normalised form and reading in hiragana, its part of speech (3 levels)."""

    surface: str
    lemma: str
    pos: tuple[str, ...]
    reading: str = ""


@functools.lru_cache(maxsize=4096)
def words(text: str) -> tuple[Word, ...]:
    """The Sudachi mode-C morphemes of ``text`` (NFKC) with their lemmas and parts of speech."""
    morphemes(text)  # loads the dictionary
    with _LOCK:
        return tuple(Word(m.surface(), to_hiragana(m.normalized_form().lower()), tuple(m.part_of_speech()[:3]),
                          to_hiragana(m.reading_form()))
                     for m in _TOKENIZER.tokenize(unicodedata.normalize("NFKC", text)))


def has_proper_noun(text: str) -> bool:
    """True when Sudachi reads a proper noun (a place, a person, a name) in ``text``: 「火星」, 「大町」, 「木太」."""
    return any(word.pos[:2] == ("名詞", "固有名詞") for word in words(text))


class JapaneseText:
    """Sudachi-based analysis: reading keys and content words, cached per text."""

    def __init__(self, cache_size: int = 20000):
        self.reading = functools.lru_cache(maxsize=cache_size)(self._reading)
        self.content_words = functools.lru_cache(maxsize=cache_size)(self._content_words)

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

    def _content_words(self, text: str) -> tuple[str, ...]:
        """Sudachi's normalised forms of the content words, kana-folded, light words left out."""
        words = []
        for _surface, norm, _reading, pos in self._morphemes(unicodedata.normalize("NFKC", text)):
            if pos not in _CONTENT_POS:
                continue
            word = to_hiragana(norm.lower())
            if word in _LIGHT_WORDS or not normalize(word):
                continue
            words.append(word)
        return tuple(words)


def _has_no_kanji(text: str) -> bool:
    return not any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or c == "々" for c in text)
