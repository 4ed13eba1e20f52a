"""The durable inbox: every accepted event is answered once (reply, else a push through the outbox), in order
per resident, whatever LINE's API does, and a processor that dies leaves nothing behind for good."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

import db
import runtime
from app import create_app
from bot import context as bot_context
from bot import conversation
from bot import dispatch
from bot import inbox
from bot import processor
from bot.models import InboundEvent
from bot.models import InboundStatus
from bot.processor import drain
from faq.models import QueryLog
from messaging.client import SdkLineClient
from push.models import Delivery
from push.sender import send_due
from residents import service as residents
from residents.models import Resident
from residents.models import ResidentStatus
from tests import factories
from tests.conftest import NOW
from tests.conftest import line_config
from tests.fake_line_server import closed_port_url
from tests.metrics import Delta
from tests.metrics import value as metrics_value

ROOT = Path(__file__).resolve().parents[2]
USER_A = "U" + "a" * 32
USER_B = "U" + "b" * 32


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def make_app(database_url, line_api):
    """Build apps in LINE mode with other settings or another LINE client; tables emptied afterwards."""
    apps = []

    def make(*, clock=None, line_client=None, **settings):
        app = create_app({**line_config(database_url, line_api.url), **settings}, clock=clock or Clock(),
                         line_client=line_client)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["bot"].inbox.stop(timeout=5)
    if apps:
        with db.session_factory(apps[0]).begin() as session:
            for table in reversed(db.Base.metadata.sorted_tables):
                session.execute(table.delete())
    for app in apps:
        db.session_factory(app).kw["bind"].dispose()


def post(app, *events: dict) -> int:
    """Post a signed webhook holding ``events``; returns the status."""
    raw = factories.body(*events)
    return app.test_client().post("/callback", data=raw, content_type="application/json",
                                  headers={"X-Line-Signature": factories.sign(raw)}).status_code


def rows(app) -> list[InboundEvent]:
    """The inbox's rows, oldest first."""
    with db.session_factory(app)() as session:
        return list(session.scalars(sa.select(InboundEvent).order_by(InboundEvent.id)))


def deliveries(app) -> list[Delivery]:
    """The outbox's rows."""
    with db.session_factory(app)() as session:
        return list(session.scalars(sa.select(Delivery).order_by(Delivery.id)))


def send_outbox(app, line_client=None) -> None:
    """One pass of the push sender at the app's time (with another LINE client when given)."""
    rt = runtime.of(app)
    send_due(db.session_factory(app), line_client or rt.line, rt.now())


def text_of(messages: list[dict]) -> str:
    return "".join(message.get("text", "") for message in messages)


def count_routes(monkeypatch) -> list[str]:
    """The user ids of the events the route is run for, from now on (a route run twice is listed twice)."""
    routed: list[str] = []
    handle_event = dispatch.handle_event

    def counted(ctx, event):
        routed.append(event.source.user_id)
        return handle_event(ctx, event)

    monkeypatch.setattr(dispatch, "handle_event", counted)
    return routed


def then(monkeypatch, name: str, after) -> None:
    """Replace ``processor.<name>`` by itself followed by ``after(*its arguments)``: another processor acting
    in between."""
    original = getattr(processor, name)

    def wrapped(*args):
        result = original(*args)
        after(*args)
        return result

    monkeypatch.setattr(processor, name, wrapped)


def take_over(app, user_id: str, status: InboundStatus) -> None:
    """Another processor takes over the resident's event in ``status`` (as when this one's lease ran out)."""
    with db.transaction(app) as session:
        session.execute(sa.update(InboundEvent).where(InboundEvent.line_user_id == user_id,
                                                      InboundEvent.status == status).values(claimer="other"))


def wait_for(condition, timeout: float = 10.0) -> None:
    """Wait until ``condition()`` is true, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


class TestFallbackPush:
    @pytest.mark.parametrize("status", [500, 503, 429])
    def test_a_reply_that_line_fails_goes_out_once_as_a_push(self, make_app, line_api, status):
        """LINE answering the reply with 5xx or 429: the same answer is pushed through the outbox, once."""
        app = make_app()
        line_api.fail_next(status, path="/v2/bot/message/reply", times=2)
        event = factories.text_event("こんにちは")
        assert post(app, event) == 200
        assert line_api.replies == []
        [delivery] = deliveries(app)
        assert (delivery.key, delivery.kind, delivery.personal) == (f"reply:{event['webhookEventId']}", "reply", True)
        send_outbox(app)
        send_outbox(app)
        [(to, messages, _key)] = line_api.pushes
        assert to == factories.USER_ID and text_of(messages)
        assert line_api.violations == []
        assert [(row.status, row.outcome) for row in rows(app)] == [(InboundStatus.DONE, "pushed")]

    def test_line_down_every_event_is_answered_once_it_is_back(self, make_app, line_api):
        """With LINE's API refusing connections, each event's answer waits in the outbox and goes out once."""
        app = make_app(line_client=SdkLineClient("token", host=closed_port_url(), timeout=1))
        events = [factories.text_event(text, user_id=user) for text, user in
                  (("こんにちは", USER_A), ("ありがとう", USER_B), ("住民票", USER_A))]
        assert post(app, *events) == 200
        send_outbox(app)  # still down: the push is kept for a retry
        assert {row.status for row in rows(app)} == {InboundStatus.DONE}
        with SdkLineClient("token", host=line_api.url, timeout=2) as back:
            runtime.of(app).clock.now = NOW + timedelta(minutes=10)  # past the outbox's backoff
            send_outbox(app, back)
            send_outbox(app, back)
        assert sorted(to for to, _messages, _key in line_api.pushes) == [USER_A, USER_A, USER_B]
        assert len({key for _to, _messages, key in line_api.pushes}) == 3
        assert line_api.replies == []

    def test_a_hung_api_gets_one_repeat_then_a_push(self, make_app, line_api):
        """LINE holding the reply past the client's timeout twice, having sent nothing: one push, no reply."""
        app = make_app(line_client=SdkLineClient("token", host=line_api.url, timeout=0.3))
        line_api.hang_next(1.0, times=2, path="/v2/bot/message/reply")
        assert post(app, factories.text_event("こんにちは")) == 200
        send_outbox(app)
        assert (len(line_api.replies), len(line_api.pushes)) == (0, 1)

    def test_a_slow_reply_that_went_out_is_not_pushed_again(self, make_app, line_api):
        """LINE sending the reply but answering too late: the repeat finds the token used, so no push follows."""
        app = make_app(line_client=SdkLineClient("token", host=line_api.url, timeout=0.3))
        line_api.delay_next(1.0, path="/v2/bot/message/reply")
        assert post(app, factories.text_event("こんにちは")) == 200
        assert deliveries(app) == []
        assert len(line_api.replies) == 1
        assert [(row.status, row.outcome) for row in rows(app)] == [(InboundStatus.DONE, "presumed-replied")]

    def test_a_refused_token_is_answered_by_push(self, make_app, line_api):
        """LINE refusing a fresh reply token (400 Invalid reply token) sends the answer as a push."""
        app = make_app()
        event = factories.text_event("こんにちは")
        line_api._used_reply_tokens.add(event["replyToken"])  # e.g. a redelivered event's token
        post(app, event)
        assert [d.kind for d in deliveries(app)] == ["reply"]

    def test_an_old_token_is_not_tried(self, make_app, line_api):
        """An event answered after the reply window goes out as a push without trying the token."""
        clock = Clock()
        app = make_app(clock=clock)
        with db.transaction(app) as session:  # stored, and not processed until the window is over
            inbox.accept(session, [factories.text_event("こんにちは")], NOW)
        clock.now = NOW + timedelta(seconds=runtime.of(app).settings.reply_window_seconds + 1)
        assert drain(app) == 1
        assert line_api.requests == []
        assert [d.kind for d in deliveries(app)] == ["reply"]

    def test_messages_line_refuses_are_not_pushed(self, make_app, line_api):
        """A 400 other than a refused token means the messages are wrong: a push would fail too, none is made."""
        app = make_app()
        line_api.fail_next(400, path="/v2/bot/message/reply")
        post(app, factories.text_event("こんにちは"))
        assert deliveries(app) == []
        assert [row.outcome for row in rows(app)] == ["not-sent"]

    def test_the_fallback_can_be_turned_off(self, make_app, line_api):
        """With REPLY_FALLBACK_PUSH=false a failed reply is only logged: nothing goes to the outbox."""
        app = make_app(REPLY_FALLBACK_PUSH="false")
        line_api.fail_next(500, path="/v2/bot/message/reply", times=2)
        post(app, factories.text_event("こんにちは"))
        assert deliveries(app) == []
        assert [row.outcome for row in rows(app)] == ["not-sent"]


class TestOrder:
    def test_a_residents_events_are_answered_in_event_time_order(self, make_app, line_api):
        """Events of one resident arriving out of order are answered by their timestamps."""
        app = make_app()
        events = [factories.text_event(text) for text in ("三", "一", "二")]
        for event, ms in zip(events, (3000, 1000, 2000), strict=True):
            event["timestamp"] = 1_700_000_000_000 + ms
        post(app, *events)
        assert [token for token, _m in line_api.replies] == [events[i]["replyToken"] for i in (1, 2, 0)]

    def test_an_event_waits_while_an_earlier_one_of_the_resident_is_being_delivered(self, make_app, line_api):
        """A resident's next event is not claimed while another processor holds their previous one."""
        app = make_app()
        first, second = factories.text_event("一"), factories.text_event("二")
        with db.transaction(app) as session:
            inbox.accept(session, [first, second], NOW)
            session.execute(sa.update(InboundEvent).where(InboundEvent.webhook_event_id == first["webhookEventId"])
                            .values(status=InboundStatus.ANSWERED, claimed_until=NOW + timedelta(seconds=30),
                                    claimer="elsewhere", messages=[{"type": "text", "text": "一"}]))
            inbox.accept(session, [factories.text_event("別の人", user_id=USER_B)], NOW)
        assert drain(app) == 1  # only the other resident's
        assert [row.status for row in rows(app)] == [InboundStatus.ANSWERED, InboundStatus.PENDING,
                                                     InboundStatus.DONE]

    def test_redelivery_is_a_duplicate(self, make_app, line_api):
        """The same webhookEventId posted again, or twice in one body, is stored and answered once."""
        app = make_app()
        event = factories.text_event("こんにちは")
        post(app, event, event)
        post(app, dict(event, deliveryContext={"isRedelivery": True}))
        assert len(rows(app)) == 1
        assert len(line_api.replies) == 1

    def test_an_event_without_an_id_is_skipped(self, make_app):
        """An event object without a webhookEventId cannot be deduplicated and is not stored."""
        app = make_app()
        with db.transaction(app) as session:
            accepted = inbox.accept(session, [{"type": "message"}, "x"], NOW)
        assert (accepted.new, accepted.skipped) == (0, 2)


class TestBatches:
    def test_a_claim_takes_one_event_per_resident(self, make_app):
        """A batch holds the oldest open event of each resident, never two of one resident."""
        app = make_app()
        first_a, second_a = factories.text_event("1", user_id=USER_A), factories.text_event("2", user_id=USER_A)
        first_b = factories.text_event("3", user_id=USER_B)
        with db.transaction(app) as session:
            inbox.accept(session, [first_a, second_a, first_b], NOW)
        with db.transaction(app) as session:
            claims = inbox.claim(session, NOW, 16)
        assert sorted(claim.webhook_event_id for claim in claims) == sorted(
            [first_a["webhookEventId"], first_b["webhookEventId"]])

    def test_a_claim_walks_the_open_events_in_order_when_the_statistics_are_stale(self, make_app, database_url):
        """On PostgreSQL the claim reads the open events in id order and stops at its limit, also when the
        planner's statistics were taken before a backlog built up (it would otherwise test every open event
        and sort them: slower with every event waiting)."""
        if not database_url.startswith("postgresql"):
            pytest.skip("PostgreSQL only: SQLite's planner has no statistics to mislead it")
        app = make_app()
        engine = db.session_factory(app).kw["bind"]
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE inbound_event")  # taken while the inbox is empty
        with db.transaction(app) as session:
            inbox.accept(session, [factories.text_event(str(n), user_id=f"U{n % 200:032x}") for n in range(2000)],
                         NOW)
        plans = []

        def explain(conn, cursor, statement, parameters, context, executemany):
            if statement.startswith("SELECT inbound_event.id, inbound_event.line_user_id") and not plans:
                cursor.execute("EXPLAIN " + statement, parameters)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))

        sa.event.listen(engine, "before_cursor_execute", explain)
        try:
            with db.transaction(app) as session:
                claims = inbox.claim(session, NOW, 16)
        finally:
            sa.event.remove(engine, "before_cursor_execute", explain)
        assert len(claims) == 16
        assert "Index Scan using ix_inbound_event_open_id" in plans[0]
        assert "Sort" not in plans[0] and "Bitmap" not in plans[0]

    def test_a_batch_answers_questions_and_routes_that_write_together(self, make_app, line_api):
        """A batch with a known resident's question and a newcomer's first message answers both, once each."""
        app = make_app()
        post(app, factories.follow_event(user_id=USER_A))
        with db.transaction(app) as session:
            inbox.accept(session, [factories.text_event("粗大ごみの申し込み", user_id=USER_A),
                                   factories.text_event("粗大ごみの申し込み", user_id=USER_B)], NOW)
        assert drain(app) == 2
        assert len(line_api.replies) == 3  # the welcome, then both answers
        with db.session_factory(app)() as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(Resident)) == 2

    def test_the_replies_of_a_batch_go_out_side_by_side(self, make_app, line_api):
        """A slow LINE API does not hold the next reply back: both are sent before the first is answered."""
        app = make_app()
        with db.transaction(app) as session:
            inbox.accept(session, [factories.text_event("こんにちは", user_id=USER_A),
                                   factories.text_event("こんにちは", user_id=USER_B)], NOW)
        line_api.delay_next(2.0, times=2, path="/v2/bot/message/reply")
        drain(app)
        first, second = line_api.received_at("/v2/bot/message/reply")
        assert second - first < 2.0


class TestRouting:
    READ = ("bot_routes_total", {"transaction": "read"})
    WRITE = ("bot_routes_total", {"transaction": "write"})

    def test_a_question_is_routed_in_a_read_transaction_and_its_log_row_kept(self, make_app, line_api):
        """A known resident's question is answered without a write in the route; its query log row is stored."""
        app = make_app()
        post(app, factories.follow_event())
        with Delta(self.READ, self.WRITE) as routes:
            post(app, factories.text_event("粗大ごみの申し込み"))
        assert routes.moved == [1, 0]
        with db.session_factory(app)() as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(QueryLog)) == 1
        assert len(line_api.replies) == 2

    def test_a_route_that_writes_runs_in_the_write_transaction(self, make_app, line_api):
        """A message whose route changes a row (「配信停止」 withdraws the consent) is answered from the write
        transaction, with what it wrote."""
        app = make_app()
        post(app, factories.follow_event())
        with db.transaction(app) as session:
            residents.give_consent(session, factories.USER_ID, NOW)
        with Delta(self.READ, self.WRITE) as routes:
            post(app, factories.text_event("配信停止"))
        assert routes.moved == [0, 1]
        with db.session_factory(app)() as session:
            assert session.scalar(sa.select(Resident.consent_at)) is None
        assert len(line_api.replies) == 2

    def test_a_step_opened_in_the_read_transaction_is_written_with_the_answer(self, make_app, line_api):
        """「データ削除」 opens the confirmation step: routed in the read transaction, the new step is stored with
        the answer, and the resident's next message answers it."""
        app = make_app()
        post(app, factories.follow_event())
        with Delta(self.READ, self.WRITE) as routes:
            post(app, factories.text_event("データ削除"))
        assert routes.moved == [1, 0]
        with db.session_factory(app)() as session:
            assert conversation.current(session, factories.USER_ID, NOW).step is conversation.Step.CONFIRM_DELETE

    def test_a_route_that_fails_in_the_read_transaction_leaves_the_batchs_other_answers_whole(
            self, make_app, line_api, monkeypatch):
        """Two residents' questions in one batch, read-only routes: the first route changes a row in memory
        and fails. It gets the apology, its change is forgotten, and the second is answered from what the
        database holds."""
        app = make_app()
        other = "U" + "e" * 32
        post(app, factories.follow_event(), factories.follow_event(user_id=other))
        with db.transaction(app) as session:
            for user_id in (factories.USER_ID, other):
                residents.set_area(session, user_id, "大町", NOW)
        on_text = dispatch.on_text

        def failing_for_the_first(ctx, user_id, text):
            if user_id == factories.USER_ID:
                for row in ctx.session.identity_map.values():
                    if isinstance(row, Resident):
                        row.area = "どこか"  # a change in memory that must not reach the next route
                raise RuntimeError("boom")
            return on_text(ctx, user_id, text)

        monkeypatch.setattr(dispatch, "on_text", failing_for_the_first)
        seen_areas = []
        area_of = bot_context.area_of

        def noted_area_of(ctx, user_id):
            seen_areas.append(area_of(ctx, user_id))
            return seen_areas[-1]

        monkeypatch.setattr(bot_context, "area_of", noted_area_of)
        with Delta(self.READ, self.WRITE) as routes:
            post(app, factories.text_event("こんにちは"), factories.text_event("粗大ごみの申し込み", user_id=other))
        firsts = [messages[0].get("text", "") for _token, messages in line_api.replies[-2:]]
        assert sorted("ただいまお答えできませんでした" in text for text in firsts) == [False, True]
        assert routes.moved == [2, 0]
        assert seen_areas and set(seen_areas) == {"大町"}
        with db.session_factory(app)() as session:
            assert set(session.scalars(sa.select(Resident.area))) == {"大町"}

    def test_a_newcomer_is_recorded_when_claimed_and_their_message_routed_once_in_a_read_transaction(
            self, make_app, line_api, monkeypatch):
        """A first message from someone without a record: the claim records them (as the route would), so
        the route only reads, once."""
        app = make_app()
        routed = count_routes(monkeypatch)
        with Delta(self.READ, self.WRITE) as routes:
            post(app, factories.text_event("粗大ごみの申し込み"))
        assert routes.moved == [1, 0]
        assert routed == [factories.USER_ID]
        with db.session_factory(app)() as session:
            resident = session.scalar(sa.select(Resident))
        assert (resident.line_user_id, resident.status) == (factories.USER_ID, ResidentStatus.ACTIVE)
        assert len(line_api.replies) == 1

    def test_the_claim_records_no_one_for_an_unfollow_and_leaves_a_blocked_resident_blocked(self, make_app, line_api):
        """Only a message's sender is recorded when claimed: an unfollow from someone unknown creates no one,
        and a blocked resident's message (LINE delivers none, but a redelivery may come late) unblocks no one."""
        app = make_app()
        post(app, factories.unfollow_event())
        with db.session_factory(app)() as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(Resident)) == 0
        post(app, factories.follow_event())
        post(app, factories.unfollow_event())
        post(app, factories.text_event("こんにちは"))
        with db.session_factory(app)() as session:
            assert session.scalar(sa.select(Resident.status)) is ResidentStatus.BLOCKED

    def test_a_message_to_an_open_step_is_routed_once(self, make_app, line_api, monkeypatch):
        """A resident whose step waits for an answer is routed in the write transaction only (the step writes)."""
        app = make_app()
        post(app, factories.follow_event())
        with db.transaction(app) as session:
            conversation.start(session, factories.USER_ID, conversation.Step.ASK_OWN_BIRTH_DATE, NOW)
        routed = count_routes(monkeypatch)
        post(app, factories.text_event("やめる"))
        assert routed == [factories.USER_ID]
        with db.session_factory(app)() as session:
            assert conversation.current(session, factories.USER_ID, NOW) is None

    @staticmethod
    def in_steps(app, *user_ids: str) -> None:
        """Residents who follow, each with a step waiting for their birth date."""
        post(app, *(factories.follow_event(user_id=user_id) for user_id in user_ids))
        with db.transaction(app) as session:
            for user_id in user_ids:
                conversation.start(session, user_id, conversation.Step.ASK_OWN_BIRTH_DATE, NOW)

    @staticmethod
    def open_steps(app) -> set[str]:
        with db.session_factory(app)() as session:
            return {user_id for user_id in (USER_A, USER_B) if conversation.current(session, user_id, NOW)}

    def test_the_writing_routes_of_a_batch_share_one_write_transaction(self, make_app, line_api, monkeypatch):
        """Two residents answer their open steps in one batch: each is routed once, both in the same write
        transaction, and both steps are closed and both answered."""
        app = make_app()
        self.in_steps(app, USER_A, USER_B)
        sessions = {}
        handle_event = dispatch.handle_event

        def noted(ctx, event):
            sessions[event.source.user_id] = (ctx.session, db.is_read_only(ctx.session))
            return handle_event(ctx, event)

        monkeypatch.setattr(dispatch, "handle_event", noted)
        post(app, factories.text_event("やめる", user_id=USER_A), factories.text_event("やめる", user_id=USER_B))
        assert sessions[USER_A] == sessions[USER_B] and sessions[USER_A][1] is False
        assert self.open_steps(app) == set()
        assert len(line_api.replies) == 4  # two welcomes, two answers

    def test_a_writing_route_that_fails_costs_its_own_event_alone(self, make_app, line_api, monkeypatch):
        """Of two writing routes in a batch, the one that fails gets the apology and keeps nothing (its step
        stays open); the other is answered and its step closed."""
        app = make_app()
        self.in_steps(app, USER_A, USER_B)
        on_text = dispatch.on_text

        def failing_for_a(ctx, user_id, text):
            if user_id == USER_A:
                conversation.cancel(ctx.session, user_id)  # written, then rolled back with the failure
                raise RuntimeError("boom")
            return on_text(ctx, user_id, text)

        monkeypatch.setattr(dispatch, "on_text", failing_for_a)
        post(app, factories.text_event("やめる", user_id=USER_A), factories.text_event("やめる", user_id=USER_B))
        answers = {token: messages[0].get("text", "") for token, messages in line_api.replies[-2:]}
        assert sorted("ただいまお答えできませんでした" in text for text in answers.values()) == [False, True]
        assert self.open_steps(app) == {USER_A}

    def test_a_writing_route_whose_lease_ran_out_keeps_nothing_and_the_other_is_answered(
            self, make_app, line_api, monkeypatch):
        """Of two writing routes in a batch, the one whose event another processor took over meanwhile keeps
        nothing (its step stays open, nothing is sent for it); the other is answered and its step closed."""
        app = make_app()
        self.in_steps(app, USER_A, USER_B)
        then(monkeypatch, "_read_only_answers", lambda claims, events: take_over(app, USER_A, InboundStatus.PENDING))
        post(app, factories.text_event("やめる", user_id=USER_A), factories.text_event("やめる", user_id=USER_B))
        assert self.open_steps(app) == {USER_A}
        assert len(line_api.replies) == 3  # two welcomes, B's answer

    def test_a_new_event_held_by_another_processor_is_left_alone_until_its_lease_ends(self, make_app, line_api):
        """A pending event under a live lease (another processor is answering it) is claimed only once it ran out."""
        clock = Clock()
        app = make_app(clock=clock)
        with db.transaction(app) as session:
            inbox.accept(session, [factories.text_event("こんにちは")], NOW)
            session.execute(sa.update(InboundEvent).values(claimer="busy", claimed_until=NOW + timedelta(seconds=5)))
        assert drain(app) == 0
        clock.now = NOW + timedelta(seconds=6)
        assert drain(app) == 1
        assert len(line_api.replies) == 1

    def test_a_route_whose_lease_ran_out_keeps_nothing(self, make_app, line_api, monkeypatch):
        """When another processor took the event over while it was routed, this one stores and sends nothing."""
        app = make_app()
        post(app, factories.follow_event())

        def overtaken(claims, events):
            with db.transaction(app) as session:
                session.execute(sa.update(InboundEvent).where(InboundEvent.id.in_([c.id for c in claims]))
                                .values(claimer="other"))

        then(monkeypatch, "_read_only_answers", overtaken)
        post(app, factories.text_event("粗大ごみの申し込み"))
        [_follow, row] = rows(app)
        assert (row.status, row.claimer) == (InboundStatus.PENDING, "other")
        with db.session_factory(app)() as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(QueryLog)) == 0
        assert len(line_api.replies) == 1  # the welcome only

    def test_an_event_taken_over_during_delivery_is_closed_by_its_new_holder_only(self, make_app, line_api,
                                                                                  monkeypatch):
        """Of a batch whose deliveries outlived one event's lease, only the events still held are closed."""
        app = make_app()
        post(app, factories.follow_event(user_id=USER_A), factories.follow_event(user_id=USER_B))
        then(monkeypatch, "_deliver_all", lambda rt, sends: take_over(app, USER_B, InboundStatus.ANSWERED))
        with db.transaction(app) as session:
            inbox.accept(session, [factories.text_event("こんにちは", user_id=USER_A),
                                   factories.text_event("こんにちは", user_id=USER_B)], NOW)
        drain(app)
        left = {row.line_user_id: (row.status, row.claimer) for row in rows(app)[2:]}
        assert left[USER_A][0] is InboundStatus.DONE
        assert left[USER_B] == (InboundStatus.ANSWERED, "other")


class TestTakeover:
    def left_behind(self, app, event, *, claimed_until):
        """An answered event whose processor died before delivering it (its lease left behind)."""
        with db.transaction(app) as session:
            inbox.accept(session, [event], NOW)
            session.execute(sa.update(InboundEvent).values(
                status=InboundStatus.ANSWERED, claimed_until=claimed_until, claimer="dead", attempts=1,
                messages=[{"type": "text", "text": "こたえ"}]))

    def test_an_expired_lease_is_taken_over_and_answered_once(self, make_app, line_api):
        """A lease that ran out is taken over; the answer stored by the dead processor is replied."""
        app = make_app()
        event = factories.text_event("こんにちは")
        self.left_behind(app, event, claimed_until=NOW - timedelta(seconds=1))
        assert drain(app) == 1
        assert line_api.replies == [(event["replyToken"], [{"type": "text", "text": "こたえ"}])]
        assert deliveries(app) == []

    def test_a_live_lease_is_left_alone(self, make_app, line_api):
        """An event whose processor still holds its lease is not touched."""
        app = make_app()
        self.left_behind(app, factories.text_event("こんにちは"), claimed_until=NOW + timedelta(seconds=5))
        assert drain(app) == 0
        assert line_api.requests == []

    def test_a_taken_over_event_whose_reply_went_out_is_not_pushed(self, make_app, line_api):
        """When the dead processor had replied, the refused token means "sent": no push, no second reply."""
        app = make_app()
        event = factories.text_event("こんにちは")
        line_api._used_reply_tokens.add(event["replyToken"])
        self.left_behind(app, event, claimed_until=NOW - timedelta(seconds=1))
        drain(app)
        assert deliveries(app) == []
        assert [row.outcome for row in rows(app)] == ["presumed-replied"]

    def test_a_delivery_taken_over_too_often_is_given_up(self, make_app, line_api):
        """An event whose delivery was taken over MAX_ATTEMPTS times is marked failed, not tried forever."""
        app = make_app()
        self.left_behind(app, factories.text_event("こんにちは"), claimed_until=NOW - timedelta(seconds=1))
        with db.transaction(app) as session:
            session.execute(sa.update(InboundEvent).values(attempts=5))
        drain(app)
        assert [row.status for row in rows(app)] == [InboundStatus.FAILED]
        assert line_api.requests == []

    def test_the_push_worker_takes_over_what_a_web_process_left(self, make_app, line_api):
        """The push worker's registered pass answers an event left behind."""
        app = make_app()
        self.left_behind(app, factories.text_event("こんにちは"), claimed_until=NOW - timedelta(seconds=1))
        [work] = runtime.of(app).worker_passes
        with app.app_context():
            assert work() == 1
        assert len(line_api.replies) == 1

    def test_a_finished_event_keeps_nothing_the_resident_wrote(self, make_app, line_api):
        """Once done, an event's stored text and answer are emptied; only the id stays for dedup."""
        app = make_app()
        post(app, factories.text_event("胸が痛い"))
        [row] = rows(app)
        assert (row.status, row.payload, row.messages) == (InboundStatus.DONE, None, None)


class TestThreads:
    def test_the_webhook_never_waits_on_line(self, make_app, line_api):
        """With processor threads, the request stores and answers 200 at once, even while LINE hangs, and
        makes no LINE call itself; the threads answer every event after."""
        app = make_app(INBOX_THREADS=2, INBOX_POLL_SECONDS=0.05)
        rt = runtime.of(app)
        callers, real_reply = [], rt.line.reply

        def reply(token, messages):
            callers.append(threading.get_ident())
            return real_reply(token, messages)

        rt.line.reply = reply
        line_api.delay_next(3.0, path="/v2/bot/message/reply")
        started = time.monotonic()
        events = [factories.text_event(text, user_id=user) for user in (USER_A, USER_B, factories.USER_ID)
                  for text in ("こんにちは", "ありがとう")]
        assert post(app, *events) == 200
        assert time.monotonic() - started < 2.0  # LINE's own budget, and less than LINE's delay
        wait_for(lambda: len(line_api.replies) == len(events))
        assert threading.get_ident() not in callers
        wait_for(lambda: {row.status for row in rows(app)} == {InboundStatus.DONE})
        assert line_api.pushes == []

    def test_a_processor_that_cannot_claim_is_counted_and_answers_once_it_can(self, make_app, line_api,
                                                                               monkeypatch):
        """A claim that raises (the database refusing the transaction) is counted in bot_inbox_errors, which
        an operator can alert on while webhooks still get 200; the event is answered once claims work again."""
        app = make_app(INBOX_THREADS=1, INBOX_POLL_SECONDS=0.05)
        real_claim, failing = inbox.claim, threading.Event()
        failing.set()

        def claim(session, now, limit=1):
            if failing.is_set():
                raise sa.exc.OperationalError("SELECT", {}, Exception("server closed the connection"))
            return real_claim(session, now, limit)

        monkeypatch.setattr(inbox, "claim", claim)
        with Delta(("bot_inbox_errors_total", {})) as errors:
            assert post(app, factories.text_event("こんにちは")) == 200
            wait_for(lambda: metrics_value("bot_inbox_errors_total") - errors.before[0] >= 1)
            assert line_api.replies == []
            failing.clear()
            wait_for(lambda: len(line_api.replies) == 1)
        assert errors.moved[0] >= 1

    def test_several_threads_keep_each_residents_order(self, make_app, line_api):
        """Four threads answering three residents' interleaved events reply to each resident in event order."""
        app = make_app(INBOX_THREADS=4, INBOX_POLL_SECONDS=0.05)
        events = []
        for n in range(5):
            for user in (USER_A, USER_B, factories.USER_ID):
                event = factories.text_event("こんにちは", user_id=user)
                event["timestamp"] = 1_700_000_000_000 + n * 1000
                events.append(event)
        for event in events:  # one webhook each, as LINE sends them when residents write at once
            assert post(app, event) == 200
        wait_for(lambda: len(line_api.replies) == len(events), timeout=30)
        order = {event["replyToken"]: (event["source"]["userId"], event["timestamp"]) for event in events}
        for user in (USER_A, USER_B, factories.USER_ID):
            times = [order[token][1] for token, _m in line_api.replies if order[token][0] == user]
            assert times == sorted(times), user

    def test_a_lookout_finds_events_nobody_announced_and_wakes_the_other_threads(self, make_app, line_api):
        """With a lookout (answer processes: no webhook in the process to wake them), events stored elsewhere are
        answered within moments although the threads' own poll is a minute."""
        app = make_app(INBOX_THREADS=2)
        processors = processor.Inbox(app, threads=2, poll_seconds=60, lookout_seconds=0.02)
        events = [factories.text_event("こんにちは", user_id=user) for user in (USER_A, USER_B)]
        processors.start()
        try:
            with app.app_context(), db.statement_connection(app) as connection:
                inbox.accept(connection, events, NOW)
            deadline = time.monotonic() + 10
            while len(line_api.replies) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            processors.stop(timeout=5)
        assert sorted(token for token, _m in line_api.replies) == sorted(e["replyToken"] for e in events)

    def test_the_threads_collect_garbage_once_a_batchs_replies_are_out(self, make_app, line_api, monkeypatch):
        """The collection due runs after a batch is delivered (``runtime.collect_between``), not inside an answer."""
        app = make_app(INBOX_THREADS=1)
        replies_then: list[int] = []
        monkeypatch.setattr(runtime, "collect_between", lambda: replies_then.append(len(line_api.replies)))
        processors = processor.Inbox(app, threads=1, poll_seconds=60, lookout_seconds=0.02)
        processors.start()
        try:
            with app.app_context(), db.statement_connection(app) as connection:
                inbox.accept(connection, [factories.text_event("こんにちは", user_id=USER_A)], NOW)
            deadline = time.monotonic() + 10
            while not replies_then and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            processors.stop(timeout=5)
        assert replies_then and replies_then[0] == 1

    def test_threads_start_again_after_a_fork(self, make_app):
        """The threads belong to the process that started them: in a forked child they are started anew."""
        app = make_app(INBOX_THREADS=1, INBOX_POLL_SECONDS=0.05)
        processors = app.extensions["bot"].inbox
        processors.start()
        processors._pid = -1  # as seen from a child process forked after the start
        processors.start()
        assert processors._pid == os.getpid()


CHILD = """
import sys, time
from app import create_app
from tests import factories
from tests.conftest import line_config
config = {**line_config(sys.argv[1], sys.argv[2]), "INBOX_LEASE_SECONDS": 1}
raw = sys.argv[3]
app = create_app(config)
print("ready", flush=True)
app.test_client().post("/callback", data=raw, content_type="application/json",
                       headers={"X-Line-Signature": factories.sign(raw)})
print("finished", flush=True)
"""


def test_a_web_process_killed_while_replying_is_taken_over_and_answered_once(make_app, database_url, line_api):
    """SIGKILL a process while LINE holds its reply: another process takes the event over after the lease,
    and the resident gets the answer once (the reply went out, so no push follows)."""
    event = factories.text_event("こんにちは")
    line_api.delay_next(30, path="/v2/bot/message/reply")
    child = subprocess.Popen([sys.executable, "-c", CHILD, database_url, line_api.url, factories.body(event)],
                             cwd=ROOT, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        wait_for(lambda: any(r.path == "/v2/bot/message/reply" for r in line_api.requests), timeout=60)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    app = make_app(clock=lambda: datetime.now(UTC), INBOX_LEASE_SECONDS=1)
    [left] = rows(app)
    assert left.status is InboundStatus.ANSWERED
    time.sleep(1.1)
    assert drain(app) == 1
    assert len(line_api.replies) == 1
    assert deliveries(app) == []
    assert [(row.status, row.outcome) for row in rows(app)] == [(InboundStatus.DONE, "presumed-replied")]
    assert json.dumps(line_api.violations) == "[]"


class TestFlood:
    BASE = 1_700_000_000_000

    def burst(self, count: int, *, start_ms: int = 0, user_id: str = factories.USER_ID, texts=None) -> list[dict]:
        """``count`` text events of one resident, one a second from ``start_ms``."""
        events = []
        for i in range(count):
            event = factories.text_event(texts[i] if texts else f"住民票{i}", user_id=user_id)
            event["timestamp"] = self.BASE + start_ms + i * 1000
            events.append(event)
        return events

    def answers(self, line_api, events) -> list[str]:
        """The reply text each event got ("" for none), in the events' order."""
        by_token = {token: text_of([m.to_dict() if hasattr(m, "to_dict") else m for m in messages])
                    for token, messages in line_api.replies}
        return [by_token.get(event["replyToken"], "") for event in events]

    def test_a_batch_counts_each_residents_burst_as_one_event_would(self, make_app):
        """``bursts`` gives every event of a batch the count ``burst`` gives it alone: same-millisecond events,
        another resident's and messages older than a minute included."""
        app = make_app()
        other = "U" + "2" * 32
        events = [*self.burst(3), *self.burst(2, start_ms=2000), *self.burst(2, start_ms=1000, user_id=other),
                  *self.burst(1, start_ms=62_500), *self.burst(1, start_ms=63_000, user_id=other)]
        with db.transaction(app) as session:
            inbox.accept(session, events, NOW)
        with db.transaction(app) as session:
            every = [inbox.Claim(row.id, row.webhook_event_id, row.line_user_id, row.status, row.received_at,
                                 row.event_time, row.attempts, None, None)
                     for row in session.scalars(sa.select(InboundEvent))]
            counted = inbox.bursts(session, every)
            assert counted == {claim.id: inbox.burst(session, claim) for claim in every}
            assert sorted(counted.values()) == [1, 1, 1, 2, 2, 2, 3, 4, 5]

    def test_a_flood_gets_one_notice_then_silence(self, make_app, line_api):
        """Past the limit, the first message over gets the notice and the rest no answer; every webhook is 200."""
        app = make_app(FLOOD_MESSAGES_PER_MINUTE=5)
        events = self.burst(8)
        assert all(post(app, event) == 200 for event in events)
        answers = self.answers(line_api, events)
        assert all(answers[:5]) and "時間をおいて" not in "".join(answers[:5])
        assert "時間をおいて" in answers[5] and "119" in answers[5]
        assert answers[6:] == ["", ""]

    def test_the_resident_is_answered_again_once_the_minute_calms(self, make_app, line_api):
        """A message more than a minute after the burst is answered normally."""
        app = make_app(FLOOD_MESSAGES_PER_MINUTE=3)
        events = self.burst(5)
        later = self.burst(1, start_ms=5 * 1000 + 61_000)
        for event in [*events, *later]:
            post(app, event)
        [answer] = self.answers(line_api, later)
        assert answer and "時間をおいて" not in answer

    def test_an_emergency_in_a_flood_is_still_answered_with_119(self, make_app, line_api):
        """A possible emergency past the limit gets the 119 answer, not silence."""
        app = make_app(FLOOD_MESSAGES_PER_MINUTE=2)
        events = self.burst(5, texts=["あ", "い", "う", "え", "息ができない"])
        for event in events:
            post(app, event)
        assert "119" in self.answers(line_api, events)[4]
        assert self.answers(line_api, events)[3] == ""

    def test_another_resident_is_not_held_back(self, make_app, line_api):
        """One resident's flood leaves another resident's messages answered."""
        app = make_app(FLOOD_MESSAGES_PER_MINUTE=2)
        flood = self.burst(5)
        other = self.burst(1, start_ms=4000, user_id="U" + "2" * 32)
        for event in [*flood, *other]:
            post(app, event)
        assert self.answers(line_api, other)[0] and "時間をおいて" not in self.answers(line_api, other)[0]

    def test_a_limit_of_zero_answers_everything(self, make_app, line_api):
        """FLOOD_MESSAGES_PER_MINUTE=0 turns flood control off."""
        app = make_app(FLOOD_MESSAGES_PER_MINUTE=0)
        events = self.burst(6)
        for event in events:
            post(app, event)
        assert all(self.answers(line_api, events))
