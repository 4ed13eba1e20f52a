"""What a message asks about the thing it names: that it was lost."""

from __future__ import annotations

import pytest

from japanese import facets


@pytest.mark.parametrize("text", [
    "マイナンバーカードなくした", "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞなくした", "国民健康保険証を紛失しました", "健診の券を失くしてしまいました",
    "財布を盗まれた", "受給者証が見当たらないんですが", "保険証を落としてしまった", "母子手帳なくしちゃった",
])
def test_a_loss_is_asked(text):
    """Lost, misplaced or stolen, in kanji, kana or half-width: the message asks about a loss."""
    assert facets.asked(text) == {"lost"}


@pytest.mark.parametrize("text", [
    "保育料の引き落とし日はいつ", "ごみの量を少なくしたい", "住民票ほしい", "マイナンバーカードの申請方法",
])
def test_other_messages_ask_no_loss(text):
    """A bank debit (引き落とし), 「少なくしたい」 or a plain question ask nothing about a loss."""
    assert facets.asked(text) == frozenset()


@pytest.mark.parametrize("text", ["母子手帳をなくした場合は再発行できますか？", "子どもの医療証の再発行はできますか？",
                                  "受給者証を紛失した場合は再交付の手続きをしてください。"])
def test_an_entry_on_reissuing_speaks_of_a_loss(text):
    """An entry that speaks of the loss, or of reissuing, answers a loss."""
    assert facets.spoken(text) == {"lost"}


def test_an_entry_on_applying_does_not_speak_of_a_loss():
    """The card's application entry is about the card, not about losing it."""
    assert facets.spoken("マイナンバーカードの申請方法を教えてください。申請から交付まで約1か月です。") == frozenset()
