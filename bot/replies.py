"""Turns plain results into LINE messages; the only module that builds LINE message objects.

Every builder keeps LINE's limits: at most 5 messages, text ≤ 5,000 UTF-16 code units (long answers are
split at sentence or line boundaries), ≤ 13 quick-reply buttons with labels ≤ 20 characters, postback
data and display text ≤ 300 characters.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import date

from linebot.v3.messaging import Message
from linebot.v3.messaging import PostbackAction
from linebot.v3.messaging import QuickReply
from linebot.v3.messaging import QuickReplyItem
from linebot.v3.messaging import TextMessage

from bot import postbacks
from bot import texts
from city.service import CityInfo
from faq.models import FaqEntry
from garbage.answers import DayAnswer
from garbage.answers import ItemAnswer
from garbage.answers import NeedArea
from garbage.answers import NextAnswer
from intents.area import AskArea
from intents.my_data import ConfirmDeletion
from intents.reminders import ReminderSettings
from intents.smalltalk import SmallTalk
from intents.smalltalk import Talk

MAX_MESSAGES = 5
MAX_TEXT_UNITS = 5000
MAX_QUICK_REPLIES = 13
MAX_LABEL = 20
MAX_DISPLAY_TEXT = 300

_BREAKS = re.compile(r"(?<=\n)|(?<=[。！？!?])")


def utf16_len(text: str) -> int:
    """Length of ``text`` as LINE counts it: UTF-16 code units (most emoji count as 2)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT_UNITS) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` UTF-16 units, at line or sentence ends if possible."""
    pieces: list[str] = []
    current = ""
    for sentence in (s for s in _BREAKS.split(text) if s):
        if utf16_len(current + sentence) <= limit:
            current += sentence
            continue
        if current:
            pieces.append(current)
        current = ""
        while utf16_len(sentence) > limit:
            head = _cut(sentence, limit)
            pieces.append(head)
            sentence = sentence[len(head):]
        current = sentence
    if current:
        pieces.append(current)
    return [p.strip("\n") or p for p in pieces]


def _cut(text: str, limit: int) -> str:
    """The longest prefix of ``text`` within ``limit`` UTF-16 units (never halves a surrogate pair)."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def label(text: str) -> str:
    """A quick-reply label: ``text`` cut to 20 characters with an ellipsis when longer."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _display(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_DISPLAY_TEXT else text[: MAX_DISPLAY_TEXT - 1] + "…"


def messages(parts: Sequence[str], quick_reply: QuickReply | None = None) -> list[Message]:
    """Text messages for ``parts`` within LINE's limits; the quick reply goes on the last message."""
    chunks = [chunk for part in parts if part for chunk in split_text(part)]
    if len(chunks) > MAX_MESSAGES:
        last = _cut(chunks[MAX_MESSAGES - 1], MAX_TEXT_UNITS - utf16_len(texts.TRUNCATED) - 1)
        chunks = chunks[: MAX_MESSAGES - 1] + [last + "\n" + texts.TRUNCATED]
    result: list[Message] = [TextMessage(text=chunk) for chunk in chunks]
    if quick_reply is not None and result:
        result[-1].quick_reply = quick_reply
    return result


def quick_reply(items: Sequence[tuple[str, str, str]]) -> QuickReply:
    """Postback quick-reply buttons from (label, data, display text) triples, at most 13."""
    return QuickReply(
        items=[
            QuickReplyItem(action=PostbackAction(label=label(text), data=data, display_text=_display(shown)))
            for text, data, shown in items[:MAX_QUICK_REPLIES]
        ]
    )


def welcome(city: CityInfo, *, unblocked: bool) -> list[Message]:
    """Greeting on follow, shorter when the resident unblocked us."""
    template = texts.WELCOME_BACK if unblocked else texts.WELCOME
    return messages([template.format(bot_name=city.bot_name, city=city.name)])


def small_talk(result: SmallTalk, city: CityInfo) -> list[Message]:
    """A friendly word for a greeting or thanks, or the menu of what the bot knows."""
    template = {Talk.GREETING: texts.GREETING, Talk.THANKS: texts.THANKS, Talk.HELP: texts.HELP}[result.kind]
    return messages([template.format(bot_name=city.bot_name, city=city.name)])


def faq_answer(entry: FaqEntry, city: CityInfo) -> list[Message]:
    """The entry's answer, then where to read more and whom to call, and the data's attribution."""
    footer = []
    if entry.url:
        footer.append(texts.FAQ_MORE.format(url=entry.url))
    if entry.department or entry.phone:
        footer.append(texts.FAQ_CONTACT.format(department=entry.department, phone=entry.phone).strip())
    if city.faq_attribution:
        footer.append(city.faq_attribution)
    answer = entry.answer.strip()
    if footer:
        answer += "\n\n" + "\n".join(footer)
    return messages([answer])


def suggestions(entries: Sequence[FaqEntry], query_log_id: int | None) -> list[Message]:
    """「もしかして」: the candidate questions as buttons, plus 「どれにも当てはまらない」."""
    lines = [texts.SUGGEST] + [f"・{entry.question}" for entry in entries]
    items = [
        (entry.question, postbacks.encode(postbacks.FAQ, id=entry.faq_id, q=query_log_id), entry.question)
        for entry in entries
    ]
    items.append(
        (texts.SUGGEST_NONE_LABEL, postbacks.encode(postbacks.NONE, q=query_log_id), texts.SUGGEST_NONE_LABEL)
    )
    return messages(["\n".join(lines)], quick_reply(items))


def fallback(city: CityInfo) -> list[Message]:
    """Nothing matched: say so kindly and give the city's contact desk and office hours."""
    parts = [texts.FALLBACK]
    if city.phone:
        parts[0] += "\n\n" + texts.CONTACT.format(
            department=city.department or city.name, phone=city.phone, office_hours=city.office_hours
        )
    return messages(parts)


def suggestion_declined(city: CityInfo) -> list[Message]:
    """The resident said none of the suggestions fit: thank them and give the contact desk."""
    return messages([texts.SUGGEST_NONE_THANKS]) + fallback(city)


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


def ask_area(current: str | None) -> list[Message]:
    """Ask for the resident's area (saying which one is set now, if any), with a way out."""
    prompt = texts.ASK_AREA_CURRENT.format(area=current) if current else texts.ASK_AREA
    return messages([prompt], _cancel_button())


def area_choices(names: Sequence[str]) -> list[Message]:
    """Several areas fit what the resident typed: offer them as buttons."""
    items = [(name, postbacks.encode(postbacks.AREA, k=postbacks.area_key(name)), name)
             for name in names[: MAX_QUICK_REPLIES - 1]]
    items.append((texts.CANCEL_LABEL, postbacks.encode(postbacks.CANCEL), texts.CANCEL_LABEL))
    listing = "\n".join(f"・{name}" for name in names[: MAX_QUICK_REPLIES - 1])
    return messages([f"{texts.AREA_CHOICES}\n{listing}"], quick_reply(items))


def area_not_found(typed: str) -> list[Message]:
    """No area fits what the resident typed: ask again, with a way out."""
    return messages([texts.AREA_NOT_FOUND.format(text=typed[:30])], _cancel_button())


def area_set(name: str) -> list[Message]:
    """Confirm the resident's new area."""
    return messages([texts.AREA_SET.format(area=name)])


def _cancel_button() -> QuickReply:
    return quick_reply([(texts.CANCEL_LABEL, postbacks.encode(postbacks.CANCEL), texts.CANCEL_LABEL)])


def combine(*parts: Sequence[Message]) -> list[Message]:
    """Several replies sent as one: at most five messages, the later ones dropped."""
    return [message for part in parts for message in part][:MAX_MESSAGES]


def text(message: str) -> list[Message]:
    """One fixed text from ``bot.texts``."""
    return messages([message])


@functools.singledispatch
def intent_result(result: object, city: CityInfo) -> list[Message]:
    """Messages for an intent's plain result; each result type registers its builder below."""
    raise TypeError(f"no reply for {type(result).__name__}")


@intent_result.register
def _(result: SmallTalk, city: CityInfo) -> list[Message]:
    return small_talk(result, city)


@intent_result.register
def _(result: ConfirmDeletion, city: CityInfo) -> list[Message]:
    return confirm_deletion()


@intent_result.register
def _(result: AskArea, city: CityInfo) -> list[Message]:
    return ask_area(result.current)


@intent_result.register
def _(result: NeedArea, city: CityInfo) -> list[Message]:
    return messages([texts.ASK_AREA_FOR_GARBAGE], _cancel_button())


@intent_result.register
def _(result: ItemAnswer, city: CityInfo) -> list[Message]:
    return garbage_item(result, city)


@intent_result.register
def _(result: DayAnswer, city: CityInfo) -> list[Message]:
    return garbage_day(result)


@intent_result.register
def _(result: NextAnswer, city: CityInfo) -> list[Message]:
    return garbage_next(result, city)


@intent_result.register
def _(result: ReminderSettings, city: CityInfo) -> list[Message]:
    return reminder_settings(result)


def reminder_settings(settings: ReminderSettings, *, saved: bool = False) -> list[Message]:
    """The categories with their reminder on or off, and buttons to switch them."""
    lines = [texts.REMINDER_SAVED] if saved else []
    lines.append(texts.REMINDER_SETTINGS.format(area=settings.area))
    lines += [(texts.REMINDER_ON_LINE if c in settings.chosen else texts.REMINDER_OFF_LINE).format(category=c)
              for c in settings.categories]
    if not settings.chosen:
        lines.append(texts.REMINDER_NONE_CHOSEN)
    items = [(texts.REMINDER_ALL_ON, postbacks.encode(postbacks.REMIND, k="*", on=1), texts.REMINDER_ALL_ON),
             (texts.REMINDER_ALL_OFF, postbacks.encode(postbacks.REMIND, k="*", on=0), texts.REMINDER_ALL_OFF)]
    for category in settings.categories[: MAX_QUICK_REPLIES - len(items)]:
        on = category in settings.chosen
        shown = (texts.REMINDER_TURN_OFF if on else texts.REMINDER_TURN_ON).format(category=category)
        items.append((shown, postbacks.encode(postbacks.REMIND, k=postbacks.area_key(category), on=0 if on else 1),
                      shown))
    return messages(["\n".join(lines)], quick_reply(items))


def garbage_reminder(area: str, day: date, categories: Sequence[str]) -> list[Message]:
    """The evening-before reminder: tomorrow's categories in the resident's area."""
    return messages([texts.REMINDER_MESSAGE.format(date=jp_date(day), area=area, categories="】【".join(categories))])


def jp_date(day: date) -> str:
    """「12月15日(月)」."""
    return texts.DATE.format(month=day.month, day=day.day, weekday=texts.WEEKDAYS[day.weekday()])


def _ask_city(city: CityInfo) -> str:
    if not city.phone:
        return ""
    return texts.SCHEDULE_ASK_CITY.format(department=city.department or city.name, phone=city.phone)


def garbage_item(answer: ItemAnswer, city: CityInfo) -> list[Message]:
    """「乾電池は【有害ごみ】です。」 with notes, where to take what is not collected, and the next date."""
    lines = []
    variants = answer.variants
    if len(variants) == 1:
        v = variants[0]
        lines.append(texts.ITEM_ONE.format(name=v.name, category=v.category) if v.collected
                     else f"{v.name}は" + texts.ITEM_NOT_COLLECTED.format(category=v.category))
        lines += [text for text in (v.notice, v.takeaway if not v.collected else "") if text]
        if v.next_dates and answer.area:
            lines.append(texts.ITEM_NEXT.format(area=answer.area, date=jp_date(v.next_dates[0])))
        elif v.verbatim and answer.area:
            lines += [texts.ITEM_SCHEDULE_VERBATIM.format(area=answer.area, text=v.verbatim), _ask_city(city)]
    else:
        lines.append(texts.ITEM_VARIANTS.format(name=answer.asked))
        for v in variants:
            line = texts.ITEM_VARIANT_LINE.format(name=v.name, category=v.category)
            if not v.collected:
                line += " " + texts.ITEM_NOT_COLLECTED.format(category=v.category).split("】", 1)[1]
            elif v.next_dates and answer.area:
                line += texts.ITEM_NEXT_VARIANT.format(area=answer.area, date=jp_date(v.next_dates[0]))
            lines.append(line)
            lines += [f"　{text}" for text in (v.notice, v.takeaway if not v.collected else "") if text]
    if answer.area is None and any(v.collected for v in variants):
        lines.append(texts.ITEM_SET_AREA)
    if answer.attribution:
        lines.append(answer.attribution)
    return messages(["\n".join(line for line in lines if line)])


def garbage_day(answer: DayAnswer) -> list[Message]:
    """What goes out on the day asked, noting a public holiday."""
    day = jp_date(answer.day) + (texts.DAY_HOLIDAY.format(holiday=answer.holiday) if answer.holiday else "")
    if answer.categories:
        text = texts.DAY_COLLECTED.format(label=answer.label, date=day, area=answer.area,
                                          categories="】【".join(answer.categories))
    else:
        text = texts.DAY_NONE.format(label=answer.label, date=day, area=answer.area)
    return messages([text])


def garbage_next(answer: NextAnswer, city: CityInfo) -> list[Message]:
    """The next dates per category; text no rule could express is shown as written, with the contact."""
    lines = [texts.NEXT_HEADER.format(area=answer.area)]
    verbatim = False
    for category, dates, text in answer.dates:
        if dates:
            lines.append(texts.NEXT_LINE.format(category=category, dates="、".join(jp_date(d) for d in dates)))
        elif text:
            verbatim = True
            lines.append(texts.NEXT_VERBATIM.format(category=category, text=text))
        else:
            lines.append(texts.NEXT_NONE.format(category=category))
    if verbatim:
        lines.append(_ask_city(city))
    if answer.attribution:
        lines.append(answer.attribution)
    return messages(["\n".join(line for line in lines if line)])
