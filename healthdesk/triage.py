"""Triage of a resident's message about health into one plain result, safety first.

The order is the health desk's routing order: a red flag (119 first), danger from a person (110 first),
words of despair (mental-health lines), doubt about calling an ambulance (#7119 where it exists, else the local
alternatives), a child who is unwell (#8000), where to be seen now (休日夜間急病センター, 当番医), any other
health worry (the health desk). The triage never judges what a symptom means: it only picks which lines to give.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import date
from datetime import time

from healthdesk.data import HealthDesk
from healthdesk.matching import readings


class Kind(enum.StrEnum):
    """What the health reply is about."""

    EMERGENCY = "emergency"  # a red flag: 119 first
    POLICE = "police"  # danger from a person (violence, a break-in, being followed, a missing child): 110 first
    SELF_HARM = "self_harm"  # words of despair: mental-health lines
    DOUBT = "doubt"  # "should I call an ambulance?"
    CHILD = "child"  # a child is unwell: #8000 when it answers
    WHERE = "where"  # where to be seen now
    WORRY = "worry"  # any other health worry: the health desk


@dataclass(frozen=True)
class Triage:
    """The health reply to give, with the data it shows (never what the resident said)."""

    kind: Kind
    desk: HealthDesk
    family: str = ""  # the red-flag family that was raised (EMERGENCY), or the police flag's (POLICE)
    self_harm: bool = False  # words of despair as well: mental-health lines after the 119 or 110 message
    police: str = ""  # EMERGENCY: a police flag's family raised as well (110 after 119)
    child_line_open: bool = False  # CHILD, or DOUBT about a child: a child line (#8000) answers at this hour
    child: bool = False  # DOUBT: about a child (「子どもが熱…救急車を呼ぶほどでは」): the child line is the one to call
    where: bool = False  # CHILD: the message asks where the child can be seen now (「夜間やってる病院ある？」)
    mood: bool = False  # WORRY: a worry about one's mood (落ち込む, 眠れない 不安): the mental-health lines first
    feeling: bool = False  # WORRY: a feeling alone (しんどい, 眠れない): the desk's reply, then the lines
    phrase: str = ""  # the city's phrase that decided it, as listed (for ``ask --explain``)
    desk_open: bool | None = None  # the health desk answers now (None: its hours are not known)


def triage(desk: HealthDesk, text: str, at: time, day: date | None = None) -> Triage | None:
    """The health reply for ``text`` at the local time ``at`` (on the local ``day`` when known), or None when
    the message is not about health."""
    result = _triage(desk, text, at)
    if result is None or day is None:
        return result
    return dataclasses.replace(result, desk_open=desk.desk.open_on(day, at))


def _triage(desk: HealthDesk, text: str, at: time) -> Triage | None:
    message = readings(text)
    words = desk.words
    despair = words["self_harm"].first_found(message)
    police = desk.police_flag(message)
    if (flagged := desk.red_flag(message)) is not None:
        family, found = flagged
        return Triage(Kind.EMERGENCY, desk, family=family.name, self_harm=despair is not None, phrase=found.text,
                      police=police[0].name if police is not None else "")
    if police is not None:
        family, found = police
        return Triage(Kind.POLICE, desk, family=family.name, self_harm=despair is not None, phrase=found.text)
    if despair is not None:
        return Triage(Kind.SELF_HARM, desk, self_harm=True, phrase=despair.text)
    if (doubt := words["doubt"].first_found(message)) is not None:
        child = words["child"].first_found(message) is not None
        line_open = child and any(line.open_at(at) for line in desk.lines_of("child"))
        return Triage(Kind.DOUBT, desk, phrase=doubt.text, child=child, child_line_open=line_open)
    if words["not_health"].first_found(message) is not None:
        return None
    mood = words["mood"].first_found(message)
    worry = words["worry"].first_found(message) or mood
    # A feeling alone (「最近しんどい」) may be the body's or the mood's: the desk's reply, and the lines after it.
    feeling = words["feeling"].first_found(message) if worry is None else None
    worry = worry or feeling
    where = words["where"].first_found(message)
    decided = (worry or where).text if (worry or where) is not None else ""
    if (worry or where) and words["child"].first_found(message) is not None:
        line_open = any(line.open_at(at) for line in desk.lines_of("child"))
        return Triage(Kind.CHILD, desk, child_line_open=line_open, phrase=decided, where=where is not None)
    if where is not None:
        return Triage(Kind.WHERE, desk, phrase=where.text)
    if worry is not None:
        return Triage(Kind.WORRY, desk, phrase=worry.text, mood=mood is not None, feeling=feeling is not None)
    return None
