"""ごみ replies: an item's category, a day's collection, the next dates, reminders, and the area question."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from datetime import timedelta

from linebot.v3.messaging import Message
from linebot.v3.messaging import QuickReply

from bot import postbacks
from bot.replies.common import cancel_button
from city.info import CityInfo
from garbage.answers import DayAnswer
from garbage.answers import ItemAnswer
from garbage.answers import ItemChoices
from garbage.answers import NextAnswer
from garbage.answers import Variant
from garbage.year_end import YearEndAnswer
from intents.reminders import ReminderSettings
from japanese.phrases import noun_phrase
from messaging import texts
from messaging.build import MAX_QUICK_REPLIES
from messaging.build import jp_date
from messaging.build import messages
from messaging.build import quick_reply


def ask_area(current: str | None) -> list[Message]:
    """Ask for the resident's area (saying which one is set now, if any), with a way out."""
    prompt = texts.ASK_AREA_CURRENT.format(area=current) if current else texts.ASK_AREA
    return messages([prompt], cancel_button())


def need_area() -> list[Message]:
    """The answer depends on the area: ask for it (the question is answered once it is set)."""
    return messages([texts.ASK_AREA_FOR_GARBAGE], cancel_button())


def area_choices(names: Sequence[str]) -> list[Message]:
    """Several areas fit what the resident typed: offer them as buttons, numbered so a number picks one too."""
    return messages([f"{texts.AREA_CHOICES}\n{_numbered(names)}"], _area_buttons(names))


def area_list(typed: str | None, names: Sequence[str]) -> list[Message]:
    """No area fits what the resident typed, or they do not know (``typed`` None): list every area (buttons for
    as many as LINE allows)."""
    intro = texts.AREA_NOT_FOUND.format(text=typed[:30]) if typed is not None else texts.AREA_UNSURE
    return messages([f"{intro}\n{_numbered(names)}"], _area_buttons(names))


def _numbered(names: Sequence[str]) -> str:
    return "\n".join(texts.AREA_LIST_LINE.format(number=number, area=name) for number, name in enumerate(names, 1))


def _area_buttons(names: Sequence[str]) -> QuickReply:
    """A button per area (as many as fit beside 「やめる」), then 「やめる」."""
    items = [(name, postbacks.encode(postbacks.AREA, k=postbacks.area_key(name)), name)
             for name in names[: MAX_QUICK_REPLIES - 1]]
    items.append((texts.CANCEL_LABEL, postbacks.encode(postbacks.CANCEL), texts.CANCEL_LABEL))
    return quick_reply(items)


def area_set(name: str) -> list[Message]:
    """Confirm the resident's new area."""
    return messages([texts.AREA_SET.format(area=name)])


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


def _ask_city(city: CityInfo) -> str:
    if not city.phone:
        return ""
    return texts.SCHEDULE_ASK_CITY.format(department=city.department or city.name, phone=city.phone)


def _told_how(variant: Variant) -> bool:
    """True when the item's category gets the pack's text on where to take it or how to ask for collection."""
    return not variant.collected or not variant.on_calendar


def _named(answer: ItemAnswer) -> str:
    """What the variants are of, in the resident's words: the thing they named, without what they said around it
    (「年末にパソコン」 → パソコン, 「ペットボトルのキャップ」 stays), or all they asked (「フライパンと鍋」)."""
    phrase = None if answer.several else noun_phrase(answer.asked)
    return phrase.text if phrase is not None else answer.asked


def garbage_item(answer: ItemAnswer, city: CityInfo) -> list[Message]:
    """「乾電池は【有害ごみ】です。」 with notes, where to take what is not collected, and the next date."""
    lines = []
    variants = answer.variants
    if len(variants) == 1 and not answer.several:
        v = variants[0]
        lines.append(texts.ITEM_ONE.format(name=v.name, category=v.category) if v.collected
                     else f"{v.name}は" + texts.ITEM_NOT_COLLECTED.format(category=v.category))
        lines += [text for text in (v.notice, v.takeaway if _told_how(v) else "") if text]
        if v.next_dates and answer.area:
            lines.append(texts.ITEM_NEXT.format(area=answer.area, date=_day(v.next_dates[0], answer.asked_on)))
        elif v.verbatim and answer.area:
            lines += [texts.ITEM_SCHEDULE_VERBATIM.format(area=answer.area, text=v.verbatim), _ask_city(city)]
    else:
        lines.append((texts.ITEM_SEVERAL if answer.several else texts.ITEM_VARIANTS).format(name=_named(answer)))
        told: set[str] = set()  # a note said once (テレビと冷蔵庫: the same way to hand both in)
        for v in variants:
            line = texts.ITEM_VARIANT_LINE.format(name=v.name, category=v.category)
            if not v.collected:
                line += " " + texts.ITEM_NOT_COLLECTED.format(category=v.category).split("】", 1)[1]
            elif v.next_dates and answer.area:
                line += texts.ITEM_NEXT_VARIANT.format(area=answer.area, date=_day(v.next_dates[0], answer.asked_on))
            lines.append(line)
            notes = [text for text in (v.notice, v.takeaway if _told_how(v) else "") if text and text not in told]
            told.update(notes)
            lines += [f"　{text}" for text in notes]
    if answer.area is None and any(v.collected and v.on_calendar for v in variants):
        lines.append(texts.ITEM_SET_AREA)
    if answer.attribution:
        lines.append(answer.attribution)
    return messages(["\n".join(line for line in lines if line)])


def item_choices(choices: ItemChoices) -> list[Message]:
    """A general word (電池) names several items, or a word resembles some: list them, a button each, a way out."""
    names = choices.names[: MAX_QUICK_REPLIES - 1]
    heading = texts.ITEM_CHOICES_LOOSE if choices.loose else texts.ITEM_CHOICES
    lines = [heading.format(word=choices.asked[:20])]
    lines += [texts.ITEM_CHOICE_LINE.format(name=name) for name in names]
    items = [(name, postbacks.encode(postbacks.ITEM, k=postbacks.area_key(name)), name) for name in names]
    items.append((texts.CANCEL_LABEL, postbacks.encode(postbacks.CANCEL), texts.CANCEL_LABEL))
    return messages(["\n".join(lines)], quick_reply(items))


def garbage_day(answer: DayAnswer) -> list[Message]:
    """What goes out on the day asked, noting a public holiday and the pack's word for a day without collection."""
    day = jp_date(answer.day) + (texts.DAY_HOLIDAY.format(holiday=answer.holiday) if answer.holiday else "")
    when = f"{answer.label} {day}" if answer.label else day
    if answer.categories:
        text = texts.DAY_COLLECTED.format(when=when, area=answer.area, categories="】【".join(answer.categories))
    else:
        text = texts.DAY_NONE.format(when=when, area=answer.area)
    return messages([_with_notes(text, (answer.note,) if answer.note else ())])


def garbage_year_end(answer: YearEndAnswer) -> list[Message]:
    """The year-end break: the days without collection (a run of days as one span), then each category's last
    date of the year and first of the new one."""
    lines = [texts.YEAR_END_HEADER.format(area=answer.area)]
    if answer.closed:
        # Under the year-end heading, a note that only says the break has no collection says nothing more.
        notes = [note for note in answer.notes if not _BREAK_NOTE.fullmatch(note.strip().rstrip("。"))]
        lines.append(_with_notes(texts.YEAR_END_CLOSED.format(days="、".join(_spans(answer.closed))), notes))
    else:
        lines.append(texts.YEAR_END_OPEN)
    for heading, dates in ((texts.YEAR_END_LAST, answer.last), (texts.YEAR_END_FIRST, answer.first)):
        lines.append(heading)
        lines += [texts.NEXT_LINE.format(category=category, dates=jp_date(day)) if day is not None
                  else texts.YEAR_END_NONE.format(category=category) for category, day in dates]
    if answer.attribution:
        lines.append(answer.attribution)
    return messages(["\n".join(lines)])


# A pack's note that says no more than 「年末年始は収集しません」 (「年末年始の収集はお休みです」, 「収集なし」).
_BREAK_NOTE = re.compile(r"(?:年末年始|年末|年始|正月)?(?:は|の|中は|の間は)?(?:ごみ)?(?:の)?収集(?:は|を)?"
                         r"(?:しません|ありません|行いません|なし|休み|お休み(?:です|します)?|休止(?:します)?)")


def _with_notes(sentence: str, notes: Sequence[str]) -> str:
    """A sentence with the pack's notes in brackets before its full stop.

    「…収集はありません」 with 「年末年始は収集しません」 → 「…収集はありません（年末年始は収集しません）。」
    """
    if not notes:
        return sentence
    brackets = "".join(texts.DAY_NOTE.format(note=note.rstrip("。")) for note in notes)
    return sentence.removesuffix("。") + brackets + "。"


def _spans(days: Sequence[date]) -> list[str]:
    """Sorted days as runs: 「12月31日(木)〜1月3日(日)」 for consecutive days, a day alone as itself."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return [jp_date(run[0]) + (f"〜{jp_date(run[-1])}" if len(run) > 1 else "") for run in runs]


def _day(day: date, asked_on: date | None) -> str:
    """「12月7日(月)」, named 「今日」 or 「明日」 too when it is the resident's day or the day after."""
    if asked_on is not None and day == asked_on:
        return texts.DATE_TODAY.format(date=jp_date(day))
    if asked_on is not None and day == asked_on + timedelta(days=1):
        return texts.DATE_TOMORROW.format(date=jp_date(day))
    return jp_date(day)


def garbage_next(answer: NextAnswer, city: CityInfo) -> list[Message]:
    """The next dates per category; text no rule could express is shown as written, with the contact."""
    lines = [texts.NEXT_HEADER.format(area=answer.area)]
    verbatim = False
    for category, dates, text in answer.dates:
        if dates:
            lines.append(texts.NEXT_LINE.format(category=category, dates="、".join(_day(d, answer.asked_on)
                                                                                for d in dates)))
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
