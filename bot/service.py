"""The bot's shared objects and the handling of a batch of webhook events, one transaction per event."""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from linebot.v3 import WebhookParser
from linebot.v3.webhooks import Event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import db
from bot import dispatch
from bot.models import ProcessedEvent
from city import service as city_service
from content.revisions import revisions
from faq.policy import AnswerPolicy
from faq.store import MatcherCache
from garbage.catalog import CatalogCache
from messaging import build
from messaging import texts
from messaging.client import LineClient
from messaging.errors import LineApiError

log = logging.getLogger(__name__)

# LINE redelivers within about a day; event ids are kept a little longer, then purged.
KEEP_EVENT_IDS = timedelta(days=2)
PURGE_EVERY = timedelta(hours=1)


@dataclass
class BotServices:
    """What the bot shares across requests in one process (kept in ``app.extensions["bot"]``)."""

    parser: WebhookParser | None
    line: LineClient
    matchers: MatcherCache
    catalogs: CatalogCache
    cities: city_service.CityCache
    policy: AnswerPolicy
    secret: str
    timezone: ZoneInfo
    clock: Callable[[], datetime]
    last_purge: datetime | None = field(default=None, init=False)

    def context(self, session: Session, *, area: str | None = None, top: int = 5,
                today=None) -> dispatch.Context:
        """A dispatch context for one event or command, at the current time."""
        now = self.clock()
        counters = revisions(session)
        return dispatch.Context(
            session=session,
            city=self.cities.get(session, counters),
            matcher=self.matchers.get(session, counters),
            policy=self.policy,
            secret=self.secret,
            now=now,
            today=today or now.astimezone(self.timezone).date(),
            area=area,
            top=top,
            garbage=self.catalogs.get(session, counters),
        )


def first_time(session: Session, webhook_event_id: str, received_at: datetime) -> bool:
    """Record the event id; False when it was already recorded (a redelivery or a duplicate)."""
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(webhook_event_id=webhook_event_id, received_at=received_at))
    except IntegrityError:
        return False
    return True


def purge_event_ids(session: Session, before: datetime) -> int:
    """Forget event ids received before ``before``; returns how many were deleted."""
    result = session.execute(sa.delete(ProcessedEvent).where(ProcessedEvent.received_at < before))
    return result.rowcount or 0


def process_events(services: BotServices, events: Sequence[Event]) -> None:
    """Handle each event in its own transaction, then reply; one failing event never stops the rest.

    About once an hour per process, event ids older than ``KEEP_EVENT_IDS`` are purged as well.
    """
    now = services.clock()
    if services.last_purge is None or now - services.last_purge >= PURGE_EVERY:
        services.last_purge = now
        with db.transaction() as session:
            purged = purge_event_ids(session, now - KEEP_EVENT_IDS)
        if purged:
            log.info("webhook.event_ids_purged", extra={"count": purged})
    for event in events:
        reply_token = getattr(event, "reply_token", None)
        with db.transaction() as session:
            if not first_time(session, event.webhook_event_id, now):
                log.info("webhook.duplicate", extra={"type": event.type})
                continue
            try:
                with session.begin_nested():
                    result = dispatch.handle_event(services.context(session), event)
                messages = result.messages
            except Exception:
                log.exception("webhook.event_failed", extra={"type": event.type})
                messages = build.text(texts.SORRY_ERROR)
        if event.mode != "active" or not reply_token or not messages:
            continue
        try:
            services.line.reply(reply_token, messages)
        except LineApiError as error:
            log.warning("line.reply_failed", extra={"status": error.status, "reason": error.message})
        except Exception:  # an unreadable answer from LINE must not turn into a 500 and a redelivery
            log.exception("line.reply_error")


def services() -> BotServices:
    """The bot services of the current app."""
    return current_app.extensions["bot"]
