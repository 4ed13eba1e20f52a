"""The postback data our buttons carry: an action name and a few parameters, URL-encoded, ≤ 300 chars."""

from __future__ import annotations

import hashlib
from datetime import date
from urllib.parse import parse_qsl
from urllib.parse import urlencode

MAX_DATA = 300

FAQ = "faq"  # a suggested FAQ entry was chosen: id=<faq_id>, q=<query log ref>
NONE = "none"  # 「どれにも当てはまらない」: q=<query log ref>
RATE = "rate"  # 「役に立った」/「役に立たなかった」 under an entry's answer: id=<faq_id>, q=<query log ref>, v=1|0
DELETE = "delete"  # data deletion confirmed or cancelled: c=yes|no
AREA = "area"  # an area chosen from the list offered: k=<area_key(name)>
CANCEL = "cancel"  # leave the open dialogue step
REMIND = "remind"  # garbage reminders: k=<area_key(category)> or k=*, on=1|0
CONSENT = "consent"  # 「同意して受け取る」: then=children|reminders (what to show afterwards)
CATEGORY = "cat"  # a push category switched: k=<category>, on=1|0
STOP_PUSH = "stop"  # 「配信停止」
SETTINGS = "settings"  # show the push settings; s=area asks for the area instead
BABY = "baby"  # pregnancy and baby messages: on=1|0 (the quiet stop)
ME = "me"  # the resident's own birth date: op=set|skip|ask (set comes from a datetime picker)
# Children: op=add (kind=due|birth), born, due, birth (id=<child id>; these four come from datetime
# pickers, whose event adds params["date"]), menu, label, remove (id=…), list.
CHILD = "child"
ITEM = "item"  # a garbage item chosen from those a general word names: k=<area_key(item name)>
SHELTER = "shelter"  # the hazard to find shelters for, near a place: h=<hazard key or stay>, la=<lat>, lo=<lon>


def encode(action: str, **params: object) -> str:
    """Postback data for ``action``; raises ValueError if it would exceed LINE's 300 characters."""
    data = urlencode({"a": action, **{k: str(v) for k, v in params.items() if v is not None}})
    if len(data) > MAX_DATA:
        raise ValueError(f"postback data of {len(data)} characters")
    return data


def area_key(name: str) -> str:
    """A short, stable key for an area name (names can be longer than postback data allows)."""
    return hashlib.sha1(name.encode()).hexdigest()[:12]


def decode(data: str) -> tuple[str, dict[str, str]]:
    """The action and parameters of postback ``data``; action "" when it is not ours."""
    params = dict(parse_qsl(data or "", keep_blank_values=True))
    return params.pop("a", ""), params


def picked_date(value: str | None) -> date | None:
    """The date a datetime picker sent (YYYY-MM-DD), or None."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
