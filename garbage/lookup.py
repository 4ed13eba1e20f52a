"""Finding the dictionary items a resident means, by the names people use.

Residents name things loosely: a general word for several items (電池 → 乾電池, ボタン電池, ニカド電池…),
a thing inside a description (「引っ越しで出たダンボール」, 「ペットボトルのキャップ」), another spelling (ふた,
フタ, 蓋) or a near name (蛍光灯 for 蛍光管). Every item name is split by Sudachi into its shortest parts
(mode A: ボタン電池 → ボタン + 電池), so a name can be matched by its head, the last part, as Japanese
compounds are built: a ボタン電池 is a kind of 電池. Readings match kana-only input (でんち).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

from japanese.analysis import Word
from japanese.analysis import loose
from japanese.analysis import words
from japanese.normalize import normalize
from search.items import bare_name
from search.items import bracketed

_SKIP_POS = {"補助記号", "空白"}
_KANA_ONLY = re.compile(r"^[ぁ-ゖー]+$")
_ALTERNATIVES = re.compile(r"[・、,，/／]")  # 「ふた・キャップ」 names two things
# A word is a kind of garbage rather than a thing (ごみ) when it ends at least this many category names.
GENERIC_HEADS = 2


def _kanji(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" or c == "々" for c in text)


@dataclass(frozen=True)
class Parts:
    """A name in its shortest parts: their normalised forms and readings (kana-folded)."""

    lemmas: tuple[str, ...]
    readings: tuple[str, ...]
    surfaces: tuple[str, ...]
    written: tuple[str, ...] = ()  # the parts as written (not normalised)

    @staticmethod
    def of(text: str) -> Parts:
        """The parts of ``text`` (symbols and spaces left out); cached, as a message's words are looked up in
        several ways while it is answered."""
        return _parts_of(text)

    @property
    def reading(self) -> str:
        """How the whole name is read (hiragana, small kana folded)."""
        return loose("".join(self.readings))

    def ends_with(self, other: Parts) -> bool:
        """True when ``other`` is this name's head: its last parts, in the same words (電池 of ボタン電池).

        A compound the dictionary keeps whole (空き缶) counts when it ends with the word, written and read
        the same (缶, かん); 手袋 does not end with 袋 that way (てぶくろ), nor 花瓶 with 瓶.
        """
        n = len(other.lemmas)
        if 0 < n <= len(self.lemmas) and self.lemmas[-n:] == other.lemmas:
            return True
        if n != 1 or not self.surfaces:
            return False
        last, reading, word, word_reading = self.surfaces[-1], self.readings[-1], other.surfaces[0], other.readings[0]
        return (len(last) > len(word) and last.endswith(word) and reading.endswith(word_reading)
                and _kanji(word))

    def starts_with(self, other: Parts) -> bool:
        """True when ``other``'s parts begin this longer name (段ボール of 段ボール箱)."""
        n = len(other.lemmas)
        return 0 < n < len(self.lemmas) and self.lemmas[:n] == other.lemmas

    def ends_with_reading(self, reading: str) -> bool:
        """True when ``reading`` is how this name's last parts are read (でんち for ボタン電池)."""
        return any("".join(self.readings[i:]) == reading for i in range(len(self.readings)))

    def near(self, other: Parts) -> bool:
        """True when both are one stem with a different one-kanji head (蛍光灯 and 蛍光管, 洗濯機 and 洗濯器).

        The stem must be at least two characters, so that it names the thing on its own.
        """
        if len(self.lemmas) < 2 or self.lemmas[:-1] != other.lemmas[:-1] or len("".join(self.lemmas[:-1])) < 2:
            return False
        mine, theirs = self.lemmas[-1], other.lemmas[-1]
        return mine != theirs and len(mine) == len(theirs) == 1 and _kanji(mine) and _kanji(theirs)


@functools.lru_cache(maxsize=20000)
def _parts_of(text: str) -> Parts:
    found: Sequence[Word] = [w for w in words(text, short=True) if w.pos not in _SKIP_POS]
    return Parts(tuple(w.lemma for w in found), tuple(normalize(w.reading) or normalize(w.surface) for w in found),
                 tuple(normalize(w.surface) for w in found), tuple(w.surface for w in found))


def _index_keys(parts: Parts) -> list[tuple[str, str]]:
    """Where a name is indexed: its head, the last character written, its first part, its stem, its end readings."""
    if not parts.lemmas:
        return []
    keys = [("last", parts.lemmas[-1]), ("end", parts.surfaces[-1][-1:]), ("first", parts.lemmas[0]),
            ("stem", "|".join(parts.lemmas[:-1]))]
    return keys + [("reading", "".join(parts.readings[i:])) for i in range(len(parts.readings))]


def _spelled_parts(parts: Parts) -> list[tuple[str, str]]:
    """(reading, spelling) of the name's trailing and leading whole parts, but not of the whole name."""
    n = len(parts.written)
    ends = [(loose("".join(parts.readings[i:])), "".join(parts.written[i:])) for i in range(1, n)]
    starts = [(loose("".join(parts.readings[:i])), "".join(parts.written[:i])) for i in range(1, n)]
    return [(reading, spelling) for reading, spelling in ends + starts if reading]


class ItemNames:
    """The dictionary's distinct names (brackets removed), each split into its parts, for loose lookups."""

    def __init__(self, names: Iterable[str], categories: Iterable[str] = ()):
        self.names: list[str] = []
        self._parts: list[tuple[Parts, ...]] = []
        self._keys: dict[str, str] = {}  # the name as written, its bare name or its reading → the bare name
        self._index: dict[tuple[str, str], set[int]] = {}  # a name's head, first part, stem… → its position
        # How whole parts of names are read → how the dictionary writes them, with how many names do:
        # かん → {缶: 8, 管: 1}, だんぼーる → {段ボール: 1}.
        self._spellings: dict[str, dict[str, int]] = {}
        # A word in a name's brackets, as written or read → the bare names holding it (電気毛布 → 電気カーペット).
        self._inside: dict[str, list[str]] = {}
        for name in names:
            bare = bare_name(name)
            if not bare:
                continue
            for part in (part for inside in bracketed(name) for part in _ALTERNATIVES.split(inside)):
                for key in {normalize(part), Parts.of(part).reading} - {""}:
                    if bare not in (held := self._inside.setdefault(key, [])):
                        held.append(bare)
            self._keys.setdefault(normalize(name), bare)
            if normalize(bare) in self._keys and self._keys[normalize(bare)] in self.names:
                continue
            self.names.append(bare)
            self._keys[normalize(bare)] = bare
            alternatives = tuple(Parts.of(a) for a in [a for a in _ALTERNATIVES.split(bare) if normalize(a)] or [bare])
            self._parts.append(alternatives)
            self._keys.setdefault(Parts.of(bare).reading, bare)
            for parts in alternatives:
                for key in _index_keys(parts):
                    self._index.setdefault(key, set()).add(len(self.names) - 1)
                for reading, spelling in _spelled_parts(parts):
                    counts = self._spellings.setdefault(reading, {})
                    counts[spelling] = counts.get(spelling, 0) + 1
        counts: dict[str, int] = {}
        for category in categories:
            heads = {lemmas[-1] for a in _ALTERNATIVES.split(category) if (lemmas := Parts.of(a).lemmas)}
            for head in heads:
                counts[head] = counts.get(head, 0) + 1
        self.generic = frozenset(lemma for lemma, n in counts.items() if n >= GENERIC_HEADS)

    def exact(self, text: str) -> str | None:
        """The bare name of the item ``text`` names exactly: as written, without brackets, or by its reading."""
        return self._keys.get(normalize(text)) or self._keys.get(Parts.of(text).reading)

    def inside(self, text: str) -> list[str]:
        """The names whose brackets hold exactly ``text``, as written or by its reading (電気毛布 and でんきもうふ →
        電気カーペット, written 「電気カーペット（電気毛布）」; ニカド電池 → 電池), in dictionary order.

        Brackets hold other names of a thing as well as materials and conditions (ガラス製, 30cm以上): only a
        text that is all of one bracketed word is looked up, after every name of the dictionary."""
        return self._inside.get(normalize(text)) or self._inside.get(Parts.of(text).reading) or []

    def spellings(self, text: str) -> list[str]:
        """How the dictionary writes words read like the whole of ``text`` (kana in it), the commonest first.

        A word typed in another script than the dictionary's (かん for 缶, だんボール for 段ボール) is split
        by its script rather than its meaning; its whole reading is compared with whole parts of names, and
        the spelling most names share wins among homophones (かん: 缶 of eight names before 管 of 蛍光管).
        """
        key = normalize(text)
        if not key or not any("ぁ" <= c <= "ゖ" for c in key):
            return []
        counts = self._spellings.get(Parts.of(text).reading, {})
        ranked = sorted(counts, key=lambda spelling: -counts[spelling])
        return [spelling for spelling in ranked if spelling != text]

    def sharing_stem(self, text: str) -> list[str]:
        """The names that begin with the parts before ``text``'s head (リチウムイオンバッテリー → リチウムイオン電池).

        The stem says which kind of thing it is, so it is the compound's most specific part; it must be at
        least two characters to name something on its own.
        """
        wanted = Parts.of(text)
        stem = Parts(wanted.lemmas[:-1], wanted.readings[:-1], wanted.surfaces[:-1], wanted.written[:-1])
        if len(wanted.lemmas) < 2 or len("".join(stem.surfaces)) < 2 or self.is_generic(wanted):
            return []
        return self._where(("first", stem.lemmas[0]),
                           lambda parts: parts.starts_with(stem) or parts.lemmas == stem.lemmas)

    def is_generic(self, parts: Parts) -> bool:
        """True when ``parts`` holds a word that ends several category names (ごみ): it names no particular thing."""
        return any(lemma in self.generic for lemma in parts.lemmas)

    def _where(self, key: tuple[str, str], test: Callable[[Parts], bool]) -> list[str]:
        """The names (in dictionary order) indexed under ``key`` for which ``test`` holds of some alternative."""
        return [self.names[i] for i in sorted(self._index.get(key, ()))
                if any(test(parts) for parts in self._parts[i])]

    def headed_by(self, text: str) -> list[str]:
        """The names whose head is ``text`` (電池 → ボタン電池, 乾電池…), in dictionary order."""
        wanted = Parts.of(text)
        if not wanted.lemmas or self.is_generic(wanted):
            return []
        found = self._where(("last", wanted.lemmas[-1]), lambda parts: parts.ends_with(wanted))
        if len(wanted.lemmas) == 1 and wanted.surfaces[0]:
            also = self._where(("end", wanted.surfaces[0][-1]), lambda parts: parts.ends_with(wanted))
            found = [name for name in self.names if name in {*found, *also}] if also else found
        if not found and _KANA_ONLY.match(normalize(text)):
            found = self._where(("reading", normalize(text)), lambda parts: parts.ends_with_reading(normalize(text)))
        return found

    def starting_with(self, text: str) -> list[str]:
        """The longer names that begin with ``text`` as whole parts (ダンボール → 段ボール箱)."""
        wanted = Parts.of(text)
        if not wanted.lemmas or self.is_generic(wanted):
            return []
        return self._where(("first", wanted.lemmas[0]), lambda parts: parts.starts_with(wanted))

    def near(self, text: str) -> list[str]:
        """The names that differ from ``text`` only in a one-kanji head (蛍光灯 → 蛍光管)."""
        wanted = Parts.of(text)
        if len(wanted.lemmas) < 2 or self.is_generic(wanted):
            return []
        return self._where(("stem", "|".join(wanted.lemmas[:-1])), lambda parts: parts.near(wanted))

    def shorter_heads(self, text: str) -> list[str]:
        """The heads inside ``text``, longest first, without its first parts (単3電池 → 電池).

        A head starts with a noun and has at least two characters: a suffix alone (屋 of ラーメン屋) is
        no thing's name. A compound Sudachi keeps whole (本棚) ends with its last kanji when that is a noun
        by itself (棚).
        """
        found = [w for w in words(text, short=True) if w.pos not in _SKIP_POS]
        heads = ["".join(w.surface for w in found[i:]) for i in range(1, len(found)) if found[i].pos == "名詞"]
        heads = [head for head in heads if len(normalize(head)) >= 2]
        last = found[-1].surface if found else ""
        if len(last) >= 2 and all(_kanji(c) for c in last):
            tail = words(last[-1], short=True)
            if len(tail) == 1 and tail[0].pos == "名詞" and tail[0].sub == "普通名詞":
                heads.append(last[-1])
        return heads
