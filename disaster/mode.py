"""Disaster mode: while the city has a 避難指示 or 緊急安全確保 (警戒レベル 4 or higher) in force, the bot puts 防災
first — a location sent is answered with the shelters for that notice's hazard at once — and the push worker
switches everyone's rich menu to the disaster one (``push.notices``). It ends when those notices are lifted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from disaster import notices

MODE_LEVEL = 4  # a notice of this level or higher in force puts the bot in disaster mode


@dataclass(frozen=True)
class Mode:
    """Whether the bot is in disaster mode, and the hazard of its highest notice when one names it."""

    active: bool
    level: int = 0
    hazard: str | None = None


def mode_now(session: Session) -> Mode:
    """The mode the notices in force put the bot in."""
    grave = [notice for notice in notices.in_force(session) if notice.level >= MODE_LEVEL]
    if not grave:
        return Mode(False)
    hazards = [notice.hazard for notice in grave if notice.hazard]
    return Mode(True, grave[0].level, hazards[0] if hazards else None)
