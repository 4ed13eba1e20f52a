"""Turns plain results into LINE messages; the only module that builds LINE message objects.

Every builder keeps LINE's limits: at most 5 messages, text ≤ 5,000 UTF-16 code units (long answers are
split at sentence or line boundaries), ≤ 13 quick-reply buttons with labels ≤ 20 characters, postback
data and display text ≤ 300 characters.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date

from linebot.v3.messaging import Message
from linebot.v3.messaging import QuickReply

from bot import postbacks
from city.info import CityInfo
from faq.models import FaqEntry
from garbage.answers import DayAnswer
from garbage.answers import ItemAnswer
from garbage.answers import NeedArea
from garbage.answers import NextAnswer
from intents.area import AskArea
from intents.children import AskBirth
from intents.children import ChildrenOverview
from intents.children import ChildView
from intents.dates import NeedYear
from intents.dates import NoSuchDay
from intents.dates import Unreadable
from intents.my_data import ConfirmDeletion
from intents.reminders import ReminderSettings
from intents.settings import AskConsent
from intents.settings import PushSettings
from intents.smalltalk import SmallTalk
from intents.smalltalk import Talk
from messaging import texts
from messaging.build import MAX_QUICK_REPLIES
from messaging.build import DatePick
from messaging.build import jp_date
from messaging.build import jp_full_date
from messaging.build import messages
from messaging.build import quick_reply
from residents import dates as date_rules
from residents.categories import CHILDCARE
from residents.categories import ELDERLY


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


@intent_result.register
def _(result: AskConsent, city: CityInfo) -> list[Message]:
    return ask_consent(result)


@intent_result.register
def _(result: PushSettings, city: CityInfo) -> list[Message]:
    return push_settings(result)


@intent_result.register
def _(result: ChildrenOverview, city: CityInfo) -> list[Message]:
    return children_overview(result)


@intent_result.register
def _(result: AskBirth, city: CityInfo) -> list[Message]:
    return ask_birth(result.child, result.today)


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


# ---- お知らせの配信設定 ------------------------------------------------------------------------------------

def ask_consent(result: AskConsent, *, notes: Sequence[str] = ()) -> list[Message]:
    """What is kept and why, then 「同意して受け取る」 (and a way out)."""
    lines = [*notes, texts.CONSENT_EXPLAIN]
    if result.kept:
        lines.append(texts.CONSENT_KEPT.format(categories="・".join(result.kept)))
    items = [(texts.CONSENT_YES, postbacks.encode(postbacks.CONSENT, then=result.then), texts.CONSENT_YES),
             _cancel_item()]
    return messages(["\n".join(lines)], quick_reply(items))


def push_settings(settings: PushSettings, *, notes: Sequence[str] = ()) -> list[Message]:
    """The categories on and off, what else is registered, and buttons to change them."""
    lines = [*notes, texts.SETTINGS_HEADER]
    lines += [(texts.CATEGORY_ON_LINE if c in settings.chosen else texts.CATEGORY_OFF_LINE).format(category=c)
              for c in settings.categories]
    if not settings.chosen:
        lines.append(texts.SETTINGS_NONE_CHOSEN)
    lines.append(texts.SETTINGS_AREA.format(area=settings.area) if settings.area else texts.SETTINGS_NO_AREA)
    if settings.children:
        lines.append(texts.SETTINGS_CHILDREN.format(count=settings.children))
    if settings.stop_baby:
        lines.append(texts.SETTINGS_BABY_STOPPED)
    lines.append(texts.SETTINGS_GARBAGE_HINT)
    items: list[tuple[str, str, str]] = []
    for category in settings.categories:
        on = category in settings.chosen
        shown = (texts.CATEGORY_TURN_OFF if on else texts.CATEGORY_TURN_ON).format(category=category)
        items.append((shown, postbacks.encode(postbacks.CATEGORY, k=category, on=0 if on else 1), shown))
    items.append((texts.CHILDREN_LABEL, postbacks.encode(postbacks.CHILD, op="list"), texts.CHILDREN_LABEL))
    if settings.stop_baby:
        items.append(_baby_button(stop=False))
    elif settings.children or CHILDCARE in settings.chosen:
        items.append(_baby_button(stop=True))
    if ELDERLY in settings.chosen and not settings.has_birth_date:
        items.append((texts.OWN_BIRTH_LABEL, postbacks.encode(postbacks.ME, op="ask"), texts.OWN_BIRTH_LABEL))
    items.append((texts.AREA_LABEL, postbacks.encode(postbacks.SETTINGS, s="area"), texts.AREA_LABEL))
    items.append((texts.STOP_PUSH_LABEL, postbacks.encode(postbacks.STOP_PUSH), texts.STOP_PUSH_LABEL))
    return messages(["\n".join(lines)], quick_reply(items))


def _baby_button(*, stop: bool) -> tuple[str, str, str]:
    shown = texts.BABY_STOP_LABEL if stop else texts.BABY_RESUME_LABEL
    return shown, postbacks.encode(postbacks.BABY, on=0 if stop else 1), shown


def push_stopped(was_on: bool) -> list[Message]:
    """「配信停止」 done: say that nothing more is sent and what is kept."""
    return messages([texts.STOP_PUSH_DONE if was_on else texts.STOP_PUSH_ALREADY])


def baby_messages(stop: bool) -> list[Message]:
    """A short, kind confirmation that pregnancy and baby messages stopped (or resumed)."""
    return messages([texts.BABY_STOPPED if stop else texts.BABY_RESUMED])


def ask_own_birth_date(today: date, *, explain: bool = True, notes: Sequence[str] = ()) -> list[Message]:
    """Why the resident's own birth date helps (65歳, 75歳) and that it is optional, with a date picker.

    ``explain=False`` asks again briefly (after a date that was refused or not understood).
    """
    first, last = date_rules.own_birth_window(today)
    items = [
        DatePick(texts.OWN_BIRTH_LABEL, postbacks.encode(postbacks.ME, op="set"), first, last,
                 date_rules.add_years(today, -65)),
        (texts.OWN_BIRTH_SKIP_LABEL, postbacks.encode(postbacks.ME, op="skip"), texts.OWN_BIRTH_SKIP_LABEL),
    ]
    prompt = texts.OWN_BIRTH_ASK if explain else texts.OWN_BIRTH_ASK_AGAIN
    return messages(["\n".join([*notes, prompt])], quick_reply(items))


# ---- お子さんの登録 -----------------------------------------------------------------------------------------

def child_name(child: ChildView) -> str:
    """The nickname the parent chose, else 「1人目」."""
    return child.label or texts.CHILD_NAME.format(number=child.number)


def _child_line(child: ChildView) -> str:
    what, day = (texts.CHILD_BIRTH, child.birth_date) if child.born else (texts.CHILD_DUE, child.due_date)
    return texts.CHILD_LINE.format(number=child.number, name=child_name(child), what=what, date=jp_full_date(day))


def add_child_picks(today: date, kind: str | None, *, more: bool) -> list[DatePick]:
    """The date pickers that register a new child by due date, by birth date, or both."""
    due_first, due_last = date_rules.due_window(today)
    birth_first, birth_last = date_rules.birth_window(today)
    picks = {
        "due": DatePick(texts.CHILD_MORE_DUE if more else texts.CHILD_ADD_DUE,
                        postbacks.encode(postbacks.CHILD, op="add", kind="due"), due_first, due_last, today),
        "birth": DatePick(texts.CHILD_MORE_BIRTH if more else texts.CHILD_ADD_BIRTH,
                          postbacks.encode(postbacks.CHILD, op="add", kind="birth"), birth_first, birth_last, today),
    }
    return [picks[kind]] if kind in picks else list(picks.values())


def children_overview(overview: ChildrenOverview, *, notes: Sequence[str] = ()) -> list[Message]:
    """The registered children, with pickers to add one and a button per child to change or remove it."""
    lines = list(notes)
    if overview.kind == "birth":
        lines.append(texts.BORN_ASK)
    elif overview.children:
        lines.append(texts.CHILDREN_LIST)
        lines += [_child_line(child) for child in overview.children]
        lines.append(texts.BORN_WHICH if overview.kind == "born" else texts.CHILDREN_LIST_HINT)
    else:
        lines.append(texts.CHILDREN_NONE)
    if overview.stop_baby:
        lines.append(texts.SETTINGS_BABY_STOPPED)
    items: list[tuple[str, str, str] | DatePick] = list(
        add_child_picks(overview.today, "birth" if overview.kind == "birth" else None, more=bool(overview.children)))
    fixed = [_baby_button(stop=not overview.stop_baby)] if overview.children or overview.stop_baby else []
    fixed.append(_cancel_item())
    for child in overview.children[: MAX_QUICK_REPLIES - len(items) - len(fixed)]:
        shown = texts.CHILD_MENU_LABEL.format(name=child_name(child))
        items.append((shown, postbacks.encode(postbacks.CHILD, op="menu", id=child.id), shown))
    return messages(["\n".join(lines)], quick_reply(items + fixed))


def child_menu(child: ChildView, today: date) -> list[Message]:
    """One child's buttons: 「生まれました」 or a date correction (pickers), nickname, removal, back."""
    birth_first, birth_last = date_rules.birth_window(today)
    items: list[tuple[str, str, str] | DatePick] = []

    def data(op: str) -> str:
        return postbacks.encode(postbacks.CHILD, op=op, id=child.id)

    if child.born:
        items.append(DatePick(texts.CHILD_CHANGE_BIRTH_LABEL, data("birth"), birth_first, birth_last, child.birth_date))
    else:
        due_first, due_last = date_rules.due_window(today)
        items.append(DatePick(texts.CHILD_BORN_LABEL, data("born"), birth_first, birth_last,
                              min(child.due_date, today)))
        items.append(DatePick(texts.CHILD_CHANGE_DUE_LABEL, data("due"), due_first, due_last, child.due_date))
    items += [(texts.CHILD_NAME_LABEL, data("label"), texts.CHILD_NAME_LABEL),
              (texts.CHILD_REMOVE_LABEL, data("remove"), texts.CHILD_REMOVE_LABEL),
              (texts.CHILD_BACK_LABEL, postbacks.encode(postbacks.CHILD, op="list"), texts.CHILD_BACK_LABEL)]
    what, day = (texts.CHILD_BIRTH, child.birth_date) if child.born else (texts.CHILD_DUE, child.due_date)
    return messages([texts.CHILD_MENU.format(name=child_name(child), what=what, date=jp_full_date(day))],
                    quick_reply(items))


def ask_birth(child: ChildView, today: date, *, notes: Sequence[str] = ()) -> list[Message]:
    """「生まれました」: ask for the birth date of a child registered by due date."""
    first, last = date_rules.birth_window(today)
    pick = DatePick(texts.CHILD_BORN_LABEL, postbacks.encode(postbacks.CHILD, op="born", id=child.id), first, last,
                    min(child.due_date or today, today))
    return messages(["\n".join([*notes, texts.BORN_ASK])], quick_reply([pick, _cancel_item()]))


def ask_child_date(picks: Sequence[DatePick], *, notes: Sequence[str] = ()) -> list[Message]:
    """Ask for a date again (after a refusal, or when the picker sent none), with the pickers that fit."""
    prompt = texts.CHILD_ASK_AGAIN if notes else texts.CHILD_ASK_DATE
    return messages(["\n".join([*notes, prompt])], quick_reply([*picks, _cancel_item()]))


def child_date_picks(today: date, op: str | None, kind: str | None, child: ChildView | None) -> list[DatePick]:
    """The pickers for a child date step: a new child (op=add), its birth (born, birth) or due date (due)."""
    if op == "add" or child is None:
        return add_child_picks(today, kind, more=False)
    data = postbacks.encode(postbacks.CHILD, op=op, id=child.id)
    if op == "due":
        first, last = date_rules.due_window(today)
        return [DatePick(texts.CHILD_CHANGE_DUE_LABEL, data, first, last, child.due_date or today)]
    first, last = date_rules.birth_window(today)
    shown = texts.CHILD_BORN_LABEL if op == "born" else texts.CHILD_CHANGE_BIRTH_LABEL
    return [DatePick(shown, data, first, last, child.birth_date or min(child.due_date or today, today))]


def ask_child_label(child: ChildView, max_chars: int, *, notes: Sequence[str] = ()) -> list[Message]:
    """Ask for a short nickname for the child (not its name)."""
    prompt = texts.CHILD_ASK_LABEL.format(name=child_name(child), max=max_chars)
    return messages(["\n".join([*notes, prompt])], _cancel_button())


def date_problem(reading: NoSuchDay | NeedYear | Unreadable) -> str:
    """Why a typed date was not understood, kindly."""
    if isinstance(reading, NoSuchDay):
        return texts.DATE_NO_SUCH_DAY.format(text=reading.shown)
    if isinstance(reading, NeedYear):
        return texts.DATE_NEED_YEAR
    return texts.DATE_UNREADABLE


def date_refused(reason: str, day: date) -> str:
    """Why a date is not accepted (``residents.dates.Refusal``), kindly."""
    return texts.DATE_REFUSED[reason].format(date=jp_full_date(day))


def _cancel_item() -> tuple[str, str, str]:
    return texts.CANCEL_LABEL, postbacks.encode(postbacks.CANCEL), texts.CANCEL_LABEL
