"""What a message asks about the thing it names: that it was lost, or what it costs."""

from __future__ import annotations

import pytest

from japanese import facets


@pytest.mark.parametrize("text", [
    "マイナンバーカードなくした", "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞなくした", "国民健康保険証を紛失しました", "健診の券を失くしてしまいました",
    "財布を盗まれた", "受給者証が見当たらないんですが", "保険証を落としてしまった", "母子手帳なくしちゃった",
    "保険証おとしてしもうた", "カードおとしました", "財布ぬすまれた", "受給者証がみあたらない", "ほけんしょうふんしつ",
])
def test_a_loss_is_asked(text):
    """Lost, misplaced or stolen, in kanji, kana or half-width: the message asks about a loss."""
    assert facets.asked(text) == {"lost"}


@pytest.mark.parametrize("text", [
    "保育料の引き落とし日はいつ", "ごみの量を少なくしたい", "住民票ほしい", "マイナンバーカードの申請方法",
    "おとしよりの見守り", "おとしだまの使い道", "保育料のひきおとし日", "口座引きおとしの手続き",
])
def test_other_messages_ask_no_loss(text):
    """A bank debit (引き落とし), 「少なくしたい」, お年寄り in kana or a plain question ask nothing about a loss."""
    assert facets.asked(text) == frozenset()


@pytest.mark.parametrize("text", ["母子手帳をなくした場合は再発行できますか？", "子どもの医療証の再発行はできますか？",
                                  "受給者証を紛失した場合は再交付の手続きをしてください。"])
def test_an_entry_on_reissuing_speaks_of_a_loss(text):
    """An entry that speaks of the loss, or of reissuing, answers a loss."""
    assert facets.spoken(text) == {"lost"}


def test_an_entry_on_applying_does_not_speak_of_a_loss():
    """The card's application entry is about the card, not about losing it."""
    assert facets.spoken("マイナンバーカードの申請方法を教えてください。申請から交付まで約1か月です。") == frozenset()


@pytest.mark.parametrize("text", [
    "認可外保育所 補助金でるの？", "粗大ごみっていくら", "予防接種は無料ですか", "住民票の手数料", "保育料を払いたい",
    "インフルの注射 ただでうてる？", "おむつ代の助成ある？",
])
def test_money_is_asked(text):
    """A price, a fee, a subsidy or a payment, however it is asked: the message asks about money."""
    assert facets.asked(text) == {"money"}


@pytest.mark.parametrize("text", ["保育園の申し込み", "ただでさえ忙しいのに", "認証保育所とは何ですか？"])
def test_other_messages_ask_no_money(text):
    """A plain question, or 「ただでさえ」, asks nothing about money."""
    assert "money" not in facets.asked(text)


def test_an_entry_naming_a_fee_speaks_of_money():
    """An entry that names a sum answers a question about money."""
    assert facets.spoken("住民票の写しの交付手数料は1通300円です。") == {"money"}


def test_an_entry_on_what_a_nursery_is_does_not_speak_of_money():
    """Saying what a kind of nursery is answers nothing about a subsidy."""
    assert facets.spoken("認証保育所とは、認可外保育施設のうち、北海道が定めた基準を満たして認証した施設です。") == frozenset()


@pytest.mark.parametrize("text", ["マイナンバーカードの暗証番号わすれた", "パスワードを忘れてしまいました",
                                  "児童手当の申請するの忘れてた", "暗証番号が思い出せない"])
def test_forgetting_is_asked(text):
    """A PIN, a password or an application forgotten, in kanji or kana."""
    assert facets.asked(text) == {"forgot"}


@pytest.mark.parametrize("text", ["母子手帳を忘れずに持ってきてください", "マイナンバーカードを作りたい"])
def test_a_reminder_not_to_forget_asks_nothing(text):
    """「忘れずに」 reminds; it does not say something was forgotten."""
    assert "forgot" not in facets.asked(text)


def test_an_entry_on_setting_a_pin_again_speaks_of_forgetting():
    """再設定 answers a forgotten PIN."""
    assert "forgot" in facets.spoken("暗証番号の再設定は市民課の窓口で行います。")
