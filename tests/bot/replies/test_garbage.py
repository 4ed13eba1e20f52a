"""Garbage replies: how an answer about several things reads, and how its dates are named."""

from __future__ import annotations

from datetime import date

from bot.replies.garbage import garbage_item
from bot.replies.garbage import garbage_next
from city.info import CityInfo
from garbage.answers import ItemAnswer
from garbage.answers import NextAnswer
from garbage.answers import Variant

TAKEAWAY = "購入した販売店に引き取りを依頼してください。"


def test_a_note_two_things_share_is_said_once():
    """テレビと冷蔵庫: the way to hand in a 家電リサイクル item is told under the first, not repeated."""
    variants = tuple(Variant(name, "家電リサイクル法対象品", False, "", TAKEAWAY) for name in ("テレビ", "冷蔵庫"))
    [message] = garbage_item(ItemAnswer("テレビと冷蔵庫", variants, None, several=True), CityInfo())
    text = message.text
    assert text.startswith("テレビと冷蔵庫の出し方です。") and text.count(TAKEAWAY) == 1


def test_a_next_date_on_the_residents_day_is_named_today():
    """「次の収集日は 今日 12月7日(月)」: a date that is the resident's own day says so."""
    variant = Variant("傘", "破砕ごみ", True, "", "", next_dates=(date(2026, 12, 7),))
    [message] = garbage_item(ItemAnswer("傘", (variant,), "木太", asked_on=date(2026, 12, 7)), CityInfo())
    assert "次の収集日は 今日 12月7日(月) です。" in message.text


def test_a_next_date_the_day_after_is_named_tomorrow_and_later_ones_plainly():
    """「【燃やせるごみ】明日 12月8日(火)、12月11日(金)」."""
    answer = NextAnswer("木太", (("燃やせるごみ", (date(2026, 12, 8), date(2026, 12, 11)), ""),),
                        asked_on=date(2026, 12, 7))
    [message] = garbage_next(answer, CityInfo())
    assert "【燃やせるごみ】明日 12月8日(火)、12月11日(金)" in message.text
