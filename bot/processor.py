"""Answering the inbox's events: the route, the answer stored, then the reply, else a push.

A batch (``process_batch``) of up to ``INBOX_BATCH`` events, at most one per resident:

1. Claim the events and hold them under a lease, and record the residents who write for the first time
   (one short transaction). Run the route (``bot.dispatch``): messages first in one read transaction,
   which takes no write lock; their answers, the rows the route keeps and the steps it opens are then
   stored in one short write transaction. A route that writes otherwise runs again in a write transaction
   of its own, which also stores the answer; a message to an open step goes there straight. Either marks
   the event ``answered`` under the lease. A processor that dies before that commit leaves nothing: the
   event is still pending (claimable once the lease runs out), and the route's changes were rolled back
   with it.
2. Deliver, outside any transaction, ``INBOX_REPLY_CONCURRENCY`` at once: reply with the reply token while
   it is young (``REPLY_WINDOW_SECONDS`` after receipt; LINE allows about a minute). When LINE answers 5xx
   or 429, does not answer, refuses the token, or the token is too old, the answer goes out as a push
   through the push outbox (key ``reply:<webhookEventId>``, personal, sent in quiet hours too), with the
   outbox's retry key and exactly-once sending. ``REPLY_FALLBACK_PUSH=false`` turns that off.
3. Close the events (``done``) and enqueue the pushes, if any, in one short transaction.

A processor that dies between 1 and 3 leaves an ``answered`` event whose lease runs out; any processor
(another thread, another web process, the push worker's pass) then delivers it. Because the first one may
have replied already, a refused token on such an event means "already replied", not "send a push"; the same
holds when our own first request got no answer and the repeat is refused.

In a web process, ``Inbox`` runs ``INBOX_THREADS`` threads, started on first use in each process (after
gunicorn forks), woken by the webhook and polling every ``INBOX_POLL_SECONDS`` for events left behind.
With ``INBOX_THREADS=0`` the webhook processes in the request itself, after the events are stored.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import os
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
from bot import conversation
from bot import dispatch
from bot import inbox
from bot.context import Context
from bot.context import Reply
from bot.context import context_for
from bot.inbox import Claim
from bot.models import Conversation
from bot.models import InboundStatus
from messaging import build
from messaging import texts
from messaging.errors import LineApiError
from push import outbox
from push.quiet import REPLY_KIND
from residents import service as residents

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


def process_batch(app: Flask, *, limit: int | None = None) -> int:
    """Claim up to ``INBOX_BATCH`` events (at most one per chat), answer and deliver them; returns how many
    were claimed (0: nothing was claimable)."""
    with app.app_context():
        rt = runtime.current()
        me = claimer_id()
        lease = timedelta(seconds=rt.settings.inbox_lease_seconds)
        with db.transaction() as session:
            claims = inbox.claim(session, rt.now(), limit or rt.settings.inbox_batch)
            held = []
            for claim in claims:
                if claim.attempts >= MAX_ATTEMPTS:
                    inbox.finish(session, claim.id, InboundStatus.FAILED, "gave-up")
                    log.error("inbox.event_failed", extra={"type": (claim.payload or {}).get("type"),
                                                           "attempts": claim.attempts})
                else:
                    held.append(claim)
            inbox.hold(session, [claim.id for claim in held], lease_until=rt.now() + lease, claimer=me)
            residents.record_writers(session, {claim.chat for claim in held if claim.status is InboundStatus.PENDING
                                               and _from_a_user(claim)}, rt.now())
        sends = [_Send(claim, token, stored, False, built) for claim, token, stored, built in
                 _answer_new(rt, [claim for claim in held if claim.status is InboundStatus.PENDING], me, lease)]
        for claim in held:
            if claim.status is InboundStatus.ANSWERED:
                log.warning("inbox.taken_over", extra={"attempts": claim.attempts})
                sends.append(_Send(claim, (claim.payload or {}).get("replyToken"), claim.messages or [], True))
        outcomes = _deliver_all(rt, sends)
        if sends:
            with db.transaction() as session:
                closed = inbox.finish_all(session, [(send.claim.id, outcome) for send, (outcome, _push) in
                                                    zip(sends, outcomes, strict=True)],
                                          InboundStatus.DONE, claimer=me)
                pushes = []
                for send, (outcome, push) in zip(sends, outcomes, strict=True):
                    if send.claim.id not in closed:
                        log.warning("inbox.lease_lost", extra={"outcome": outcome})  # another processor has it
                    elif push:
                        pushes.append(outbox.PlannedDelivery(
                            key=f"reply:{send.claim.webhook_event_id}", line_user_id=send.claim.chat,
                            kind=REPLY_KIND, messages=send.stored, send_after=rt.now(), personal=True))
                if pushes:
                    outbox.enqueue(session, pushes)
        return len(claims)


def _from_a_user(claim: Claim) -> bool:
    """Whether the claimed event is a message from a user (whose chat is their user id): the route records
    them (``residents.seen``)."""
    payload = claim.payload or {}
    source = payload.get("source")
    return bool(claim.chat) and payload.get("type") == "message" and isinstance(source, dict) \
        and source.get("type") == "user"


@dataclass(frozen=True)
class _Send:
    """An answer to deliver: with the reply token, else as a push (``maybe_used``: a processor before this
    one may have used the token)."""

    claim: Claim
    reply_token: str | None
    stored: list[dict]
    maybe_used: bool
    built: list | None = None  # the messages of a new answer as the route built them (``stored`` is their JSON)

    def messages(self) -> list:
        """The messages to send: as built, their JSON written from ``stored``, else rebuilt from it."""
        return build.prepared(self.built, stored=self.stored) if self.built is not None else \
            build.from_stored(self.stored)


class _LeaseLost(Exception):
    """The claim ran out while the event was routed: roll back what the route wrote."""


class _RouteFailed(Exception):
    """The route failed in a transaction of its own: roll back what it wrote, then store ``answer`` (the
    apology)."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.event_type)
        self.answer = answer


def _answer_new(rt: runtime.Runtime, claims: list[Claim], me: str, lease: timedelta
                ) -> list[tuple[Claim, str, list[dict], list]]:
    """Answer new events and store the answers; returns those to send, with their reply tokens, the answers as
    stored and as built.

    Messages are first answered in one read transaction, which takes no write lock (on SQLite, no other
    writer waits for it): most only read, and what the route keeps (the query log, a step it opens) is
    written afterwards with the answers, in one short write transaction. A route that changes a row (an
    answer to a step, a setting) is refused in the read transaction (``db.ReadOnlyError``) and runs again in
    a write transaction (in the batch's context: the caches it read are not looked up again), one for all
    such events of the batch (``_store_writing``), or one each when one of them fails, where its changes
    commit with the answer or not at all. An event whose lease ran out meanwhile (another
    processor has it) keeps nothing: its transaction is rolled back.
    """
    if not claims:
        return []
    events = {claim.id: parse_event(claim.payload) for claim in claims}
    answered, base, bursts = _read_only_answers(
        [claim for claim in claims if isinstance(events[claim.id], MessageEvent)], events)
    stored: list[tuple[Claim, Answer, str | None, list[dict]]] = []
    if answered:
        with db.transaction() as session:
            stored.extend(_store_answered(session, rt, [claim for claim in claims if claim.id in answered],
                                          answered, me, lease))
    writing = [claim for claim in claims if claim.id not in answered]
    together = _store_writing(rt, writing, events, me, lease, base, bursts) if len(writing) > 1 else None
    if together is not None:
        stored.extend(together)
        writing = []
    for claim in writing:
        try:
            try:
                with db.transaction() as session:
                    stored.append(_store(session, rt, claim, events[claim.id], me, lease, base,
                                         bursts.get(claim.id)))
            except _RouteFailed as failed:  # rolled back: the apology is stored without the route's writes
                with db.transaction() as session:
                    stored.append(_stored(session, rt, claim, events[claim.id], failed.answer, me, lease))
        except _LeaseLost:  # rolled back: the route's writes are not kept
            log.warning("inbox.lease_lost", extra={"outcome": "routing"})
    sends = []
    for claim, answer, token, messages in stored:
        answer.count()  # once the answer is committed
        metrics.ROUTES.labels(transaction="read" if answer.read_only else "write").inc()
        if token is not None:
            sends.append((claim, token, messages, answer.messages))
    return sends


def _store_writing(rt: runtime.Runtime, claims: list[Claim], events: dict[int, Event | None], me: str,
                   lease: timedelta, base: Context | None, bursts: dict[int, int]
                   ) -> list[tuple[Claim, Answer, str | None, list[dict]]] | None:
    """Route the batch's events whose route writes in one write transaction, their residents and steps read
    in one statement each, and store their answers with what the routes wrote (``_store`` for several
    events, with the statements of one); None when a route failed or an event's lease ran out: then the
    transaction is rolled back, nothing is kept, and the caller routes each again in a transaction of its
    own (where a failure costs that event alone)."""
    try:
        with db.transaction() as session:
            chats = {claim.chat for claim in claims if claim.chat}
            residents.load(session, chats, held=True)
            conversation.load(session, chats, held=True)
            routed, collected = [], []
            for claim in claims:
                event = events[claim.id]
                answer = _route(session, event, claim, base=base, burst=bursts.get(claim.id), collected=collected)
                messages, token = _to_send(event, answer)
                routed.append((claim, answer, token, messages))
            session.add_all(collected)
            held = inbox.store_answers(session, [(claim, messages if token else None)
                                                 for claim, _answer_, token, messages in routed],
                                       lease_until=rt.now() + lease, claimer=me, silent=SILENT)
            if len(held) < len(routed):
                raise _LeaseLost
            return routed
    except (_RouteFailed, _LeaseLost):
        return None


def _read_only_answers(claims: list[Claim], events: dict[int, Event | None]
                       ) -> tuple[dict[int, tuple[Answer, list, list[dict], str | None]], Context | None,
                                  dict[int, int]]:
    """The route's answers to message events from one read transaction, with the rows each keeps, the
    answer as stored (JSON) and the reply token (``_to_send``), by event (events whose route writes are left
    out); the context they were answered in (None: no message to answer); and every message's burst
    (``inbox.bursts``), by event."""
    answered = {}
    if not claims:
        return answered, None, {}
    with db.read_factory()() as session:  # read transactions, begun on use (``_answer`` may end one)
        writers = _writers(session, {claim.chat for claim in claims if claim.chat})
        bursts = inbox.bursts(session, [claim for claim in claims if claim.chat])
        claims = [claim for claim in claims if claim.chat not in writers]  # routing them here would be wasted
        base = context_for(session)
        for claim in claims:
            kept: list = []
            try:
                answer = _answer(session, events[claim.id], claim, base=base, kept=kept, burst=bursts.get(claim.id))
                answered[claim.id] = (answer, kept, *_to_send(events[claim.id], answer))
            except db.ReadOnlyError:
                pass
    return answered, base, bursts


def _writers(session, chats: set[str]) -> set[str]:
    """The chats whose next message is sure to be routed with a write: residents with an open step (the step
    takes the text, or lets go of it) and chats that are no resident's (a group's). Their residents and steps
    are loaded on the way, for the route to read from memory."""
    if not chats:
        return set()
    return (chats - residents.load(session, chats)) | conversation.load(session, chats)


def _store_answered(session, rt: runtime.Runtime, claims: list[Claim],
                    answered: dict[int, tuple[Answer, list, list[dict], str | None]], me: str, lease: timedelta
                    ) -> list[tuple[Claim, Answer, str | None, list[dict]]]:
    """Store the answers routed in the read transaction, with the rows they keep, for the events this
    processor still holds (``_store`` for a batch, in a few statements); the others keep nothing."""
    answers = [answered[claim.id] for claim in claims]
    held = inbox.store_answers(
        session, [(claim, messages if token else None)
                  for claim, (_answer_, _kept, messages, token) in zip(claims, answers, strict=True)],
        lease_until=rt.now() + lease, claimer=me, silent=SILENT)
    stored = []
    for claim, (answer, kept, messages, token) in zip(claims, answers, strict=True):
        if claim.id not in held:
            log.warning("inbox.lease_lost", extra={"outcome": "routing"})
            continue
        session.add_all(kept)
        stored.append((claim, answer, token, messages))
    return stored


def _store(session, rt: runtime.Runtime, claim: Claim, event: Event | None, me: str, lease: timedelta,
           base: Context | None = None, burst: int | None = None) -> tuple[Claim, Answer, str | None, list[dict]]:
    """Route one event in this write transaction (of its own, so without a savepoint), store its answer with
    what the route wrote and mark it answered, or done when there is nothing to send; raises ``_LeaseLost``
    when the lease ran out, ``_RouteFailed`` when the route failed (the caller rolls the transaction back:
    nothing is kept).

    Returns the event, its answer, the reply token to send it with (None: nothing to send) and the answer
    as stored."""
    return _stored(session, rt, claim, event, _route(session, event, claim, base=base, burst=burst), me, lease)


def _stored(session, rt: runtime.Runtime, claim: Claim, event: Event | None, answer: Answer, me: str,
            lease: timedelta) -> tuple[Claim, Answer, str | None, list[dict]]:
    """Store ``answer`` to the claimed event and mark it answered (``_store``'s second half)."""
    messages, token = _to_send(event, answer)
    if not _hold_answered(session, rt, claim, messages, token, me, lease):
        raise _LeaseLost
    return claim, answer, token, messages


def _route(session, event: Event | None, claim: Claim, **route) -> Answer:
    """The route's answer to one claimed event (``_answer``); an event the SDK could not read gets none."""
    return _answer(session, event, claim, **route) if event is not None else Answer("unreadable", [])


def _to_send(event: Event | None, answer: Answer) -> tuple[list[dict], str | None]:
    """The answer as stored (LINE's JSON of its messages) and the token to reply with (None: nothing to send)."""
    messages = [build.as_json(message) for message in answer.messages]
    return messages, _reply_token(event, messages)


def _reply_token(event: Event | None, messages: list[dict]) -> str | None:
    """The token to reply to the event with: None when there is nothing to send or the event is not active."""
    token = getattr(event, "reply_token", None)
    return token if messages and token and getattr(event, "mode", None) == "active" else None


def _hold_answered(session, rt: runtime.Runtime, claim: Claim, messages: list[dict], token: str | None, me: str,
                   lease: timedelta) -> bool:
    """Mark the event answered (held for delivery), or done when there is nothing to send, while this
    processor still holds it; returns whether it did."""
    if token is None:
        return inbox.finish(session, claim.id, InboundStatus.DONE, SILENT, claimer=me)
    return inbox.mark_answered(session, claim, messages, lease_until=rt.now() + lease, claimer=me)


def drain(app: Flask, *, limit: int | None = None) -> int:
    """Process events until none is claimable (or about ``limit`` are done); returns how many were processed.

    Used by the webhook with ``INBOX_THREADS=0``, by the push worker's pass, and by tests.
    """
    done = 0
    while limit is None or done < limit:
        claimed = process_batch(app, limit=None if limit is None else limit - done)
        if not claimed:
            break
        done += claimed
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


def _answer(session, event: Event, claimed: Claim, *, base: Context | None = None, kept: list | None = None,
            burst: int | None = None, collected: list | None = None) -> Answer:
    """The route's answer to ``event``, without a savepoint: the transaction holds nothing else to keep.

    With ``kept`` (a read transaction shared by the batch), rows the route keeps and steps it opens are put
    there instead of into the session; a write it tries, or leaves for the commit, raises
    ``db.ReadOnlyError``, and an error is logged and answered with an apology; either ends the read
    transaction first (``rollback``: what the route changed in memory is forgotten, and the next event reads
    in a new one). Without (the event's write transaction of its own), an error raises ``_RouteFailed``
    with the apology, for the caller to roll the transaction back and store it.

    ``collected`` (in a write transaction shared by several routes): the new rows the route keeps (the query
    log) are put there, for the caller to add once every route has run (one insert for all).

    ``base`` is a context to answer in (a copy is used), else one is made; ``burst``, the resident's messages
    in the last minute when they were counted already (``inbox.bursts``). A message is answered knowing how
    many the resident sent in the last minute (``Context.burst``), so that a flood gets one kind notice
    instead of dozens of answers (``bot.flows.flood``).
    """
    event_type = str(getattr(event, "type", None))
    try:
        ctx = dataclasses.replace(base, session=session) if base is not None else context_for(session)
        ctx.kept = kept if kept is not None else collected
        if event_type == "message" and claimed.chat:
            ctx.burst = inbox.burst(session, claimed) if burst is None else burst
        reply = dispatch.handle_event(ctx, event)
        if kept is not None:
            _keep_new_steps(session, kept)
        return Answer(event_type, reply.messages, answer_tier(reply), read_only=kept is not None)
    except db.ReadOnlyError:
        session.rollback()
        raise  # the route writes in a read transaction: it runs again in a write one
    except Exception:
        log.exception("webhook.event_failed", extra={"type": event_type})
        sorry = Answer(event_type, build.text(texts.SORRY_ERROR), failed=True, read_only=kept is not None)
        if kept is None:
            raise _RouteFailed(sorry) from None
        session.rollback()
        return sorry


def _keep_new_steps(session, kept: list) -> None:
    """After a route in a read transaction: the steps it opened (new ``Conversation`` rows; the resident had
    none, or the route would not be here, and no one else adds one while the event is held) are moved to
    ``kept``, to be written with the answer; any other change raises ``db.ReadOnlyError`` (the route runs
    again in a write transaction)."""
    if session.dirty or session.deleted or any(not isinstance(row, Conversation) for row in session.new):
        raise db.ReadOnlyError("the route changed rows")  # left for the commit to write
    for row in list(session.new):
        session.expunge(row)
        kept.append(row)


def _deliver_all(rt: runtime.Runtime, sends: list[_Send]) -> list[tuple[str, bool]]:
    """Deliver the answers side by side (``INBOX_REPLY_CONCURRENCY`` requests in flight; a reply waits on
    LINE's network round trip, not on this process); returns each one's outcome and whether to push it."""
    def deliver(send: _Send) -> tuple[str, bool]:
        return _deliver(rt, send.claim, send.reply_token, send.messages, maybe_used=send.maybe_used)

    if len(sends) <= 1 or rt.settings.inbox_reply_concurrency <= 1:
        return [deliver(send) for send in sends]
    return list(_reply_pool(rt.settings.inbox_reply_concurrency).map(deliver, sends))


_pools: dict[tuple[int, int], ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _reply_pool(size: int) -> ThreadPoolExecutor:
    """This process's reply threads (made anew in a forked child, which has none of its parent's threads)."""
    key = (os.getpid(), size)
    with _pools_lock:
        if key not in _pools:
            _pools[key] = ThreadPoolExecutor(max_workers=size, thread_name_prefix="inbox-reply")
        return _pools[key]


def _deliver(rt: runtime.Runtime, claimed: Claim, reply_token: str | None, messages: Callable[[], list], *,
             maybe_used: bool) -> tuple[str, bool]:
    """Send the answer (``messages()``) with the reply token, if it is still young; returns the outcome and
    whether the answer must go out as a push instead."""
    settings = rt.settings
    fallback = settings.reply_fallback_push and bool(claimed.chat)
    window = timedelta(seconds=settings.reply_window_seconds)
    reason = "token-expired"
    for attempt in range(2):
        if not reply_token or rt.now() - claimed.received_at >= window:
            break
        try:
            rt.line.reply(reply_token, messages())
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

    def __init__(self, app: Flask, *, threads: int, poll_seconds: float, lookout_seconds: float | None = None
                 ) -> None:
        self._app = app
        self._threads = threads
        self._poll = poll_seconds
        # With nobody to wake the threads (answer processes), the first looks this often and wakes the others.
        self._lookout = lookout_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._workers: list[threading.Thread] = []
        self._last_purge: datetime | None = None
        self._elsewhere = False

    def leave_to_answerers(self) -> None:
        """Answer nothing in this process: answer processes (``bot.answerers``) take every event."""
        self._elsewhere = True

    def notify(self) -> None:
        """New events were stored: process them (in place without threads, else wake the threads), unless
        answer processes take them."""
        if self._elsewhere:
            return
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
            self._workers = [threading.Thread(target=self._run, args=(n == 0,), name=f"inbox-{n}", daemon=True)
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

    def _claimable(self) -> bool:
        """Whether an event is claimable now, read without taking a lock (a look costs less than a claim)."""
        with self._app.app_context(), db.read_transaction(self._app) as session:
            return inbox.claimable(session, runtime.current().now())

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

    def _run(self, first: bool) -> None:
        poll = self._lookout if first and self._lookout is not None else self._poll
        while not self._stop.is_set():
            woken = self._wake.wait(poll)
            self._wake.clear()
            try:
                self.purge_if_due()
                if not woken and not self._claimable():
                    continue
                if not woken and self._lookout is not None:
                    self._wake.set()  # the lookout found events: the other threads take their share
                while not self._stop.is_set() and process_batch(self._app):
                    runtime.collect_between()  # the batch's replies are out: what is due is collected now
            except Exception:
                log.exception("inbox.processor_error")
                metrics.INBOX_ERRORS.inc()
                self._stop.wait(1.0)

