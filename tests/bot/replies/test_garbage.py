"""Garbage replies: how an answer about several things reads, and how its dates are named."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from bot.replies.garbage import garbage_item
from bot.replies.garbage import garbage_next
from bot.replies.garbage import garbage_year_end
from city.info import CityInfo
from garbage.answers import ItemAnswer
from garbage.answers import NextAnswer
from garbage.answers import Variant
from garbage.year_end import YearEndAnswer

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


BREAK = tuple(date(2026, 12, 31) + timedelta(days=n) for n in range(4))


def year_end_text(*notes: str) -> str:
    [message] = garbage_year_end(YearEndAnswer("木太", BREAK, notes, (), ()))
    return message.text


def test_under_the_year_end_heading_a_note_that_only_says_there_is_no_collection_is_left_out():
    """「12月31日(木)〜1月3日(日) は収集がありません（年末年始は収集しません）。」 said the same thing twice."""
    for note in ("年末年始は収集しません", "年末年始の収集はお休みです。", "収集なし"):
        assert "12月31日(木)〜1月3日(日) は収集がありません。" in year_end_text(note), note


def test_a_note_that_says_more_is_kept():
    text = year_end_text("年末年始は収集しません", "1月4日からは通常どおり収集します")
    assert "12月31日(木)〜1月3日(日) は収集がありません（1月4日からは通常どおり収集します）。" in text
