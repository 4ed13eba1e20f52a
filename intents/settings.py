"""「配信設定」: consent to push, the categories to receive, 「配信停止」 and the quiet stop of baby messages.

Nothing is changed here: the intents say what the resident asked for and the bot carries it out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from intents.base import IntentContext
from intents.requests import Action
from intents.requests import Request
from intents.requests import Topic
from intents.requests import read_request
from japanese.normalize import normalize
from residents import service as residents
from residents.categories import CATEGORIES
from search.docs import Query

_SETTINGS = (
    "配信設定", "配信の設定", "通知設定", "通知の設定", "お知らせ設定", "お知らせの設定", "受信設定",
    "配信を受け取る", "お知らせを受け取る", "通知を受け取る", "配信希望", "配信を再開", "配信再開",
    "お知らせを再開", "プッシュ通知", "プッシュ通知の設定", "分野の設定", "配信の分野",
)
_STOP = (
    "配信停止", "配信を停止", "配信を止める", "配信を止めて", "配信をやめる", "配信解除", "配信を解除",
    "通知停止", "通知を停止", "通知を止める", "通知を止めて", "お知らせ停止", "お知らせを停止",
    "お知らせを止める", "お知らせを止めて", "お知らせはいらない", "すべてのお知らせを止める", "全部止める",
)
_BABY_STOP = (
    "妊娠・子育てのお知らせを止める", "妊娠・子育てのお知らせを止めて", "妊娠・子育てを止める",
    "子育てのお知らせを止める", "子育てのお知らせを止めて", "子育てのお知らせ停止",
    "妊娠のお知らせを止める", "妊娠のお知らせを止めて", "赤ちゃんのお知らせを止める", "赤ちゃんのお知らせを止めて",
    "出産のお知らせを止める", "妊娠・出産のお知らせを止める",
)
_BABY_RESUME = (
    "妊娠・子育てのお知らせを再開", "妊娠・子育てを再開", "子育てのお知らせ再開", "子育てのお知らせを再開",
    "妊娠のお知らせを再開", "赤ちゃんのお知らせを再開",
)
_KEYS = {
    **{normalize(p): "settings" for p in _SETTINGS},
    **{normalize(p): "stop" for p in _STOP},
    **{normalize(p): "baby_stop" for p in _BABY_STOP},
    **{normalize(p): "baby_resume" for p in _BABY_RESUME},
}


@dataclass(frozen=True)
class AskConsent:
    """The resident has not agreed to push: explain what is kept and why, and ask.

    ``kept`` are categories chosen before a 「配信停止」, which agreeing again resumes; ``then`` names what
    to show once they agree (``children`` or ``reminders``; None: the push settings).
    """

    kept: tuple[str, ...] = ()
    then: str | None = None


@dataclass(frozen=True)
class SettingsHowTo:
    """A settings request with no resident to change anything for (``flask ask``): how to do it in the chat."""


@dataclass(frozen=True)
class PushSettings:
    """The resident agreed to push: the categories they receive and what else is registered."""

    chosen: frozenset[str]
    area: str | None
    children: int
    stop_baby: bool
    has_birth_date: bool
    categories: tuple[str, ...] = CATEGORIES


@dataclass(frozen=True)
class StopPush:
    """「配信停止」: every push stops at once (the bot withdraws consent and cancels what is queued)."""


@dataclass(frozen=True)
class BabyMessages:
    """Stop (``stop``) or resume pregnancy and baby messages, without asking why."""

    stop: bool


@dataclass(frozen=True)
class ChooseCategories:
    """Turn push categories on (``on``) and off (``off``), as the resident asked in their own words."""

    on: frozenset[str]
    off: frozenset[str] = frozenset()

    def then(self) -> str:
        """The change as the consent button carries it, to carry out once the resident agrees."""
        return f"cat:{'+'.join(sorted(self.on))}:{'+'.join(sorted(self.off))}"

    @classmethod
    def from_then(cls, then: str | None) -> ChooseCategories | None:
        """The change a consent button carried (``then``), or None when it carried none."""
        if not then or not then.startswith("cat:") or then.count(":") != 2:
            return None
        _cat, on, off = then.split(":")
        known = set(CATEGORIES)
        return cls(frozenset(on.split("+")) & known, frozenset(off.split("+")) & known)


def categories_change(request: Request) -> ChooseCategories:
    """What a request naming categories changes: those on, or off; with 「だけ」 every other one the other way."""
    named = frozenset(request.categories)
    others = frozenset(CATEGORIES) - named
    if request.action is Action.STOP:
        return ChooseCategories(others if request.only else frozenset(), named)
    return ChooseCategories(named, others if request.only else frozenset())


def settings_for(session: Session, line_user_id: str, then: str | None = None) -> PushSettings | AskConsent:
    """The resident's push settings, or the consent question when they have not agreed."""
    resident = residents.find(session, line_user_id)
    chosen = residents.subscriptions(session, line_user_id)
    if resident is None or resident.consent_at is None:
        return AskConsent(tuple(c for c in CATEGORIES if c in chosen), then)
    return PushSettings(
        chosen=frozenset(chosen),
        area=resident.area,
        children=len(residents.children(session, line_user_id)),
        stop_baby=resident.stop_baby,
        has_birth_date=resident.birth_date is not None,
    )


class SettingsIntent:
    """Recognises 「配信設定」, 「配信停止」 and the stop or resumption of pregnancy and baby messages."""

    name = "push_settings"

    def match(self, query: Query) -> str | Request | None:
        """Which request the message is: settings, stop, baby_stop or baby_resume, or the request naming
        categories to switch.

        A stop asked as a question (「通知を止めるには？」) shows the settings, where the stop button is.
        """
        if (known := _KEYS.get(query.key)) is not None:
            return known
        request = read_request(query.text)
        if request is None:
            return None
        if request.topic is Topic.BABY:
            return "baby_stop" if request.action is Action.STOP else "baby_resume"
        if request.categories and not request.question and request.action is not Action.CHANGE:
            return request  # 「防災のお知らせだけ欲しい」, 「健康のお知らせはいらない」
        if request.topic is Topic.PUSH and request.action is Action.STOP and not request.question:
            return "stop"
        return "settings" if request.topic in (Topic.PUSH, Topic.CATEGORIES) else None

    def handle(self, match: str | Request, ctx: IntentContext
               ) -> PushSettings | AskConsent | StopPush | BabyMessages | ChooseCategories | SettingsHowTo:
        """What the resident asked for; without a resident (``ask``), how to do it in the chat.

        Nothing starts before consent: a request to receive categories asks for it first, and is carried out
        once the resident agrees; one only to stop some says that nothing is sent (the baby notices resumed
        before consent ask for it too, in ``bot.flows.settings``).
        """
        if ctx.line_user_id is None:
            return SettingsHowTo()
        if match == "stop":
            return StopPush()
        if match in ("baby_stop", "baby_resume"):
            return BabyMessages(stop=match == "baby_stop")
        settings = settings_for(ctx.session, ctx.line_user_id)
        if not isinstance(match, Request):
            return settings
        change = categories_change(match)
        if isinstance(settings, AskConsent):
            return AskConsent(settings.kept, change.then()) if change.on else StopPush()
        return change


INTENT = SettingsIntent()
