"""The postback data our buttons carry: an action name and a few parameters, URL-encoded, ≤ 300 chars."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl
from urllib.parse import urlencode

MAX_DATA = 300

FAQ = "faq"  # a suggested FAQ entry was chosen: id=<faq_id>, q=<query log id>
NONE = "none"  # 「どれにも当てはまらない」: q=<query log id>
DELETE = "delete"  # data deletion confirmed or cancelled: c=yes|no
AREA = "area"  # an area chosen from the list offered: k=<area_key(name)>
CANCEL = "cancel"  # leave the open dialogue step
REMIND = "remind"  # garbage reminders: k=<area_key(category)> or k=*, on=1|0


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
