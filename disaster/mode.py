"""Disaster mode: while the city has a 避難指示 or 緊急安全確保 (警戒レベル 4 or higher) in force, or JMA has one of the
kinds the pack names in ``[jma] disaster_mode`` in force in the city (a 大雨特別警報, a 津波警報…), the bot puts 防災
first — a location sent is answered with the shelters for that notice's hazard at once — and the push worker
switches everyone's rich menu to the disaster one (``push.notices``). It ends when those notices are lifted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from disaster import notices
from disaster.jma import reports

MODE_LEVEL = 4  # a notice of this level or higher in force puts the bot in disaster mode


@dataclass(frozen=True)
class Mode:
    """Whether the bot is in disaster mode, and the hazard of its highest notice when one names it."""

    active: bool
    level: int = 0
    hazard: str | None = None


# Words of a JMA kind's name → the hazard whose shelters it sends people to (the first that matches).
JMA_HAZARDS = (("津波", "tsunami"), ("高潮", "surge"), ("土砂", "landslide"), ("大雨", "flood"), ("洪水", "flood"),
               ("氾濫", "flood"))


def mode_now(session: Session, now: datetime) -> Mode:
    """The mode the notices in force, then JMA's kinds in force at ``now``, put the bot in."""
    grave = [notice for notice in notices.in_force(session) if notice.level >= MODE_LEVEL]
    if grave:
        hazards = [notice.hazard for notice in grave if notice.hazard]
        return Mode(True, grave[0].level, hazards[0] if hazards else None)
    config = reports.load_config(session)
    if not config.disaster_mode:
        return Mode(False)
    kinds = [kind for kind in reports.in_force(session, now) if kind in config.disaster_mode]
    if not kinds:
        return Mode(False)
    hazard = next((key for kind in kinds for word, key in JMA_HAZARDS if word in kind), None)
    return Mode(True, 5 if any("特別警報" in kind for kind in kinds) else MODE_LEVEL, hazard)
