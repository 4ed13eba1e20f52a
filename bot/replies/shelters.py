"""避難所 replies: the question for the location or the hazard, and the shelters found (text, then map pins)."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from linebot.v3.messaging import Message
from linebot.v3.messaging import QuickReply

from bot import postbacks
from disaster.atlas import STAY
from disaster.atlas import Atlas
from disaster.atlas import Found
from disaster.hazards import BY_KEY
from disaster.hazards import HAZARDS
from disaster.hazards import names
from disaster.importers import EMERGENCY
from disaster.notices import NoticeInfo
from disaster.status import OPEN
from disaster.store import ShelterStatus
from intents.notices import NoticeAnswer
from japanese.calendar import month_day_time
from messaging import build
from messaging import texts

COORDINATE_DIGITS = 5  # about a metre: enough to find shelters, and short postback data


def ask_location(unknown_place: str | None = None, *, hazard: str | None = None, first: str | None = None
                 ) -> list[Message]:
    """Ask for the resident's location with LINE's send-location button (saying ``first`` what to do in a danger
    told, when a typed place was not found, and for which ``hazard`` the search will be, when one was named)."""
    parts = [first] if first else []
    if unknown_place:
        parts.append(texts.SHELTER_PLACE_UNKNOWN.format(place=unknown_place))
    ask = texts.SHELTER_ASK_LOCATION_HAZARD.format(hazard=hazard) if hazard else texts.SHELTER_ASK_LOCATION
    return build.messages([*parts, ask],
                          build.quick_reply([build.SendLocation(texts.SHELTER_SEND_LOCATION)]))


def ask_hazard(atlas: Atlas, latitude: float, longitude: float, place: str | None = None) -> list[Message]:
    """Ask which hazard to flee from (the hazards some shelter is designated for, and a place to stay)."""
    prompt = texts.SHELTER_ASK_HAZARD_PLACE.format(place=place) if place else texts.SHELTER_ASK_HAZARD
    return build.messages([prompt], hazard_buttons(atlas, latitude, longitude))


def hazard_buttons(atlas: Atlas, latitude: float, longitude: float, *, leave_out: str | None = None) -> QuickReply:
    """A button per hazard some shelter is designated for, and one for a place to stay, searching near the place
    (``leave_out``: a purpose already shown)."""
    where = {"la": round(latitude, COORDINATE_DIGITS), "lo": round(longitude, COORDINATE_DIGITS)}
    buttons = [(hazard.label, postbacks.encode(postbacks.SHELTER, h=hazard.key, **where), hazard.label)
               for hazard in HAZARDS if atlas.has(hazard.key) and hazard.key != leave_out]
    if atlas.has(STAY) and leave_out != STAY:
        buttons.append((texts.SHELTER_STAY_LABEL, postbacks.encode(postbacks.SHELTER, h=STAY, **where),
                        texts.SHELTER_STAY))
    return build.quick_reply(buttons)


def found(purpose: str, shelters: list[Found], status: dict[int, ShelterStatus], *, attribution: str,
          now: datetime, max_age: timedelta, timezone: ZoneInfo, note: str | None = None) -> list[Message]:
    """The shelters found, nearest first: one text (``note`` first, then name, distance, what it serves, status),
    then a map pin each."""
    hazard = BY_KEY.get(purpose)
    what = texts.SHELTER_FOR_HAZARD.format(hazard=hazard.label) if hazard else texts.SHELTER_FOR_STAY
    lines = [note] if note else []
    lines.append(texts.SHELTER_FOUND.format(count=len(shelters), purpose=what))
    for n, item in enumerate(shelters, start=1):
        shelter = item.shelter
        lines.append(texts.SHELTER_ITEM.format(n=n, name=shelter.name, distance=distance(item.distance_m)))
        if shelter.kind == EMERGENCY:
            lines.append("   " + texts.SHELTER_HAZARDS.format(hazards="・".join(names(shelter.hazards))))
            if shelter.shares_address:
                lines.append("   " + texts.SHELTER_ALSO_STAY)
        elif shelter.accepts:
            lines.append("   " + texts.SHELTER_ACCEPTS.format(accepts=shelter.accepts))
        lines.append("   " + _status(status.get(shelter.id), now, max_age, timezone))
    lines.append(attribution)
    pins = [build.location(item.shelter.name, item.shelter.address, item.shelter.latitude, item.shelter.longitude)
            for item in shelters]
    return build.combine(build.messages(["\n".join(lines)]), pins)


def status_of(shelters: list, status: dict[int, ShelterStatus], *, attribution: str, now: datetime,
              max_age: timedelta, timezone: ZoneInfo) -> list[Message]:
    """「富丘中学校は開いてる？」: each facility of that name with what it is and its status, then a map pin each."""
    lines = []
    for shelter in shelters:
        lines.append(shelter.name)
        if shelter.kind == EMERGENCY:
            lines.append("   " + texts.SHELTER_HAZARDS.format(hazards="・".join(names(shelter.hazards))))
        elif shelter.accepts:
            lines.append("   " + texts.SHELTER_ACCEPTS.format(accepts=shelter.accepts))
        lines.append("   " + _status(status.get(shelter.id), now, max_age, timezone))
    lines += [texts.NOTICE_SHELTER_HINT, attribution]
    pins = [build.location(s.name, s.address, s.latitude, s.longitude) for s in shelters]
    return build.combine(build.messages(["\n".join(lines)]), pins)


def none_for(purpose: str) -> list[Message]:
    """No shelter in the data serves this hazard."""
    hazard = BY_KEY.get(purpose)
    return build.text(texts.SHELTER_NO_SITE.format(hazard=hazard.label if hazard else texts.SHELTER_STAY))


def distance(metres: float) -> str:
    """A distance as residents read it (約 is added by the text): 80m, 1.2km."""
    if metres < 1000:
        return texts.SHELTER_DISTANCE_M.format(metres=max(10, int(round(metres, -1))))
    return texts.SHELTER_DISTANCE_KM.format(km=metres / 1000)


def _status(status: ShelterStatus | None, now: datetime, max_age: timedelta, timezone: ZoneInfo) -> str:
    if status is None or not status.status or status.at is None:
        return texts.SHELTER_STATUS_UNKNOWN
    when = when_said(status.at, timezone)
    said = texts.SHELTER_STATUSES.get(status.status, status.status)
    if not status.confirmed(now, max_age):
        return texts.SHELTER_STATUS_OLD.format(when=when, status=said)
    crowding = texts.SHELTER_CROWDING.get(status.crowding, "") if status.status == OPEN else ""
    return texts.SHELTER_STATUS.format(status=said, crowding=f"・{crowding}" if crowding else "", when=when)


def when_said(at: datetime, timezone: ZoneInfo) -> str:
    """「12月4日 10:30」 in the city's time."""
    return month_day_time(at, timezone)


def notices_in_force(answer: NoticeAnswer, city_name: str, timezone: ZoneInfo) -> list[Message]:
    """The notices in force, highest level first, or that there are none (for the area, or the city)."""
    if not answer.notices:
        parts = [texts.NOTICE_NONE.format(where=answer.area or texts.NOTICE_NONE_WHERE_ALL), texts.NOTICE_NONE_CAUTION]
    else:
        parts = [_notice(n, city_name, timezone) for n in answer.notices]
        parts.append(texts.NOTICE_SHELTER_HINT)
    if answer.warnings:  # JMA's, in JMA's names, credited
        parts.append("\n".join([*(texts.JMA_IN_FORCE.format(when=when_said(item.reported_at, timezone),
                                                             office=item.office, kinds="、".join(item.kinds))
                                  for item in answer.warnings), texts.JMA_CREDIT]))
    elif answer.jma_read:
        parts.append(texts.JMA_NONE.format(city=city_name))
    if answer.area is None:
        parts.append(texts.NOTICE_AREA_HINT)
    return build.messages(["\n\n".join(parts)])


def _notice(notice: NoticeInfo, city_name: str, timezone: ZoneInfo) -> str:
    """One notice in force: level, name, office and time, areas, the standard words and the city's own."""
    lines = [texts.NOTICE_CURRENT.format(level=notice.level, name=notice.name, office=notice.office or city_name,
                                         when=when_said(notice.issued_at, timezone), areas="・".join(notice.areas),
                                         action=texts.NOTICE_ACTIONS[notice.level])]
    if notice.text:
        lines.append(notice.text)
    return "\n".join(lines)
