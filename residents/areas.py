"""The city's areas as the residents package sees them: to check the area an import file gives a resident.

Areas belong to the garbage calendar. The garbage package imports this package (its reminders need the
residents), so this package cannot import it back: instead it names here the key of the runtime's caches
(``KEY``) under which the garbage package keeps the city's areas (``search.areas.AreaInfo``) for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from importing.messages import Problem
from search.areas import AreaInfo
from search.areas import match_areas

KEY = "residents.areas"  # the runtime cache of list[AreaInfo] the garbage package registers
MAX_SUGGESTIONS = 3


def resolve_area(text: str, areas: Sequence[AreaInfo]) -> tuple[str | None, Problem | None]:
    """The area named by ``text`` and None, or None and why it names none (unknown, or several areas).

    As in the chat (``search.areas.match_areas``), the text matches an area's name, one of its aliases or
    readings after normalising (width, kana, spaces: 「きぶと」, 「木太」); unlike the chat it must match one
    of them exactly. Areas the chat would find loosely are suggested.
    """
    matches = match_areas(areas, text, limit=len(areas))
    exact = [area for area, score in matches if score == 1.0]
    if len(exact) == 1:
        return exact[0].name, None
    if exact:
        return None, Problem("area.ambiguous", area=text, count=len(exact), names=[area.name for area in exact])
    close = [area.name for area, _score in matches[:MAX_SUGGESTIONS]]
    if close:
        return None, Problem("area.unknown_close", area=text, close=close)
    return None, Problem("area.unknown", area=text)
