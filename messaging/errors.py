"""Errors raised when talking to LINE.

The tree::

    * BotError
      + LineApiError   - LINE answered with an error status, or could not be reached

A 409 Conflict on push or multicast is not an error: LINE already accepted a request with the same
``X-Line-Retry-Key``, so the client returns normally.
"""

from __future__ import annotations


class BotError(Exception):
    """Base class for errors of the LINE adapter."""


class LineApiError(BotError):
    """A Messaging API call failed; ``retryable`` says whether the same request may be sent again.

    ``status`` is None when no HTTP answer arrived (timeout, refused or dropped connection).
    5xx, 429 and no answer are retryable; any other 4xx is not, because sending it again fails again.
    When ``retryable`` is not given it is derived from ``status``. ``retry_after`` holds the seconds of a
    ``Retry-After`` header, when LINE sent one.
    """

    def __init__(
        self,
        status: int | None,
        message: str,
        retryable: bool | None = None,
        accepted_request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"LINE API {status if status is not None else 'unreachable'}: {message}")
        self.status = status
        self.message = message
        self.retryable = is_retryable_status(status) if retryable is None else retryable
        self.accepted_request_id = accepted_request_id
        self.retry_after = retry_after


def is_retryable_status(status: int | None) -> bool:
    """Whether a request that got ``status`` (None: no answer) may be retried with the same retry key."""
    return status is None or status == 429 or status >= 500
