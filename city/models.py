"""The one Municipality row: who the bot speaks for and whom residents can call."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from db import Base
from db import UTCDateTime
from db import utcnow


class Municipality(Base):
    """The municipality of this deployment (one row), loaded from the pack's ``pack.toml``."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(6))
    name: Mapped[str] = mapped_column(sa.String(100))
    bot_name: Mapped[str] = mapped_column(sa.String(100), default="")
    department: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(50), default="")
    office_hours: Mapped[str] = mapped_column(sa.String(200), default="")
    url: Mapped[str] = mapped_column(sa.String(1000), default="")
    faq_attribution: Mapped[str] = mapped_column(sa.String(500), default="")
    pack_path: Mapped[str] = mapped_column(sa.String(1000), default="")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
