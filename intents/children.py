"""「子どもの登録」: children by due date or birth date, for messages that follow the pregnancy and the child's age.

One resident may register any number of children. Only dates and an optional nickname are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from intents.base import IntentContext
from intents.requests import Topic
from intents.requests import read_request
from intents.settings import AskConsent
from intents.settings import SettingsHowTo
from intents.settings import settings_for
from japanese.normalize import normalize
from residents import service as residents
from residents.models import Child
from search.docs import Query

_CHILDREN = (
    "子どもの登録", "子供の登録", "こどもの登録", "お子さんの登録", "子ども登録", "子供登録", "こども登録",
    "子どもを追加", "子供を追加", "こどもを追加", "子どもの追加", "子供の追加", "子どもを登録", "子供を登録",
    "子どもの設定", "子供の設定", "子どもの生年月日", "子供の生年月日", "子どもの誕生日", "子供の誕生日",
    "子どもの変更", "子供の変更", "子どもの削除", "子供の削除", "登録した子ども", "登録した子供",
)
_DUE = ("出産予定日", "出産予定日の登録", "出産予定日を登録", "予定日の登録", "予定日を登録", "出産予定日の変更",
        "出産予定日を変更", "予定日の変更", "予定日を変更", "妊娠の登録", "妊娠しました")
_BORN = ("生まれました", "産まれました", "うまれました", "出産しました", "赤ちゃんが生まれました",
         "赤ちゃんが産まれました", "子どもが生まれました", "子供が生まれました", "無事に生まれました")
_KEYS = {
    **{normalize(p): "children" for p in _CHILDREN},
    **{normalize(p): "due" for p in _DUE},
    **{normalize(p): "born" for p in _BORN},
}


@dataclass(frozen=True)
class ChildView:
    """One registered child as the resident sees it; ``number`` is its place in the list (from 1)."""

    id: int
    number: int
    label: str | None
    due_date: date | None
    birth_date: date | None

    @property
    def born(self) -> bool:
        """True once the birth date is registered."""
        return self.birth_date is not None


@dataclass(frozen=True)
class ChildrenOverview:
    """The resident's children, with today's date for the date pickers.

    ``kind`` is what a date typed next means: "due" (asked by 予定日), "birth", or None (a future date is a
    due date, a past one a birth date); "born" means 「生まれました」 and the resident picks the child.
    """

    children: tuple[ChildView, ...]
    stop_baby: bool
    today: date
    kind: str | None = None


@dataclass(frozen=True)
class AskBirth:
    """「生まれました」 with one child waiting to be born: ask for its birth date."""

    child: ChildView
    today: date


def views(rows: list[Child]) -> tuple[ChildView, ...]:
    """The children as plain views, numbered in registration order."""
    return tuple(ChildView(row.id, number, row.label, row.due_date, row.birth_date)
                 for number, row in enumerate(rows, start=1))


def overview_for(session: Session, line_user_id: str, today: date,
                 kind: str | None = None) -> ChildrenOverview | AskConsent:
    """The resident's children, or the consent question when they have not agreed to push."""
    settings = settings_for(session, line_user_id, then="children")
    if isinstance(settings, AskConsent):
        return settings
    return ChildrenOverview(views(residents.children(session, line_user_id)), settings.stop_baby, today, kind)


class ChildrenIntent:
    """Recognises a wish to register, change or remove children, and 「生まれました」."""

    name = "children"

    def match(self, query: Query) -> str | None:
        """children, due or born when the message asks for it (「子供の誕生日を登録したい」)."""
        if (known := _KEYS.get(query.key)) is not None:
            return known
        request = read_request(query.text)
        if request is None or request.topic is not Topic.CHILDREN:
            return None
        return "due" if request.due else "children"

    def handle(self, match: str, ctx: IntentContext) -> ChildrenOverview | AskBirth | AskConsent | SettingsHowTo:
        """The children to show (or the one to record the birth of); without a resident, how to do it."""
        if ctx.line_user_id is None:
            return SettingsHowTo()
        overview = overview_for(ctx.session, ctx.line_user_id, ctx.today, "due" if match == "due" else None)
        if match == "born" and isinstance(overview, ChildrenOverview):
            waiting = [child for child in overview.children if not child.born]
            if len(waiting) == 1:
                return AskBirth(waiting[0], ctx.today)
            kind = "born" if waiting else "birth"  # several: the resident chooses which one
            return ChildrenOverview(overview.children, overview.stop_baby, overview.today, kind)
        return overview


INTENT = ChildrenIntent()
