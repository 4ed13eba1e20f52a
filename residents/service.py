"""Following, blocking and forgetting residents."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from residents.models import GarbageReminder
from residents.models import Resident
from residents.models import ResidentStatus


def resident_hash(secret: str, line_user_id: str) -> str:
    """A stable pseudonym of a LINE user id for logs: HMAC-SHA256 keyed with the app's secret."""
    return hmac.new(secret.encode(), line_user_id.encode(), hashlib.sha256).hexdigest()[:24]


def find(session: Session, line_user_id: str) -> Resident | None:
    """The resident with this LINE user id, if any."""
    return session.scalar(sa.select(Resident).where(Resident.line_user_id == line_user_id))


def follow(session: Session, line_user_id: str, now: datetime) -> Resident:
    """Create the resident, or make a blocked one active again (a follow is also an unblock)."""
    resident = find(session, line_user_id)
    if resident is None:
        resident = Resident(line_user_id=line_user_id, status=ResidentStatus.ACTIVE, followed_at=now)
        session.add(resident)
    else:
        resident.status = ResidentStatus.ACTIVE
        resident.followed_at = now
        resident.blocked_at = None
    session.flush()
    return resident


def seen(session: Session, line_user_id: str, now: datetime) -> Resident:
    """The resident who just wrote to us, created if they followed before the bot kept records."""
    return find(session, line_user_id) or follow(session, line_user_id, now)


def set_area(session: Session, line_user_id: str, area: str, now: datetime) -> Resident:
    """Record the resident's area (creating the resident if they wrote before following was recorded)."""
    resident = seen(session, line_user_id, now)
    resident.area = area
    session.flush()
    return resident


def block(session: Session, line_user_id: str, now: datetime) -> Resident | None:
    """Mark the resident blocked so that nothing is ever sent to them; None if we never knew them."""
    resident = find(session, line_user_id)
    if resident is not None:
        resident.status = ResidentStatus.BLOCKED
        resident.blocked_at = now
        session.flush()
    return resident


def delete_data(session: Session, line_user_id: str) -> bool:
    """Delete everything kept about the resident at once; True if there was something to delete."""
    resident = find(session, line_user_id)
    if resident is None:
        return False
    session.execute(sa.delete(GarbageReminder).where(GarbageReminder.resident_id == resident.id))
    session.delete(resident)
    session.flush()
    return True


def reminder_categories(session: Session, line_user_id: str) -> set[str]:
    """The garbage categories the resident wants reminders for."""
    resident = find(session, line_user_id)
    if resident is None:
        return set()
    return set(session.scalars(sa.select(GarbageReminder.category).where(GarbageReminder.resident_id == resident.id)))


def set_reminder_categories(session: Session, line_user_id: str, categories: set[str], now: datetime) -> None:
    """Replace the resident's reminder categories with ``categories``."""
    resident = seen(session, line_user_id, now)
    session.execute(sa.delete(GarbageReminder).where(GarbageReminder.resident_id == resident.id))
    session.add_all(GarbageReminder(resident_id=resident.id, category=c) for c in sorted(categories))
    session.flush()


@dataclass(frozen=True)
class ReminderSubscriber:
    """A resident who gets garbage reminders: where they live and for which categories."""

    line_user_id: str
    area: str
    categories: frozenset[str]


def reminder_subscribers(session: Session) -> list[ReminderSubscriber]:
    """Every active resident with an area and at least one reminder category (blocked ones never)."""
    rows = session.execute(
        sa.select(Resident.line_user_id, Resident.area, GarbageReminder.category)
        .join(GarbageReminder, GarbageReminder.resident_id == Resident.id)
        .where(Resident.status == ResidentStatus.ACTIVE, Resident.area.is_not(None))
        .order_by(Resident.id)
    )
    grouped: dict[tuple[str, str], set[str]] = {}
    for user_id, area, category in rows:
        grouped.setdefault((user_id, area), set()).add(category)
    return [ReminderSubscriber(u, a, frozenset(c)) for (u, a), c in grouped.items()]
