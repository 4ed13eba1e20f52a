"""The conversation runner itself: what it checks, and that a failing chat shows its whole transcript."""

from __future__ import annotations

import pytest

from tests.conversations.conftest import Clock
from tests.conversations.runner import Conversation
from tests.conversations.runner import check
from tests.conversations.runner import shows
from tests.conversations.script import Chat
from tests.conversations.script import Expect
from tests.conversations.script import Turn

MESSAGE = {"type": "text", "text": "もしかして…",
           "quickReply": {"items": [{"type": "action", "action": {"type": "postback", "label": "どれにも当てはまらない",
                                                                  "data": "a=none"}}]}}


class TestChecks:
    def test_a_reply_meeting_every_check_has_no_problem(self):
        """Every kind of check passes on a reply that meets it."""
        expect = Expect(first=("もしかして",), contains=("…",), lacks=("削除",), messages=1,
                        buttons=("どれにも当てはまらない",))
        assert check(expect, [MESSAGE]) == []

    @pytest.mark.parametrize(("expect", "problem"), [
        (Expect(first=("住民票",)), "first message lacks '住民票'"),
        (Expect(lacks=("もしかして",)), "should not contain 'もしかして'"),
        (Expect(messages=2), "expected 2 message(s), got 1"),
        (Expect(buttons=("削除する",)), "no button '削除する'"),
        (Expect(no_buttons=True), "expected no buttons"),
        (Expect(no_reply=True), "expected no reply"),
    ])
    def test_each_unmet_check_is_named(self, expect, problem):
        """A check the reply does not meet is reported in words."""
        assert any(problem in line for line in check(expect, [MESSAGE]))

    def test_a_missing_reply_is_a_problem_unless_none_was_expected(self):
        """Silence fails an ordinary turn and passes a no_reply one."""
        assert check(Expect(), []) == ["expected a reply, got none"]
        assert check(Expect(no_reply=True), []) == []

    def test_a_label_cut_by_line_matches_the_whole_text(self):
        """「かもめ市粗大ごみ受付センターについて教…」 is the button for the whole question, and only for it."""
        assert shows("かもめ市粗大ごみ受付センターについて教…", "かもめ市粗大ごみ受付センターについて教えてください。")
        assert not shows("かもめ市粗大ごみ受付センターについて教…", "かもめ市粗大ごみ受付センターの場所")
        assert not shows("粗大ごみの料金", "粗大ごみの料金を教えてください。")


class TestTranscript:
    def test_a_failing_chat_prints_every_turn_and_marks_the_failure(self, app, faq, line_api):
        """The failure message holds each turn, each reply and the unmet check, and stops at a missing button."""
        chat = Chat("sample", "suggestions", (
            Turn("say", "粗大ごみ", Expect(first=("もしかして",))),
            Turn("press", "粗大ごみの手数料はいくらですか。", Expect(first=("住民票",))),
            Turn("press", "削除する", Expect()),
            Turn("say", "こんにちは", Expect()),
        ))
        with pytest.raises(pytest.fail.Exception) as failure:
            Conversation(app, Clock(), line_api, "U" + "2" * 32).run(chat)
        transcript = str(failure.value)
        assert " 1 > say 粗大ごみ" in transcript and "< もしかして" in transcript
        assert " 2 > press 粗大ごみの手数料はいくらですか。" in transcript and "1点200円" in transcript
        assert "✗ first message lacks '住民票'" in transcript
        assert "✗ no button '削除する'" in transcript and "the chat stops here" in transcript
        assert "こんにちは" not in transcript

    def test_a_passing_chat_does_not_fail(self, app, faq, line_api):
        """A chat whose every check holds runs quietly."""
        chat = Chat("sample", "answer", (Turn("say", "住民票の写しを取りたい", Expect(first=("市民課の窓口",))),))
        Conversation(app, Clock(), line_api, "U" + "3" * 32).run(chat)
