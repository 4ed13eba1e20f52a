"""「今の警戒レベルは？」「避難指示出てる？」「警報出てる？」: the city's evacuation notices in force, for the resident's
area, and the warnings JMA has in force in the city (``disaster.jma``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from disaster import notices
from disaster.jma import reports
from disaster.jma.reports import InForce
from disaster.notices import NoticeInfo
from intents.base import IntentContext
from search.docs import Query

_ASKS = re.compile(r"警戒レベル|けいかいレベル|けいかいれべる|避難指示|ひなんしじ|避難情報|ひなんじょうほう|高齢者等避難"
                   r"|緊急安全確保|避難勧告|避難命令|(?:避難|ひなん)(?:しなきゃ|しないと|した方が|したほうが|すべき|しなくて)"
                   r"|(?:逃げ|にげ)(?:た方が|たほうが|なきゃ|ないと)|(?:家|うち|自宅)に(?:帰って|戻って)(?:いい|も)")
# 「警報出てる？」「今の注意報は」: JMA's warnings now; not 「警報が出たら学校は？」 (what happens then: the FAQ's).
_WARNINGS = re.compile(r"(?:警報|注意報|けいほう)(?:は|が|って|とか|、)?(?:出て|でて|出た|でた|出とる|発表|ある|あります)"
                       r"|(?:今|いま|現在)(?:の|、|出てる|でてる)?(?:警報|注意報|けいほう)")
_CONDITION = re.compile(r"たら|とき|時|場合|休み|休校|学校|保育|園|仕事|会社")
_ABOUT = re.compile(r"違い|ちがい|意味|とは|って(?:何|なに|どういう)")  # 「避難指示と緊急安全確保の違い」: what the words mean (the FAQ's)


@dataclass(frozen=True)
class NoticeAnswer:
    """The notices in force for ``area`` (every area's when the resident has none), and JMA's warnings in force
    in the city (``jma_read``: the city reads JMA's telegrams at all)."""

    area: str | None
    notices: tuple[NoticeInfo, ...]
    warnings: tuple[InForce, ...] = ()
    jma_read: bool = False


class NoticeIntent:
    """Recognises a question for the evacuation notices in force."""

    name = "notices"

    def match(self, query: Query) -> bool | None:
        text = unicodedata.normalize("NFKC", query.text)
        if len(text) > 40 or _ABOUT.search(text):
            return None
        if _ASKS.search(text) or _WARNINGS.search(text) and not _CONDITION.search(text):
            return True
        return None

    def handle(self, match: bool, ctx: IntentContext) -> NoticeAnswer:
        warnings = tuple(reports.in_force_now(ctx.session, ctx.now)) if ctx.now is not None else ()
        return NoticeAnswer(ctx.area, tuple(notices.in_force(ctx.session, ctx.area)), warnings,
                            reports.load_config(ctx.session).configured)


INTENT = NoticeIntent()
