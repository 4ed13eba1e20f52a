"""The console's fixtures: the app at a time tests can move, accounts of each role, a logged-in client."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

import db
from admin import accounts
from admin.models import Role
from app import create_app
from tests.conftest import NOW
from tests.conftest import empty_and_close
from tests.conftest import line_config

PASSWORD = "correct horse battery"  # long enough, and contains no account's name
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Clock:
    """The app's clock: NOW until a test moves it."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(database_url, line_api, clock):
    """The app in LINE mode at the ``clock``'s time; tables emptied afterwards."""
    app = create_app(line_config(database_url, line_api.url), clock=clock)
    yield app
    empty_and_close(app)


def make_user(app, name: str, role: Role, password: str = PASSWORD) -> int:
    """Create an account (as the command line would); returns its id."""
    with app.app_context(), db.transaction(app) as session:
        user = accounts.create(session, name, role, password, now=NOW, actor="(test)")
        session.flush()
        return user.id


def csrf_token(client, path: str = "/admin/login") -> str:
    """The CSRF token of the client's session, read from a console page's form."""
    page = client.get(path)
    found = TOKEN.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {path} ({page.status_code})"
    return found.group(1)


def log_in(client, name: str, password: str = PASSWORD, **query):
    """Post the login form (with its CSRF token); returns the response."""
    token = csrf_token(client)
    return client.post("/admin/login", query_string=query,
                       data={"csrf_token": token, "name": name, "password": password})


@pytest.fixture
def users(app) -> dict[Role, int]:
    """One account of each role, named after it; their ids by role."""
    return {role: make_user(app, f"{role.value}1", role) for role in Role}


@pytest.fixture
def signed_in(app, users):
    """A client logged in as each role: ``signed_in(Role.EDITOR)``."""

    def client_for(role: Role):
        client = app.test_client()
        assert log_in(client, f"{role.value}1").status_code == 302
        return client

    return client_for
