"""Builders for LINE webhook bodies and signatures, shaped like the SDK's own sample payloads."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json

CHANNEL_SECRET = "test-channel-secret"
USER_ID = "U" + "1" * 32
_ids = itertools.count(1)


def event_id() -> str:
    """A fresh ULID-shaped webhookEventId."""
    return f"01TESTEVENT{next(_ids):015d}"


def _common(user_id: str, mode: str = "active", reply: bool = True) -> dict:
    event = {
        "mode": mode,
        "timestamp": 1_700_000_000_000,
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": event_id(),
        "deliveryContext": {"isRedelivery": False},
    }
    if reply:
        event["replyToken"] = f"reply-{event['webhookEventId']}"
    return event


def text_event(text: str, *, user_id: str = USER_ID, mode: str = "active") -> dict:
    """A text message event from a resident."""
    return {**_common(user_id, mode), "type": "message",
            "message": {"type": "text", "id": str(next(_ids)), "quoteToken": "q", "text": text}}


def location_event(*, user_id: str = USER_ID, lat: float = 42.82, lon: float = 141.65) -> dict:
    """A location message event."""
    return {**_common(user_id), "type": "message",
            "message": {"type": "location", "id": str(next(_ids)), "title": "現在地", "address": "北海道",
                        "latitude": lat, "longitude": lon}}


def sticker_event(*, user_id: str = USER_ID) -> dict:
    """A sticker message event."""
    return {**_common(user_id), "type": "message",
            "message": {"type": "sticker", "id": str(next(_ids)), "quoteToken": "q", "packageId": "1",
                        "stickerId": "1", "stickerResourceType": "STATIC"}}


def follow_event(*, user_id: str = USER_ID, unblocked: bool = False) -> dict:
    """A follow event (added as a friend, or unblocked)."""
    return {**_common(user_id), "type": "follow", "follow": {"isUnblocked": unblocked}}


def unfollow_event(*, user_id: str = USER_ID) -> dict:
    """An unfollow event (the resident blocked the account); it carries no reply token."""
    return {**_common(user_id, reply=False), "type": "unfollow"}


def postback_event(data: str, *, user_id: str = USER_ID) -> dict:
    """A postback event from one of our buttons."""
    return {**_common(user_id), "type": "postback", "postback": {"data": data}}


SENT_USER_IDS: set[str] = set()  # every resident a webhook of this run came from (tests/log_scan.py)
SENT_TEXTS: set[str] = set()  # every Japanese text residents sent in this run


def body(*events: dict, destination: str = "U" + "f" * 32) -> str:
    """A webhook body holding ``events``; their user ids and texts are noted for the log scan."""
    for event in events:
        if user_id := (event.get("source") or {}).get("userId"):
            SENT_USER_IDS.add(user_id)
        text = (event.get("message") or {}).get("text")
        if isinstance(text, str) and len(text) >= 4 and not text.isascii():
            SENT_TEXTS.add(text)
    return json.dumps({"destination": destination, "events": list(events)}, ensure_ascii=False)


def sign(raw: str | bytes, secret: str = CHANNEL_SECRET) -> str:
    """The X-Line-Signature LINE computes: base64 of HMAC-SHA256 of the raw body with the channel secret."""
    data = raw.encode() if isinstance(raw, str) else raw
    return base64.b64encode(hmac.new(secret.encode(), data, hashlib.sha256).digest()).decode()
