"""The Intent protocol: structured answers that are tried before the FAQ, first match wins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from typing import Any
from typing import Protocol

from sqlalchemy.orm import Session

from disaster.atlas import Atlas
from garbage.answers import Catalog
from search.docs import Query


@dataclass(frozen=True)
class IntentContext:
    """What an intent may use: the database, the resident (if known), their area and today's date."""

    session: Session
    line_user_id: str | None
    area: str | None
    today: date
    garbage: Catalog | None = None  # the city's garbage data, when it has loaded some
    time_of_day: time | None = None  # the city's local time now, when answering for today as it is
    shelters: Atlas | None = None  # the city's shelters
    now: datetime | None = None  # the moment answered at (UTC): what is in force then


class Intent(Protocol):
    """A structured capability: ``match`` is cheap and pure, ``handle`` returns plain data."""

    name: str

    def match(self, query: Query) -> Any | None:
        """Something truthy when this intent should answer ``query``, else None."""
        ...

    def handle(self, match: Any, ctx: IntentContext) -> Any:
        """The plain-data result for the bot to turn into messages, or None to let the next one try."""
        ...
