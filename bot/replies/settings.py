"""Push-settings replies: consent, categories, 「配信停止」, the quiet stop of baby messages, one's own birth date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from linebot.v3.messaging import Message

from bot import postbacks
from bot.replies.common import cancel_item
from intents.settings import AskConsent
from intents.settings import PushSettings
from japanese.calendar import add_years
from messaging import texts
from messaging.build import DatePick
from messaging.build import messages
from messaging.build import quick_reply
from residents import dates as date_rules
from residents.categories import CHILDCARE
from residents.categories import ELDERLY


def ask_consent(result: AskConsent, *, notes: Sequence[str] = (), brief: bool = False) -> list[Message]:
    """What is kept and why, then 「同意して受け取る」 (and a way out); ``brief``: ``notes`` and the buttons only."""
    lines = [*notes] if brief else [*notes, texts.CONSENT_EXPLAIN]
    if result.kept and not brief:
        lines.append(texts.CONSENT_KEPT.format(categories="・".join(result.kept)))
    items = [(texts.CONSENT_YES, postbacks.encode(postbacks.CONSENT, then=result.then), texts.CONSENT_YES),
             cancel_item()]
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
        items.append(baby_button(stop=False))
    elif settings.children or CHILDCARE in settings.chosen:
        items.append(baby_button(stop=True))
    if ELDERLY in settings.chosen and not settings.has_birth_date:
        items.append((texts.OWN_BIRTH_LABEL, postbacks.encode(postbacks.ME, op="ask"), texts.OWN_BIRTH_LABEL))
    items.append((texts.AREA_LABEL, postbacks.encode(postbacks.SETTINGS, s="area"), texts.AREA_LABEL))
    items.append((texts.STOP_PUSH_LABEL, postbacks.encode(postbacks.STOP_PUSH), texts.STOP_PUSH_LABEL))
    return messages(["\n".join(lines)], quick_reply(items))


def baby_button(*, stop: bool) -> tuple[str, str, str]:
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
                 add_years(today, -65)),
        (texts.OWN_BIRTH_SKIP_LABEL, postbacks.encode(postbacks.ME, op="skip"), texts.OWN_BIRTH_SKIP_LABEL),
    ]
    prompt = texts.OWN_BIRTH_ASK if explain else texts.OWN_BIRTH_ASK_AGAIN
    return messages(["\n".join([*notes, prompt])], quick_reply(items))
