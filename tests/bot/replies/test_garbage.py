"""Garbage replies: how an answer about several things reads."""

from __future__ import annotations

from bot.replies.garbage import garbage_item
from city.info import CityInfo
from garbage.answers import ItemAnswer
from garbage.answers import Variant

TAKEAWAY = "購入した販売店に引き取りを依頼してください。"


def test_a_note_two_things_share_is_said_once():
    """テレビと冷蔵庫: the way to hand in a 家電リサイクル item is told under the first, not repeated."""
    variants = tuple(Variant(name, "家電リサイクル法対象品", False, "", TAKEAWAY) for name in ("テレビ", "冷蔵庫"))
    [message] = garbage_item(ItemAnswer("テレビと冷蔵庫", variants, None, several=True), CityInfo())
    text = message.text
    assert text.startswith("テレビと冷蔵庫の出し方です。") and text.count(TAKEAWAY) == 1
