"""Readings from the dictionary: each reading of one character, and keys without voicing marks."""

from __future__ import annotations

from japanese.analysis import character_readings
from japanese.analysis import unvoiced


def test_a_character_has_every_reading_the_dictionary_gives_it():
    """栗 reads くり and りつ; 林 reads はやし and りん."""
    assert {"くり", "りつ"} <= set(character_readings("栗"))
    assert {"はやし", "りん"} <= set(character_readings("林"))


def test_a_symbol_has_no_reading():
    """A bracket is no word: it has no reading."""
    assert character_readings("（") == ()


def test_voicing_marks_are_dropped():
    """やじま and やしま, きだ and きた become the same key."""
    assert unvoiced("やじま") == unvoiced("やしま") == "やしま"
    assert unvoiced("きだ") == "きた"
