"""LINE API errors counted by operation and status."""

from __future__ import annotations

import pytest
from linebot.v3.messaging import TextMessage

from messaging.client import SdkLineClient
from messaging.errors import LineApiError
from tests.metrics import Delta
from tests.push.helpers import user


class TestLineApiErrors:
    def test_an_unreachable_line_counts_as_no_answer(self):
        """A call that cannot connect counts as a LINE API error of status ``no-answer``."""
        with (Delta(("bot_line_api_errors_total", {"operation": "push", "status": "no-answer"})) as delta,
              SdkLineClient("token", host="http://127.0.0.1:9", timeout=0.5) as client,
              pytest.raises(LineApiError)):
            client.push(user(1), [TextMessage(text="a")], retry_key="0" * 8 + "-0000-4000-8000-" + "0" * 12)
        assert delta.moved == [1]

    def test_an_accepted_repeat_is_not_an_error(self, sdk_line_client, line_api):
        """A 409 to a repeated retry key means sent: no error is counted."""
        key = "123e4567-e89b-42d3-a456-426614174000"
        sdk_line_client.push(user(1), [TextMessage(text="a")], retry_key=key)
        with Delta(("bot_line_api_errors_total", {"operation": "push", "status": "409"})) as delta:
            sdk_line_client.push(user(1), [TextMessage(text="a")], retry_key=key)
        assert delta.moved == [0]
