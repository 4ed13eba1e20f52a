"""The city's areas as the residents package sees them: to check the area an import file gives a resident.

Areas belong to the garbage calendar. The garbage package imports this package (its reminders need the
residents), so this package cannot import it back: instead it says here what it needs (``KnownArea``) and
under which key of the runtime's caches (``KEY``) the garbage package keeps the city's areas for it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from japanese.normalize import normalize

KEY = "residents.areas"  # the runtime cache of list[KnownArea] the garbage package registers
MAX_SUGGESTIONS = 3
SUGGEST_CUTOFF = 0.6


@dataclass(frozen=True)
class KnownArea:
    """An area of the city: its name as stored on residents, and the other names residents use for it."""

    name: str
    aliases: tuple[str, ...] = ()
    readings: tuple[str, ...] = ()


def resolve_area(text: str, areas: Sequence[KnownArea]) -> tuple[str | None, str | None]:
    """The area named by ``text`` and None, or None and why it names none (unknown, or several areas).

    As in the chat, the text matches an area's name, one of its aliases or readings after normalising
    (width, kana, spaces: 「きぶと」, 「木太」); unlike the chat it must match one of them exactly.
    """
    key = normalize(text)
    found = [area for area in areas
             if any(normalize(name) == key for name in (area.name, *area.aliases, *area.readings))]
    if len(found) == 1:
        return found[0].name, None
    if found:
        names = ", ".join(area.name for area in found)
        return None, f"area {text!r} names {len(found)} areas ({names}); give the area's full name"
    spellings = {name: area.name for area in areas for name in (area.name, *area.aliases)}
    close = difflib.get_close_matches(text, list(spellings), n=MAX_SUGGESTIONS, cutoff=SUGGEST_CUTOFF)
    hint = f"; did you mean {' or '.join(dict.fromkeys(spellings[name] for name in close))}?" if close else ""
    return None, f"unknown area {text!r}: the city has no such area{hint}"
