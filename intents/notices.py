"""「今の警戒レベルは？」「避難指示出てる？」: the city's evacuation notices in force, for the resident's area."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from disaster import notices
from disaster.notices import NoticeInfo
from intents.base import IntentContext
from search.docs import Query

_ASKS = re.compile(r"警戒レベル|けいかいレベル|避難指示|ひなんしじ|避難情報|ひなんじょうほう|高齢者等避難|緊急安全確保|避難勧告"
                   r"|避難命令|避難しなきゃ|避難した方が|避難したほうが")
_ABOUT = re.compile(r"違い|ちがい|意味|とは|って(?:何|なに|どういう)")  # 「避難指示と緊急安全確保の違い」: what the words mean (the FAQ's)


@dataclass(frozen=True)
class NoticeAnswer:
    """The notices in force for ``area`` (every area's when the resident has none)."""

    area: str | None
    notices: tuple[NoticeInfo, ...]


class NoticeIntent:
    """Recognises a question for the evacuation notices in force."""

    name = "notices"

    def match(self, query: Query) -> bool | None:
        text = unicodedata.normalize("NFKC", query.text)
        if len(text) > 40 or not _ASKS.search(text) or _ABOUT.search(text):
            return None
        return True

    def handle(self, match: bool, ctx: IntentContext) -> NoticeAnswer:
        return NoticeAnswer(ctx.area, tuple(notices.in_force(ctx.session, ctx.area)))


INTENT = NoticeIntent()
