"""Reading webhook bodies defensively: size while reading, JSON nesting before parsing, lone surrogates."""

from __future__ import annotations

import io

import pytest

from bot import bodies


class TestRead:
    def test_a_body_within_the_limit_is_read_whole(self):
        """Every byte up to the limit is returned."""
        assert bodies.read(io.BytesIO(b"x" * 100), 100) == b"x" * 100

    def test_a_body_over_the_limit_is_refused_without_reading_it_all(self):
        """Reading stops just past the limit: a huge stream is never read to its end."""
        stream = io.BytesIO(b"x" * 10_000_000)
        with pytest.raises(bodies.BodyTooLarge):
            bodies.read(stream, 1000)
        assert stream.tell() <= 1001


class TestNesting:
    def test_counts_arrays_and_objects(self):
        """Objects and arrays both count as a level."""
        assert bodies.nesting(b'{"events":[{"a":[1]}]}') == 4

    def test_brackets_inside_strings_do_not_count(self):
        """A text full of brackets, with escaped quotes and backslashes, nests nothing."""
        assert bodies.nesting(rb'{"text":"[[[{{\"[[\\"}') == 1

    def test_a_deep_body_is_refused_before_parsing(self):
        """Thousands of levels are refused as malformed (no RecursionError from the parser)."""
        raw = b'{"events":' + b"[" * 5000 + b"]" * 5000 + b"}"
        with pytest.raises(bodies.MalformedBody, match="deeper"):
            bodies.payload(raw)


class TestPayload:
    def test_a_lone_surrogate_becomes_a_replacement_character(self):
        """An escaped lone surrogate in a text is replaced by U+FFFD; the rest of the text stays."""
        body = bodies.payload(rb'{"events":[{"text":"\u4f4f\ud800\u6c11"}]}')
        assert body["events"][0]["text"] == "住\ufffd民"

    def test_a_surrogate_pair_stays_one_character(self):
        """A proper pair (an emoji) is kept as the emoji."""
        body = bodies.payload(rb'{"events":[{"text":"\ud83d\ude00"}]}')
        assert body["events"][0]["text"] == "😀"

    @pytest.mark.parametrize("raw", [b"\xff\xfe{}", b"{not json", b"[]", b'{"events": {}}'])
    def test_what_is_not_a_webhook_is_malformed(self, raw):
        """Bytes that are not UTF-8, not JSON, not an object or without an events list are refused."""
        with pytest.raises(bodies.MalformedBody):
            bodies.payload(raw)


def test_an_unknown_event_type_becomes_an_unknown_event():
    """A type this SDK does not know is kept as an UnknownEvent, not refused."""
    [event] = bodies.events({"events": [{"type": "somethingNew", "mode": "active", "timestamp": 1,
                                         "webhookEventId": "E1", "deliveryContext": {"isRedelivery": False}}]})
    assert type(event).__name__ == "UnknownEvent"
