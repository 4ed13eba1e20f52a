"""Handling a batch of webhook events: one transaction per event, duplicates skipped, then the reply."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from linebot.v3.webhooks import Event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import db
import metrics
import runtime
from bot import dispatch
from bot.context import Reply
from bot.context import context_for
from bot.context import current_bot
from bot.models import ProcessedEvent
from messaging import build
from messaging import texts
from messaging.errors import LineApiError

log = logging.getLogger(__name__)

# LINE redelivers within about a day; event ids are kept a little longer, then purged.
KEEP_EVENT_IDS = timedelta(days=2)
PURGE_EVERY = timedelta(hours=1)
ANSWER_KINDS = frozenset({"intent", "faq", "suggest", "fallback"})  # ``Reply.kind`` of an answer to a text
HEALTH_INTENT_PREFIX = "health."  # health desk answers (``bot.flows.health``)


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


def answer_tier(reply: Reply) -> str | None:
    """The tier an answer to a text came from: health, intent, faq, suggest or fallback (None: not a text)."""
    if reply.intent is not None and reply.intent.startswith(HEALTH_INTENT_PREFIX):
        return "health"
    return reply.kind if reply.kind in ANSWER_KINDS else None


def process_events(events: Sequence[Event]) -> None:
    """Handle each event in its own transaction, then reply; one failing event never stops the rest.

    About once an hour per process, event ids older than ``KEEP_EVENT_IDS`` are purged as well.
    """
    rt, bot = runtime.current(), current_bot()
    now = rt.now()
    if bot.last_purge is None or now - bot.last_purge >= PURGE_EVERY:
        bot.last_purge = now
        with db.transaction() as session:
            purged = purge_event_ids(session, now - KEEP_EVENT_IDS)
        if purged:
            log.info("webhook.event_ids_purged", extra={"count": purged})
    for event in events:
        metrics.EVENTS.labels(type=str(event.type)).inc()
        reply_token = getattr(event, "reply_token", None)
        tier = None
        with db.transaction() as session:
            if not first_time(session, event.webhook_event_id, now):
                log.info("webhook.duplicate", extra={"type": event.type})
                metrics.DUPLICATE_EVENTS.inc()
                continue
            try:
                with session.begin_nested():
                    result = dispatch.handle_event(context_for(session), event)
                messages = result.messages
                tier = answer_tier(result)
            except Exception:
                log.exception("webhook.event_failed", extra={"type": event.type})
                metrics.EVENT_FAILURES.inc()
                messages = build.text(texts.SORRY_ERROR)
        if tier is not None:  # counted once the answer is committed
            metrics.ANSWERS.labels(tier=tier).inc()
        if event.mode != "active" or not reply_token or not messages:
            continue
        try:
            rt.line.reply(reply_token, messages)
        except LineApiError as error:
            log.warning("line.reply_failed", extra={"status": error.status, "reason": error.message})
            metrics.REPLY_FAILURES.labels(status=metrics.NO_ANSWER if error.status is None else str(error.status)).inc()
        except Exception:  # an unreadable answer from LINE must not turn into a 500 and a redelivery
            log.exception("line.reply_error")
            metrics.REPLY_FAILURES.labels(status="error").inc()
