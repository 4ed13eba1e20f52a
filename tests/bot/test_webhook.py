"""POST /callback: signatures, parsing, deduplication and replies through the SDK to the fake LINE API."""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

import db
import runtime
from app import create_app
from bot.inbox import KEEP_EVENT_IDS
from bot.models import InboundEvent
from bot.models import InboundStatus
from city import pack as packs
from residents.models import Resident
from residents.models import ResidentStatus
from tests import chat
from tests import factories
from tests.conftest import NOW

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "line-webhook-samples" / "webhook.json"


def reply_texts(line_api) -> list[list[str]]:
    """The texts of each reply the fake LINE server accepted."""
    return [[m.get("text", "") for m in messages] for _token, messages in line_api.replies]


class TestSignature:
    def test_forged_signature_is_rejected_before_anything_is_stored(self, post_webhook, session, line_api):
        """A body signed with the wrong secret gets 400 and leaves no trace."""
        raw = factories.body(factories.follow_event())
        response = post_webhook(raw, signature=factories.sign(raw, secret="not-the-secret"))
        assert response.status_code == 400
        assert session.scalar(sa.select(sa.func.count()).select_from(InboundEvent)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(Resident)) == 0
        assert line_api.requests == []

    def test_missing_signature_is_rejected(self, client):
        """A body without X-Line-Signature gets 400."""
        response = client.post("/callback", data=factories.body(), content_type="application/json")
        assert response.status_code == 400

    def test_tampered_body_is_rejected(self, post_webhook):
        """A valid signature of another body does not validate this one."""
        signature = factories.sign(factories.body(factories.text_event("こんにちは")))
        response = post_webhook(factories.body(factories.text_event("こんばんは")), signature=signature)
        assert response.status_code == 400

    def test_without_a_channel_secret_the_webhook_is_unavailable(self, database_url):
        """Console mode (no LINE credentials) answers 503 and never accepts an unsigned body."""
        app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k"})
        response = app.test_client().post("/callback", data=factories.body(), content_type="application/json")
        assert response.status_code == 503


class TestBody:
    def test_empty_event_list_is_acknowledged(self, post_webhook, line_api):
        """LINE's connectivity check (events: []) gets 200 and sends nothing."""
        assert post_webhook(factories.body()).status_code == 200
        assert line_api.requests == []

    def test_signed_malformed_json_gets_400(self, post_webhook):
        """A correctly signed body that is not JSON gets 400, not a server error."""
        assert post_webhook("{not json").status_code == 400

    def test_signed_body_without_events_gets_400(self, post_webhook):
        """A correctly signed JSON body without an events list gets 400."""
        assert post_webhook(json.dumps({"destination": "U1"})).status_code == 400

    def test_oversized_body_gets_413(self, app, post_webhook):
        """A body over the configured limit gets 413 without being parsed."""
        raw = factories.body(factories.text_event("あ" * 10))
        rt = runtime.of(app)
        rt.settings = dataclasses.replace(rt.settings, webhook_max_bytes=len(raw.encode()) - 1)
        assert post_webhook(raw).status_code == 413


class TestEvents:
    def test_every_sample_event_is_handled_without_error(self, post_webhook, line_api, caplog):
        """All 28 events of the SDK's sample webhook, signed and with their own ids, are handled cleanly."""
        payload = json.loads(SAMPLES.read_text(encoding="utf-8"))
        for event in payload["events"]:
            event["webhookEventId"] = factories.event_id()
        raw = json.dumps(payload)
        with caplog.at_level(logging.WARNING):
            response = post_webhook(raw)
        assert response.status_code == 200
        assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
        assert line_api.violations == []
        assert len(line_api.replies) > 0

    def test_duplicate_event_ids_are_handled_once(self, post_webhook, line_api, session):
        """An event redelivered with the same webhookEventId is skipped."""
        event = factories.text_event("こんにちは")
        raw = factories.body(event)
        assert post_webhook(raw).status_code == 200
        redelivered = dict(event, deliveryContext={"isRedelivery": True})
        assert post_webhook(factories.body(redelivered)).status_code == 200
        assert len(line_api.replies) == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(InboundEvent)) == 1

    def test_standby_mode_sends_nothing(self, post_webhook, line_api):
        """In standby mode another module holds the chat, so the bot stays silent."""
        assert post_webhook(factories.body(factories.text_event("こんにちは", mode="standby"))).status_code == 200
        assert line_api.requests == []

    def test_several_events_from_different_users_each_get_a_reply(self, post_webhook, line_api):
        """One webhook may carry events of several residents; each is answered."""
        raw = factories.body(factories.text_event("こんにちは", user_id="U" + "a" * 32),
                             factories.text_event("ありがとう", user_id="U" + "b" * 32))
        post_webhook(raw)
        assert len(line_api.replies) == 2


class TestFollow:
    def test_follow_creates_an_active_resident_and_welcomes_them(self, post_webhook, line_api, session, faq):
        """A new friend is stored as active and gets the welcome message."""
        post_webhook(factories.body(factories.follow_event()))
        resident = session.scalar(sa.select(Resident))
        assert resident.line_user_id == factories.USER_ID
        assert resident.status is ResidentStatus.ACTIVE
        assert "友だち追加ありがとうございます" in reply_texts(line_api)[0][0]
        assert line_api.violations == []

    def test_unfollow_marks_the_resident_blocked(self, post_webhook, session, line_api):
        """Blocking the account marks the resident blocked and sends nothing."""
        post_webhook(factories.body(factories.follow_event()))
        post_webhook(factories.body(factories.unfollow_event()))
        resident = session.scalar(sa.select(Resident))
        assert resident.status is ResidentStatus.BLOCKED
        assert resident.blocked_at is not None
        assert len(line_api.replies) == 1

    def test_unblock_reactivates_the_resident_with_a_welcome_back(self, post_webhook, session, line_api):
        """A follow with isUnblocked re-activates the blocked resident and says welcome back."""
        post_webhook(factories.body(factories.follow_event()))
        post_webhook(factories.body(factories.unfollow_event()))
        post_webhook(factories.body(factories.follow_event(unblocked=True)))
        resident = session.scalar(sa.select(Resident))
        assert resident.status is ResidentStatus.ACTIVE
        assert resident.blocked_at is None
        assert "おかえりなさい" in reply_texts(line_api)[-1][0]


class TestMessages:
    def test_text_gets_an_faq_answer_through_the_sdk(self, post_webhook, line_api, faq):
        """A clear question is answered with the FAQ entry, sent by the SDK and valid per LINE's spec."""
        post_webhook(factories.body(factories.text_event("住民票の写しを取りたい")))
        assert line_api.violations == []
        [texts] = reply_texts(line_api)
        assert "市民課の窓口" in texts[0]

    def test_a_location_without_shelter_data_names_the_city_desk(self, post_webhook, line_api, faq):
        """A location message, before the city has imported shelters, gets a kind word with the desk's phone."""
        post_webhook(factories.body(factories.location_event()))
        assert "0123-45-6789" in reply_texts(line_api)[0][0]

    def test_a_location_then_a_hazard_gets_three_shelters_as_map_pins_through_the_sdk(self, app, post_webhook,
                                                                                       line_api):
        """Location → hazard buttons → 地震: a text and three location messages, each valid per LINE's spec."""
        with db.transaction(app) as session:
            packs.load_pack(session, chat.DEMO)
        post_webhook(factories.body(factories.location_event(lat=42.8425, lon=141.65)))
        [(_token, asked)] = line_api.replies
        [quake] = [item["action"]["data"] for item in asked[-1]["quickReply"]["items"]
                   if item["action"]["label"] == "地震"]
        post_webhook(factories.body(factories.postback_event(quake)))
        assert line_api.violations == []
        [_asked, (_token, found)] = line_api.replies
        assert [message["type"] for message in found] == ["text", "location", "location", "location"]

    def test_sticker_gets_a_short_friendly_reply(self, post_webhook, line_api):
        """A sticker is small talk: a short friendly word, never an apology or an FAQ."""
        post_webhook(factories.body(factories.sticker_event()))
        assert reply_texts(line_api)[0] == ["スタンプありがとうございます。知りたいことがあれば、短い言葉で送ってください。"]

    def test_image_gets_a_hint_to_write_text(self, post_webhook, line_api):
        """A non-text message other than a sticker or a location is answered with a hint to type the question."""
        event = factories.sticker_event()
        event["message"] = {"type": "image", "id": event["message"]["id"], "quoteToken": "q",
                            "contentProvider": {"type": "line"}}
        post_webhook(factories.body(event))
        assert "文字のメッセージ" in reply_texts(line_api)[0][0]

    def test_five_thousand_character_message_gets_a_valid_reply(self, post_webhook, line_api, faq):
        """A 5,000-character message with emoji is answered within LINE's limits."""
        post_webhook(factories.body(factories.text_event("😀粗大ごみ" * 1000)))
        assert line_api.violations == []
        assert len(line_api.replies) == 1

    def test_a_failing_event_gets_an_apology_and_is_not_retried(self, post_webhook, line_api, monkeypatch, session):
        """An error inside one event is logged, answered with an apology, and the event stays recorded."""
        from bot import dispatch

        def boom(*args, **kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(dispatch, "on_text", boom)
        response = post_webhook(factories.body(factories.text_event("こんにちは")))
        assert response.status_code == 200
        assert "申し訳ありません" in reply_texts(line_api)[0][0]
        assert session.scalar(sa.select(sa.func.count()).select_from(InboundEvent)) == 1

    def test_a_writing_route_that_fails_keeps_none_of_its_writes_and_gets_an_apology(
            self, post_webhook, line_api, monkeypatch, session):
        """A route that writes (in a transaction of its own) and then fails is answered with the apology; what
        it wrote is rolled back (the resident stays recorded: that was done when the message was claimed);
        the event is done."""
        from bot import conversation
        from bot import dispatch
        from bot.conversation import Step
        from bot.models import Conversation

        def writes_then_fails(ctx, user_id, *args, **kwargs):
            conversation.start(ctx.session, user_id, Step.ASK_AREA, ctx.now)
            raise RuntimeError("boom")

        monkeypatch.setattr(dispatch, "on_text", writes_then_fails)
        assert post_webhook(factories.body(factories.text_event("こんにちは"))).status_code == 200
        assert "申し訳ありません" in reply_texts(line_api)[0][0]
        assert session.scalar(sa.select(sa.func.count()).select_from(Conversation)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(Resident)) == 1
        assert session.scalar(sa.select(InboundEvent.status)) is InboundStatus.DONE

    def test_a_used_reply_token_does_not_break_the_webhook(self, post_webhook, line_api):
        """When LINE rejects the reply (token already used), the webhook still answers 200."""
        event = factories.text_event("こんにちは")
        line_api.fail_next(400)
        assert post_webhook(factories.body(event)).status_code == 200


class TestEventIdRetention:
    def test_old_event_ids_are_purged(self, app, post_webhook, session):
        """Event ids older than the retention period are deleted on a later webhook."""
        def done(event_id, received_at):
            return InboundEvent(webhook_event_id=event_id, line_user_id=factories.USER_ID, event_type="message",
                                event_time=received_at, received_at=received_at, status=InboundStatus.DONE)

        with db.transaction(app) as tx:
            tx.add(done("old", NOW - KEEP_EVENT_IDS - timedelta(minutes=1)))
            tx.add(done("recent", NOW - timedelta(hours=1)))
        post_webhook(factories.body(factories.text_event("こんにちは")))
        ids = set(session.scalars(sa.select(InboundEvent.webhook_event_id)))
        assert "old" not in ids and "recent" in ids and len(ids) == 2


class TestEdges:
    def test_deeply_nested_json_gets_400(self, post_webhook, line_api):
        """A signed body nested thousands deep gets 400, not a server error."""
        raw = '{"destination":"U1","events":[' + "[" * 2000 + "]" * 2000 + "]}"
        assert post_webhook(raw).status_code == 400
        assert line_api.requests == []

    def test_a_lone_surrogate_in_a_text_is_answered_without_a_traceback(self, post_webhook, line_api, caplog):
        """A text with an escaped lone surrogate gets a normal reply and no error is logged."""
        raw = factories.body(factories.text_event("住民票MARKがほしい")).replace("MARK", "\\ud800")
        assert post_webhook(raw).status_code == 200
        assert len(line_api.replies) == 1
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
