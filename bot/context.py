"""What one event carries (``Context``) and what it is answered with (``Reply``), plus the intents' view of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import Any

from flask import current_app
from linebot.v3 import WebhookParser
from linebot.v3.messaging import Message
from sqlalchemy.orm import Session

import runtime
from bot.trace import Trace
from city import info as city_info
from city.info import CityInfo
from content.revisions import revisions
from disaster import atlas as shelter_atlas
from disaster import mode
from disaster.atlas import Atlas
from disaster.mode import Mode
from faq import index as faq_index
from faq.answers import Entry
from faq.policy import AnswerPolicy
from garbage import catalog as garbage_catalog
from garbage.answers import Catalog
from healthdesk import store as health_store
from healthdesk.data import HealthDesk
from intents.base import IntentContext
from residents import service as residents
from search.docs import Hit
from search.docs import Matcher


@dataclass
class Bot:
    """What the bot keeps per process (in ``app.extensions["bot"]``): the webhook parser (None in console
    mode: no channel secret), the three-tier answer policy and the inbox's processors (``bot.processor``)."""

    parser: WebhookParser | None
    policy: AnswerPolicy
    inbox: Any = None  # bot.processor.Inbox, set by ``bot.init_app``
    accepting: Any = None  # bot.inbox.GroupAccept: the webhook's group commit, set by ``bot.init_app``


def current_bot() -> Bot:
    """The bot of the current app."""
    return current_app.extensions["bot"]


@dataclass
class Context:
    """Everything one event needs: database, city, matcher, thresholds and the current time."""

    session: Session
    city: CityInfo
    matcher: Matcher
    faq_entries: Mapping[str, Entry]  # the published FAQ entries by file id, as the matcher knows them
    policy: AnswerPolicy
    secret: str
    now: datetime
    today: date
    area: str | None = None
    top: int = 5
    garbage: Catalog | None = None
    record: bool = True  # log questions for the staff (``ask`` turns it off)
    health: HealthDesk | None = None  # the city's health desk (None: the national defaults)
    shelters: Atlas | None = None  # the city's shelters
    trace: Trace | None = None  # the route's decision, collected only when explaining (``ask --explain``)
    burst: int = 0  # messages this resident sent in the minute up to this one, this one included (the inbox)
    flood_limit: int = 0  # more messages a minute than this get one notice, then no answer (0: no limit)
    local_now: datetime | None = None  # the current time in the city (a greeting fits the time of day)
    # New rows to keep, when the route runs in a read transaction or shares a write one (``bot.processor``).
    kept: list | None = None
    shared: dict = field(default_factory=dict)  # looked up once for this context and its copies (a batch)

    def keep(self, row: object) -> None:
        """Keep a new row: in the session, or, with ``kept``, for the processor to add after the route."""
        if self.kept is None:
            self.session.add(row)
        else:
            self.kept.append(row)

    def disaster_mode(self) -> Mode:
        """The disaster mode at ``now`` (``disaster.mode``), looked up once for the events of a batch (their
        contexts are copies of one)."""
        if "disaster_mode" not in self.shared:
            self.shared["disaster_mode"] = mode.mode_now(self.session, self.now)
        return self.shared["disaster_mode"]

    def note(self, stage: str, **detail: object) -> None:
        """Add a stage to the trace being collected (``bot.trace``); nothing happens when none is."""
        if self.trace is not None:
            self.trace.add(stage, detail)


@dataclass
class Reply:
    """The messages to send and what was decided (kind is intent, faq, suggest, fallback or event).

    ``then`` is a question the resident asked earlier, to be answered after these messages (the route
    answers it: a step that waited for the area hands back the question that needed it).
    """

    messages: list[Message]
    kind: str = "event"
    intent: str | None = None
    faq_id: str | None = None
    score: float | None = None
    candidates: list[Hit] = field(default_factory=list)
    then: str | None = None


def intent_context(ctx: Context, user_id: str | None) -> IntentContext:
    """What the intents see of this event: session, resident, area, today, the garbage catalog and the time of
    day (not when answering as if on another day, ``ask --today``)."""
    local = ctx.local_now if ctx.local_now is not None and ctx.local_now.date() == ctx.today else None
    return IntentContext(ctx.session, user_id, area_of(ctx, user_id), ctx.today, ctx.garbage,
                         local.time() if local is not None else None, ctx.shelters, ctx.now)


def area_of(ctx: Context, user_id: str | None) -> str | None:
    """The area answers should use: the one asked for (``ask --area``), else the resident's own."""
    if ctx.area:
        return ctx.area
    resident = residents.find(ctx.session, user_id) if user_id else None
    return resident.area if resident is not None else None


def context_for(session: Session, *, area: str | None = None, top: int = 5, today: date | None = None) -> Context:
    """The context of one event or command at the current time: the city, the FAQ matcher and the garbage
    catalog as the database holds them now (the revision counters are read once), or, while a change is
    being built beside them, as they were (``CONTENT_SWAP_WAIT_SECONDS``)."""
    rt = runtime.current()
    now = rt.now()
    counters = revisions(session)
    wait = rt.settings.content_swap_wait_seconds
    caches = rt.caches
    index = caches[faq_index.KEY].get(session, counters, wait=wait)
    return Context(
        session=session,
        city=caches[city_info.KEY].get(session, counters, wait=wait),
        matcher=index.matcher,
        faq_entries=index.entries,
        policy=current_bot().policy,
        secret=rt.settings.secret_key,
        now=now,
        today=today or rt.local_date(now),
        area=area,
        top=top,
        garbage=caches[garbage_catalog.KEY].get(session, counters, wait=wait),
        health=caches[health_store.KEY].get(session, counters, wait=wait),
        shelters=caches[shelter_atlas.KEY].get(session, counters, wait=wait),
        flood_limit=rt.settings.flood_messages_per_minute,
        local_now=now.astimezone(rt.timezone),
    )
