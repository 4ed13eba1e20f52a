"""避難情報: the city's evacuation notices per area — 高齢者等避難 (警戒レベル3), 避難指示 (4), 緊急安全確保 (5) — and
their 解除, with two-person approval before one is issued.

Life of a notice: ``create`` makes a draft; ``approve`` records one person's approval (never the creator's;
the same person twice counts once), and with ``approvals`` different approvers the notice is issued, in
force from then on; ``cancel`` withdraws a draft; ``lift`` ends an issued notice (解除). The push to the
residents of its areas who chose 防災 is planned by the push package (``push.notices``) for every notice
issued or lifted; residents asking 「今の警戒レベルは？」 are answered from ``in_force``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from disaster.hazards import BY_KEY
from disaster.models import DisasterNotice
from disaster.models import DisasterNoticeApproval
from disaster.models import DisasterRules
from japanese.normalize import person
from japanese.normalize import same_person

DRAFT, ISSUED, CANCELLED, LIFTED = "draft", "issued", "cancelled", "lifted"
MAX_APPROVALS = 5  # the most approvals a pack may ask for
LEVELS = {3: "高齢者等避難", 4: "避難指示", 5: "緊急安全確保"}
MAX_TEXT = 1000


class NoticeError(ValueError):
    """The notice cannot be made or changed so; the message says why."""


@dataclass(frozen=True)
class NoticeInfo:
    """A notice as plain data."""

    id: int
    level: int
    name: str  # 高齢者等避難, 避難指示 or 緊急安全確保
    areas: tuple[str, ...]
    text: str
    office: str
    hazard: str  # the hazard key it is issued for ("": none named)
    status: str
    created_by: str
    approvers: tuple[str, ...]
    issued_at: datetime | None
    lifted_at: datetime | None
    broadcast_id: int | None
    lift_broadcast_id: int | None

    def as_json(self) -> dict:
        """The notice for ``disaster notice list --json``."""
        return {"id": self.id, "level": self.level, "name": self.name, "areas": list(self.areas), "text": self.text,
                "office": self.office, "hazard": self.hazard, "status": self.status, "created_by": self.created_by,
                "approvers": list(self.approvers),
                "issued_at": self.issued_at.isoformat() if self.issued_at else None,
                "lifted_at": self.lifted_at.isoformat() if self.lifted_at else None,
                "broadcast_id": self.broadcast_id, "lift_broadcast_id": self.lift_broadcast_id}


def save_rules(session: Session, *, approvals: int | None) -> None:
    """Store the pack's ``[disaster] notice_approvals`` (None: the pack says nothing; the setting applies)."""
    if approvals is not None and not 1 <= approvals <= MAX_APPROVALS:
        raise NoticeError(f"notice_approvals must be a whole number from 1 to {MAX_APPROVALS}")
    rules = session.get(DisasterRules, 1)
    if rules is None:
        session.add(DisasterRules(id=1, notice_approvals=approvals))
    else:
        rules.notice_approvals = approvals


def approvals_needed(session: Session, default: int) -> int:
    """How many people other than its creator approve a notice: the pack's rule, else ``default`` (the
    ``DISASTER_NOTICE_APPROVALS`` setting)."""
    rules = session.get(DisasterRules, 1)
    return rules.notice_approvals if rules is not None and rules.notice_approvals is not None else default


def create(session: Session, *, level: int, areas: list[str], text: str = "", office: str = "", hazard: str = "",
           created_by: str, now: datetime) -> DisasterNotice:
    """A new draft notice; raises NoticeError for a level other than 3–5, no area, no creator, a long text or
    an unknown hazard."""
    if hazard and hazard not in BY_KEY:
        raise NoticeError(f"unknown hazard {hazard!r} (one of {', '.join(BY_KEY)})")
    if level not in LEVELS:
        raise NoticeError(f"the level must be 3 (高齢者等避難), 4 (避難指示) or 5 (緊急安全確保), not {level}")
    names = list(dict.fromkeys(person(area) for area in areas if person(area)))
    if not names:
        raise NoticeError("name at least one area (--area)")
    if any(" " in name for name in names):
        raise NoticeError("an area name has no spaces (write it as residents' areas are named)")
    if not person(created_by):
        raise NoticeError("say who creates the notice (--by)")
    if len(text.strip()) > MAX_TEXT:
        raise NoticeError(f"the text is longer than {MAX_TEXT} characters")
    notice = DisasterNotice(level=level, areas="\n".join(names), text=text.strip(), office=office, hazard=hazard,
                            status=DRAFT,
                            created_by=person(created_by), created_at=now)
    session.add(notice)
    session.flush()
    return notice


def get(session: Session, notice_id: int, *, lock: bool = False) -> DisasterNotice:
    """The notice, locked for this transaction with ``lock``; NoticeError when there is none."""
    notice = session.get(DisasterNotice, notice_id, with_for_update=lock or None, populate_existing=lock)
    if notice is None:
        raise NoticeError(f"no notice {notice_id}")
    return notice


def approvers(session: Session, notice: DisasterNotice) -> list[str]:
    """The different people who approved the notice, in order."""
    names: list[str] = []
    for name in session.scalars(sa.select(DisasterNoticeApproval.approver)
                                .where(DisasterNoticeApproval.notice_id == notice.id)
                                .order_by(DisasterNoticeApproval.id)):
        if not any(same_person(name, earlier) for earlier in names):
            names.append(name)
    return names


def approve(session: Session, notice_id: int, approver: str, now: datetime, *, approvals: int = 2
            ) -> DisasterNotice:
    """Record ``approver``'s approval; with ``approvals`` different approvers the notice is issued now.
    Raises NoticeError for an empty name, the creator, or a notice that is not a draft."""
    name = person(approver)
    if not name:
        raise NoticeError("the approver's name is empty")
    notice = get(session, notice_id, lock=True)
    if notice.status != DRAFT:
        raise NoticeError(f"notice {notice_id} is {notice.status}; only a draft is approved")
    if same_person(name, notice.created_by):
        raise NoticeError(f"{name} created notice {notice_id} and may not approve it; another person must")
    if not any(same_person(name, earlier) for earlier in approvers(session, notice)):
        session.add(DisasterNoticeApproval(notice_id=notice.id, approver=name, at=now))
        session.flush()
    if len(approvers(session, notice)) >= max(1, approvals):
        notice.status, notice.issued_at = ISSUED, now
    return notice


def cancel(session: Session, notice_id: int) -> DisasterNotice:
    """Withdraw a draft (an issued notice is lifted instead: residents were told of it)."""
    notice = get(session, notice_id, lock=True)
    if notice.status != DRAFT:
        raise NoticeError(f"notice {notice_id} is {notice.status}; only a draft is cancelled (lift an issued one)")
    notice.status = CANCELLED
    return notice


def lift(session: Session, notice_id: int, now: datetime) -> DisasterNotice:
    """End an issued notice (解除)."""
    notice = get(session, notice_id, lock=True)
    if notice.status != ISSUED:
        raise NoticeError(f"notice {notice_id} is {notice.status}; only an issued notice is lifted")
    notice.status, notice.lifted_at = LIFTED, now
    return notice


def info(session: Session, notice: DisasterNotice) -> NoticeInfo:
    """The notice as plain data."""
    return NoticeInfo(notice.id, notice.level, LEVELS[notice.level], tuple(notice.areas.splitlines()), notice.text,
                      notice.office, notice.hazard, notice.status, notice.created_by, tuple(approvers(session, notice)),
                      notice.issued_at, notice.lifted_at, notice.broadcast_id, notice.lift_broadcast_id)


def listing(session: Session) -> list[NoticeInfo]:
    """Every notice, newest first."""
    return [info(session, n) for n in session.scalars(sa.select(DisasterNotice).order_by(DisasterNotice.id.desc()))]


def in_force(session: Session, area: str | None = None) -> list[NoticeInfo]:
    """The issued notices (for ``area`` only when given), highest level first."""
    notices = [info(session, n) for n in session.scalars(
        sa.select(DisasterNotice).where(DisasterNotice.status == ISSUED).order_by(DisasterNotice.id))]
    if area is not None:
        notices = [n for n in notices if area in n.areas]
    return sorted(notices, key=lambda n: -n.level)
