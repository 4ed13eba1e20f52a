"""ごみ rows: categories, the sorting dictionary, areas and their collection rules, and calendar exceptions.

Everything here is replaced as a whole on each import (``garbage.store.save_garbage``); residents keep
their area as a name (``Resident.area``), so a re-import never breaks a foreign key of theirs.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from db import Base


class GarbageCategory(Base):
    """A kind of garbage (燃やせるごみ, 危険ごみ…); ``collected`` is False for 「収集不可」-like categories."""

    __tablename__ = "garbage_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    color: Mapped[str] = mapped_column(sa.String(20), default="")
    collected: Mapped[bool] = mapped_column(default=True)
    takeaway: Mapped[str] = mapped_column(sa.Text, default="")  # where to take items the city does not collect
    position: Mapped[int] = mapped_column(default=0)  # order in the city's files


class GarbageItem(Base):
    """One entry of the sorting dictionary: an item name as the city wrote it, its category and notice.

    The same name may appear under several categories (留萌 「植木の枝」 is 剪定枝 and 草).
    """

    __tablename__ = "garbage_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(500))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("garbage_category.id", ondelete="CASCADE"), index=True)
    notice: Mapped[str] = mapped_column(sa.Text, default="")
    kana: Mapped[str] = mapped_column(sa.String(50), default="")  # the 5374 list index row (あ, い…), not a reading

    category: Mapped[GarbageCategory] = relationship()


class Area(Base):
    """A collection area as the city names it, with the other names residents type for it.

    ``aliases`` and ``kana`` are ``|``-joined lists: 高松's 「木太・林・多肥・国分寺南部」 has the aliases
    木太, 林, 多肥 and 国分寺南部.
    """

    __tablename__ = "area"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    aliases: Mapped[str] = mapped_column(sa.Text, default="")
    kana: Mapped[str] = mapped_column(sa.Text, default="")
    center: Mapped[str] = mapped_column(sa.String(100), default="")
    position: Mapped[int] = mapped_column(default=0)


class CollectionRule(Base):
    """When one category is collected in one area: a ``garbage.schedule.Schedule`` as JSON."""

    __tablename__ = "collection_rule"
    __table_args__ = (sa.UniqueConstraint("area_id", "category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("area.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("garbage_category.id", ondelete="CASCADE"), index=True)
    schedule: Mapped[dict] = mapped_column(sa.JSON)
    source: Mapped[str] = mapped_column(sa.Text, default="")  # the calendar cell as written

    area: Mapped[Area] = relationship()
    category: Mapped[GarbageCategory] = relationship()


class CalendarException(Base):
    """A change to the usual calendar on one day (年末年始): no collection, or moved to another day.

    ``category`` None means every category.
    """

    __tablename__ = "calendar_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, index=True)
    category: Mapped[str | None] = mapped_column(sa.String(100))
    moved_to: Mapped[date | None] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.Text, default="")


class CenterShutdown(Base):
    """A period in which a collection center takes nothing (5374 ``center.csv``), both days included."""

    __tablename__ = "center_shutdown"

    id: Mapped[int] = mapped_column(primary_key=True)
    center: Mapped[str] = mapped_column(sa.String(100))
    start: Mapped[date] = mapped_column(sa.Date)
    end: Mapped[date] = mapped_column(sa.Date)


class GarbageRemark(Base):
    """A note that calendar cells refer to by key (5374 ``remarks.csv``: ``*1`` → ID 1)."""

    __tablename__ = "garbage_remark"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(32), unique=True)
    text: Mapped[str] = mapped_column(sa.Text)


class GarbageSettings(Base):
    """The pack's garbage settings (one row): whether collection runs on public holidays, the credit line and
    the time garbage must be out by."""

    __tablename__ = "garbage_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    collect_on_public_holidays: Mapped[bool] = mapped_column(default=True)
    put_out_by: Mapped[str] = mapped_column(sa.String(5), default="", server_default="")  # 「08:30」 or ""
    attribution: Mapped[str] = mapped_column(sa.String(500), default="")
