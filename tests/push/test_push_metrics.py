"""What the sender and the heartbeat export: deliveries by outcome, requests by endpoint, the outbox depth."""

from __future__ import annotations

import db
from push import heartbeat
from push.sender import send_due
from tests.conftest import NOW
from tests.metrics import Delta
from tests.metrics import value


class TestPushMetrics:
    def test_sends_are_counted_by_outcome_and_endpoint(self, app, add_residents, plan, sdk_line_client, line_api):
        """A pass counts deliveries sent, retried and failed, and the requests it made by endpoint."""
        factory = db.session_factory(app)
        plan(add_residents(3), personal=True)
        line_api.fail_next(500, times=1, path="/v2/bot/message/push")
        line_api.fail_next(400, times=1, path="/v2/bot/message/push")
        with Delta(("bot_push_deliveries_total", {"outcome": "sent"}),
                   ("bot_push_deliveries_total", {"outcome": "retried"}),
                   ("bot_push_deliveries_total", {"outcome": "failed"}),
                   ("bot_push_requests_total", {"endpoint": "push"}),
                   ("bot_line_api_errors_total", {"operation": "push", "status": "500"})) as delta:
            report = send_due(factory, sdk_line_client, NOW)
        assert (report.sent, report.retried, report.failed) == (1, 1, 1)
        assert delta.moved == [1, 1, 1, 3, 1]

    def test_a_multicast_is_counted_once_with_all_its_deliveries(self, app, add_residents, plan, sdk_line_client):
        """One multicast to five residents is one request and five deliveries sent."""
        plan(add_residents(5))
        with Delta(("bot_push_requests_total", {"endpoint": "multicast"}),
                   ("bot_push_deliveries_total", {"outcome": "sent"})) as delta:
            send_due(db.session_factory(app), sdk_line_client, NOW)
        assert delta.moved == [1, 5]

    def test_skipped_deliveries_are_counted(self, app, add_residents, plan, sdk_line_client):
        """Deliveries to residents who blocked the account are counted as skipped."""
        from residents.models import ResidentStatus

        plan(add_residents(2, ResidentStatus.BLOCKED), personal=True)
        with Delta(("bot_push_deliveries_total", {"outcome": "skipped"})) as delta:
            send_due(db.session_factory(app), sdk_line_client, NOW)
        assert delta.moved == [2]

    def test_outbox_depth_is_what_the_worker_last_counted(self, app, add_residents, plan, sdk_line_client):
        """The outbox gauge shows open requests by endpoint and status as of the last refresh, not live."""
        factory = db.session_factory(app)
        plan(add_residents(3), personal=True)
        plan(add_residents(4, start=3), kind="shared")
        with factory() as session:
            heartbeat.refresh_gauges(session)
        assert value("bot_outbox_depth", endpoint="push", status="pending") == 3
        assert value("bot_outbox_depth", endpoint="multicast", status="pending") == 1
        assert value("bot_outbox_depth", endpoint="push", status="sending") == 0
        send_due(factory, sdk_line_client, NOW)
        assert value("bot_outbox_depth", endpoint="push", status="pending") == 3  # not refreshed yet
        with factory() as session:
            heartbeat.refresh_gauges(session)
        assert value("bot_outbox_depth", endpoint="push", status="pending") == 0
        assert value("bot_outbox_depth", endpoint="multicast", status="pending") == 0
