"""Children replies: the list with date pickers, one child's menu, birth and date questions, date problems."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from linebot.v3.messaging import Message

from bot import postbacks
from bot.replies.common import cancel_button
from bot.replies.common import cancel_item
from bot.replies.settings import baby_button
from intents.children import ChildrenOverview
from intents.children import ChildView
from messaging import texts
from messaging.build import MAX_QUICK_REPLIES
from messaging.build import DatePick
from messaging.build import jp_full_date
from messaging.build import messages
from messaging.build import quick_reply
from residents import dates as date_rules


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
    fixed = [baby_button(stop=not overview.stop_baby)] if overview.children or overview.stop_baby else []
    fixed.append(cancel_item())
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
    return messages(["\n".join([*notes, texts.BORN_ASK])], quick_reply([pick, cancel_item()]))


def ask_child_date(picks: Sequence[DatePick], *, notes: Sequence[str] = ()) -> list[Message]:
    """Ask for a date again (after a refusal, or when the picker sent none), with the pickers that fit."""
    prompt = texts.CHILD_ASK_AGAIN if notes else texts.CHILD_ASK_DATE
    return messages(["\n".join([*notes, prompt])], quick_reply([*picks, cancel_item()]))


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
    return messages(["\n".join([*notes, prompt])], cancel_button())
