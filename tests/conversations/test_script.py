"""Reading conversation files: phrasings become chats of their own, and a malformed file is refused by name."""

from __future__ import annotations

import pytest

from tests.conversations import script
from tests.conversations.script import ScriptError


def chats_of(tmp_path, text: str):
    path = tmp_path / "sample.toml"
    path.write_text(text, encoding="utf-8")
    return script.load_file(path)


ONE_TURN = '''
[[chat]]
name = "greeting"
[[chat.turn]]
{turn}
'''


class TestReading:
    def test_a_chat_is_read_with_its_actions_and_checks(self, tmp_path):
        """Each turn keeps its action, value and checks; a single text check becomes a one-item tuple."""
        [chat] = chats_of(tmp_path, ONE_TURN.format(turn='say = "こんにちは"\nfirst = "かもめ市"\nmessages = 1'))
        [turn] = chat.turns
        assert (chat.id, turn.action, turn.value) == ("sample::greeting", "say", "こんにちは")
        assert (turn.expect.first, turn.expect.messages) == (("かもめ市",), 1)

    def test_phrasings_make_one_chat_each_with_the_other_turns_kept(self, tmp_path):
        """A list of phrasings runs the chat once per text; turns without a list are the same in every run."""
        chats = chats_of(tmp_path, '''
[[chat]]
name = "cancel"
[[chat.turn]]
say = "地域設定"
[[chat.turn]]
say = ["やめる", "キャンセル"]
first = "やめました"
''')
        assert [chat.id for chat in chats] == ["sample::cancel::1", "sample::cancel::2"]
        assert [[turn.value for turn in chat.turns] for chat in chats] == [["地域設定", "やめる"],
                                                                            ["地域設定", "キャンセル"]]

    def test_phrasing_lists_in_one_chat_are_zipped(self, tmp_path):
        """Two lists of the same length: run N takes the N-th text of each."""
        chats = chats_of(tmp_path, ONE_TURN.format(turn='say = ["a", "b"]') + '[[chat.turn]]\nsay = ["c", "d"]\n')
        assert [[turn.value for turn in chat.turns] for chat in chats] == [["a", "c"], ["b", "d"]]

    def test_a_blocking_turn_expects_no_reply(self, tmp_path):
        """unfollow gets no reply, so the runner checks that nothing was sent."""
        [chat] = chats_of(tmp_path, ONE_TURN.format(turn="unfollow = true"))
        assert chat.turns[0].expect.no_reply is True

    def test_every_file_in_the_folder_is_read(self):
        """The suite's own files all read, and every chat has a distinct id."""
        chats = script.load_all()
        assert len({chat.id for chat in chats}) == len(chats) > 0


class TestRefusing:
    @pytest.mark.parametrize(("turn", "message"), [
        ('say = "x"\ncontians = "y"', "unknown key(s) contians"),
        ('say = "x"\npress = "y"', "exactly one of"),
        ('first = "y"', "exactly one of"),
        ("say = []", "say needs a text"),
        ("follow = 1", "write follow = true"),
        ('say = "x"\nmessages = "2"', "messages needs a number"),
        ('clock = "2026-11-24T07:30"\nfirst = "x"', "gets no reply"),
        ('say = "x"\ncontains = [1]', "expected a text or a list of texts"),
    ])
    def test_a_malformed_turn_is_refused_with_its_place(self, tmp_path, turn, message):
        """The error names the file, the chat and the turn, and what is wrong."""
        with pytest.raises(ScriptError, match="sample.toml chat 1 \\(greeting\\) turn 1") as error:
            chats_of(tmp_path, ONE_TURN.format(turn=turn))
        assert message in str(error.value)

    def test_phrasing_lists_of_different_lengths_are_refused(self, tmp_path):
        """Lists that cannot be zipped are an error, not a silently shorter run."""
        with pytest.raises(ScriptError, match="same length"):
            chats_of(tmp_path, ONE_TURN.format(turn='say = ["a", "b"]') + '[[chat.turn]]\nsay = ["c"]\n')

    def test_a_chat_without_a_name_or_turns_is_refused(self, tmp_path):
        """Both would make an unreadable or empty test."""
        with pytest.raises(ScriptError, match="needs a name"):
            chats_of(tmp_path, '[[chat]]\n[[chat.turn]]\nsay = "x"\n')
        with pytest.raises(ScriptError, match="has no turns"):
            chats_of(tmp_path, '[[chat]]\nname = "empty"\n')

    def test_a_file_that_is_not_toml_is_refused_by_name(self, tmp_path):
        """A TOML syntax error names the file."""
        with pytest.raises(ScriptError, match="sample.toml"):
            chats_of(tmp_path, "[[chat]\n")
