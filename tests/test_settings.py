"""The settings: every one typed, with its default written once, read from text as the environment gives it."""

from __future__ import annotations

import pytest

from settings import SettingError
from settings import Settings


def test_text_from_the_environment_becomes_the_settings_type():
    """Numbers written as text (with _ separators) become ints and floats; other keys are ignored."""
    settings = Settings.from_mapping({"WEBHOOK_MAX_BYTES": "2_000_000", "PUSH_LEASE_SECONDS": "12.5",
                                      "TESTING": True})
    assert (settings.webhook_max_bytes, settings.push_lease_seconds) == (2_000_000, 12.5)


def test_an_empty_optional_threshold_keeps_the_calibrated_value():
    """An empty MATCH_* setting is None, and only the set ones are overrides."""
    settings = Settings.from_mapping({"MATCH_ANSWER_AT": "", "MATCH_MIN_MARGIN": "0.1"})
    assert settings.match_overrides() == {"min_margin": 0.1}


@pytest.mark.parametrize(("name", "value"), [
    ("PUSH_SEND_CONCURRENCY", "four"), ("PUSH_SEND_CONCURRENCY", "2.5"), ("WEBHOOK_MAX_BYTES", True),
])
def test_a_value_of_the_wrong_type_is_refused_by_name(name, value):
    """A setting that is not a number of the right kind raises an error naming the setting."""
    with pytest.raises(SettingError, match=name):
        Settings.from_mapping({name: value})


def test_line_mode_needs_both_credentials():
    """Only a channel secret and an access token together turn console mode off."""
    assert not Settings(line_channel_secret="s").line_mode
    assert Settings(line_channel_secret="s", line_channel_access_token="t").line_mode


@pytest.mark.parametrize(("text", "expected"), [
    ("false", False), ("0", False), ("No", False), (" off ", False), (False, False),
    ("true", True), ("1", True), ("YES", True), ("on", True), (True, True),
])
def test_a_switch_is_read_from_the_usual_words(text, expected):
    """A boolean setting accepts true/false, yes/no, on/off and 1/0 in any case, or a bool from TOML."""
    assert Settings.from_mapping({"REPLY_FALLBACK_PUSH": text}).reply_fallback_push is expected


def test_a_switch_that_is_no_known_word_is_refused_by_name():
    """A boolean setting given another word raises an error naming the setting instead of guessing."""
    with pytest.raises(SettingError, match="REPLY_FALLBACK_PUSH"):
        Settings.from_mapping({"REPLY_FALLBACK_PUSH": "maybe"})
