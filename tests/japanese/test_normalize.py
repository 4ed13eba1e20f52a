"""The normaliser gives one matching key to the many ways residents type the same thing."""

from __future__ import annotations

import pytest

from japanese.normalize import katakana_as_hiragana
from japanese.normalize import normalize


@pytest.mark.parametrize("variant", ["ペットボトル", "ﾍﾟｯﾄﾎﾞﾄﾙ", "ぺっとぼとる", "ペット　ボトル", " ペットボトル！"])
def test_width_kana_and_spaces_fold_together(variant):
    """Half-width, hiragana, spaced and punctuated variants share one key."""
    assert normalize(variant) == normalize("ペットボトル")


@pytest.mark.parametrize("variant", ["マイナンバーカード", "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ", "マイナンバーーカード", "マイナンバ―カ－ド"])
def test_long_vowel_runs_and_lookalike_dashes_become_one_mark(variant):
    """Repeated or look-alike long-vowel marks after kana become one ー."""
    assert normalize(variant) == "まいなんばーかーど"


def test_full_width_ascii_and_case_fold():
    """Full-width letters and digits become lower-case ASCII."""
    assert normalize("ＰＥＴ　ＡＢＣ１２３") == "petabc123"


def test_unit_symbols_are_spelled_out():
    """㎝ and friends become cm so that 30㎝ and ３０ｃｍ meet."""
    assert normalize("傘（３０㎝以上）") == normalize("傘(30cm以上)") == "傘30cm以上"


def test_kanji_and_emoji_are_kept():
    """Characters that carry meaning survive."""
    assert normalize("😀住民票") == "😀住民票"


def test_punctuation_only_becomes_empty():
    """A message of punctuation has an empty key."""
    assert normalize("？！　、。") == ""


class TestKatakanaAsHiragana:
    def test_a_message_typed_in_half_width_katakana_reads_in_hiragana(self):
        assert katakana_as_hiragana("ﾌﾗｲﾊﾟﾝ ｽﾃﾙ") == "ふらいぱん すてる"

    def test_a_message_mostly_in_katakana_with_a_little_hiragana_reads_in_hiragana(self):
        assert katakana_as_hiragana("ｿﾌｧｰ ｽﾃﾀｲんだけど") == "そふぁー すてたいんだけど"

    def test_katakana_among_kanji_is_kept_as_typed(self):
        assert katakana_as_hiragana("ﾍﾟｯﾄﾎﾞﾄﾙの出し方") == "ﾍﾟｯﾄﾎﾞﾄﾙの出し方"

    def test_katakana_among_more_hiragana_is_kept_as_typed(self):
        """Loanwords in a sentence stay whole (ウイルス must not become うい + るす)."""
        assert katakana_as_hiragana("ウイルスがこわいです") == "ウイルスがこわいです"
