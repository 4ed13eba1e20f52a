"""Quiet hours: no non-emergency push during the night (``PUSH_QUIET_HOURS``; its default is in ``settings``).

The period is in local time (``BOT_TIMEZONE``) and may wrap past midnight; an empty setting turns quiet
hours off. ``next_allowed`` moves a send time inside the period to its end; emergencies and answers to a
resident's own message (``ANYTIME_KINDS``) ignore it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

EMERGENCY_KIND = "emergency"  # Delivery.kind of rows that go out during quiet hours too
REPLY_KIND = "reply"  # an answer to a resident's own message whose reply failed: it goes out at once, too
ANYTIME_KINDS = (EMERGENCY_KIND, REPLY_KIND)  # kinds quiet hours never hold back


@dataclass(frozen=True)
class QuietHours:
    """A daily local period [start, end) during which nothing but emergencies is sent."""

    start: time
    end: time

    def contains(self, moment: datetime, tz: ZoneInfo) -> bool:
        """True when ``moment`` (timezone-aware) falls inside the period, in local time ``tz``."""
        local = moment.astimezone(tz).time().replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


def parse(setting: str | None) -> QuietHours | None:
    """``"21:00-08:00"`` as QuietHours; empty or None turns them off (None). Raises ValueError if malformed."""
    text = (setting or "").strip()
    if not text:
        return None
    try:
        start_text, end_text = (part.strip() for part in text.split("-"))
        start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
    except ValueError as exc:
        raise ValueError(f"PUSH_QUIET_HOURS {setting!r} is not like 21:00-08:00") from exc
    if start == end:
        return None
    return QuietHours(start, end)


def next_allowed(send_after_utc: datetime, quiet: QuietHours | None, tz: ZoneInfo) -> datetime:
    """``send_after_utc`` itself, or the end of the quiet period it falls in (as UTC)."""
    if quiet is None or not quiet.contains(send_after_utc, tz):
        return send_after_utc
    local = send_after_utc.astimezone(tz)
    end = datetime.combine(local.date(), quiet.end, tz)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), quiet.end, tz)
    return end.astimezone(UTC)
