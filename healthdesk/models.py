"""The city's health data as loaded from its pack (one row; the national defaults live in the code)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from db import Base
from db import UTCDateTime
from db import utcnow


class HealthData(Base):
    """The pack's health section (red flags, words, lines, facilities, desk) as checked JSON."""

    __tablename__ = "health_data"

    id: Mapped[int] = mapped_column(primary_key=True)
    section: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
