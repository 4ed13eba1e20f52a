"""避難所 rows: the city's 指定緊急避難場所 and 指定避難所 as the 国土地理院 data lists them, with their status.

A shelter is known by its key (the data's 共通ID, else its kind, name and address), so that importing the same
file again changes nothing and a re-import keeps the status staff have set.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from db import Base
from db import UTCDateTime


class Shelter(Base):
    """One 指定緊急避難場所 (``kind`` emergency: where to flee from a hazard, ``hazards`` a bit per hazard) or
    指定避難所 (``kind`` evacuation: where to stay, for ``accepts``), with where it is and its status."""

    __tablename__ = "shelter"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(400), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    latitude: Mapped[float]
    longitude: Mapped[float]
    hazards: Mapped[int] = mapped_column(default=0)  # bit i: designated for disaster.hazards.HAZARDS[i]
    shares_address: Mapped[bool] = mapped_column(default=False)  # the data says the other kind is at its address
    accepts: Mapped[str] = mapped_column(sa.String(200), default="")  # 受入対象者 (指定避難所)
    capacity: Mapped[int | None] = mapped_column(default=None)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # Set by staff (not by an import): open, closed or full, how crowded, and when that was last said.
    status: Mapped[str] = mapped_column(sa.String(16), default="")
    crowding: Mapped[str] = mapped_column(sa.String(16), default="")
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class ShelterSource(Base):
    """The credit line shown with shelters (one row): the pack's, else 「出典：国土地理院」."""

    __tablename__ = "shelter_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    attribution: Mapped[str] = mapped_column(sa.Text, default="")


class ShelterStaff(Base):
    """A LINE account linked to a shelter (by its name) with a one-time code: it may set that shelter's status."""

    __tablename__ = "shelter_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_user_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    shelter_name: Mapped[str] = mapped_column(sa.String(200))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ShelterStaffCode(Base):
    """A one-time code issued for a shelter (``shelters staff-code``), kept as its hash until used or expired."""

    __tablename__ = "shelter_staff_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    shelter_name: Mapped[str] = mapped_column(sa.String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class DisasterNotice(Base):
    """A 避難情報 the city issues for some of its areas (警戒レベル 3, 4 or 5), from draft to lifted.

    ``status``: draft (waiting for approvals), issued (in force; its push planned by ``push.notices``),
    cancelled (withdrawn before it was issued) or lifted (解除: no longer in force; a 解除 push is planned).
    """

    __tablename__ = "disaster_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[int]
    areas: Mapped[str] = mapped_column(sa.Text)  # area names, one per line
    text: Mapped[str] = mapped_column(sa.Text, default="")  # the city's own words, added to the standard ones
    office: Mapped[str] = mapped_column(sa.String(200), default="")  # the issuing office ("": the city)
    hazard: Mapped[str] = mapped_column(sa.String(16), default="")  # the hazard it is issued for (a Hazard key; "")
    status: Mapped[str] = mapped_column(sa.String(16), default="draft", index=True)
    created_by: Mapped[str] = mapped_column(sa.String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The emergency broadcasts ``push.notices`` made of it: when issued, and when lifted (None: not yet; 0: none
    # was needed, the notice having been lifted before its issue went out).
    broadcast_id: Mapped[int | None] = mapped_column(default=None)
    lift_broadcast_id: Mapped[int | None] = mapped_column(default=None)


class DisasterNoticeApproval(Base):
    """One person's approval of a notice (the same person twice counts once; never the creator)."""

    __tablename__ = "disaster_notice_approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("disaster_notice.id", ondelete="CASCADE"), index=True)
    approver: Mapped[str] = mapped_column(sa.String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class DisasterRules(Base):
    """The pack's ``[disaster]`` rules (one row): how many people approve a notice (None: the
    ``DISASTER_NOTICE_APPROVALS`` setting)."""

    __tablename__ = "disaster_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_approvals: Mapped[int | None] = mapped_column(default=None)


class DisasterModeState(Base):
    """The rich menu last made everyone's default for the disaster mode (one row; ``push.notices``)."""

    __tablename__ = "disaster_mode_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    rich_menu_alias: Mapped[str] = mapped_column(sa.String(100), default="")
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class JmaPack(Base):
    """The pack's ``[jma]`` table (one row, as JSON): how JMA's telegrams name the city (``disaster.jma.city``)."""

    __tablename__ = "jma_pack"

    id: Mapped[int] = mapped_column(primary_key=True)
    config: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class JmaReport(Base):
    """One JMA telegram handled (read from a file or fetched from a feed), and what became of it for the city.

    ``outcome``: skipped (a drill, not for the city, nothing new: ``reason`` says which), draft (waiting for
    staff to relay or dismiss it), relayed (sent to residents: ``push.jma`` makes its broadcast), dismissed,
    superseded (a newer draft of the same series came before staff looked) or voided (JMA's 取消).
    """

    __tablename__ = "jma_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)  # SHA-256 of the telegram's bytes
    url: Mapped[str | None] = mapped_column(sa.String(500), default=None, index=True)  # where the feed had it
    family: Mapped[str] = mapped_column(sa.String(8))  # VPWW54 … VTSE41
    title: Mapped[str] = mapped_column(sa.String(200))  # Control/Title
    head_title: Mapped[str] = mapped_column(sa.String(300), default="")
    office: Mapped[str] = mapped_column(sa.String(200), default="")
    series: Mapped[str] = mapped_column(sa.String(400), index=True)  # what a 取消 voids
    info_type: Mapped[str] = mapped_column(sa.String(8), default="")
    event_id: Mapped[str] = mapped_column(sa.String(100), default="")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # Control/DateTime (in force: the last day's)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)  # Head/ReportDateTime
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(sa.String(16), index=True)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    changes: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{area, code, kind, change}] in the city
    in_force: Mapped[list] = mapped_column(sa.JSON, default=list)  # kinds in force in the city after it
    areas: Mapped[str] = mapped_column(sa.Text, default="")  # the city's areas concerned, one per line ("": all)
    text: Mapped[str] = mapped_column(sa.Text, default="")  # what residents get: JMA's words, credited
    decided_by: Mapped[str] = mapped_column(sa.String(100), default="")  # who relayed or dismissed it
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    broadcast_id: Mapped[int | None] = mapped_column(default=None)


class JmaFeedState(Base):
    """What a JMA Atom feed last answered (for ``If-Modified-Since`` / ``If-None-Match``)."""

    __tablename__ = "jma_feed_state"

    url: Mapped[str] = mapped_column(sa.String(500), primary_key=True)
    last_modified: Mapped[str] = mapped_column(sa.String(100), default="")
    etag: Mapped[str] = mapped_column(sa.String(200), default="")
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
