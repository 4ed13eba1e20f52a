"""What a message asks about the thing it names, beyond naming it: that the thing was lost (「なくした」「紛失」).

「マイナンバーカードなくした」 names the card and says it is lost. An entry on applying for the card is about the
card, not about the loss: offered, it may help, but it is not the answer. A facet is *asked* by a message that
says it, and *spoken of* by an entry whose question, aliases or answer say it or what answers it (再発行,
再交付). Both are read on the matching key (``japanese.normalize``: kana folded to hiragana), not on Sudachi's
words: Sudachi reads 「カードなくした」 as なく + し + た.
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


_LOST_WORDS = (r"(?<![少危汚])(?:な|無|失)く[しさす]|紛失|盗(?:ま|ら|難)|見当たら"
               r"|(?<!引)(?<!引き)落と[しさす]")
FACETS = (
    # A thing lost or stolen: an entry answers it when it speaks of the loss or of reissuing.
    Facet("lost", re.compile(_LOST_WORDS), re.compile(_LOST_WORDS + r"|再発行|再交付")),
)


def asked(text: str) -> frozenset[str]:
    """The facets a message asks (by name)."""
    key = normalize(text)
    return frozenset(facet.name for facet in FACETS if facet.asked_by.search(key))


def spoken(text: str) -> frozenset[str]:
    """The facets an entry's text speaks of (by name)."""
    key = normalize(text)
    return frozenset(facet.name for facet in FACETS if facet.spoken_by.search(key))
