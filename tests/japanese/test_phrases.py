"""What a message is about: the thing it names, and the question inside polite wording."""

from __future__ import annotations

import pytest

from japanese.phrases import noun_phrase
from japanese.phrases import question_focus
from japanese.phrases import without_courtesy
from japanese.phrases import without_honorific


class TestNounPhrase:
    @pytest.mark.parametrize(("text", "head"), [
        ("引っ越しで出たダンボール", "ダンボール"),
        ("古いテレビ", "テレビ"),
        ("壊れた傘", "傘"),
        ("使い終わったスプレー缶", "スプレー缶"),
        ("電池です", "電池"),
        ("ペットボトルのキャップ", "キャップ"),
        ("子どもが使っていた古いおもちゃ", "おもちゃ"),
    ])
    def test_the_head_is_the_thing_at_the_end(self, text, head):
        """What describes the thing (a clause, an adjective, 「Aの」) is left out of the head."""
        assert noun_phrase(text).head == head

    @pytest.mark.parametrize(("text", "head"), [
        ("ダンボール大量", "ダンボール"), ("ペットボトル3本", "ペットボトル"), ("空き缶いっぱい", "空き缶"),
    ])
    def test_words_of_quantity_are_left_out(self, text, head):
        """How much or how many (大量, 3本, いっぱい) is not the thing."""
        assert noun_phrase(text).head == head

    def test_a_of_b_keeps_a_as_modifier(self):
        """「ペットボトルのキャップ」: キャップ of a ペットボトル."""
        assert noun_phrase("ペットボトルのキャップ").modifiers == ("ペットボトル",)

    @pytest.mark.parametrize("text", ["ボタン電池を飲み込んだ", "保育園に入りたい", "ごみを出せますか"])
    def test_a_text_ending_with_a_verb_names_no_thing(self, text):
        """A sentence that ends with a verb or an adjective is a question, not a thing's name."""
        assert noun_phrase(text) is None


class TestPoliteQuestions:
    @pytest.mark.parametrize(("text", "kept"), [
        ("お忙しいところすみません、住民票の写しを取りたい", "住民票の写しを取りたい"),
        ("恐れ入りますが、児童手当の申請方法を教えていただけますか", "児童手当の申請方法"),
        ("いつもお世話になっております。粗大ごみの申し込み方法を教えてください", "粗大ごみの申し込み方法"),
        ("すいません、保育園の空きはありますか", "保育園の空きはありますか"),
        ("お手数ですが、印鑑登録の手続きを教えてください", "印鑑登録の手続き"),
        ("転入の書類はどれですか。お手数をおかけしますが、よろしくお願いいたします。", "転入の書類はどれ"),
    ])
    def test_courtesy_is_removed(self, text, kept):
        """Cushions, apologies, greetings and polite asking carry no topic and are removed."""
        assert without_courtesy(text).strip("、。") == kept

    @pytest.mark.parametrize(("text", "kept"), [
        ("宇宙旅行の補助金について", "宇宙旅行の補助金"),
        ("こせきのこと", "こせき"),
        ("国民健康保険に関して", "国民健康保険"),
    ])
    def test_about_ending_a_message_is_removed(self, text, kept):
        """「〜について」「〜のこと」 ending a message only says it is about what comes before."""
        assert without_courtesy(text) == kept

    def test_about_inside_a_message_is_kept(self):
        """「〜のことで」 in the middle of a message is part of what it says."""
        assert without_courtesy("保育園のことで相談したい") == "保育園のことで相談したい"

    @pytest.mark.parametrize("text", ["よろしくおねがいします", "すみません", "こんにちは"])
    def test_a_message_of_courtesy_only_is_kept(self, text):
        """A message that is only courtesy stays as it was (small talk answers it)."""
        assert without_courtesy(text) == text

    @pytest.mark.parametrize(("text", "focus"), [
        ("お忙しいところすみません、先月引っ越してきたのですが、子どもの保育園の申し込みはどこですればよろしいでしょうか",
         "子どもの保育園の申し込みはどこですれば"),
        ("来月出産予定なんですけど、児童手当の申請はいつできますか", "児童手当の申請はいつできますか"),
        ("共働きで平日は行けないので、住民票をコンビニで取りたい", "住民票をコンビニで取りたい"),
    ])
    def test_the_question_is_the_clause_after_the_context(self, text, focus):
        """The clause after 「〜のですが、」「〜んですけど、」「〜ので、」 is what is asked."""
        assert question_focus(text) == focus

    def test_courtesy_after_the_question_is_not_the_question(self):
        """「…を用意すればよいですか。お手数ですが、よろしくお願いいたします。」: the closing courtesy is no clause."""
        focus = question_focus("先月引っ越してきました。保育園の申し込みにはどんな書類を用意すればよいですか。"
                               "お手数ですが、よろしくお願いいたします。")
        assert "書類" in focus and "手数" not in focus

    @pytest.mark.parametrize(("text", "focus"), [
        ("児童手当の申請ってどうするんですか？先月子どもが生まれました", "児童手当の申請ってどうするん"),
        ("すみません、転入届ってどこで出せますか？先週引っ越してきました。", "転入届ってどこで出せますか"),
        ("住民票はどこで取れますか。土日しか行けません", "住民票はどこで取れますか"),
    ])
    def test_a_statement_after_the_question_is_not_the_question(self, text, focus):
        """The sentence that asks (？, 〜ですか) is the question, though context follows it (a resident-style trial's
        児童手当 question lost its entry to 「先月子どもが生まれました」)."""
        assert question_focus(text) == focus

    def test_when_the_last_sentence_asks_it_is_the_question(self):
        """Context first, the question last: read as before."""
        assert question_focus("先月子どもが生まれました。児童手当の申請ってどうするんですか？") == "児童手当の申請ってどうするん"

    def test_a_clause_without_a_topic_keeps_the_context(self):
        """「…のですが、どうすればいいですか」: the question alone says nothing, so the clause before stays."""
        focus = question_focus("国民健康保険証をなくしてしまったのですが、どうすればいいですか")
        assert "国民健康保険証" in focus

    @pytest.mark.parametrize("text", ["高齢の母にインフルエンザの予防接種を受けさせたいのですが、市の補助はありますか？",
                                      "インフルエンザの予防接種を受けたいのですが、市役所で補助はありますか"])
    def test_the_city_named_in_the_question_is_no_topic(self, text):
        """「市の補助はありますか」 names the city and a subsidy, not what the subsidy is for: the clause before stays."""
        assert "インフルエンザ" in question_focus(text)


class TestHonorific:
    @pytest.mark.parametrize(("text", "plain"), [("お皿", "皿"), ("お風呂", "風呂"), ("ご飯", "ご飯"), ("皿", "皿")])
    def test_the_honorific_prefix_is_dropped(self, text, plain):
        """お/ご as a prefix goes; a word that starts with it (ご飯) stays whole."""
        assert without_honorific(text) == plain
