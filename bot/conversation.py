"""Multi-turn dialogue: one open step per resident, with a time limit; 「やめる」 always cancels."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy.orm import Session

from bot.models import Conversation
from japanese.normalize import normalize
from search.docs import Query

TIMEOUT = timedelta(minutes=15)
CANCEL_WORDS = frozenset(normalize(w) for w in ("やめる", "やめます", "キャンセル", "中止", "取り消し", "もういい"))


class Step(enum.StrEnum):
    """The steps a dialogue can wait in."""

    ASK_AREA = "ask_area"  # the resident's area; data: then=<question to answer afterwards>
    ASK_CHILD_DATE = "ask_child_date"  # a child's date; data: op=add|born|due|birth, kind=due|birth, id=<child>
    ASK_CHILD_LABEL = "ask_child_label"  # a child's nickname; data: id=<child>
    ASK_OWN_BIRTH_DATE = "ask_own_birth_date"  # the resident's own birth date (高齢者 messages)


@dataclass(frozen=True)
class OpenStep:
    """The step a resident is in and what it remembers (for example the question to answer afterwards)."""

    step: Step
    data: dict


def current(session: Session, line_user_id: str, now: datetime) -> OpenStep | None:
    """The resident's open step, or None when there is none or it has expired."""
    row = session.get(Conversation, line_user_id)
    if row is None:
        return None
    if row.expires_at <= now:
        session.delete(row)
        return None
    return OpenStep(Step(row.step), dict(row.data or {}))


def start(session: Session, line_user_id: str, step: Step, now: datetime, **data: object) -> None:
    """Open ``step`` for the resident (replacing any open one)."""
    row = session.get(Conversation, line_user_id)
    if row is None:
        row = Conversation(line_user_id=line_user_id)
        session.add(row)
    row.step, row.data, row.expires_at = step.value, dict(data), now + TIMEOUT
    session.flush()


def end(session: Session, line_user_id: str) -> None:
    """Close the resident's open step, if any."""
    row = session.get(Conversation, line_user_id)
    if row is not None:
        session.delete(row)
        session.flush()


def is_cancel(query: Query) -> bool:
    """True when the message asks to stop the dialogue."""
    return query.key in CANCEL_WORDS
