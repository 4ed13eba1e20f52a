"""The push of a disaster notice: when the city issues or lifts a 避難情報 (``disaster.notices``), an emergency
broadcast to the residents of its areas who chose 防災 (sent in quiet hours too), planned and sent like any
broadcast, exactly once.

``broadcast_notices`` runs before the broadcasts are planned (``push plan``, and the push worker's broadcast
thread): in one short transaction per notice it locks the notice, makes its broadcast — approved already, with
the notice's approvers recorded as the broadcast's — and records the broadcast's id on the notice, so that a
notice is never broadcast twice, whichever process gets to it first.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from city.models import Municipality
from disaster import notices
from disaster.models import DisasterNotice
from messaging import texts
from push import broadcasts
from push.models import BroadcastApproval
from push.models import BroadcastStatus
from residents.categories import DISASTER

log = logging.getLogger(__name__)


def segment(areas: tuple[str, ...]) -> str:
    """Residents of these areas who chose 防災."""
    return f"category:{DISASTER} and ({' or '.join(f'area:{area}' for area in areas)})"


def message(notice: notices.NoticeInfo, office: str, timezone: ZoneInfo, *, lifted: bool) -> str:
    """The text residents get: the standard words of the level, the office and time, and the city's own words."""
    at = (notice.lifted_at if lifted else notice.issued_at).astimezone(timezone)
    values = {"level": notice.level, "name": notice.name, "office": notice.office or office,
              "areas": "・".join(notice.areas), "when": f"{at.month}月{at.day}日 {at.hour}:{at.minute:02d}"}
    if lifted:
        return texts.NOTICE_LIFTED_PUSH.format(**values)
    parts = [texts.NOTICE_PUSH.format(**values), texts.NOTICE_ACTIONS[notice.level]]
    if notice.text:
        parts.append(notice.text)
    parts.append(texts.NOTICE_SHELTER_HINT)
    return "\n".join(parts)


def broadcast_notices(factory: sessionmaker[Session], now: datetime, *, timezone: ZoneInfo) -> list[int]:
    """Make the broadcast of every notice issued or lifted and not yet broadcast; returns the broadcasts' ids."""
    with factory() as session:
        due = list(session.scalars(sa.select(DisasterNotice.id).where(sa.or_(
            (DisasterNotice.status == notices.ISSUED) & DisasterNotice.broadcast_id.is_(None),
            (DisasterNotice.status == notices.LIFTED) & DisasterNotice.lift_broadcast_id.is_(None)))
            .order_by(DisasterNotice.id)))
    made = []
    for notice_id in due:
        with factory.begin() as session:
            broadcast_id = _broadcast(session, notice_id, now, timezone)
        if broadcast_id is not None:
            made.append(broadcast_id)
            log.info("push.notice.broadcast", extra={"notice": notice_id, "broadcast": broadcast_id})
    return made


def _broadcast(session: Session, notice_id: int, now: datetime, timezone: ZoneInfo) -> int | None:
    """The broadcast of one notice (its issue, else its lift), made in this transaction; None when another
    process made it first."""
    notice = notices.get(session, notice_id, lock=True)
    lifted = notice.status == notices.LIFTED
    if notice.broadcast_id is not None and not lifted or lifted and notice.lift_broadcast_id is not None:
        return None
    if lifted and notice.broadcast_id is None:  # lifted before its issue went out: nobody needs the 解除
        notice.broadcast_id = notice.lift_broadcast_id = 0
        return None
    shown = notices.info(session, notice)
    office = session.scalar(sa.select(Municipality.name).order_by(Municipality.id).limit(1)) or ""
    broadcast = broadcasts.create(session, text=message(shown, office, timezone, lifted=lifted),
                                  segment=segment(shown.areas), scheduled_at=now, now=now, emergency=True,
                                  created_by=shown.created_by)
    for approver in shown.approvers:
        broadcast.approvals.append(BroadcastApproval(approver=approver, at=now))
    broadcast.status = BroadcastStatus.APPROVED
    if lifted:
        notice.lift_broadcast_id = broadcast.id
    else:
        notice.broadcast_id = broadcast.id
    return broadcast.id
