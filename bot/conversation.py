"""Multi-turn dialogue: one open step per resident, with a time limit; 「やめる」 always cancels.

A step lets go of a text that does not answer it (the text is then answered as a new message). A garbage
question that waited for the area is not lost then: it is kept for a day (``Step.LATER``) and answered as
soon as the resident's area is set, whichever way.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy.orm import Session

import db
from bot.models import Conversation
from japanese.normalize import normalize
from search.docs import Query

TIMEOUT = timedelta(minutes=15)
LATER_TIMEOUT = timedelta(days=1)  # how long a question waiting for the area is kept after its step was left
# Words that call off whatever the bot asked, open step or not (「やっぱやめる」, 「キャンセルで」).
CANCEL_WORDS = frozenset(normalize(w) for w in (
    "やめる", "やめます", "やめとく", "やめときます", "やめておく", "やめておきます", "やめた", "やめました", "止める",
    "キャンセル", "キャンセルする", "キャンセルします", "中止", "中止する", "中止します", "取り消し", "取り消す",
    "取り消します", "取りやめ", "取りやめる", "取りやめます", "もういい", "もういいや",
))
# Words that decline only while a step waits for an answer (elsewhere they are a plain 「OK」).
DECLINE_WORDS = frozenset(normalize(w) for w in (
    "いい", "いいや", "いいです", "いいよ", "いいわ", "いらない", "いらないです", "いりません", "結構", "結構です",
    "けっこうです", "大丈夫", "大丈夫です", "だいじょうぶです", "遠慮します", "また今度", "またこんど", "今度にします",
    "あとで", "後で", "あとにします", "後にします", "なし", "無し", "なしで",
))
# Words that say yes to what the bot asked (「はい」, 「お願いします」, 「削除してください」), 「はい」 alone or before
# one of the others.
CONFIRM_WORDS = frozenset(normalize(w) for w in (
    "はい", "うん", "ええ", "お願い", "お願いします", "おねがいします", "お願いいたします", "ok", "オッケー",
    "削除", "削除する", "削除します", "削除して", "削除お願いします", "消", "消す", "消します", "消して", "けして",
    "全部消して", "全部消", "全部削除",
))
# Words that say no to it (「いいえ」, 「消さないで」).
REFUSE_WORDS = frozenset(normalize(w) for w in (
    "いいえ", "いえ", "いや", "ううん", "no", "しない", "しません", "削除しない", "削除しません", "消さない",
    "消さないで", "消しません",
))
# What may stand around them: 「やっぱり」, 「あ、」, 「じゃあ」 before; 「です」, 「で」, 「にします」 after.
_BEFORE = re.compile(r"^(?:やっぱり?|やっぱし|やはり|じゃあ|じゃ|では|あー*|えっと|うーん|うん|いや|いえ"
                     r"|すみません|すいません|ごめんなさい|ごめん|ちょっと|もう|今日は|きょうは|今回は|今回|こんかいは|ぜんぶ|全部)+")
_CHANGE_OF_MIND = re.compile(r"やっぱ|やはり|もう")
_AFTER = re.compile(r"(?:で|でお願いします|でおねがいします|にします|します|ください|下さい|してください|です)"
                    r"(?:ね|よ)?$")


class Step(enum.StrEnum):
    """The steps a dialogue can wait in."""

    ASK_AREA = "ask_area"  # the resident's area; data: then=<question to answer afterwards>
    ASK_CHILD_DATE = "ask_child_date"  # a child's date; data: op=add|born|due|birth, kind=due|birth, id=<child>,
    # asked=True when the bot asked for it (not set while the list of children only welcomes a date)
    ASK_CHILD_LABEL = "ask_child_label"  # a child's nickname; data: id=<child>
    ASK_OWN_BIRTH_DATE = "ask_own_birth_date"  # the resident's own birth date (高齢者 messages)
    ASK_CONSENT = "ask_consent"  # the consent buttons are shown; data: then=<what to show after>, kept=<categories>
    CONFIRM_DELETE = "confirm_delete"  # 「削除する」/「やめる」 are shown before the resident's data is deleted
    ASK_LOCATION = "ask_location"  # the send-location button is shown for a hazard named; data: hazard=<key>
    LATER = "later"  # no question asked: a garbage question waits for the area (data: later, later_until)


@dataclass(frozen=True)
class OpenStep:
    """The step a resident is in and what it remembers (for example the question to answer afterwards)."""

    step: Step
    data: dict


def current(session: Session, line_user_id: str, now: datetime) -> OpenStep | None:
    """The resident's open step (``Step.LATER`` when only a question waits), or None when there is none."""
    row = _row(session, line_user_id)
    if row is None:
        return None
    if row.expires_at <= now and not (_park(row) and row.expires_at > now):
        session.delete(row)
        return None
    return OpenStep(Step(row.step), dict(row.data or {}))


def load(session: Session, line_user_ids: Collection[str], *, held: bool = False) -> set[str]:
    """Load these residents' step rows in one statement, so that ``current`` answers from memory for the rest
    of this read transaction (or of a write transaction, ``held``: the steps of events the caller holds);
    returns the ids of those who have a step row (open, parked, or run out but not yet cleared)."""
    return db.load_for_reading(session, Conversation.line_user_id, line_user_ids, held=held)


def _row(session: Session, line_user_id: str) -> Conversation | None:
    """The resident's step row, read once per session: only this module adds them, and only the processor
    holding the resident's event changes them meanwhile."""
    known, row = db.loaded(session, Conversation, line_user_id)
    if not known:
        row = session.get(Conversation, line_user_id)
        db.remember(session, Conversation, line_user_id, row)
    return row


def start(session: Session, line_user_id: str, step: Step, now: datetime, **data: object) -> None:
    """Open ``step`` for the resident (replacing any open one, but keeping a question that waits for the area).

    In a read transaction a new step is left pending: the inbox writes it with the answer (``bot.processor``).
    """
    row = _row(session, line_user_id)
    if row is None:
        row = Conversation(line_user_id=line_user_id)
        session.add(row)
        db.remember(session, Conversation, line_user_id, row)
    kept = {key: value for key, value in (row.data or {}).items() if key in _KEPT}
    row.step, row.data, row.expires_at = step.value, {**dict(data), **kept}, now + TIMEOUT
    if not db.is_read_only(session):
        session.flush()


def end(session: Session, line_user_id: str) -> None:
    """Close the resident's open step, if any; a question waiting for the area stays kept until its time."""
    row = _row(session, line_user_id)
    if row is not None and not _park(row):
        session.delete(row)
    session.flush()


def cancel(session: Session, line_user_id: str) -> None:
    """Close the open step and forget any question kept for later (「やめる」, data deletion)."""
    row = _row(session, line_user_id)
    if row is not None:
        session.delete(row)
        session.flush()


def let_go(session: Session, line_user_id: str, open_step: OpenStep, now: datetime) -> bool:
    """Close a step the text did not answer; True when a garbage question that waited for the area is kept now."""
    question = open_step.data.get("then") if open_step.step is Step.ASK_AREA else None
    if question:
        row = _row(session, line_user_id)
        row.data = {**(row.data or {}), "later": question, "later_until": (now + LATER_TIMEOUT).isoformat()}
    end(session, line_user_id)
    return bool(question)


def take_later(session: Session, line_user_id: str, now: datetime) -> str | None:
    """The kept question waiting for the area, if any (it is answered now, so no longer kept)."""
    row = _row(session, line_user_id)
    if row is None or not row.data or "later" not in row.data:
        return None
    data = dict(row.data)
    question, until = data.pop("later"), data.pop("later_until", None)
    row.data = data
    if row.step == Step.LATER.value:
        session.delete(row)
    session.flush()
    return question if until is None or datetime.fromisoformat(until) > now else None


_KEPT = ("later", "later_until")


def _park(row: Conversation) -> bool:
    """Turn the row into ``Step.LATER`` (until the kept question's time runs out) when it keeps one."""
    if not (row.data or {}).get("later") or not row.data.get("later_until"):
        return False
    row.step, row.data = Step.LATER.value, {key: row.data[key] for key in _KEPT}
    row.expires_at = datetime.fromisoformat(row.data["later_until"])
    return True


def is_yes(query: Query) -> bool:
    """True when the message says yes to what the bot asked (「はい」, 「はい、お願いします」, 「消してください」)."""
    rest = query.key.removeprefix("はい")
    return any(key in CONFIRM_WORDS for key in (query.key, rest, _AFTER.sub("", query.key), _AFTER.sub("", rest)))


def is_no(query: Query) -> bool:
    """True when the message says no to what the bot asked (「いいえ」, 「消さないでください」)."""
    return query.key in REFUSE_WORDS or _AFTER.sub("", query.key) in REFUSE_WORDS


def is_cancel(query: Query, *, step_open: bool = True) -> bool:
    """True when the message calls off what the bot asked (「やめる」, 「やっぱいいです」).

    A polite decline (「いいです」, 「大丈夫です」) counts while a step is open, and otherwise only after a
    change of mind (「やっぱいいです」, 「もう大丈夫です」): alone it is a plain 「OK」.
    """
    core = _BEFORE.sub("", query.key)
    keys = (query.key, core, _AFTER.sub("", core))
    if any(key in CANCEL_WORDS for key in keys):
        return True
    changed_mind = _CHANGE_OF_MIND.search(query.key[: len(query.key) - len(core)]) is not None
    return (step_open or changed_mind) and any(key in DECLINE_WORDS for key in keys)
