"""Replies every conversation uses: greetings, small talk, data deletion, the 「やめる」 button, date problems."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date
from datetime import time

from linebot.v3.messaging import Message
from linebot.v3.messaging import QuickReply

from bot import postbacks
from city.info import CityInfo
from intents.dates import DateAlone
from intents.dates import NeedYear
from intents.dates import NoSuchDay
from intents.dates import Unreadable
from intents.smalltalk import SmallTalk
from intents.smalltalk import Talk
from messaging import texts
from messaging.build import MAX_MESSAGES
from messaging.build import jp_full_date
from messaging.build import messages
from messaging.build import quick_reply


def welcome(city: CityInfo, *, unblocked: bool) -> list[Message]:
    """Greeting on follow, shorter when the resident unblocked us."""
    template = texts.WELCOME_BACK if unblocked else texts.WELCOME
    return messages([template.format(bot_name=city.bot_name, city=city.name)])


def small_talk(result: SmallTalk, city: CityInfo, local_time: time | None = None) -> list[Message]:
    """A short friendly word for small talk (thanks, a greeting, a sticker…), or the menu of what the bot knows.

    A greeting is returned for the time of day in the city (``local_time``; こんにちは when not given).
    """
    template = {
        Talk.GREETING: texts.GREETING, Talk.THANKS: texts.THANKS,
        Talk.YEAR_END: texts.SMALL_TALK_YEAR_END, Talk.NEW_YEAR: texts.SMALL_TALK_NEW_YEAR,
        Talk.HELP: texts.HELP, Talk.WHO: texts.WHO_AM_I,
        Talk.WEATHER: texts.SMALL_TALK_WEATHER,
        Talk.ACK: texts.SMALL_TALK_ACK, Talk.LAUGH: texts.SMALL_TALK_LAUGH, Talk.APOLOGY: texts.SMALL_TALK_APOLOGY,
        Talk.MISTAKE: texts.SMALL_TALK_MISTAKE, Talk.FAREWELL: texts.SMALL_TALK_FAREWELL,
        Talk.PRAISE: texts.SMALL_TALK_PRAISE, Talk.UNSURE: texts.SMALL_TALK_UNSURE, Talk.SAD: texts.SMALL_TALK_SAD,
        Talk.EMOJI: texts.SMALL_TALK_EMOJI, Talk.STICKER: texts.SMALL_TALK_STICKER,
        Talk.PERSON: texts.SMALL_TALK_PERSON if city.phone else texts.SMALL_TALK_PERSON_NO_PHONE,
        Talk.ASK: texts.SMALL_TALK_ASK, Talk.IDLE: texts.SMALL_TALK_IDLE, Talk.FOLLOW_UP: texts.SMALL_TALK_FOLLOW_UP,
    }[result.kind]
    hello = {"morning": texts.HELLO_MORNING, "evening": texts.HELLO_EVENING}.get(result.hello) \
        or greeting_for(local_time)
    return messages([template.format(bot_name=city.bot_name, city=city.name, hello=hello, phone=city.phone,
                                     department=city.department or city.name, office_hours=city.office_hours)])


# The greeting by the hour it starts at (city time): おはようございます from 4 to 10, then こんにちは until 18.
_GREETINGS = ((4, texts.HELLO_MORNING), (10, texts.HELLO_DAY), (18, texts.HELLO_EVENING))


def greeting_for(local_time: time | None) -> str:
    """The greeting for the time of day: おはようございます, こんにちは or こんばんは."""
    if local_time is None:
        return texts.HELLO_DAY
    return next((hello for start, hello in reversed(_GREETINGS) if local_time.hour >= start), texts.HELLO_EVENING)


def with_note(answer: Sequence[Message], note: str) -> list[Message]:
    """The answer followed by a short note; the answer's buttons move onto the note, where LINE shows them."""
    if not answer or len(answer) >= MAX_MESSAGES:
        return list(answer)
    last = copy.copy(answer[-1])
    buttons, last.quick_reply = last.quick_reply, None
    return [*answer[:-1], last, *messages([note], buttons)]


def confirm_deletion() -> list[Message]:
    """Ask before deleting the resident's data, with yes/no buttons."""
    items = [
        (texts.DELETE_YES, postbacks.encode(postbacks.DELETE, c="yes"), texts.DELETE_YES),
        (texts.DELETE_NO, postbacks.encode(postbacks.DELETE, c="no"), texts.DELETE_NO),
    ]
    return messages([texts.DELETE_CONFIRM], quick_reply(items))


def deletion_done(deleted: bool) -> list[Message]:
    """Tell the resident their data is gone (or that there was none)."""
    return messages([texts.DELETE_DONE if deleted else texts.DELETE_NOTHING])


def cancel_button() -> QuickReply:
    return quick_reply([(texts.CANCEL_LABEL, postbacks.encode(postbacks.CANCEL), texts.CANCEL_LABEL)])


def cancel_item() -> tuple[str, str, str]:
    return texts.CANCEL_LABEL, postbacks.encode(postbacks.CANCEL), texts.CANCEL_LABEL


def date_problem(reading: NoSuchDay | NeedYear | Unreadable) -> str:
    """Why a typed date was not understood, kindly."""
    if isinstance(reading, NoSuchDay):
        return texts.DATE_NO_SUCH_DAY.format(text=reading.shown)
    if isinstance(reading, NeedYear):
        return texts.DATE_NEED_YEAR
    return texts.DATE_UNREADABLE


def date_alone(result: DateAlone) -> list[Message]:
    """A date sent with no question: say when the day does not exist, then what the bot can do with dates."""
    lines = [date_problem(result.reading)] if isinstance(result.reading, NoSuchDay) else []
    return messages(["\n".join([*lines, texts.DATE_ALONE])])


def date_refused(reason: str, day: date) -> str:
    """Why a date is not accepted (``residents.dates.Refusal``), kindly."""
    return texts.DATE_REFUSED[reason].format(date=jp_full_date(day))
