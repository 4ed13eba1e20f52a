"""Finding an area from what residents type: names read character by character, and readings that differ only
by voicing marks (高松's areas: 栗林, 木太, 屋島…)."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz

from search import areas
from search.areas import CLEAR
from search.areas import POSSIBLE
from search.areas import AreaInfo
from search.areas import clear_choice
from search.areas import match_areas
from search.areas import spellings
from search.areas import with_readings

AREAS = [with_readings(AreaInfo(name, tuple(name.split("・")))) for name in (
    "栗林・太田", "木太・林・多肥", "屋島・古高松", "鶴尾・一宮・円座", "檀紙・弦打・香西・鬼無",
    "前田・十河・西植田・東植田",
)]


def best(text: str) -> tuple[str | None, float]:
    matches = match_areas(AREAS, text)
    return (matches[0][0].name, matches[0][1]) if matches else (None, 0.0)


@pytest.mark.parametrize(("text", "area"), [
    ("りつりん", "栗林・太田"), ("りつりんちょう", "栗林・太田"), ("りつりんに住んでます", "栗林・太田"),
    ("いちみや", "鶴尾・一宮・円座"), ("つるうち", "檀紙・弦打・香西・鬼無"),
    ("こうさい", "檀紙・弦打・香西・鬼無"),
])
def test_kana_that_read_a_name_character_by_character_find_it(text, area):
    """A name typed in kana as its characters read alone (りつりん for 栗林) is taken without asking back."""
    choice = clear_choice(match_areas(AREAS, text))
    assert choice is not None and choice.name == area


@pytest.mark.parametrize(("text", "area"), [
    ("屋嶋", "屋島・古高松"), ("木田", "木太・林・多肥"), ("木田町", "木太・林・多肥"), ("屋嶋町", "屋島・古高松"),
    ("木田町に住んでます", "木太・林・多肥"), ("きぶと", "木太・林・多肥"), ("かせい", "檀紙・弦打・香西・鬼無"),
])
def test_a_kanji_typo_or_a_short_guessed_reading_is_offered(text, area):
    """A kanji swapped for one read alike but for voicing (屋嶋: やじま), or three kana read character by
    character (きぶと), is offered, not taken."""
    name, score = best(text)
    assert name == area and POSSIBLE <= score < CLEAR


@pytest.mark.parametrize("text", ["東京", "札幌", "火星", "燃えるごみ", "住民票", "たき", "はな", "ありがとう", "わからない"])
def test_other_words_name_no_area(text):
    """Places the city does not have and ordinary words match no area."""
    assert match_areas(AREAS, text) == []


def test_a_long_name_has_no_spellings():
    """A name whose characters read in too many ways gets no character-by-character readings."""
    assert spellings("国分寺南部") == ()
    assert "りつりん" in spellings("栗林")


@pytest.mark.parametrize("text", ["ひがしまち", "ひがし", "東町", "ひがし地区", "にしうえちょう", "仏生町"])
def test_half_a_name_or_a_name_of_its_own_is_never_taken(text):
    """Half a name's reading or less (ひがし for ひがしうえだ), or a name's start typed as a whole name with
    町 / 地区 (ひがしまち), is at most offered, never taken without the resident choosing."""
    assert clear_choice(match_areas(AREAS, text)) is None


@pytest.mark.parametrize(("text", "area"), [("ひがしうえ", "前田・十河・西植田・東植田"), ("栗", None)])
def test_most_of_a_name_typed_bare_is_taken(text, area):
    """More than half of a name, typed bare (ひがしうえ for ひがしうえだ), is still taken."""
    choice = clear_choice(match_areas(AREAS, text))
    assert (choice.name if choice else None) == area


@pytest.mark.parametrize("text", [
    "林", "はやし", "林町3丁目", "林に住んでます", "仏生", "植田", "ひがし", "りつりん", "きぶと", "屋嶋町", "くりばやい",
    "木太町の燃えるごみはいつ", "西植田", "十河地区あたり", "ごみの日はいつ", "住民票ほしい", "たき", "鬼無在住",
])
def test_keys_scored_at_once_score_as_each_scored_alone(text):
    """Every key's score, computed for all keys at once, is the one ``_score`` gives that key alone."""
    key = areas.normalize(text)
    whole, parts = areas._candidates(text, key)
    complete = areas._PLACE_SUFFIX.sub("", key) != key
    table = areas._keys_of(tuple(AREAS))
    alone = [areas._score(whole, parts, name, is_reading, complete=complete, bare=bare,
                          ratios=[fuzz.ratio(form, name) / 100 for form in whole + parts])
             for name, is_reading, bare in zip(table.names, table.readings, table.bares, strict=True)]
    assert areas._key_scores(table, whole, parts, complete=complete) == alone


def test_no_areas_match_nothing():
    """Without areas nothing matches (a city that has loaded no calendar)."""
    assert match_areas([], "林") == []
