"""Fixtures: a migrated database (SQLite, or TEST_DATABASE_URL), the app wired to a fake LINE API
server over HTTP, a client that posts signed webhooks, and small FAQ data."""

from __future__ import annotations

import gc
import os
from datetime import UTC
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from sqlalchemy.orm import Session

import db
import schema
from app import create_app
from db import MIGRATIONS
from faq import store
from faq.importers import FaqRecord
from tests import chat
from tests import factories

pytest_plugins = ["tests.line_api_fixtures", "tests.log_scan"]  # line_server, line_api, sdk_line_client; the log scan

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 12:00 in Japan, a Friday


@pytest.fixture(autouse=True)
def thawed():
    """The test process's collector as it was after each test: what a test froze (warming, ``ask --jsonl``, a
    rebuild) is given back and the collection threshold restored, so frozen garbage cannot pile up."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def _alembic(url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The test database, emptied and migrated to the latest revision once per run."""
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    engine = db.make_engine(url)
    with engine.begin() as connection:
        schema.metadata.drop_all(connection)
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    alembic_command.upgrade(_alembic(url), "head")
    return url


def line_config(database_url: str, line_api_url: str) -> dict:
    """The test app's settings in LINE mode: this database, the fake LINE server, the test channel."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "LINE_CHANNEL_SECRET": factories.CHANNEL_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": "test-access-token",
        "LINE_API_HOST": line_api_url,
        "INBOX_THREADS": 0,  # events are answered in the request, right after they are stored
        "CONTENT_SWAP_WAIT_SECONDS": 60,  # an answer after a content change sees it (tests/content tries 0)
    }


@pytest.fixture
def app(database_url, line_api):
    """The app in LINE mode, talking to the fake LINE server, at a fixed time; tables emptied afterwards."""
    app = create_app(
        line_config(database_url, line_api.url),
        clock=lambda: NOW,
    )
    yield app
    empty_and_close(app)


def empty_and_close(app) -> None:
    """Delete every row ``app`` wrote, then close its connections (after a test)."""
    factory = db.session_factory(app)
    with factory.begin() as session:
        for table in reversed(db.Base.metadata.sorted_tables):
            session.execute(table.delete())
    factory.kw["bind"].dispose()


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


@pytest.fixture
def post_webhook(client):
    """Post a webhook body to /callback, signed with the channel secret unless a signature is given."""

    def post(raw: str | bytes, signature: str | None = None, **headers):
        if signature is None:
            signature = factories.sign(raw)
        return client.post("/callback", data=raw, content_type="application/json",
                           headers={"X-Line-Signature": signature, **headers})

    return post


@pytest.fixture(scope="session")
def observer_engine(database_url):
    """An engine for the tests' own reads, outside the app.

    On SQLite it uses the driver's default transactions, in which every SELECT sees the latest commit and
    holds no lock, so a test can look at the database between two app transactions.
    """
    engine = sa.create_engine(database_url) if database_url.startswith("sqlite") else db.make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(app, observer_engine):
    """A session for reading what the app stored; it never blocks the app's writers."""
    with Session(observer_engine) as session:
        yield session


SAMPLE_FAQ = [
    FaqRecord("101", "住民票の写しを取りたい。", "住民票の写しは市民課の窓口で取得できます。本人確認書類をお持ちください。",
              category="住民票・戸籍", aliases=("住民票ほしい",), url="https://www.city.kamome.example/juminhyo/",
              department="市民課", phone="0123-45-6701"),
    FaqRecord("102", "転入の手続きについて教えてください。", "転入届は、引っ越してから14日以内に市民課へ提出してください。",
              category="住民票・戸籍", aliases=("引っ越してきた",), department="市民課", phone="0123-45-6701"),
    FaqRecord("103", "粗大ごみの出し方を教えてください。", "粗大ごみは事前申込制です。環境課へお申し込みください。",
              category="ごみ", department="環境課", phone="0123-45-6702"),
    FaqRecord("104", "粗大ごみの手数料はいくらですか。", "粗大ごみの手数料は、品目により1点200円から1,000円です。",
              category="ごみ", department="環境課", phone="0123-45-6702"),
]


@pytest.fixture
def faq(app):
    """A few FAQ entries and the demo city's contact details, saved through the real store."""
    with db.transaction(app) as session:
        chat.municipality(session)
        store.save_records(session, SAMPLE_FAQ)
    return SAMPLE_FAQ
