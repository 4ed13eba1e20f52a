"""Finding a city area from what a resident types: 「大町」, 「おおまち」, 「浅野」 for 「香川（浅野）」.

The chat (setting one's area, garbage questions naming one) and importers (a resident's area) match areas
the same way, whoever keeps the areas (the garbage calendar does). Names are compared as typed and by
reading (Sudachi's, made when the areas are loaded if the data has none), so 「はやし」, 「ハヤシ」 and a
homophone typo find 林; a name may carry 町 / 丁目 / 地区 or words around it (「林に住んでます」), be cut
short (「仏生」), or be mistyped (rapidfuzz). A name typed in kana as read character by character
(「りつりん」 for 栗林, 「きぶと」 for 木太) is taken too, and a reading that differs only by voicing marks
(屋嶋 read やじま, 木田 read きだ) is offered for a choice.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz import process

from japanese.analysis import character_readings
from japanese.analysis import has_proper_noun
from japanese.analysis import loose
from japanese.analysis import morphemes
from japanese.analysis import unvoiced
from japanese.normalize import normalize
from japanese.normalize import to_hiragana
from search.docs import Query

CLEAR = 0.9  # a match this good (and alone) is taken without asking back
POSSIBLE = 0.6

EXACT = 1.0
NAMED = 0.95  # the name inside the text, or the name with 町 / 丁目 / 地区 around it
PREFIX = 0.9  # the start of one name, more than half of it (「仏生」 for 仏生山), typed as a bare name
PART = 0.8  # a distinctive part of a name (「植田」 for 西植田 and 東植田): asked back
READING_TYPO = 0.75  # readings closer than this are a typo (くりばやい); further, only sounding alike
SPELLED = 0.9  # four kana or more that read the name character by character (りつりん for 栗林): taken
SOUNDS_LIKE = 0.85  # a reading equal but for voicing marks (やじま for やしま): asked back
MAX_SPELLINGS = 64  # character-by-character readings kept per name (longer names have too many)

# What may follow a place name without being part of it: 「林町3丁目」, 「木太地区」, 「林のあたり」.
# Readings are compared loosely folded (ちょう as ちよう), so the suffixes come in both spellings.
_PLACE_SUFFIX = re.compile(r"(?:[0-9一二三四五六七八九十]*(?:丁目|ちょうめ|ちようめ|番地|番)|町|まち|ちょう|ちよう"
                           r"|地区|ちく|地域|ちいき|校区|こうく|方面|ほうめん|付近|ふきん|周辺|しゅうへん|しゆうへん|あたり|辺り|辺"
                           r"|在住|ざいじゅう|ざいじゆう)+$")
# Particles and copulas that end a name typed at the start of a sentence (「はやしにすんでます」).
_AFTER_NAME = ("に", "で", "の", "だ", "です", "って", "は", "ちょう", "まち", "ちく", "在住")
_NAME_POS = {"名詞", "接頭辞", "接尾辞"}


@dataclass(frozen=True)
class AreaInfo:
    """An area of the city's garbage calendar: its display name and other names residents use."""

    name: str
    aliases: tuple[str, ...] = ()
    readings: tuple[str, ...] = ()
    spelled: tuple[str, ...] = ()  # its names read character by character (loosely folded keys)


def with_readings(area: AreaInfo) -> AreaInfo:
    """The area with the hiragana readings of its name and aliases added when the data gives none, and the
    character-by-character readings of its names."""
    names = (area.name, *area.aliases)
    if not area.readings:
        readings = tuple(dict.fromkeys(r for r in map(reading_of, names) if r and r not in map(normalize, names)))
        area = replace(area, readings=readings)
    if not area.spelled:
        spelled = dict.fromkeys(form for name in names for form in spellings(name))
        area = replace(area, spelled=tuple(form for form in spelled if form not in area.readings))
    return area


@functools.lru_cache(maxsize=4096)
def spellings(name: str) -> tuple[str, ...]:
    """The ways ``name`` reads character by character (栗林: くりはやし, りつりん…), as loose matching keys.

    Each kanji takes every reading the dictionary has for it alone; a name with a character that has none,
    or with more than ``MAX_SPELLINGS`` such readings, gets none.
    """
    key = _PLACE_SUFFIX.sub("", normalize(name)) or normalize(name)
    choices = []
    for char in key:
        options = character_readings(char) if _has_kanji(char) else (to_hiragana(char),)
        if not options:
            return ()
        choices.append(options)
    count = 1
    for options in choices:
        count *= len(options)
    if count > MAX_SPELLINGS or not any(_has_kanji(char) for char in key):
        return ()
    return tuple(dict.fromkeys(loose(normalize("".join(parts))) for parts in itertools.product(*choices)))


@functools.lru_cache(maxsize=4096)
def reading_of(text: str) -> str:
    """The hiragana reading of ``text`` (kana as typed, kanji read by Sudachi), as a matching key."""
    parts = [surface if not _has_kanji(surface) else reading
             for surface, _norm, reading, pos in morphemes(text) if pos not in {"空白", "補助記号"}]
    return normalize(to_hiragana("".join(parts)))


def match_areas(areas: Sequence[AreaInfo], text: Query | str, limit: int = 5) -> list[tuple[AreaInfo, float]]:
    """Areas whose name, aliases or readings match the text, best first, with scores in [0, 1].

    A name typed exactly (after normalising, or by its reading) scores 1; the name with 町 / 丁目 or words
    around it (「林に住んでいます」) 0.95; the start of a name 0.9; a part of one 0.8; otherwise rapidfuzz's
    ratio decides.
    """
    key = text.key if isinstance(text, Query) else normalize(text)
    if not key:
        return []
    return list(_matches(tuple(areas), text.text if isinstance(text, Query) else text, key)[:limit])


@functools.lru_cache(maxsize=4096)
def _matches(areas: tuple[AreaInfo, ...], text: str, key: str) -> tuple[tuple[AreaInfo, float], ...]:
    """Every area matching the text (``match_areas``), best first; cached, as one message is often matched
    more than once (by the step waiting for an area, then by the garbage question it may be)."""
    whole, parts = _candidates(text, key)
    table = _keys_of(areas)
    complete = _PLACE_SUFFIX.sub("", key) != key  # 「ひがしまち」: a whole name of its own, never a name's start
    scores = _key_scores(table, whole, parts, complete=complete)
    scored = []
    spoken, typed = _spoken(key, whole, parts), loose(key)
    heard = frozenset(unvoiced(form) for form in spoken)
    readings_only = _has_kanji(typed)
    for area, (start, end) in zip(areas, table.spans, strict=True):
        best = max(scores[start:end], default=0.0)
        if best < SPELLED and spoken:
            best = max(best, _sounds_like(spoken, heard, area, typed, readings_only=readings_only))
        if best >= POSSIBLE:
            scored.append((area, best))
    scored.sort(key=lambda pair: (-pair[1], pair[0].name))
    return tuple(scored)


def _key_scores(table: _Keys, whole: tuple[str, ...], parts: tuple[str, ...], *, complete: bool) -> list[float]:
    """How well each key matches the text (``_score`` of every key), computed at once.

    rapidfuzz's ratios come in one call, exact and named keys by look-up. Only the keys that share two
    characters running with the text can be found inside it or hold one of its forms, so only those are
    scored one by one; the others score their best ratio, as ``_score`` would give them.
    """
    forms = whole + parts
    ratios = process.cdist(forms, table.names, scorer=fuzz.ratio, processor=None, dtype=np.float64) / 100
    lengths = np.array([len(form) for form in forms])[:, None]
    counted = (lengths >= table.shortest) & table.long_enough & (ratios >= table.threshold)
    scores = np.where(counted, ratios, 0.0).max(axis=0).tolist() if table.names else []
    for index in {index for gram in _bigrams(forms) for index in table.by_bigram.get(gram, ())}:
        scores[index] = _score(whole, parts, table.names[index], table.readings[index], complete=complete,
                               bare=table.bares[index], ratios=ratios[:, index].tolist())
    for form in set(forms):
        for index in table.by_form.get(form, ()):
            scores[index] = NAMED
    exact = (whole[0], whole[1]) if not _has_kanji(whole[0]) else (whole[0],)
    for form in exact:
        for index in table.by_name.get(form, ()):
            scores[index] = EXACT
    return scores


@dataclass(frozen=True)
class _Keys:
    """The keys of a set of areas (``_keys``) in one list, with what ``_score`` needs of each, made once."""

    names: list[str]
    readings: list[bool]
    bares: list[str]  # each key without 町 / 丁目 / 地区 at its end
    spans: list[tuple[int, int]]  # where each area's keys are in the list
    shortest: np.ndarray  # per key, the shortest form of a text compared with it (two kana fit too many words)
    long_enough: np.ndarray  # the key is at least that long
    threshold: np.ndarray  # the lowest ratio that counts (a reading's typo, ``READING_TYPO``)
    by_name: dict[str, list[int]]
    by_form: dict[str, list[int]]  # the keys by their name and their bare form
    by_bigram: dict[str, list[int]]  # the keys by each two characters running in their name


@functools.lru_cache(maxsize=16)
def _keys_of(areas: tuple[AreaInfo, ...]) -> _Keys:
    pairs = [pair for area in areas for pair in _keys(area)]
    names = [name for name, _is_reading in pairs]
    readings = [is_reading for _name, is_reading in pairs]
    bares = [_PLACE_SUFFIX.sub("", name) or name for name in names]
    ends = list(itertools.accumulate(len(_keys(area)) for area in areas))
    shortest = np.array([3 if is_reading else 2 for is_reading in readings])
    by_name: dict[str, list[int]] = {}
    by_form: dict[str, list[int]] = {}
    by_bigram: dict[str, list[int]] = {}
    for index, (name, bare) in enumerate(zip(names, bares, strict=True)):
        by_name.setdefault(name, []).append(index)
        for form in {name, bare}:
            by_form.setdefault(form, []).append(index)
        for gram in _bigrams([name]):
            by_bigram.setdefault(gram, []).append(index)
    return _Keys(names, readings, bares, list(itertools.pairwise([0, *ends])), shortest,
                 np.array([len(name) for name in names]) >= shortest,
                 np.array([READING_TYPO if is_reading else 0.0 for is_reading in readings]),
                 by_name, by_form, by_bigram)


def _bigrams(forms: Sequence[str]) -> set[str]:
    return {form[i:i + 2] for form in forms for i in range(len(form) - 1)}


def clear_choice(matches: Sequence[tuple[AreaInfo, float]]) -> AreaInfo | None:
    """The one area to take without asking back, if the best match is clear and has no equal rival."""
    if not matches or matches[0][1] < CLEAR:
        return None
    if len(matches) > 1 and matches[1][1] >= matches[0][1]:
        return None
    return matches[0][0]


def looks_like_place(text: str) -> bool:
    """True when the text may name a place, known here or not: a proper noun or a name with 町 / 丁目 / 地区.

    「火星」, 「大町」, 「みなと町」 are; 「児童手当」, 「印鑑証明」 are not.
    """
    key = normalize(text)
    return bool(key) and (has_proper_noun(text) or _PLACE_SUFFIX.sub("", key) != key)


@functools.lru_cache(maxsize=4096)
def _keys(area: AreaInfo) -> tuple[tuple[str, bool], ...]:
    """The matching keys of an area's names and aliases, then of its readings (also loosely folded); made
    once per area (an area is compared with every message that may name one)."""
    names = [(normalize(name), False) for name in (area.name, *area.aliases)]
    readings = [(form, True) for reading in area.readings for form in (normalize(reading), loose(normalize(reading)))]
    return tuple(pair for pair in dict.fromkeys(names + readings) if pair[0])


@functools.lru_cache(maxsize=4096)
def _unvoiced_readings(area: AreaInfo, *, spelled: bool) -> frozenset[str]:
    """The area's readings (and, with ``spelled``, its character-by-character ones) without voicing marks."""
    readings = (*area.readings, *area.spelled) if spelled else area.readings
    return frozenset(unvoiced(loose(normalize(reading))) for reading in readings)


def _candidates(text: str, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What in the text may be the name: the whole text and its reading, then its runs of nouns and theirs.

    Each comes also without 町 / 丁目 / 地区 / あたり at its end.
    """
    runs, current = [], ""
    for surface, _norm, _reading, pos in morphemes(text):
        if pos in _NAME_POS:
            current += surface
        elif current:
            runs.append(current)
            current = ""
    runs.append(current)
    whole = (key, loose(reading_of(key)))
    parts = [form for run in map(normalize, runs) if run for form in (run, loose(reading_of(run)))]
    return whole + _bare(whole), _bare(parts, keep=True)


def _spoken(key: str, whole: tuple[str, ...], parts: tuple[str, ...]) -> frozenset[str]:
    """The readings in the text that may stand for a name by sound: kana forms of three or more, and in a
    text with kanji the readings of two kana too (「木田町に住んでます」: きだ)."""
    spoken = {form for form in whole + parts if len(form) >= 3 and not _has_kanji(form)}
    if _has_kanji(key):
        spoken |= {form for form in whole[1:] + parts if len(form) >= 2 and not _has_kanji(form)}
    return frozenset(spoken)


def _sounds_like(spoken: frozenset[str], heard: frozenset[str], area: AreaInfo, typed: str, *,
                 readings_only: bool) -> float:
    """How well the text sounds like the area: kana typed that spell its name character by character (taken
    from four kana on, asked back when shorter), or a reading equal to one of the area's but for voicing marks
    (``heard``: the spoken forms without voicing marks).

    The reading of a text written in kanji (``readings_only``) is compared with the area's readings only: one
    kanji swapped for another is a typo of the name as it is read, never of a reading guessed character by
    character.
    """
    if spelled := [form for form in spoken & _spelled(area) if form in typed]:
        return SPELLED if max(map(len, spelled)) >= 4 else SOUNDS_LIKE
    return SOUNDS_LIKE if heard & _unvoiced_readings(area, spelled=not readings_only) else 0.0


@functools.lru_cache(maxsize=4096)
def _spelled(area: AreaInfo) -> frozenset[str]:
    return frozenset(area.spelled)


def _bare(forms: Sequence[str], keep: bool = False) -> tuple[str, ...]:
    """The forms without 町 / 丁目 / 地区 at their end (with the forms themselves first when ``keep``)."""
    bare = [_PLACE_SUFFIX.sub("", form) for form in forms]
    return tuple(f for f in dict.fromkeys([*(forms if keep else ()), *bare]) if f)


def _score(whole: tuple[str, ...], parts: tuple[str, ...], name: str, is_reading: bool, *,
           complete: bool = False, bare: str, ratios: Sequence[float]) -> float:
    """How well one name (or reading) of an area matches the text.

    The start of a name is sure (``PREFIX``) only when it covers more than half of the name and the text
    is not a complete name of its own (``complete``: typed with 町 / 丁目 / 地区, as 「ひがしまち」); half a
    name or less (「ひがし」 for ひがしうえだ) is only possible (``PART``), offered for the resident to choose.
    ``bare`` is the name without 町 / 丁目 / 地区 at its end, ``ratios`` rapidfuzz's ratio of each form of
    the text (``whole``, then ``parts``) with the name, in [0, 1].
    """
    if name == whole[0] or name == whole[1] and not _has_kanji(whole[0]):
        return EXACT  # the name, or its reading typed in kana; a homophone in kanji (喜多 for 木太) is not exact
    if name in whole or name in parts or bare in whole or bare in parts:
        return NAMED
    if len(name) >= 2 and any(form.startswith(name) and form[len(name):].startswith(_AFTER_NAME) for form in whole):
        return NAMED
    if not is_reading and len(name) >= 2 and name in whole[0]:
        return NAMED
    best = 0.0
    shortest = 3 if is_reading else 2  # two kana fit too many words
    for candidate, ratio in zip(whole + parts, ratios, strict=True):
        if len(candidate) < shortest:
            continue
        if bare.startswith(candidate) and 2 * len(candidate) >= len(bare):
            best = max(best, PREFIX if 2 * len(candidate) > len(bare) and not complete else PART)
        elif candidate in bare:
            best = max(best, PART)
        ratio = ratio if len(name) >= shortest else 0.0
        if ratio >= (READING_TYPO if is_reading else 0.0):
            best = max(best, ratio)
    return best


def _has_kanji(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or c == "々" for c in text)
