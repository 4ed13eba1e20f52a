"""The postback data our buttons carry: encoded within LINE's limit, decoded back, foreign data ignored."""

from __future__ import annotations

import pytest

from bot import postbacks


class TestPostbacks:
    def test_round_trip(self):
        """Encoded postback data decodes to the same action and parameters."""
        assert postbacks.decode(postbacks.encode("faq", id="12", q=3)) == ("faq", {"id": "12", "q": "3"})

    def test_foreign_data_has_no_action(self):
        """Data from someone else's buttons decodes to an empty action."""
        assert postbacks.decode("action=buy&itemid=111")[0] == ""

    def test_too_long_data_is_refused(self):
        """Data over 300 characters raises instead of being sent."""
        with pytest.raises(ValueError):
            postbacks.encode("faq", id="x" * 300)
