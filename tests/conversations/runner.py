"""Playing a scripted chat (``script.Chat``) as LINE would: a signed webhook per turn into the app, the reply
read back from the fake LINE API server and checked, and the transcript kept for a failure message."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime

import pytest

import runtime
from tests import factories
from tests.conversations.script import Chat
from tests.conversations.script import Expect
from tests.conversations.script import Turn


class Conversation:
    """One resident talking to the app through signed webhooks; keeps the transcript and the buttons shown."""

    def __init__(self, app, clock, line_api, user_id: str) -> None:
        self.client, self.clock, self.line_api, self.user_id = app.test_client(), clock, line_api, user_id
        self.timezone = runtime.of(app).timezone
        self.transcript: list[str] = []
        self.failed = False
        self.buttons: list[dict] = []  # the quick-reply actions of the last reply

    def run(self, chat: Chat) -> None:
        """Play every turn; fail at the end with the whole transcript if any expectation was not met."""
        self.transcript.append(f"chat {chat.id} (resident {self.user_id})" +
                               (f", phrasing {chat.phrasing}" if chat.phrasing else ""))
        for number, turn in enumerate(chat.turns, start=1):
            if not self.play(number, turn):
                self.transcript.append("   (the chat stops here: the turn could not be played)")
                break
        if self.failed:
            pytest.fail("\n".join(self.transcript), pytrace=False)

    def play(self, number: int, turn: Turn) -> bool:
        """One turn: send it, record the reply, check it. False when it could not be sent at all."""
        shown = f"{turn.action} {turn.value}" if turn.value is not True else turn.action
        self.transcript.append(f"{number:>2} > {shown}" + (f"   # {turn.note}" if turn.note else ""))
        if turn.action == "clock":
            moment = datetime.fromisoformat(turn.value)
            self.clock.now = (moment if moment.tzinfo else moment.replace(tzinfo=self.timezone)).astimezone(UTC)
            return True
        event = self.event(turn)
        if event is None:
            return False
        before = len(self.line_api.replies)
        violations = len(self.line_api.violations)
        response = self.client.post("/callback", data=(raw := factories.body(event)), content_type="application/json",
                                    headers={"X-Line-Signature": factories.sign(raw)})
        messages = [message for _token, sent in self.line_api.replies[before:] for message in sent]
        self.record(messages)
        if turn.action != "unfollow":
            self.buttons = [item["action"] for item in (messages[-1].get("quickReply") or {}).get("items", [])] \
                if messages else []
        problems = check(turn.expect, messages)
        if response.status_code != 200:
            problems.append(f"the webhook answered {response.status_code}")
        problems += [f"LINE would refuse: {v}" for v in self.line_api.violations[violations:]]
        for problem in problems:
            self.transcript.append(f"   ✗ {problem}")
        self.failed = self.failed or bool(problems)
        return True

    def event(self, turn: Turn) -> dict | None:
        """The webhook event for a turn; None (with the reason in the transcript) for a button not shown."""
        user = self.user_id
        if turn.action == "follow":
            return factories.follow_event(user_id=user, unblocked=turn.unblocked)
        if turn.action == "unfollow":
            return factories.unfollow_event(user_id=user)
        if turn.action == "say":
            return factories.text_event(turn.value, user_id=user)
        if turn.action == "sticker":
            return factories.sticker_event(user_id=user)
        if turn.action == "location":
            return factories.location_event(user_id=user)
        action = self.button(turn.value)
        if action is None:
            labels = " | ".join(a.get("label", "") for a in self.buttons) or "none"
            self.transcript.append(f"   ✗ no button {turn.value!r} in the last reply (buttons: {labels})")
            self.failed = True
            return None
        if action["type"] == "message":
            return factories.text_event(action["text"], user_id=user)
        event = factories.postback_event(action["data"], user_id=user)
        if action["type"] == "datetimepicker":
            event["postback"]["params"] = {"date": turn.date or action.get("initial")}
        return event

    def button(self, label: str) -> dict | None:
        """The last reply's button with this label (see ``shows``)."""
        return next((action for action in self.buttons if shows(action.get("label", ""), label)), None)

    def record(self, messages: list[dict]) -> None:
        """The reply in the transcript, as the resident sees it."""
        if not messages:
            self.transcript.append("   < (no reply)")
        for message in messages:
            text = message.get("text", f"({message['type']})")
            lines = text.splitlines() or [""]
            self.transcript += [f"   < {lines[0]}"] + [f"     {line}" for line in lines[1:]]
            items = (message.get("quickReply") or {}).get("items", [])
            if items:
                self.transcript.append("     [" + " | ".join(item["action"].get("label", "") for item in items) + "]")


def check(expect: Expect, messages: list[dict]) -> list[str]:
    """What the reply fails of the expectations, one line each (empty when it meets them all)."""
    texts = [message.get("text", "") for message in messages]
    whole = "\n".join(texts)
    labels = [item["action"].get("label", "") for item in (messages[-1].get("quickReply") or {}).get("items", [])] \
        if messages else []
    problems = []
    if expect.no_reply and messages:
        problems.append(f"expected no reply, got {len(messages)} message(s)")
    if not expect.no_reply and not messages:
        problems.append("expected a reply, got none")
    problems += [f"first message lacks {text!r}" for text in expect.first if not texts or text not in texts[0]]
    problems += [f"reply lacks {text!r}" for text in expect.contains if text not in whole]
    problems += [f"reply should not contain {text!r}" for text in expect.lacks if text in whole]
    if expect.messages is not None and len(messages) != expect.messages:
        problems.append(f"expected {expect.messages} message(s), got {len(messages)}")
    problems += [f"no button {label!r} (buttons: {json.dumps(labels, ensure_ascii=False)})"
                 for label in expect.buttons if not any(shows(shown, label) for shown in labels)]
    if expect.no_buttons and labels:
        problems.append(f"expected no buttons, got {json.dumps(labels, ensure_ascii=False)}")
    return problems


def shows(shown: str, label: str) -> bool:
    """True when a button labelled ``shown`` is the one named ``label``: the same text, or ``label`` cut to
    LINE's 20 characters with 「…」 (a script may name a button by the whole question it offers)."""
    return shown == label or (shown.endswith("…") and len(shown) > 1 and label.startswith(shown[:-1]))
