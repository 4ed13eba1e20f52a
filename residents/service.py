"""Following, blocking and forgetting residents."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

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
    session.delete(resident)
    session.flush()
    return True
