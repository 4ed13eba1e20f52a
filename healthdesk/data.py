"""The health desk's data as plain values: red-flag families (119) and police flags (110), word lists, phone
lines, facilities, desk.

The national defaults (``defaults.toml`` beside this module) apply everywhere; a city's ``health.toml``
(named from its ``pack.toml``) is merged over them by ``desk_from`` (see the defaults file for how):
``[red_flags]``, ``[police_flags]`` and ``[words]`` lists replace the lists of the same name,
``[more_red_flags]``, ``[more_police_flags]`` and ``[more_words]`` add phrases to them.
``check_section`` refuses data the desk could not use, naming what to fix.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from datetime import time
from pathlib import Path
from typing import Any

from healthdesk.matching import Phrase
from healthdesk.matching import PhraseList
from healthdesk.matching import Spelled
from healthdesk.matching import phrase
from japanese.calendar import is_office_day

DEFAULTS = Path(__file__).with_name("defaults.toml")
LINE_KINDS = ("doubt", "child", "medical_info", "mental", "police", "dv", "other")
WORD_LISTS = ("doubt", "self_harm", "child", "where", "worry", "mood", "feeling", "not_health")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Line:
    """A telephone line residents can call: #7119, #8000, a facility-information or mental-health line."""

    key: str
    kind: str
    name: str
    number: str
    hours: str = ""
    other_number: str = ""  # for phones the short number does not reach (IP phones, mobiles)
    note: str = ""
    available: bool = True  # False: this line does not exist in the city (千歳 has no #7119)
    opens: time | None = None  # answered from ``opens`` to ``closes`` (over midnight when closes < opens)
    closes: time | None = None

    def open_at(self, moment: time) -> bool:
        """True when the line answers at this local time of day (always, without opening hours)."""
        if self.opens is None or self.closes is None:
            return True
        if self.opens <= self.closes:
            return self.opens <= moment < self.closes
        return moment >= self.opens or moment < self.closes


@dataclass(frozen=True)
class Facility:
    """A place residents can be seen outside clinic hours (休日夜間急病センター, 当番医)."""

    name: str
    phone: str = ""
    address: str = ""
    hours: str = ""
    departments: str = ""
    note: str = ""
    url: str = ""


@dataclass(frozen=True)
class Desk:
    """The human desk other health worries are handed to (empty fields: the city's contact desk)."""

    name: str = ""
    phone: str = ""
    hours: str = ""
    opens: time | None = None  # answered from ``opens`` to ``closes`` on city office days
    closes: time | None = None

    def open_on(self, day: date, moment: time) -> bool | None:
        """True when the desk answers on this local day and time, None when the data gives no hours."""
        if self.opens is None or self.closes is None:
            return None
        return is_office_day(day) and self.opens <= moment < self.closes


@dataclass(frozen=True)
class Family:
    """A family of red flags (意識, 呼吸, 胸…) and the phrases that raise it."""

    name: str
    phrases: PhraseList


@dataclass(frozen=True)
class HealthDesk:
    """Everything the triage and its replies read: national defaults with the city's data over them."""

    emergency_number: str
    place: str  # what to say first when calling 119 (empty: the city's name)
    desk: Desk
    red_flags: tuple[Family, ...]
    words: dict[str, PhraseList]
    lines: tuple[Line, ...]
    facilities: tuple[Facility, ...] = ()
    web: str = ""  # a page listing today's 当番医 (the prefecture's system)
    attribution: str = ""
    police_number: str = "110"
    police_flags: tuple[Family, ...] = ()

    def red_flag(self, message: tuple[Spelled, ...]) -> tuple[Family, Phrase] | None:
        """The first family (in the data's order) with a phrase found in the message, and that phrase; None when
        no red flag is raised. Looked up in one index of every family's phrases, in order, so that a message is
        compared once rather than once per family."""
        return _first_flag(self._every_red_flag, message)

    def police_flag(self, message: tuple[Spelled, ...]) -> tuple[Family, Phrase] | None:
        """As ``red_flag``, for the police flags (danger from a person: 110)."""
        return _first_flag(self._every_police_flag, message)

    @functools.cached_property
    def _every_red_flag(self) -> tuple[PhraseList, tuple[Family, ...]]:
        return _one_index(self.red_flags)

    @functools.cached_property
    def _every_police_flag(self) -> tuple[PhraseList, tuple[Family, ...]]:
        return _one_index(self.police_flags)

    def lines_of(self, kind: str) -> tuple[Line, ...]:
        """The available lines of one kind, in the order the data lists them."""
        return tuple(line for line in self.lines if line.kind == kind and line.available)

    def unavailable(self, kind: str) -> tuple[Line, ...]:
        """Lines of one kind the data says do not exist here (to say so instead of offering them)."""
        return tuple(line for line in self.lines if line.kind == kind and not line.available)


def _one_index(families: tuple[Family, ...]) -> tuple[PhraseList, tuple[Family, ...]]:
    """Every family's phrases in one list, in order, with the family of each."""
    phrases = tuple(phrase for family in families for phrase in family.phrases.phrases)
    owners = tuple(family for family in families for _phrase in family.phrases.phrases)
    return PhraseList(phrases), owners


def _first_flag(index: tuple[PhraseList, tuple[Family, ...]], message: tuple[Spelled, ...]
                ) -> tuple[Family, Phrase] | None:
    every, owners = index
    position = every.first_found_at(message)
    return None if position is None else (owners[position], every.phrases[position])


@functools.lru_cache(maxsize=1)
def defaults_section() -> dict[str, Any]:
    """The national defaults as read from ``defaults.toml``."""
    return tomllib.loads(DEFAULTS.read_text(encoding="utf-8"))


def defaults() -> HealthDesk:
    """The desk with the national defaults only (a city that loaded no health data)."""
    return desk_from(None)


def desk_from(section: dict[str, Any] | None) -> HealthDesk:
    """The desk for a city's health section (None: none), merged over the national defaults."""
    base = defaults_section()
    city = section or {}
    emergency = {**base.get("emergency", {}), **city.get("emergency", {})}
    police = {**base.get("police", {}), **city.get("police", {})}
    desk = {**base.get("desk", {}), **city.get("desk", {})}
    families = _added({**base["red_flags"], **city.get("red_flags", {})}, city.get("more_red_flags", {}))
    police_families = _added({**base["police_flags"], **city.get("police_flags", {})},
                             city.get("more_police_flags", {}))
    words = _added({**base["words"], **city.get("words", {})}, city.get("more_words", {}))
    lines = {key: {**base.get("lines", {}).get(key, {}), **value}
             for key, value in {**base.get("lines", {}), **city.get("lines", {})}.items()}
    return HealthDesk(
        emergency_number=str(emergency.get("number") or "119"),
        place=str(emergency.get("place", "")),
        desk=Desk(str(desk.get("name", "")), str(desk.get("phone", "")), str(desk.get("hours", "")),
                  opens=_clock(desk.get("opens")), closes=_clock(desk.get("closes"))),
        red_flags=tuple(Family(name, _phrases(items)) for name, items in families.items()),
        words={name: _phrases(words.get(name, [])) for name in WORD_LISTS},
        lines=tuple(_line(key, value) for key, value in lines.items()),
        facilities=tuple(Facility(**{k: str(v) for k, v in item.items()}) for item in city.get("facilities", [])),
        web=str(city.get("web", "")),
        attribution=str(city.get("attribution", "")),
        police_number=str(police.get("number") or "110"),
        police_flags=tuple(Family(name, _phrases(items)) for name, items in police_families.items()),
    )


def _added(lists: dict[str, list[str]], more: dict[str, list[str]]) -> dict[str, list[str]]:
    """``lists`` with the phrases of ``more`` appended to the list of the same name (or as a new list)."""
    return {**lists, **{name: [*lists.get(name, []), *items] for name, items in more.items()}}


def _phrases(items: list[str]) -> PhraseList:
    return PhraseList(tuple(phrase(item) for item in items))


def _line(key: str, value: dict[str, Any]) -> Line:
    return Line(
        key=key,
        kind=str(value.get("kind", "other")),
        name=str(value.get("name", "")),
        number=str(value.get("number", "")),
        hours=str(value.get("hours", "")),
        other_number=str(value.get("other_number", "")),
        note=str(value.get("note", "")),
        available=bool(value.get("available", True)),
        opens=_clock(value.get("opens")),
        closes=_clock(value.get("closes")),
    )


def _clock(value: object) -> time | None:
    if not value:
        return None
    hours, minutes = _CLOCK.match(str(value)).groups()  # type: ignore[union-attr]  # checked by check_section
    return time(int(hours), int(minutes))


def check_section(section: object) -> list[str]:
    """What is wrong with a city's health section (empty when the desk can use it)."""
    if not isinstance(section, dict):
        return ["the health data must be a table"]
    problems: list[str] = []
    for name in ("emergency", "police", "desk"):
        if not isinstance(section.get(name, {}), dict):
            problems.append(f"[{name}] must be a table")
    desk = section.get("desk", {})
    if isinstance(desk, dict):
        problems += _hours_problems("desk", desk)
    for table, known in (("red_flags", None), ("more_red_flags", None), ("police_flags", None),
                         ("more_police_flags", None), ("words", WORD_LISTS),
                         ("more_words", WORD_LISTS)):
        lists = section.get(table, {})
        if not isinstance(lists, dict):
            problems.append(f"[{table}] must be a table of phrase lists")
            continue
        for name, items in lists.items():
            if known is not None and name not in known:
                problems.append(f"[{table}] {name} is not one of {', '.join(known)}")
            elif not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
                problems.append(f"[{table}] {name} must be a non-empty list of phrases")
            else:
                problems += [f"[{table}] {name}: {error}" for error in _phrase_errors(items)]
    lines = section.get("lines", {})
    if not isinstance(lines, dict) or not all(isinstance(v, dict) for v in lines.values()):
        problems.append("[lines] must hold one table per line, e.g. [lines.q8000]")
    else:
        known_lines = defaults_section().get("lines", {})
        for key, line in lines.items():
            kind = line.get("kind", known_lines.get(key, {}).get("kind"))
            if kind not in LINE_KINDS:
                problems.append(f"[lines.{key}] kind must be one of {', '.join(LINE_KINDS)}")
            if key not in known_lines and not (line.get("name") and line.get("number")):
                problems.append(f"[lines.{key}] needs a name and a number")
            if not isinstance(line.get("available", True), bool):
                problems.append(f"[lines.{key}] available must be true or false")
            problems += _hours_problems(f"lines.{key}", line)
    facilities = section.get("facilities", [])
    fields = set(Facility.__dataclass_fields__)
    if not isinstance(facilities, list) or not all(isinstance(f, dict) for f in facilities):
        problems.append("[[facilities]] must be a list of tables")
    else:
        for number, item in enumerate(facilities, start=1):
            if not item.get("name"):
                problems.append(f"facility {number} needs a name")
            if unknown := set(item) - fields:
                problems.append(f"facility {number}: unknown keys {', '.join(sorted(unknown))}")
    return problems


def _hours_problems(table: str, item: dict[str, Any]) -> list[str]:
    """What is wrong with a table's ``opens`` and ``closes``."""
    problems = [f"[{table}] {end} must be a time like \"19:00\"" for end in ("opens", "closes")
                if end in item and not _CLOCK.match(str(item[end]))]
    if ("opens" in item) != ("closes" in item):
        problems.append(f"[{table}] needs both opens and closes, or neither")
    return problems


def _phrase_errors(items: list[str]) -> list[str]:
    errors = []
    for item in items:
        try:
            phrase(item)
        except ValueError as error:
            errors.append(str(error))
    return errors
