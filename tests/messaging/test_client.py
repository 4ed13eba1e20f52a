"""LineClient implementations: the SDK client against the fake LINE API over HTTP, console and fake."""

from __future__ import annotations

import io
import logging
import socket
import uuid

import pytest
from linebot.v3.messaging import MessageAction
from linebot.v3.messaging import PostbackAction
from linebot.v3.messaging import QuickReply
from linebot.v3.messaging import QuickReplyItem
from linebot.v3.messaging import StickerMessage
from linebot.v3.messaging import TextMessage

from messaging import build
from messaging.client import ConsoleLineClient
from messaging.client import QuickReplyChoice
from messaging.client import SdkLineClient
from messaging.errors import BotError
from messaging.errors import LineApiError
from settings import Settings
from tests.fakes import FakeLineClient

# The fake LINE API fixtures (line_server, line_api, sdk_line_client), until conftest imports them.

USER = "U4af4980629aaaaaaaaaaaaaaaaaaaaaaaa"
PUSH = "/v2/bot/message/push"


def key() -> str:
    return str(uuid.uuid4())


def with_choices(text: str, *actions) -> TextMessage:
    return TextMessage(text=text, quick_reply=QuickReply(items=[QuickReplyItem(action=a) for a in actions]))


class TestLineApiError:
    @pytest.mark.parametrize(
        ("status", "retryable"),
        [(None, True), (500, True), (503, True), (429, True), (400, False), (401, False), (403, False)],
    )
    def test_retryable_follows_the_status(self, status, retryable):
        """5xx, 429 and no answer are retryable; other 4xx are not."""
        error = LineApiError(status, "x")

        assert error.retryable is retryable
        assert isinstance(error, BotError)


class TestSdkLineClient:
    def test_reply_sends_the_reply_token_and_messages(self, sdk_line_client, line_api):
        """reply() posts the token and messages, in the shape the spec and LINE's limits allow."""
        sdk_line_client.reply("token-1", [TextMessage(text="燃えるごみは月曜日です。")])

        assert line_api.replies == [("token-1", [{"type": "text", "text": "燃えるごみは月曜日です。"}])]
        assert line_api.violations == []

    def test_push_carries_the_retry_key(self, sdk_line_client, line_api):
        """push() sends the retry key as X-Line-Retry-Key."""
        retry_key = key()

        sdk_line_client.push(USER, [TextMessage(text="明日は資源ごみの日です。")], retry_key=retry_key)

        [request] = line_api.requests
        assert request.headers["X-Line-Retry-Key"] == retry_key
        assert line_api.pushes == [(USER, [{"type": "text", "text": "明日は資源ごみの日です。"}], retry_key)]
        assert line_api.violations == []

    def test_multicast_sends_to_every_user(self, sdk_line_client, line_api):
        """multicast() sends one request to all users with the retry key."""
        retry_key = key()

        sdk_line_client.multicast(
            ["U1", "U2", "U3"], [TextMessage(text="健診のお知らせ")], retry_key=retry_key
        )

        assert line_api.multicasts == [
            (["U1", "U2", "U3"], [{"type": "text", "text": "健診のお知らせ"}], retry_key)
        ]
        assert line_api.violations == []

    def test_prepared_messages_are_sent_as_built(self, sdk_line_client, line_api):
        """Messages prepared once (messaging.build.prepared) reach LINE in the spec's JSON shape, to every user."""
        messages = build.prepared([with_choices("避難所を開設しました。",
                                                PostbackAction(label="避難所", data="a=shelter"))])

        sdk_line_client.multicast(["U1", "U2"], messages, retry_key=key())
        sdk_line_client.push(USER, messages, retry_key=key())

        sent = [messages[0].to_dict()]
        assert [(to, body) for to, body, _key in line_api.multicasts] == [(["U1", "U2"], sent)]
        assert [(to, body) for to, body, _key in line_api.pushes] == [(USER, sent)]
        assert line_api.violations == []

    def test_user_ids_are_escaped_when_they_need_it(self, sdk_line_client, line_api):
        """User ids that are not plain letters and digits still go out as the JSON strings they are."""
        odd = ['U"1', "U\\2", "Uあ3", ""]

        sdk_line_client.multicast(odd, [TextMessage(text="x")], retry_key=key())

        [request] = line_api.requests
        assert request.json["to"] == odd

    def test_a_host_with_a_path_prefixes_every_request(self, line_api):
        """LINE_API_HOST with a path (a proxy's) puts push and multicast requests under that path."""
        with SdkLineClient("dummy", host=line_api.url + "/relay/") as client:
            with pytest.raises(LineApiError):
                client.multicast(["U1"], [TextMessage(text="x")], retry_key=key())

        assert [request.path for request in line_api.requests] == ["/relay/v2/bot/message/multicast"]

    def test_quick_reply_round_trips_through_the_sdk(self, sdk_line_client, line_api):
        """Quick replies built with SDK models reach LINE in the spec's JSON shape."""
        message = with_choices(
            "どれですか？",
            PostbackAction(label="燃えるごみ", data="faq=103", display_text="燃えるごみ"),
            MessageAction(label="やめる", text="やめる"),
        )

        sdk_line_client.reply("token-2", [message])

        [(_token, [sent])] = line_api.replies
        assert [item["action"]["label"] for item in sent["quickReply"]["items"]] == ["燃えるごみ", "やめる"]
        assert line_api.violations == []

    @pytest.mark.parametrize("operation", ["push", "multicast"])
    def test_409_returns_normally_and_logs_the_accepted_request(
        self, sdk_line_client, line_api, caplog, operation
    ):
        """A repeated retry key (409, already accepted) is not an error and is logged with the accepted id."""
        retry_key = key()
        send = getattr(sdk_line_client, operation)
        to = USER if operation == "push" else [USER]
        send(to, [TextMessage(text="お知らせ")], retry_key=retry_key)
        first_request_id = line_api.requests[0].request_id

        with caplog.at_level(logging.INFO, logger="messaging.client"):
            send(to, [TextMessage(text="お知らせ")], retry_key=retry_key)

        assert [r.status for r in line_api.requests] == [200, 409]
        [record] = [r for r in caplog.records if r.getMessage() == f"line.{operation}.already_accepted"]
        assert record.accepted_request_id == first_request_id
        assert line_api.violations == []

    @pytest.mark.parametrize("status", [500, 502, 503, 429])
    def test_server_errors_and_rate_limits_are_retryable(self, sdk_line_client, line_api, status):
        """An injected 5xx or 429 raises a retryable LineApiError with that status."""
        line_api.fail_next(status, path=PUSH)

        with pytest.raises(LineApiError) as caught:
            sdk_line_client.push(USER, [TextMessage(text="x")], retry_key=key())

        assert (caught.value.status, caught.value.retryable) == (status, True)
        assert line_api.pushes == []

    @pytest.mark.parametrize("status", [400, 401, 403])
    def test_other_client_errors_are_not_retryable(self, sdk_line_client, line_api, status):
        """An injected 400, 401 or 403 raises a LineApiError that must not be retried."""
        line_api.fail_next(status)

        with pytest.raises(LineApiError) as caught:
            sdk_line_client.push(USER, [TextMessage(text="x")], retry_key=key())

        assert (caught.value.status, caught.value.retryable) == (status, False)

    def test_rejected_message_carries_lines_details(self, sdk_line_client, line_api):
        """A message LINE rejects raises a non-retryable error whose message names the broken rule."""
        with pytest.raises(LineApiError) as caught:
            sdk_line_client.reply("token-3", [TextMessage(text="あ" * 5001)])

        assert caught.value.status == 400
        assert caught.value.retryable is False
        assert "text-length" in caught.value.message
        assert line_api.violations  # the fake saw the broken rule too

    def test_used_reply_token_is_not_retryable(self, sdk_line_client, line_api):
        """A second reply with the same token raises a non-retryable "Invalid reply token" error."""
        sdk_line_client.reply("token-4", [TextMessage(text="一回目")])

        with pytest.raises(LineApiError, match="Invalid reply token") as caught:
            sdk_line_client.reply("token-4", [TextMessage(text="二回目")])

        assert caught.value.retryable is False

    def test_timeout_is_retryable_with_no_status(self, line_api):
        """An answer slower than the client timeout raises a retryable LineApiError with status None."""
        line_api.delay_next(2.0, path=PUSH)

        with SdkLineClient("dummy", host=line_api.url, timeout=0.2) as client:
            with pytest.raises(LineApiError) as caught:
                client.push(USER, [TextMessage(text="x")], retry_key=key())

        assert (caught.value.status, caught.value.retryable) == (None, True)

    def test_a_timeout_is_logged_as_one(self, line_api, caplog):
        """The log of a call LINE did not answer in time names the timeout, so an operator can tell it from a refusal."""
        line_api.delay_next(2.0, path=PUSH)

        with SdkLineClient("dummy", host=line_api.url, timeout=0.2) as client, caplog.at_level(logging.WARNING):
            with pytest.raises(LineApiError, match="ReadTimeoutError"):
                client.push(USER, [TextMessage(text="x")], retry_key=key())

        assert [r.no_answer for r in caplog.records if r.getMessage() == "line.api.failed"] == ["ReadTimeoutError"]

    def test_a_reply_gives_up_at_the_reply_timeout(self, line_api):
        """A reply slower than the reply timeout fails as "no answer" although the client's own timeout is longer."""
        line_api.delay_next(2.0, path="/v2/bot/message/reply")

        with SdkLineClient("dummy", host=line_api.url, timeout=10.0, reply_timeout=0.2) as client:
            with pytest.raises(LineApiError) as caught:
                client.reply("token-slow", [TextMessage(text="x")])

        assert caught.value.status is None

    def test_the_reply_timeout_does_not_shorten_pushes(self, line_api):
        """A push slower than the reply timeout but within the client's timeout goes through."""
        line_api.delay_next(0.5, path=PUSH)

        with SdkLineClient("dummy", host=line_api.url, timeout=10.0, reply_timeout=0.2) as client:
            client.push(USER, [TextMessage(text="x")], retry_key=key())

        assert len(line_api.pushes) == 1

    def test_timed_out_push_retried_with_the_same_key_is_sent_once(self, line_api):
        """After a timeout, retrying with the same key is accepted (409 → normal) and delivers only once."""
        retry_key = key()
        line_api.delay_next(2.0, path=PUSH)
        with SdkLineClient("dummy", host=line_api.url, timeout=0.2) as client:
            with pytest.raises(LineApiError):
                client.push(USER, [TextMessage(text="x")], retry_key=retry_key)

            client.push(USER, [TextMessage(text="x")], retry_key=retry_key)

        assert len(line_api.pushes) == 1

    def test_refused_connection_is_retryable_with_no_status(self):
        """A host that refuses connections raises a retryable LineApiError with status None."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]

        with SdkLineClient("dummy", host=f"http://127.0.0.1:{port}", timeout=1.0) as client:
            with pytest.raises(LineApiError) as caught:
                client.push(USER, [TextMessage(text="x")], retry_key=key())

        assert (caught.value.status, caught.value.retryable) == (None, True)

    def test_a_refused_connection_is_named_by_its_cause(self):
        """A refused connection reads as one, not as the retry wrapper urllib3 raises around it."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]

        with SdkLineClient("dummy", host=f"http://127.0.0.1:{port}", timeout=1.0) as client:
            with pytest.raises(LineApiError, match=r"\(NewConnectionError\)"):
                client.push(USER, [TextMessage(text="x")], retry_key=key())

    def test_quota_and_consumption(self, sdk_line_client, line_api):
        """get_quota() returns the limit and get_quota_consumption() counts pushed recipients."""
        sdk_line_client.push(USER, [TextMessage(text="x")], retry_key=key())
        sdk_line_client.multicast(["U1", "U2"], [TextMessage(text="x")], retry_key=key())

        assert sdk_line_client.get_quota() == 1000
        assert sdk_line_client.get_quota_consumption() == 3
        assert line_api.violations == []

    def test_unlimited_quota_is_none(self, sdk_line_client, line_api):
        """A channel without a target limit has quota None."""
        line_api.quota = None

        assert sdk_line_client.get_quota() is None

    def test_logs_name_events_but_never_text_or_user_ids(self, sdk_line_client, line_api, caplog):
        """Log records are events with ids and counts, without message text or user ids."""
        with caplog.at_level(logging.DEBUG, logger="messaging"):
            sdk_line_client.reply("token-5", [TextMessage(text="秘密の相談")])
            sdk_line_client.push(USER, [TextMessage(text="秘密の相談")], retry_key=key())
            line_api.fail_next(500)
            with pytest.raises(LineApiError):
                sdk_line_client.push(USER, [TextMessage(text="秘密の相談")], retry_key=key())

        assert [r.getMessage() for r in caplog.records] == [
            "line.reply.sent",
            "line.push.sent",
            "line.api.failed",
        ]
        dumped = " ".join(str(vars(r)) for r in caplog.records)
        assert "秘密" not in dumped
        assert USER not in dumped

    def test_from_settings_reads_token_and_host(self, line_api):
        """from_settings() uses LINE_CHANNEL_ACCESS_TOKEN and LINE_API_HOST."""
        settings = Settings(line_channel_access_token="token-from-config", line_api_host=line_api.url + "/")

        with SdkLineClient.from_settings(settings) as client:
            client.reply("token-6", [TextMessage(text="x")])

        assert line_api.requests[0].headers["Authorization"] == "Bearer token-from-config"
        assert line_api.violations == []

    def test_from_settings_reads_the_reply_timeout(self, line_api):
        """LINE_REPLY_TIMEOUT_SECONDS becomes the client's reply timeout."""
        settings = Settings(line_channel_access_token="t", line_api_host=line_api.url, line_reply_timeout_seconds=0.2)
        line_api.delay_next(2.0, path="/v2/bot/message/reply")

        with SdkLineClient.from_settings(settings) as client, pytest.raises(LineApiError):
            client.reply("token-7", [TextMessage(text="x")])

    def test_from_settings_without_host_uses_lines_own(self):
        """An empty LINE_API_HOST leaves the SDK's default LINE host."""
        with SdkLineClient.from_settings(Settings(line_channel_access_token="t", line_api_host="")) as client:
            assert client._api_client.configuration.host is None

    def test_from_settings_without_token_fails(self):
        """from_settings() without an access token raises instead of sending unauthenticated calls."""
        with pytest.raises(ValueError, match="LINE_CHANNEL_ACCESS_TOKEN"):
            SdkLineClient.from_settings(Settings(line_api_host="http://127.0.0.1:1"))


class TestConsoleLineClient:
    def test_prints_text_and_numbered_choices(self):
        """A reply prints its text and its quick-reply labels as a numbered list."""
        out = io.StringIO()
        console = ConsoleLineClient(out)

        console.reply(
            "token",
            [
                with_choices(
                    "どれですか？",
                    MessageAction(label="燃えるごみ", text="燃えるごみ"),
                    MessageAction(label="やめる", text="やめる"),
                )
            ],
        )

        assert out.getvalue() == "どれですか？\n  [1] 燃えるごみ\n  [2] やめる\n"

    def test_keeps_the_last_choices_with_their_actions(self):
        """last_choices keeps each label with its postback or message action, for picking by number."""
        postback = PostbackAction(label="子育て", data="category=kosodate", display_text="子育て")
        message = MessageAction(label="やめる", text="やめる")
        console = ConsoleLineClient(io.StringIO())

        console.reply("token", [with_choices("選んでください", postback, message)])

        assert console.last_choices == [
            QuickReplyChoice("子育て", postback),
            QuickReplyChoice("やめる", message),
        ]
        assert console.last_choices[0].action.data == "category=kosodate"

    def test_only_the_last_messages_choices_count(self):
        """As in LINE, only the last message's quick reply is shown; without one the choices are cleared."""
        out = io.StringIO()
        console = ConsoleLineClient(out)

        console.reply(
            "t1",
            [with_choices("一つ目", MessageAction(label="はい", text="はい")), TextMessage(text="二つ目")],
        )

        assert console.last_choices == []
        assert "[1]" not in out.getvalue()

    def test_push_and_multicast_print_a_header(self):
        """Pushes and multicasts print under a header that says how they were sent."""
        out = io.StringIO()
        console = ConsoleLineClient(out)

        console.push(USER, [TextMessage(text="明日は燃えるごみの日です。")], retry_key=key())
        console.multicast(["U1", "U2"], [TextMessage(text="健診のお知らせ")], retry_key=key())

        assert (
            out.getvalue() == "[push]\n明日は燃えるごみの日です。\n[multicast to 2 users]\n健診のお知らせ\n"
        )

    def test_other_messages_print_a_one_line_summary(self):
        """A non-text message prints one line naming its type."""
        out = io.StringIO()

        ConsoleLineClient(out).reply("t", [StickerMessage(package_id="446", sticker_id="1988")])

        assert out.getvalue() == "[sticker]\n"

    def test_writes_to_the_current_stdout_by_default(self, capsys):
        """Without a stream it prints to sys.stdout as it is at call time."""
        ConsoleLineClient().reply("t", [TextMessage(text="こんにちは")])

        assert capsys.readouterr().out == "こんにちは\n"


class TestFakeLineClient:
    def test_records_replies_pushes_and_multicasts(self):
        """The fake records each call with its messages and retry key."""
        fake = FakeLineClient()
        message = TextMessage(text="x")

        fake.reply("t", [message])
        fake.push(USER, [message], retry_key="11111111-1111-1111-1111-111111111111")
        fake.multicast(["U1"], [message], retry_key="22222222-2222-2222-2222-222222222222")

        assert fake.replies == [("t", [message])]
        assert fake.pushes == [(USER, [message], "11111111-1111-1111-1111-111111111111")]
        assert fake.multicasts == [(["U1"], [message], "22222222-2222-2222-2222-222222222222")]
        assert fake.violations == []

    def test_fail_with_raises_for_the_next_calls_only(self):
        """fail_with(error, times=2) makes the next two calls raise, then calls succeed again."""
        fake = FakeLineClient()
        fake.fail_with(LineApiError(503, "busy"), times=2)

        for _ in range(2):
            with pytest.raises(LineApiError):
                fake.push(USER, [TextMessage(text="x")], retry_key=key())
        fake.push(USER, [TextMessage(text="x")], retry_key=key())

        assert len(fake.pushes) == 1

    def test_behaves_like_line_for_tokens_and_retry_keys(self):
        """A reused reply token raises 400 and a repeated retry key is not sent twice."""
        fake = FakeLineClient()
        retry_key = key()
        fake.reply("t", [TextMessage(text="x")])
        fake.push(USER, [TextMessage(text="x")], retry_key=retry_key)
        fake.push(USER, [TextMessage(text="x")], retry_key=retry_key)

        with pytest.raises(LineApiError) as caught:
            fake.reply("t", [TextMessage(text="x")])

        assert (caught.value.status, caught.value.retryable) == (400, False)
        assert len(fake.pushes) == 1

    def test_checks_the_same_limits_as_the_fake_server(self):
        """A 21-character quick-reply label is recorded as a violation."""
        fake = FakeLineClient()

        fake.reply("t", [with_choices("x", MessageAction(label="あ" * 21, text="x"))])

        assert [v.split(" at ")[0] for v in fake.violations] == ["reply: quick-reply-label"]
