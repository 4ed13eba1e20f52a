"""Finding a city area from what a resident types: 「大町」, 「おおまち」, 「浅野」 for 「香川（浅野）」.

The chat (setting one's area, garbage questions naming one) and importers (a resident's area) match areas
the same way, whoever keeps the areas (the garbage calendar does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from japanese.normalize import normalize
from search.docs import Query

CLEAR = 0.9  # a match this good (and alone) is taken without asking back
POSSIBLE = 0.6


@dataclass(frozen=True)
class AreaInfo:
    """An area of the city's garbage calendar: its display name and other names residents use."""

    name: str
    aliases: tuple[str, ...] = ()
    readings: tuple[str, ...] = ()


def match_areas(areas: Sequence[AreaInfo], text: Query | str, limit: int = 5) -> list[tuple[AreaInfo, float]]:
    """Areas whose name, aliases or readings match the text, best first, with scores in [0, 1].

    A name typed exactly (after normalising) scores 1; a name contained in the text (「大町に住んでいます」)
    scores 0.95; otherwise rapidfuzz's ratio decides.
    """
    key = text.key if isinstance(text, Query) else normalize(text)
    if not key:
        return []
    scored = []
    for area in areas:
        best = 0.0
        for name in (area.name, *area.aliases, *area.readings):
            name_key = normalize(name)
            if not name_key:
                continue
            if name_key == key:
                score = 1.0
            elif len(name_key) >= 2 and name_key in key:
                score = 0.95
            else:
                score = fuzz.ratio(key, name_key) / 100
            best = max(best, score)
        if best >= POSSIBLE:
            scored.append((area, best))
    scored.sort(key=lambda pair: (-pair[1], pair[0].name))
    return scored[:limit]


def clear_choice(matches: Sequence[tuple[AreaInfo, float]]) -> AreaInfo | None:
    """The one area to take without asking back, if the best match is clear and has no equal rival."""
    if not matches or matches[0][1] < CLEAR:
        return None
    if len(matches) > 1 and matches[1][1] >= matches[0][1]:
        return None
    return matches[0][0]
