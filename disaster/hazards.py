"""The eight hazards a 指定緊急避難場所 is designated for, as the 国土地理院 data names them (災害対策基本法)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hazard:
    """One hazard: a short key (postback data), the data's column name, and what residents are shown."""

    key: str
    column: str
    label: str

    @property
    def bit(self) -> int:
        """Its bit in ``Shelter.hazards``."""
        return 1 << HAZARDS.index(self)


HAZARDS: tuple[Hazard, ...] = (
    Hazard("flood", "洪水", "洪水"),
    Hazard("landslide", "崖崩れ、土石流及び地滑り", "土砂災害"),
    Hazard("surge", "高潮", "高潮"),
    Hazard("quake", "地震", "地震"),
    Hazard("tsunami", "津波", "津波"),
    Hazard("fire", "大規模な火事", "大規模な火事"),
    Hazard("inland", "内水氾濫", "内水氾濫"),
    Hazard("volcano", "火山現象", "火山"),
)
BY_KEY = {hazard.key: hazard for hazard in HAZARDS}


def names(mask: int) -> list[str]:
    """The labels of the hazards in ``mask``, in the data's order."""
    return [hazard.label for hazard in HAZARDS if mask & hazard.bit]
