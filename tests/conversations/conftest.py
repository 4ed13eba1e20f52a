"""Fixtures of the conversation suite: the app with the demo pack loaded once for the module, and its clock."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

import db
from app import create_app
from city import pack as packs
from tests.conftest import NOW
from tests.conftest import empty_and_close
from tests.conftest import line_config

DEMO = Path(__file__).resolve().parents[2] / "packs" / "demo"


class Clock:
    """The app's clock, which a chat may set (``clock = …`` turns); each chat starts at the suite's NOW."""

    def __init__(self) -> None:
        self.now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def demo_clock() -> Clock:
    """The clock the demo app reads."""
    return Clock()


@pytest.fixture(scope="module")
def demo_app(database_url, line_server, demo_clock):
    """The app in LINE mode with the demo city かもめ市 loaded (FAQ, synonyms, garbage), talking to the fake
    LINE server. Loaded once for all chats: each chat is a new resident, so they do not meet; the tables
    are emptied afterwards, as the per-test app fixture does."""
    app = create_app(line_config(database_url, line_server.url), clock=demo_clock)
    with db.transaction(app) as session:
        packs.load_pack(session, DEMO)
    yield app
    empty_and_close(app)
