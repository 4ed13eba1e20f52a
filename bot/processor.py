"""Answering the inbox's events: the route in one transaction with the answer, then the reply, else a push.

One event (``process_next``):

1. Claim the next event and hold it under a lease (a short transaction). Run the route (``bot.dispatch``):
   a message first in a read transaction, which takes no write lock; a route that writes, in the write
   transaction that also stores the answer and marks the event ``answered`` under the lease. A processor
   that dies before that commit leaves nothing: the event is still pending (claimable once the lease runs
   out), and the route's changes were rolled back with it.
2. Deliver, outside any transaction: reply with the reply token while it is young (``REPLY_WINDOW_SECONDS``
   after receipt; LINE allows about a minute). When LINE answers 5xx or 429, does not answer, refuses the
   token, or the token is too old, the answer goes out as a push through the push outbox (key
   ``reply:<webhookEventId>``, personal, sent in quiet hours too), with the outbox's retry key and
   exactly-once sending. ``REPLY_FALLBACK_PUSH=false`` turns that off.
3. Close the event (``done``) and enqueue the push, if any, in one short transaction.

A processor that dies between 1 and 3 leaves an ``answered`` event whose lease runs out; any processor
(another thread, another web process, the push worker's pass) then delivers it. Because the first one may
have replied already, a refused token on such an event means "already replied", not "send a push"; the same
holds when our own first request got no answer and the repeat is refused.

In a web process, ``Inbox`` runs ``INBOX_THREADS`` threads, started on first use in each process (after
gunicorn forks), woken by the webhook and polling every ``INBOX_POLL_SECONDS`` for events left behind.
With ``INBOX_THREADS=0`` the webhook processes in the request itself, after the events are stored.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from flask import Flask
from linebot.v3.webhooks import Event
from linebot.v3.webhooks import MessageEvent

import db
import metrics
import runtime
from bot import bodies
from bot import dispatch
from bot import inbox
from bot.context import Reply
from bot.context import context_for
from bot.inbox import Claim
from bot.models import InboundStatus
from messaging import build
from messaging import texts
from messaging.errors import LineApiError
from push import outbox
from push.quiet import REPLY_KIND

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # deliveries of one event taken over this often are given up (``failed``)
PURGE_EVERY = timedelta(hours=1)

# Outcomes, as stored in ``InboundEvent.outcome`` and logged.
REPLIED = "replied"
PRESUMED_REPLIED = "presumed-replied"  # a repeat of a reply that may have gone out was refused: it had
PUSHED = "pushed"  # handed to the outbox
SILENT = "silent"  # nothing to send (unfollow, standby mode, no reply token)
NOT_SENT = "not-sent"  # the reply failed and the push fallback is off, or LINE refused the messages

_claim_numbers = itertools.count(1)
_HOST = socket.gethostname()[:24]


def claimer_id() -> str:
    """A name for one claim, unique across hosts, processes, threads and claims (stored with the lease)."""
    return f"{_HOST}:{os.getpid()}:{threading.get_ident() % 100000}:{next(_claim_numbers)}"


def process_next(app: Flask) -> bool:
    """Claim one event and answer it; False when nothing was claimable."""
    with app.app_context():
        rt = runtime.current()
        me = claimer_id()
        lease = timedelta(seconds=rt.settings.inbox_lease_seconds)
        with db.transaction() as session:
            claimed = inbox.claim(session, rt.now())
            if claimed is None:
                return False
            if claimed.attempts >= MAX_ATTEMPTS:
                inbox.finish(session, claimed.id, InboundStatus.FAILED, "gave-up")
                log.error("inbox.event_failed", extra={"type": (claimed.payload or {}).get("type"),
                                                       "attempts": claimed.attempts})
                return True
            inbox.hold(session, claimed, lease_until=rt.now() + lease, claimer=me)
        if claimed.status is InboundStatus.PENDING:
            event = parse_event(claimed.payload)
            routed = _route(rt, event, claimed, me, lease)
            if routed is None:
                return True  # the lease ran out meanwhile: another processor answers it
            answer, reply_token = routed
            answer.count()  # once the answer is committed
            if reply_token is None:
                return True  # nothing to send
            stored, taken_over = [message.to_dict() for message in answer.messages], False
        else:
            reply_token = (claimed.payload or {}).get("replyToken")
            stored, taken_over = claimed.messages or [], True
            log.warning("inbox.taken_over", extra={"attempts": claimed.attempts})
        outcome, push = _deliver(rt, claimed, reply_token, stored, maybe_used=taken_over)
        with db.transaction() as session:
            if not inbox.finish(session, claimed.id, InboundStatus.DONE, outcome, claimer=me):
                log.warning("inbox.lease_lost", extra={"outcome": outcome})  # another processor delivers it
                return True
            if push:
                outbox.enqueue(session, [outbox.PlannedDelivery(
                    key=f"reply:{claimed.webhook_event_id}", line_user_id=claimed.chat, kind=REPLY_KIND,
                    messages=stored, send_after=rt.now(), personal=True)])
        return True


class _LeaseLost(Exception):
    """The claim ran out while the event was routed: roll back what the route wrote."""


def _route(rt: runtime.Runtime, event: Event | None, claimed: Claim, me: str, lease: timedelta
           ) -> tuple[Answer, str | None] | None:
    """Answer a held event and store the answer; returns it with the reply token to send it with (None:
    nothing to send), or None when the lease ran out meanwhile.

    A message is first answered in a read transaction, which takes no write lock (on SQLite, no other
    writer waits for it): most messages only read, and what the route keeps (the query log) is written
    afterwards with the answer, in one short write transaction. A route that does write (a resident's first
    message, a step, a setting) is refused in the read transaction (``db.ReadOnlyError``) and runs again
    in the write transaction, where its changes commit with the answer or not at all.
    """
    answer, kept = None, []
    if isinstance(event, MessageEvent):
        answer = _read_only_answer(event, claimed, kept)
    try:
        with db.transaction() as session:
            if event is not None and answer is None:
                answer = _answer(session, event, claimed)
            else:
                session.add_all(kept)
            if answer is None:
                answer = Answer("unreadable", [])
            reply_token = getattr(event, "reply_token", None)
            if not (answer.messages and reply_token and getattr(event, "mode", None) == "active"):
                reply_token = None
                held = inbox.finish(session, claimed.id, InboundStatus.DONE, SILENT, claimer=me)
            else:
                held = inbox.mark_answered(session, claimed, [m.to_dict() for m in answer.messages],
                                           lease_until=rt.now() + lease, claimer=me)
            if not held:
                raise _LeaseLost
    except _LeaseLost:
        log.warning("inbox.lease_lost", extra={"outcome": "routing"})
        return None
    metrics.ROUTES.labels(transaction="read" if answer.read_only else "write").inc()
    return answer, reply_token


def _read_only_answer(event: Event, claimed: Claim, kept: list) -> Answer | None:
    """The route's answer from a read transaction, with the rows it keeps in ``kept``; None when it writes."""
    try:
        with db.read_transaction() as session:
            answer = _answer(session, event, claimed, kept=kept)
            if session.new or session.dirty or session.deleted:  # a change left for the commit to write
                raise db.ReadOnlyError("the route changed rows")
            return answer
    except db.ReadOnlyError:
        kept.clear()
        return None


def drain(app: Flask, *, limit: int | None = None) -> int:
    """Process events until none is claimable (or ``limit`` are done); returns how many were processed.

    Used by the webhook with ``INBOX_THREADS=0``, by the push worker's pass, and by tests.
    """
    done = 0
    while (limit is None or done < limit) and process_next(app):
        done += 1
    return done


def parse_event(payload: dict | None) -> Event | None:
    """The SDK's event from its stored JSON (``bot.bodies.event``); None when it cannot be read."""
    if payload is None:
        return None
    try:
        return bodies.event(payload)
    except Exception:
        log.exception("inbox.unreadable_event")
        return None


@dataclass(frozen=True)
class Answer:
    """The messages the route answered an event with, and what the metrics count of it."""

    event_type: str
    messages: list
    tier: str | None = None  # health, intent, faq, suggest or fallback for an answer to a text
    failed: bool = False
    read_only: bool = False  # answered in a read transaction

    def count(self) -> None:
        """Count the event by type, the answer by tier, and a failure."""
        metrics.EVENTS.labels(type=self.event_type).inc()
        if self.tier is not None:
            metrics.ANSWERS.labels(tier=self.tier).inc()
        if self.failed:
            metrics.EVENT_FAILURES.inc()


ANSWER_KINDS = frozenset({"intent", "faq", "suggest", "fallback"})  # ``Reply.kind`` of an answer to a text
HEALTH_INTENT_PREFIX = "health."  # health desk answers (``bot.flows.health``)


def answer_tier(reply: Reply) -> str | None:
    """The tier an answer to a text came from: health, intent, faq, suggest or fallback (None: not a text)."""
    if reply.intent is not None and reply.intent.startswith(HEALTH_INTENT_PREFIX):
        return "health"
    return reply.kind if reply.kind in ANSWER_KINDS else None


def _answer(session, event: Event, claimed: Claim, *, kept: list | None = None) -> Answer:
    """The route's answer to ``event``; an error inside it is logged and answered with an apology.

    With ``kept`` (a read transaction), rows the route keeps are put there instead of into the session, and
    a write it tries raises ``db.ReadOnlyError``. A message is answered knowing how many the resident sent
    in the last minute (``Context.burst``), so that a flood gets one kind notice instead of dozens of
    answers (``bot.flows.flood``).
    """
    event_type = str(getattr(event, "type", None))
    try:
        with session.begin_nested() if kept is None else contextlib.nullcontext():
            ctx = context_for(session)
            ctx.kept = kept
            if event_type == "message" and claimed.chat:
                ctx.burst = inbox.burst(session, claimed)
            reply = dispatch.handle_event(ctx, event)
        return Answer(event_type, reply.messages, answer_tier(reply), read_only=kept is not None)
    except db.ReadOnlyError:
        raise  # the route writes in a read transaction: it runs again in a write one
    except Exception:
        log.exception("webhook.event_failed", extra={"type": event_type})
        return Answer(event_type, build.text(texts.SORRY_ERROR), failed=True)


def _deliver(rt: runtime.Runtime, claimed: Claim, reply_token: str | None, stored: list[dict], *,
             maybe_used: bool) -> tuple[str, bool]:
    """Send the answer with the reply token, if it is still young; returns the outcome and whether the
    answer must go out as a push instead."""
    settings = rt.settings
    fallback = settings.reply_fallback_push and bool(claimed.chat)
    window = timedelta(seconds=settings.reply_window_seconds)
    reason = "token-expired"
    for attempt in range(2):
        if not reply_token or rt.now() - claimed.received_at >= window:
            break
        try:
            rt.line.reply(reply_token, build.from_stored(stored))
            return REPLIED, False
        except LineApiError as error:
            metrics.REPLY_FAILURES.labels(status=metrics.NO_ANSWER if error.status is None else str(error.status)).inc()
            if _token_refused(error):
                if maybe_used:  # our earlier request (or a dead processor's) used it
                    log.info("inbox.reply_presumed_sent")
                    return PRESUMED_REPLIED, False
                reason = "token-refused"
                break
            if error.status is not None and not error.retryable:  # LINE refuses the messages themselves
                log.error("inbox.reply_refused", extra={"status": error.status})
                return NOT_SENT, False
            reason = f"line-{error.status or 'no-answer'}"
            if error.status is not None or attempt:
                break
            maybe_used = True  # no answer: LINE may have sent it; one repeat tells (a used token is refused)
        except Exception:  # an unreadable answer from LINE: the reply may well have gone out
            log.exception("line.reply_error")
            metrics.REPLY_FAILURES.labels(status="error").inc()
            return NOT_SENT, False
    if not fallback:
        log.warning("inbox.reply_lost", extra={"reason": reason})
        return NOT_SENT, False
    log.warning("inbox.reply_fallback_push", extra={"reason": reason})
    metrics.REPLY_FALLBACKS.inc()
    return PUSHED, True


def _token_refused(error: LineApiError) -> bool:
    """LINE refused the reply token (used or expired): 400 "Invalid reply token"."""
    return error.status == 400 and "reply token" in (error.message or "").lower()


class Inbox:
    """This process's inbox processors: threads started on first use in each process (so after a fork),
    woken by ``notify`` and polling for events left behind; with no threads, ``notify`` drains in place."""

    def __init__(self, app: Flask, *, threads: int, poll_seconds: float) -> None:
        self._app = app
        self._threads = threads
        self._poll = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._workers: list[threading.Thread] = []
        self._last_purge: datetime | None = None

    def notify(self) -> None:
        """New events were stored: process them (in place without threads, else wake the threads)."""
        if self._threads <= 0:
            self.drain()
            return
        self.start()
        self._wake.set()

    def drain(self) -> int:
        """Process what is claimable now, in this thread; returns how many events."""
        self.purge_if_due()
        return drain(self._app)

    def start(self) -> None:
        """Start the threads in this process unless they run already."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._stop.clear()
            self._workers = [threading.Thread(target=self._run, name=f"inbox-{n}", daemon=True)
                             for n in range(self._threads)]
            for worker in self._workers:
                worker.start()
            self._pid = os.getpid()

    def stop(self, timeout: float | None = None) -> None:
        """Stop this process's threads after the event each is on."""
        self._stop.set()
        self._wake.set()
        for worker in self._workers:
            worker.join(timeout)
        self._workers, self._pid = [], None

    def purge_if_due(self) -> None:
        """About once an hour per process, forget finished events older than the dedup window."""
        with self._app.app_context():
            rt = runtime.current()
            now = rt.now()
            if self._last_purge is not None and now - self._last_purge < PURGE_EVERY:
                return
            self._last_purge = now
            purged = inbox.purge(db.session_factory(), now - inbox.KEEP_EVENT_IDS)
        if purged:
            log.info("webhook.event_ids_purged", extra={"count": purged})

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._poll)
            self._wake.clear()
            try:
                self.purge_if_due()
                while not self._stop.is_set() and process_next(self._app):
                    pass
            except Exception:
                log.exception("inbox.processor_error")
                self._stop.wait(1.0)

