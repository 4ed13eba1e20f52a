"""「地域設定」: a resident sets or changes their area, which every garbage answer uses."""

from __future__ import annotations

from dataclasses import dataclass

from intents.base import IntentContext
from intents.requests import Topic
from intents.requests import read_request
from japanese.normalize import normalize
from search.docs import Query

_PHRASES = (
    "地域設定", "地域の設定", "地域を設定", "地域を設定したい", "地域変更", "地域を変更", "地域を変えたい",
    "地区設定", "地区の設定", "地区を設定", "地区変更", "地区を変更", "地区を変えたい", "町名設定", "町名を設定",
    "町名を変更", "エリア設定", "エリア変更", "住んでいる地域", "住んでいる地区", "ごみの地域", "ごみの地区",
)
_KEYS = frozenset(normalize(p) for p in _PHRASES)


@dataclass(frozen=True)
class AskArea:
    """Ask the resident for their area; ``current`` is the one set now, if any."""

    current: str | None


class AreaIntent:
    """Recognises a request to set or change the resident's area."""

    name = "area"

    def match(self, query: Query) -> bool | None:
        """True when the message asks to set or change the area (「住所変わったので地区を変えたい」)."""
        if query.key in _KEYS:
            return True
        request = read_request(query.text)
        return True if request is not None and request.topic is Topic.AREA else None

    def handle(self, match: bool, ctx: IntentContext) -> AskArea:
        """The dialogue opens in the bot; this only says what the resident's area is now."""
        return AskArea(ctx.area)


INTENT = AreaIntent()
