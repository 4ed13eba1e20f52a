"""The push of a disaster notice, and the disaster mode's rich menu.

When the city issues or lifts a 避難情報 (``disaster.notices``), an emergency
broadcast to the residents of its areas who chose 防災 (sent in quiet hours too), planned and sent like any
broadcast, exactly once.

``broadcast_notices`` runs before the broadcasts are planned (``push plan``, and the push worker's broadcast
thread): in one short transaction per notice it locks the notice, makes its broadcast — approved already, with
the notice's approvers recorded as the broadcast's — and records the broadcast's id on the notice, so that a
notice is never broadcast twice, whichever process gets to it first.

``switch_rich_menu`` runs beside it: when the disaster mode (``disaster.mode``) starts, the rich menu named by
``RICH_MENU_ALIAS_DISASTER`` becomes everyone's default through LINE's alias API; when it ends, the one named
by ``RICH_MENU_ALIAS_NORMAL``. The alias last set is stored, so each change is made once; a failed call is
tried again on the next round.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from city.models import Municipality
from disaster import mode
from disaster import notices
from disaster.models import DisasterModeState
from disaster.models import DisasterNotice
from japanese.calendar import month_day_time
from messaging import texts
from messaging.client import LineClient
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
    at = notice.lifted_at if lifted else notice.issued_at
    values = {"level": notice.level, "name": notice.name, "office": notice.office or office,
              "areas": "・".join(notice.areas), "when": month_day_time(at, timezone)}
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


def switch_rich_menu(factory: sessionmaker[Session], line: LineClient, now: datetime, *, disaster_alias: str,
                     normal_alias: str) -> str | None:
    """Make the rich menu of the current mode everyone's default if it is not yet; returns the alias set now
    (None: nothing to change, or no disaster menu configured). LINE's errors are raised (``LineApiError``)."""
    if not disaster_alias:
        return None
    with factory() as session:
        active = mode.mode_now(session, now).active
        state = session.get(DisasterModeState, 1)
        applied = state.rich_menu_alias if state is not None else ""
    wanted = disaster_alias if active else normal_alias
    if wanted == applied or not active and applied != disaster_alias:
        return None  # already shown, or the disaster menu was never put up
    if not wanted:
        log.warning("push.rich_menu.no_normal_alias")  # RICH_MENU_ALIAS_NORMAL unset: the disaster menu stays
        return None
    line.show_rich_menu(wanted)
    with factory.begin() as session:
        state = session.get(DisasterModeState, 1, with_for_update=True)
        if state is None:
            session.add(DisasterModeState(id=1, rich_menu_alias=wanted, changed_at=now))
        else:
            state.rich_menu_alias, state.changed_at = wanted, now
    log.info("push.rich_menu.switched", extra={"alias": wanted, "disaster_mode": active})
    return wanted
