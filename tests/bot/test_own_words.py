"""Settings and small talk in residents' own words, through the one route with the demo pack's FAQ: a request
is carried out (a destructive one confirmed first), small talk gets a short friendly word, never an FAQ."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot import postbacks
from residents.models import Resident
from tests.chat import load_demo_garbage
from tests.chat import load_demo_pack
from tests.chat import press
from tests.chat import say
from tests.chat import text_of

KITA = "木太・林・多肥・国分寺南部"


@pytest.fixture
def city(app):
    """The demo pack loaded: its FAQ, synonyms, 高松's garbage data and かもめ市's contact."""
    load_demo_pack(app)


@pytest.fixture
def town(app, faq):
    """A lighter city where the FAQ's wording does not matter: the sample FAQ and 高松's garbage data."""
    load_demo_garbage(app)


def consent(app):
    press(app, postbacks.encode(postbacks.CONSENT))


def resident(session) -> Resident:
    return session.scalar(sa.select(Resident))


class TestSmallTalk:
    @pytest.mark.parametrize("typed", ["ありがとうございました！助かりました", "了解です", "OKです", "はーい", "ww", "🙏👍",
                                       "すみません", "お疲れさまです"])
    def test_small_talk_gets_a_friendly_word_and_never_the_faq(self, app, city, typed):
        """Thanks, acknowledgements, laughter, emoji and apologies are answered briefly, with no FAQ choices."""
        reply = say(app, typed)
        assert (reply.kind, reply.intent) == ("intent", "smalltalk")
        assert len(reply.messages) == 1 and reply.messages[0].quick_reply is None
        assert "申し訳ありません" not in text_of(reply)

    def test_a_question_after_thanks_is_answered(self, app, city):
        """「ありがとう、あと粗大ごみの出し方は？」 gets the answer about 粗大ごみ, not a thank-you."""
        reply = say(app, "ありがとう、あと粗大ごみの出し方は？")
        assert reply.intent != "smalltalk" and "粗大ごみ" in text_of(reply)


class TestSettingsInOwnWords:
    @pytest.mark.parametrize("typed", ["もう通知いらないです", "配信止めて", "LINE来ないようにして", "お知らせ停止で"])
    def test_a_stop_in_own_words_stops_every_notice(self, app, town, session, typed):
        """The notices stop (consent withdrawn), as with 「配信停止」."""
        consent(app)
        reply = say(app, typed)
        assert "配信を停止しました" in text_of(reply) and resident(session).consent_at is None

    def test_a_negated_stop_keeps_the_notices(self, app, town, session):
        """「通知は止めないで」 stops nothing."""
        consent(app)
        say(app, "通知は止めないで")
        assert resident(session).consent_at is not None

    @pytest.mark.parametrize("typed", ["私の情報を消してください", "登録したデータ全部削除して"])
    def test_deleting_in_own_words_asks_first(self, app, town, session, typed):
        """A deletion request asks for confirmation with buttons; nothing is deleted before 「削除する」."""
        consent(app)
        reply = say(app, typed)
        labels = [item.action.label for item in reply.messages[-1].quick_reply.items]
        assert labels == ["削除する", "やめる"] and resident(session).consent_at is not None

    def test_changing_the_area_in_own_words_asks_for_it(self, app, town, session):
        """「住所変わったので地区を変えたい」 opens the area question; the town then sets the area."""
        assert say(app, "住所変わったので地区を変えたい").intent == "area"
        say(app, "林です")
        assert resident(session).area == KITA

    def test_garbage_reminders_in_own_words_show_the_reminder_settings(self, app, city):
        """「ごみの前の日に教えてほしい」 shows the garbage reminders of the resident's area."""
        say(app, "地域設定")
        say(app, "林")
        reply = say(app, "ごみの前の日に教えてほしい")
        assert reply.intent == "garbage_reminder" and "前日" in text_of(reply)

    @pytest.mark.parametrize("typed", ["出生通知票はどこで出す？", "予防接種の通知はいつ来ますか"])
    def test_procedure_questions_with_such_words_reach_the_faq(self, app, city, session, typed):
        """A question about a procedure that contains 通知 is answered by the FAQ and changes no setting."""
        consent(app)
        reply = say(app, typed)
        assert reply.kind in {"faq", "suggest"} and resident(session).consent_at is not None
