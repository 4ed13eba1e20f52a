"""The push of a JMA telegram staff relayed (or the pack relays without them): an emergency broadcast of JMA's
own words to the residents who chose 防災 (of the areas it concerns, when the pack maps them), exactly once.

``broadcast_reports`` runs beside ``push.notices.broadcast_notices`` before the broadcasts are planned: in one
short transaction per report it locks the report, makes its broadcast (approved by whoever relayed it) and
records the broadcast's id on it, so that a report is never broadcast twice, whichever process gets to it first.
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from disaster.jma import reports
from disaster.models import JmaReport
from push import broadcasts
from push.models import BroadcastApproval
from push.models import BroadcastStatus
from push.notices import segment
from residents.categories import DISASTER

log = logging.getLogger(__name__)


def broadcast_reports(factory: sessionmaker[Session], now: datetime) -> list[int]:
    """Make the broadcast of every relayed JMA report that has none yet; returns the broadcasts' ids."""
    with factory() as session:
        due = list(session.scalars(sa.select(JmaReport.id).where(
            JmaReport.outcome == reports.RELAYED, JmaReport.broadcast_id.is_(None)).order_by(JmaReport.id)))
    made = []
    for report_id in due:
        with factory.begin() as session:
            broadcast_id = _broadcast(session, report_id, now)
        if broadcast_id is not None:
            made.append(broadcast_id)
            log.info("push.jma.broadcast", extra={"report": report_id, "broadcast": broadcast_id})
    return made


def _broadcast(session: Session, report_id: int, now: datetime) -> int | None:
    report = session.get(JmaReport, report_id, with_for_update=True)
    if report is None or report.broadcast_id is not None or report.outcome != reports.RELAYED:
        return None  # another process made it first
    areas = tuple(area for area in report.areas.split("\n") if area)
    broadcast = broadcasts.create(session, text=report.text,
                                  segment=segment(areas) if areas else f"category:{DISASTER}", scheduled_at=now,
                                  now=now, emergency=True, created_by=report.decided_by)
    broadcast.approvals.append(BroadcastApproval(approver=report.decided_by, at=now))
    broadcast.status = BroadcastStatus.APPROVED
    report.broadcast_id = broadcast.id
    return broadcast.id
