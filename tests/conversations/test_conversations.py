"""Every scripted chat of ``tests/conversations/*.toml``, run as LINE would: signed webhooks into the real app,
the replies sent by the official SDK to the fake LINE API server, and each reply checked there.

One test per chat (and per phrasing). A failure prints the whole transcript, with what went wrong marked.
"""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import NOW
from tests.conversations import script
from tests.conversations.runner import Conversation
from tests.conversations.script import Chat

CHATS = script.load_all()


@pytest.mark.parametrize("chat", CHATS, ids=[chat.id for chat in CHATS])
def test_conversation(chat: Chat, demo_app, demo_clock, line_api):
    """The chat's every turn gets the reply its script expects, and LINE would accept every request."""
    demo_clock.now = NOW
    Conversation(demo_app, demo_clock, line_api, resident_for(chat)).run(chat)


def test_the_suite_has_chats():
    """The data files were found and read (an empty suite would pass silently)."""
    assert len({chat.file for chat in CHATS}) >= 5 and len(CHATS) >= 20


def resident_for(chat: Chat) -> str:
    """A LINE user id of this chat alone, so chats sharing the loaded city never meet."""
    return "U" + hashlib.sha256(chat.id.encode()).hexdigest()[:32]
