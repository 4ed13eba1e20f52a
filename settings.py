"""Every setting of the app, with its type and its default, written once.

A setting's name in the environment, in ``.env`` and in ``instance/config.toml`` is its field name in upper
case (``push_lease_seconds`` → ``PUSH_LEASE_SECONDS``). ``app.create_app`` merges the sources (the
environment wins) and builds one ``Settings``; every package reads its values from there, typed.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass


class SettingError(ValueError):
    """A setting whose value cannot be used; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    """The app's settings (see the README's table for what each one does)."""

    database_url: str = ""  # empty: sqlite:///<instance folder>/bot.sqlite3
    line_channel_secret: str = ""
    line_channel_access_token: str = ""
    line_api_host: str = ""  # empty: LINE's own servers
    bot_timezone: str = "Asia/Tokyo"
    secret_key: str = ""  # empty: generated once into the instance folder
    webhook_max_bytes: int = 1_000_000
    # None: the calibrated value in faq/thresholds.toml (see faq.policy.AnswerPolicy).
    match_answer_at: float | None = None
    match_answer_at_short: float | None = None
    match_min_margin: float | None = None
    match_suggest_at: float | None = None
    match_suggest_at_short: float | None = None
    match_short_chars: int | None = None
    match_suggest_ratio: float | None = None
    match_answer_at_high: float | None = None
    match_min_margin_high: float | None = None
    log_level: str = "INFO"
    resident_purge_after_days: int = 30  # residents blocked longer than this are deleted
    # Residents' questions (masked) are kept this long for the staff's unanswered queue, then their text is
    # deleted; the pseudonym that links one resident's questions is dropped sooner (see faq.retention).
    query_log_keep_days: int = 60
    query_log_pseudonym_days: int = 14
    # Push outbox: client-side limits per endpoint (LINE's 2,000/s for push; multicast held to 200/s until
    # LINE's limit after its 2025-04-23 change is confirmed), requests in flight, claim lease, reminder hour.
    # The lease is renewed every third of it while a worker lives, so it only bounds how long a dead worker's
    # claims wait; half of it (15 s) stays above the LINE client's 10 s request timeout.
    push_keep_days: int = 30  # finished deliveries are deleted after this many days
    push_rate_per_second: float = 2000
    push_multicast_rate_per_second: float = 200
    push_send_concurrency: int = 4
    push_lease_seconds: float = 30
    push_reminder_hour: int = 18  # local hour of the evening-before garbage reminders
    push_quiet_hours: str = "21:00-08:00"  # local; no non-emergency push then (empty: off)
    # /readyz: a push worker's heartbeat (written every 5 s) must be younger than this; 0: the deployment runs
    # no worker (nor ``push send-due`` from cron), and readiness does not ask for one.
    worker_heartbeat_max_age_seconds: float = 60
    metrics_token: str = ""  # set: /metrics asks for "Authorization: Bearer <token>"; empty: open (bind it privately)
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto (nginx: 1). 0: the headers are ignored
    # (anyone could send them); the console's per-address login throttle then sees the proxy's address.
    proxy_hops: int = 0
    # A shelter's status (open, crowding) older than this many hours is shown as unconfirmed.
    shelter_status_max_age_hours: float = 3
    # Disaster mode (a 避難指示 or higher in force): everyone's rich menu becomes the one LINE knows by this alias,
    # and the normal one's when it ends (empty: the rich menu is not switched).
    rich_menu_alias_disaster: str = ""
    rich_menu_alias_normal: str = ""
    # JMA's Atom feeds ``jma poll`` reads, separated by spaces (empty: none; JMA's are
    # https://www.data.jma.go.jp/developer/xml/feed/extra.xml and …/eqvol.xml), and how long a fetch may take.
    jma_feeds: str = ""
    jma_timeout_seconds: float = 10
    disaster_notice_approvals: int = 2  # different people (not the creator) who approve a notice before it is issued
    # Webhook inbox: events are stored by the webhook and answered by this many threads per web process
    # (0: in the request itself, right after the events are stored: tests and single-threaded tools).
    inbox_threads: int = 2
    # Under gunicorn (gunicorn.conf.py), answer processes of their own instead: this many, beside the web
    # workers, each with INBOX_THREADS threads, their CPU priority lowered by INBOX_NICE so that accepting
    # webhooks goes first; they look for new events every INBOX_WAKE_SECONDS. 0: web workers answer.
    inbox_processes: int = 2
    inbox_nice: int = 5
    inbox_wake_seconds: float = 0.02
    inbox_lease_seconds: float = 30  # how long a processor's claim on an event lasts before others take it over
    inbox_poll_seconds: float = 2  # how often idle processors look for events left behind (a crash, a busy resident)
    inbox_batch: int = 16  # events a processor claims at once (one per resident), routed and stored together
    inbox_reply_concurrency: int = 8  # replies of one batch in flight at once (each waits on LINE's round trip)
    # A content change (pack reload, FAQ import) is built beside the content in use: an answer waits at most
    # this long for the new matcher or catalog, then is answered from the old one while the build finishes.
    content_swap_wait_seconds: float = 0.2
    reply_window_seconds: float = 50  # a reply token is used only this long after receipt (LINE: one minute)
    reply_fallback_push: bool = True  # an answer whose reply fails goes out as a push through the outbox
    # A reply LINE has not answered within this is given up (and pushed instead): an inbox thread waits no
    # longer on a hung API; other calls keep the client's 10 s.
    line_reply_timeout_seconds: float = 3
    # A resident sending more messages than this in a minute gets one kind notice, then no answers until the
    # minute calms down (a possible emergency is still answered); 0: no limit.
    flood_messages_per_minute: int = 20
    # Where every sending process shares the rate limits above: empty, the database (table rate_limit_slot);
    # or a Redis URL (redis://127.0.0.1:6379/0), one database number per LINE channel.
    rate_limit_redis_url: str = ""
    # Staff console (/admin/): a login ends after this many minutes without a request; its cookie is sent only
    # over HTTPS unless ADMIN_COOKIE_SECURE is false (a console reached over plain HTTP, other than localhost).
    admin_idle_minutes: int = 30
    admin_cookie_secure: bool = True

    @property
    def line_mode(self) -> bool:
        """True when both LINE credentials are set: the bot talks to LINE; otherwise it runs in console mode."""
        return bool(self.line_channel_secret and self.line_channel_access_token)

    def match_overrides(self) -> dict[str, float | int]:
        """The ``MATCH_*`` settings that are set, by threshold name (``answer_at``…)."""
        return {field.name.removeprefix("match_"): value for field in dataclasses.fields(self)
                if field.name.startswith("match_") and (value := getattr(self, field.name)) is not None}

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every setting's name as written in the environment (upper case)."""
        return tuple(field.name.upper() for field in dataclasses.fields(cls))

    @classmethod
    def defaults(cls) -> dict[str, object]:
        """Every setting's default, by its upper-case name."""
        return {field.name.upper(): field.default for field in dataclasses.fields(cls)}

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Settings:
        """Settings from upper-case names (text from the environment is converted); other keys are ignored.

        Raises SettingError naming the setting whose value has the wrong type.
        """
        hints = typing.get_type_hints(cls)
        known = {}
        for field in dataclasses.fields(cls):
            name = field.name.upper()
            if name in values:
                known[field.name] = _convert(name, values[name], hints[field.name])
        return cls(**known)


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def _boolean(name: str, value: object) -> bool:
    """``value`` as a bool: a bool itself, 0 or 1, or a word such as true/false, yes/no, on/off."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingError(f"{name} must be true or false, not {value!r}")


def _convert(name: str, value: object, hint: object) -> object:
    """``value`` as the type ``hint`` names (str, bool, int, float, optionally None when empty)."""
    optional = isinstance(hint, types.UnionType) and type(None) in typing.get_args(hint)
    kind = next(arg for arg in typing.get_args(hint) if arg is not type(None)) if optional else hint
    if optional and (value is None or (isinstance(value, str) and not value.strip())):
        return None
    if kind is str:
        return "" if value is None else str(value)
    if kind is bool:
        return _boolean(name, value)
    if isinstance(value, bool):
        raise SettingError(f"{name} must be a number, not {value!r}")
    try:
        number = float(str(value).strip().replace("_", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise SettingError(f"{name} must be a number, not {value!r}") from None
    if kind is int:
        if not number.is_integer():
            raise SettingError(f"{name} must be a whole number, not {value!r}")
        return int(number)
    return number
