"""Pytest fixtures for the fake LINE Messaging API and an SDK client that talks to it over HTTP.

Import them into a conftest or a test module: ``from tests.line_api_fixtures import line_api``, etc.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from messaging.client import SdkLineClient
from tests.fake_line_server import FakeLineApi

# The client's own default: a test that needs a timeout makes its own client. With 2 s, a push the fake answered
# in time once failed as "no answer" on a loaded CI machine (the fake shares the test process and its pauses).
CLIENT_TIMEOUT = 10.0


@pytest.fixture(scope="session")
def line_server() -> Iterator[FakeLineApi]:
    """One fake LINE Messaging API server on 127.0.0.1 for the whole run."""
    with FakeLineApi() as server:
        yield server


@pytest.fixture
def line_api(line_server: FakeLineApi) -> FakeLineApi:
    """The fake LINE API, cleared for this test."""
    line_server.reset()
    return line_server


@pytest.fixture
def sdk_line_client(line_api: FakeLineApi) -> Iterator[SdkLineClient]:
    """An SdkLineClient talking to the fake LINE API over HTTP, closed after the test."""
    with SdkLineClient("dummy-channel-access-token", host=line_api.url, timeout=CLIENT_TIMEOUT) as client:
        yield client
