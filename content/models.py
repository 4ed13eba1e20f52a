"""The revision counters: one row per kind of content (faq, synonyms, garbage, city…)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from db import Base


class ContentRevision(Base):
    """A counter per kind of content, bumped on every change so each process knows to rebuild its index."""

    __tablename__ = "content_revision"

    kind: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    revision: Mapped[int] = mapped_column(default=0)
