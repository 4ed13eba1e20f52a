"""What a message asks about the thing it names, beyond naming it: that it was lost or forgotten, or what it costs.

「マイナンバーカードなくした」 names the card and says it is lost. An entry on applying for the card is about the
card, not about the loss: offered, it may help, but it is not the answer. Likewise 「認可外保育所 補助金でるの？」
asks about money, which an entry that only says what such a nursery is does not answer. A facet is *asked* by a
message that says it, and *spoken of* by an entry whose question, aliases or answer say it or what answers it
(再発行 for a loss; 円, 無料, 負担 for money). Both are read on the matching key (``japanese.normalize``: kana
folded to hiragana), not on Sudachi's words: Sudachi reads 「カードなくした」 as なく + し + た.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from japanese.normalize import normalize


@dataclass(frozen=True)
class Facet:
    """One thing a message may ask about its subject: the phrases that ask it and those that speak of it."""

    name: str
    asked_by: re.Pattern[str]
    spoken_by: re.Pattern[str]
    # True: an entry that speaks of it ranks higher (``search.engine.Weights.facet``); False: it is only asked of a
    # direct answer (a best entry that does not speak of it is offered, not answered)
    lifts: bool = True


# Each word in kanji and in kana (the key folds katakana to hiragana). 「おとし」 in kana only as a verb's
# forms or 落とし物: お年寄り, お年玉 and a bank debit (ひきおとし) begin the same way.
_LOST_WORDS = (r"(?<![少危汚])(?:な|無|失)く[しさす]|紛失|ふんしつ|(?:盗|ぬす)(?:ま|ら|難)|(?:見当|みあ)たら"
               r"|(?<!引)(?<!引き)落と[しさす]"
               r"|(?<!ひき)(?<!引)(?<!引き)おと(?:し(?:た|て|ちゃ|ちま|まし|もの|物)|さ[れな]|せ[なへ])")
# Money: a price, a fee, a payment or a payment back, a subsidy (「ただで」 is free, 「ただでさえ」 is not).
_MONEY_ASKED = (r"いくら|費用|料金|お金|おかね|無料|むりょう|有料|値段|補助|助成|手数料|ただで(?!さえ)|自己負担|払"
                r"|給付|支給|割引|減免|免除|還付")
_MONEY_SPOKEN = r"|円|負担|料|費|手当|納付|軽減|償還|金額|実費"
# Something forgotten: a PIN, a password, to apply (「暗証番号わすれた」, 「申請するの忘れてた」).
_FORGOT_WORDS = r"忘れ(?!ず)|わすれ(?!ず)|思い出せ|おもいだせ"
FACETS = (
    # A thing lost or stolen: an entry answers it when it speaks of the loss or of reissuing.
    Facet("lost", re.compile(_LOST_WORDS), re.compile(_LOST_WORDS + r"|再発行|再交付")),
    # Something forgotten: an entry answers it when it speaks of forgetting or of setting the thing again.
    Facet("forgot", re.compile(_FORGOT_WORDS), re.compile(_FORGOT_WORDS + r"|再設定|初期化|りせっと|再登録"),
          lifts=False),
    # What it costs or pays: an entry answers it when it names a sum, a fee, a subsidy or a payment.
    Facet("money", re.compile(_MONEY_ASKED), re.compile(_MONEY_ASKED + _MONEY_SPOKEN)),
)
LIFTING = frozenset(facet.name for facet in FACETS if facet.lifts)  # the facets that lift an entry


def asked(text: str) -> frozenset[str]:
    """The facets a message asks (by name)."""
    key = normalize(text)
    return frozenset(facet.name for facet in FACETS if facet.asked_by.search(key))


def spoken(text: str) -> frozenset[str]:
    """The facets an entry's text speaks of (by name)."""
    key = normalize(text)
    return frozenset(facet.name for facet in FACETS if facet.spoken_by.search(key))
