"""What one event carries (``Context``) and what it is answered with (``Reply``), plus the intents' view of it."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

from linebot.v3.messaging import Message
from sqlalchemy.orm import Session

from city.service import CityInfo
from faq.policy import AnswerPolicy
from garbage.answers import Catalog
from intents.base import IntentContext
from residents import service as residents
from search.docs import Hit
from search.docs import Matcher


@dataclass
class Context:
    """Everything one event needs: database, city, matcher, thresholds and the current time."""

    session: Session
    city: CityInfo
    matcher: Matcher
    policy: AnswerPolicy
    secret: str
    now: datetime
    today: date
    area: str | None = None
    top: int = 5
    garbage: Catalog | None = None


@dataclass
class Reply:
    """The messages to send and what was decided (kind is intent, faq, suggest, fallback or event)."""

    messages: list[Message]
    kind: str = "event"
    intent: str | None = None
    faq_id: str | None = None
    score: float | None = None
    candidates: list[Hit] = field(default_factory=list)


def intent_context(ctx: Context, user_id: str | None) -> IntentContext:
    """What the intents see of this event: session, resident, area, today and the garbage catalog."""
    return IntentContext(ctx.session, user_id, area_of(ctx, user_id), ctx.today, ctx.garbage)


def area_of(ctx: Context, user_id: str | None) -> str | None:
    """The area answers should use: the one asked for (``ask --area``), else the resident's own."""
    if ctx.area:
        return ctx.area
    resident = residents.find(ctx.session, user_id) if user_id else None
    return resident.area if resident is not None else None
