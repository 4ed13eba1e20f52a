"""LineClient's aggregation units and per-unit statistics: the SDK client against the fake LINE API over HTTP,
and the console client."""

from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from linebot.v3.messaging import TextMessage

from messaging.client import ConsoleLineClient
from messaging.client import LinkClicks
from messaging.client import SdkLineClient
from messaging.client import UnitStatistics
from messaging.errors import LineApiError
from settings import Settings

USERS = ["U4af4980629aaaaaaaaaaaaaaaaaaaaaaaa", "U4af4980629bbbbbbbbbbbbbbbbbbbbbbbb"]
STATISTICS = "/v2/bot/insight/message/event/aggregation"
MESSAGE = [TextMessage(text="市民まつりのお知らせです。")]


def key() -> str:
    return str(uuid.uuid4())


class TestMulticastAggregationUnit:
    def test_a_multicast_with_a_unit_carries_it(self, sdk_line_client, line_api):
        """multicast(aggregation_unit=…) sends the unit as the request's one customAggregationUnits entry."""
        sdk_line_client.multicast(USERS, MESSAGE, retry_key=key(), aggregation_unit="broadcast_12")

        assert line_api.aggregation_units() == ["broadcast_12"]
        assert line_api.requests[0].json["customAggregationUnits"] == ["broadcast_12"]
        assert line_api.multicasts[0][0] == USERS
        assert line_api.violations == []

    def test_a_multicast_without_a_unit_sends_no_units(self, sdk_line_client, line_api):
        """Without an aggregation unit the body has no customAggregationUnits at all."""
        sdk_line_client.multicast(USERS, MESSAGE, retry_key=key())

        assert line_api.aggregation_units() == [None]
        assert "customAggregationUnits" not in line_api.requests[0].json

    def test_a_unit_line_does_not_allow_is_a_client_error(self, sdk_line_client, line_api):
        """A unit outside ``^[a-zA-Z0-9_]{1,30}$`` is refused by LINE with 400, not retryable."""
        with pytest.raises(LineApiError) as caught:
            sdk_line_client.multicast(USERS, MESSAGE, retry_key=key(), aggregation_unit="お知らせ")

        assert (caught.value.status, caught.value.retryable) == (400, False)
        assert line_api.multicasts == []


class TestUnitStatistics:
    def test_statistics_are_read_from_line(self, sdk_line_client, line_api):
        """unit_statistics() returns the unit's unique opens, unique clicks and each link's clicks, asking for the
        period as yyyyMMdd dates."""
        line_api.set_unit_statistics("broadcast_3", opened=120, clicked=31, clicks=[
            ("https://city.example/matsuri", 45, 30), ("https://city.example/map", None, None)])

        statistics = sdk_line_client.unit_statistics("broadcast_3", date(2026, 11, 1), date(2026, 11, 20))

        assert statistics == UnitStatistics(opened=120, clicked=31, clicks=(
            LinkClicks("https://city.example/matsuri", 45, 30), LinkClicks("https://city.example/map", None, None)))
        assert line_api.statistics_requests == [("broadcast_3", "20261101", "20261120")]
        assert line_api.violations == []

    def test_a_unit_line_has_no_figures_for_gives_none(self, sdk_line_client, line_api):
        """For a unit LINE has no figures for yet, the counts are None and there are no link clicks."""
        statistics = sdk_line_client.unit_statistics("broadcast_4", date(2026, 11, 1), date(2026, 11, 2))

        assert statistics == UnitStatistics(opened=None, clicked=None, clicks=())

    @pytest.mark.parametrize(
        ("until", "sent"),
        [
            pytest.param(date(2027, 3, 31), "20261201", id="months-later"),
            pytest.param(date(2026, 12, 2), "20261201", id="31-days"),
            pytest.param(date(2026, 12, 1), "20261201", id="30-days"),
            pytest.param(date(2026, 11, 30), "20261130", id="29-days"),
        ],
    )
    def test_a_period_over_30_days_is_cut_to_30(self, sdk_line_client, line_api, until, sent):
        """An end more than 30 days after the start is asked as the 30th day, which LINE accepts."""
        sdk_line_client.unit_statistics("broadcast_5", date(2026, 11, 1), until)

        assert line_api.statistics_requests == [("broadcast_5", "20261101", sent)]
        assert line_api.violations == []

    @pytest.mark.parametrize(("status", "retryable"), [(500, True), (429, True), (401, False)])
    def test_a_failed_call_raises_line_api_error(self, sdk_line_client, line_api, status, retryable):
        """An error answer from the insight API raises LineApiError with its status, like the other calls."""
        line_api.fail_next(status, path=STATISTICS)

        with pytest.raises(LineApiError) as caught:
            sdk_line_client.unit_statistics("broadcast_6", date(2026, 11, 1), date(2026, 11, 2))

        assert (caught.value.status, caught.value.retryable) == (status, retryable)

    def test_the_configured_host_and_token_reach_the_insight_api(self, line_api):
        """from_settings() sends statistics requests to LINE_API_HOST with the channel access token."""
        settings = Settings(line_channel_access_token="token-from-config", line_api_host=line_api.url + "/")

        with SdkLineClient.from_settings(settings) as client:
            client.unit_statistics("broadcast_7", date(2026, 11, 1), date(2026, 11, 2))

        [request] = line_api.requests
        assert (request.path, request.status) == (STATISTICS, 200)
        assert request.headers["Authorization"] == "Bearer token-from-config"


class TestConsoleLineClient:
    def test_statistics_are_empty(self):
        """The console client reaches no LINE, so it has no counts and no link clicks."""
        client = ConsoleLineClient(io.StringIO())

        assert client.unit_statistics("broadcast_1", date(2026, 11, 1), date(2026, 11, 2)) == UnitStatistics(
            None, None, ())

    def test_a_multicast_with_a_unit_prints_as_any_multicast(self):
        """The aggregation unit changes nothing in what the console prints."""
        with_unit, without = io.StringIO(), io.StringIO()

        ConsoleLineClient(with_unit).multicast(USERS, MESSAGE, retry_key=key(), aggregation_unit="broadcast_1")
        ConsoleLineClient(without).multicast(USERS, MESSAGE, retry_key=key())

        assert with_unit.getvalue() == without.getvalue() == "[multicast to 2 users]\n市民まつりのお知らせです。\n"
