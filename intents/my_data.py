"""「データ削除」: a resident asks to delete what the city keeps about them (confirmed before deleting)."""

from __future__ import annotations

from dataclasses import dataclass

from intents.base import IntentContext
from intents.requests import Topic
from intents.requests import read_request
from japanese.normalize import normalize
from search.docs import Query

_PHRASES = frozenset({
    "データ削除", "でーた削除", "データを削除", "データを削除して", "データを消して", "データ消去",
    "登録削除", "登録を削除", "個人情報削除", "個人情報を削除", "個人情報を消して", "私のデータを削除",
})
_KEYS = frozenset(normalize(p) for p in _PHRASES)


@dataclass(frozen=True)
class ConfirmDeletion:
    """Ask the resident to confirm before their data is deleted."""


class DeleteMyDataIntent:
    """Recognises a request to delete one's data; deletion itself happens on the confirm button."""

    name = "delete_my_data"

    def match(self, query: Query) -> bool | None:
        """True when the message asks to delete the resident's data (「私の情報を消してください」)."""
        if query.key in _KEYS:
            return True
        request = read_request(query.text)
        return True if request is not None and request.topic is Topic.DATA else None

    def handle(self, match: bool, ctx: IntentContext) -> ConfirmDeletion:
        """Nothing is deleted yet: the resident confirms with a button."""
        return ConfirmDeletion()


INTENT = DeleteMyDataIntent()
