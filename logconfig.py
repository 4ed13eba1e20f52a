"""Logging set-up: one line per event, with the event's fields as ``key=value`` after its name."""

from __future__ import annotations

import logging

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class KeyValueFormatter(logging.Formatter):
    """Appends the ``extra={...}`` fields of a record, so ``log.info("query.answered", extra=…)`` is readable."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}
        if fields:
            line += " " + " ".join(f"{key}={value}" for key, value in fields.items())
        return line


def configure(level: str) -> None:
    """Send records of ``level`` and above to stderr through the key=value formatter (once per process)."""
    root = logging.getLogger()
    root.setLevel(level)
    if any(isinstance(h.formatter, KeyValueFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(KeyValueFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
