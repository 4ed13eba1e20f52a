"""A pytest plugin that keeps every log line the suite writes and fails the run if one holds a secret, a
resident's LINE user id or a text a resident sent (logs carry pseudonyms and outcomes, never those)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pytest

from logconfig import KeyValueFormatter
from tests import factories

SECRETS = (factories.CHANNEL_SECRET, "test-access-token", "test-secret-key", "dummy-channel-access-token")


class KeepEverything(logging.Handler):
    """Keeps each record as the production formatter writes it (message and extra fields)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self._format = KeyValueFormatter("%(levelname)s %(name)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self._format.format(record))
        except Exception:  # a record that cannot be formatted is the test's business, not the scan's
            self.lines.append(f"{record.name} {record.msg!r}")


def leaks(lines: Iterable[str], secrets: Iterable[str], user_ids: Iterable[str], texts: Iterable[str]
          ) -> list[tuple[str, str]]:
    """(what leaked, the line) for each line holding a secret, a user id or a resident's text."""
    needles = [("secret", s) for s in secrets] + [("user id", u) for u in user_ids] + [("text", t) for t in texts]
    return [(f"{kind} {needle!r}", line) for line in lines for kind, needle in needles if needle in line]


HANDLER = KeepEverything()


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger().addHandler(HANDLER)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    found = leaks(HANDLER.lines, SECRETS, factories.SENT_USER_IDS, factories.SENT_TEXTS)
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"LOG SCAN: {len(found)} log lines hold what logs must never hold:", red=True)
            for what, line in found[:20]:
                reporter.write_line(f"  {what}: {line[:200]}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
