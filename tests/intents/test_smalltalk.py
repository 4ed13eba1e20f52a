"""Small talk: what counts as thanks, a greeting, an acknowledgement, laughter, an apology, a farewell or emoji,
and the question left once small talk around it is taken away."""

from __future__ import annotations

import pytest

from intents.smalltalk import Talk
from intents.smalltalk import question_part
from intents.smalltalk import talk_of
from search.docs import Query


@pytest.mark.parametrize(("text", "kind"), [
    ("ありがとうございました！助かりました", Talk.THANKS), ("ほんとにありがとうございます😊", Talk.THANKS),
    ("助かります", Talk.THANKS), ("お世話になりました", Talk.THANKS), ("サンキュー", Talk.THANKS),
    ("いつもお世話になっております", Talk.GREETING), ("こんにちは。いつもお世話になっております。", Talk.GREETING),
    ("お世話になります", Talk.GREETING), ("お世話になってます", Talk.GREETING),
    ("了解しました、ありがとうございます", Talk.THANKS), ("ありがと〜", Talk.THANKS),
    ("おはようございます！いつも助かってます", Talk.THANKS), ("いつも助かっています", Talk.THANKS),
    ("了解です", Talk.ACK), ("わかりました！", Talk.ACK), ("OKです", Talk.ACK), ("ＯＫ", Talk.ACK), ("はーい", Talk.ACK),
    ("なるほど", Talk.ACK), ("分かった", Talk.ACK), ("承知しました", Talk.ACK), ("いいえ", Talk.ACK),
    ("笑", Talk.LAUGH), ("(笑)", Talk.LAUGH), ("w", Talk.LAUGH), ("ｗｗｗ", Talk.LAUGH), ("草", Talk.LAUGH),
    ("あははは", Talk.LAUGH),
    ("すみません", Talk.APOLOGY), ("ごめんなさい🙇", Talk.APOLOGY), ("申し訳ないです", Talk.APOLOGY),
    ("さようなら", Talk.FAREWELL), ("おやすみなさい", Talk.FAREWELL), ("またね〜", Talk.FAREWELL), ("したっけまたね", Talk.FAREWELL), ("ほなまた", Talk.FAREWELL),
    ("こんにちは", Talk.GREETING), ("おはようございます！", Talk.GREETING), ("よろしくお願いします", Talk.GREETING),
    ("こんばんわ", Talk.GREETING),
    ("🙏", Talk.EMOJI), ("👍😊", Talk.EMOJI), ("👍🏻", Talk.EMOJI), ("❤️", Talk.EMOJI), ("(^^)", Talk.EMOJI),
    ("(*´ω｀*)", Talk.EMOJI), ("あざーす", Talk.THANKS), ("そうですか", Talk.ACK), ("ウケる", Talk.LAUGH),
    ("間違えました", Talk.MISTAKE), ("まちがえた", Talk.MISTAKE), ("すみません、間違えました", Talk.MISTAKE),
    ("間違えて送りました", Talk.MISTAKE), ("打ち間違いです", Talk.MISTAKE), ("誤送信でした🙇", Talk.MISTAKE),
    ("ミスりました", Talk.MISTAKE), ("間違えちゃった", Talk.MISTAKE),
    ("すごい", Talk.PRAISE), ("えらい！", Talk.PRAISE), ("すごいですね", Talk.PRAISE), ("さすがです", Talk.PRAISE),
    ("便利ですね！", Talk.PRAISE), ("すげー", Talk.PRAISE),
    ("わからん", Talk.UNSURE), ("よくわからない", Talk.UNSURE), ("わかりません", Talk.UNSURE), ("知らないです", Talk.UNSURE),
    ("😭", Talk.SAD), ("😢😢", Talk.SAD), ("(T_T)", Talk.SAD), ("(;_;)", Talk.SAD), ("ぴえん", Talk.SAD),
    # Dialect thanks from a resident-style trial (関西, 北海道) and their intensifiers.
    ("おおきに", Talk.THANKS), ("めっちゃ助かったわ", Talk.THANKS), ("ほんまありがとう", Talk.THANKS),
    ("なまら助かった", Talk.THANKS), ("ありがとさん", Talk.THANKS), ("助かるわー", Talk.THANKS),
    # Wanting a person, a complaint or an insult: the city's desk, never 「言葉を変えて」.
    ("人と話したい", Talk.PERSON), ("職員と話したいです", Talk.PERSON), ("苦情", Talk.PERSON), ("クレーム", Talk.PERSON),
    ("担当者につないでください", Talk.PERSON), ("バカ", Talk.PERSON), ("役立たず！", Talk.PERSON),
    # The season's greetings (a resident-style trial in December got a 「もしかして」 for 「良いお年を」).
    ("今年もお世話になりました。良いお年を", Talk.YEAR_END), ("よいお年をお迎えください", Talk.YEAR_END),
    ("本年も大変お世話になりました", Talk.YEAR_END), ("あけましておめでとうございます", Talk.NEW_YEAR),
    ("あけおめ〜ことよろ", Talk.NEW_YEAR), ("今年もよろしくお願いします", Talk.NEW_YEAR),
    # A question announced, and idle talk (a resident-style trial got 「もしかして」 with unrelated entries).
    ("すみません、ちょっと聞きたいことがあるんですが", Talk.ASK), ("質問があります", Talk.ASK),
    ("相談したいことがあるんですけど", Talk.ASK), ("聞いてもいいですか？", Talk.ASK), ("質問させてください", Talk.ASK),
    ("あなたは人間ですか", Talk.WHO), ("人間？", Talk.WHO), ("ロボットなの？", Talk.WHO), ("AIですか", Talk.WHO),
    ("それっていつまで？", Talk.FOLLOW_UP), ("さっきのやつ何時までに出せばいいの", Talk.FOLLOW_UP),
    ("その件、どこに行けばいいですか", Talk.FOLLOW_UP), ("あれっていくらだっけ", Talk.FOLLOW_UP),
    ("なんしよん？ひまなんよ", Talk.IDLE), ("暇だなー", Talk.IDLE), ("何してるの？", Talk.IDLE), ("退屈", Talk.IDLE),
])
def test_small_talk_is_recognised_by_kind(text, kind):
    """Each kind is recognised in several wordings, scripts and with emoji or punctuation around it."""
    assert talk_of(Query.of(text)) == kind


@pytest.mark.parametrize("text", [
    "ありがとう、あと粗大ごみの出し方は？", "住民票", "はいけん", "草刈りの日", "wifiはありますか", "了解ですが転入届はどこ",
    "？？！！", "ごみ", "ごみ捨てが分からない", "すごいごみ", "間違えやすいごみ", "えらい目にあった",
    "ほんまに住民票", "まじで粗大ごみ", "なまら寒いっしょ、ごみいつだべ", "騒音の苦情はどこに言えばいい",
    "使えないごみ袋", "住民票のことで聞きたいことがあります", "それって粗大ごみ？", "これ何ごみ？", "いつまで？",
    "粗大ごみの申し込みはいつまで", "人間ドックの助成", "ロボット掃除機は何ごみ", "ひまわり", "暇な時間に行ける講座", "何して遊べる公園",
])
def test_anything_besides_small_talk_is_not_small_talk(text):
    """A message with something else in it (or nothing at all) is not small talk."""
    assert talk_of(Query.of(text)) is None


@pytest.mark.parametrize(("text", "question"), [
    ("ありがとう、あと粗大ごみの出し方は？", "粗大ごみの出し方は？"),
    ("すみません、住民票の取り方を教えて", "住民票の取り方を教えて"),
    ("ありがとうございます。それと転入届はどこで出せますか？", "転入届はどこで出せますか？"),
    ("児童手当について教えてください。よろしくお願いします", "児童手当について教えてください"),
])
def test_the_question_is_read_without_the_small_talk_around_it(text, question):
    assert question_part(Query.of(text)).text == question


@pytest.mark.parametrize("text", ["粗大ごみの出し方は？", "住民票、写し、ほしい"])
def test_a_message_without_small_talk_is_read_whole(text):
    assert question_part(Query.of(text)).text == text


@pytest.mark.parametrize(("text", "kind"), [("ありがとう😭", Talk.THANKS), ("すみません😢", Talk.APOLOGY)])
def test_a_sad_face_beside_words_is_read_by_the_words(text, kind):
    """A sad emoji after thanks or an apology is the thanks or the apology, not sadness."""
    assert talk_of(Query.of(text)) == kind


@pytest.mark.parametrize("text", ["あなたは誰？", "だれ？", "あんた何者？", "どちら様ですか", "きみは誰なの", "あなたは何？"])
def test_who_are_you_is_asking_who_the_bot_is(text):
    """Asking who or what the bot is, in any wording, is read as that question."""
    assert talk_of(Query.of(text)) is Talk.WHO


@pytest.mark.parametrize("text", ["何ができるの？", "何ができますか", "なにができるん？", "あなたは何ができるの"])
def test_what_can_you_do_asks_for_the_menu(text):
    """Asking what the bot can do, in any wording, asks for the menu."""
    assert talk_of(Query.of(text)) is Talk.HELP


@pytest.mark.parametrize("text", ["今日は暑いね", "寒いっすね", "雨やね", "今日も寒いですね", "いい天気ですね", "雪だね",
                                  "蒸し暑いですね"])
def test_a_word_about_the_weather_is_small_talk(text):
    """A remark about the weather, in standard speech or dialect, is small talk."""
    assert talk_of(Query.of(text)) is Talk.WEATHER


@pytest.mark.parametrize("text", ["何？", "これ何？", "雨の日のごみ", "大雨", "暑さ対策", "雪の日の収集は？"])
def test_questions_near_who_or_weather_are_not_small_talk(text):
    """A bare 「何？」 or a question about rain or heat is not small talk."""
    assert talk_of(Query.of(text)) is None
