"""Talking to the bot as a resident in tests: one message or button per transaction, through the one route,
every reply checked against what LINE accepts; and the city rows such talks need."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import db
from bot import dispatch
from bot.context import Reply
from bot.context import context_for
from city import pack as packs
from city.models import Municipality
from faq import store as faq_store
from faq.importers import read_synonyms_file
from garbage import store as garbage_store
from garbage.importers import read_takamatsu
from tests import factories
from tests.fake_line_server import message_problems

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DEMO = Path(__file__).resolve().parents[1] / "packs" / "demo"


def say(app, text: str, *, user: str = factories.USER_ID, area: str | None = None,
        today: date | None = None) -> Reply:
    """The bot's reply to ``text`` from ``user`` (optionally as a resident of ``area`` on ``today``)."""
    with app.app_context(), db.transaction(app) as session:
        return checked(dispatch.on_text(context_for(session, area=area, today=today), user, text))


def press(app, data: str, *, date: str | None = None, user: str = factories.USER_ID) -> Reply:
    """The bot's reply to a button with postback ``data`` (a date picker's choice as ``date``)."""
    params = {"date": date} if date else None
    with app.app_context(), db.transaction(app) as session:
        return checked(dispatch.on_postback(context_for(session), user, data, params))


def text_of(reply: Reply) -> str:
    """Every message's text of a reply, one after the other."""
    return "\n".join(m.text for m in reply.messages)


def checked(reply: Reply) -> Reply:
    """The reply, after checking that it says something and that LINE would accept every message of it."""
    bodies = [message.to_dict() for message in reply.messages]
    assert bodies, "the bot answered with no message"
    assert [str(problem) for problem in message_problems(bodies)] == []
    for body in bodies:
        for item in (body.get("quickReply") or {}).get("items", []):
            if item["action"]["type"] == "datetimepicker":
                assert picker_problems(item["action"]) == []
    return reply


def picker_problems(action: dict) -> list[str]:
    """What LINE's spec forbids in a date-mode datetime picker action (the fake server checks only the schema)."""
    problems = []
    if action.get("mode") != "date":
        problems.append("mode")
    values = {key: action.get(key) for key in ("initial", "min", "max")}
    if not all(isinstance(v, str) and ISO_DATE.fullmatch(v) for v in values.values()):
        return problems + [f"dates {values}"]
    if not "1900-01-01" <= values["min"] < values["max"] <= "2100-12-31":
        problems.append(f"range {values}")
    if not values["min"] <= values["initial"] <= values["max"]:
        problems.append(f"initial {values}")
    if not action.get("data") or len(action["data"]) > 300 or not action.get("label"):
        problems.append("data or label")
    return problems


def municipality(session, **overrides) -> Municipality:
    """The demo city かもめ市 (its contact desk), saved; ``overrides`` change any column."""
    values = {"code": "000000", "name": "かもめ市", "bot_name": "かもめ市 くらしのLINE",
              "department": "かもめ市役所 市民課", "phone": "0123-45-6789",
              "office_hours": "平日 8時45分〜17時30分", "faq_attribution": "出典：テスト", **overrides}
    row = Municipality(**values)
    session.add(row)
    return row


def load_demo_pack(app) -> None:
    """The demo pack loaded: its FAQ, synonyms, 高松's garbage data and かもめ市's contact."""
    with db.transaction(app) as session:
        packs.load_pack(session, DEMO)


def load_demo_garbage(app, *, synonyms: bool = False) -> None:
    """Only the demo pack's garbage data (高松's), and its synonym table when asked: a lighter city."""
    data = read_takamatsu(DEMO / "garbage" / "garbage_separation_list.csv",
                          DEMO / "garbage" / "garbage_collection_date.csv")
    with db.transaction(app) as session:
        if synonyms:
            faq_store.save_synonyms(session, read_synonyms_file(DEMO / "synonyms.csv"))
        garbage_store.save_garbage(session, data, attribution="出典：高松市")
