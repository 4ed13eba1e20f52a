"""The console's pages: a login for every page but the login page, the role each page needs (route by route),
CSRF on every write, the session cookie's rules, the idle timeout, accounts managed from the console."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

import db
from admin import accounts
from admin import auth
from admin import texts
from admin.models import AuditEntry
from admin.models import LoginFailure
from admin.models import Role
from admin.models import StaffUser
from app import create_app
from tests.admin.conftest import PASSWORD
from tests.admin.conftest import csrf_token
from tests.admin.conftest import log_in
from tests.admin.conftest import make_user
from tests.conftest import NOW
from tests.conftest import empty_and_close
from tests.conftest import line_config


def console_routes(app) -> list[tuple[str, str, str]]:
    """Every console endpoint but the login page and static files: (endpoint, method, a URL for it)."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or rule.endpoint in auth.OPEN_ENDPOINTS:
            continue
        url = re.sub(r"<[^>]+>", "1", rule.rule)
        routes += [(rule.endpoint, method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def page(response) -> str:
    return response.get_data(as_text=True)


def test_the_console_has_pages_that_need_each_role(app):
    """The route-by-route tests below cover pages of every role (a guard against testing nothing)."""
    roles = {auth.required_role(app.view_functions[endpoint]) for endpoint, _method, _url in console_routes(app)}
    assert roles == {Role.EDITOR, Role.APPROVER, Role.ADMIN}


def test_every_console_view_says_which_role_it_needs(app):
    """A view without ``auth.requires`` would be refused to everyone; none is left without one."""
    missing = [endpoint for endpoint, _m, _u in console_routes(app)
               if auth.required_role(app.view_functions[endpoint]) is None]
    assert missing == []


def test_every_console_page_but_the_login_page_sends_a_stranger_to_log_in(app, users):
    """Without a login, every console URL (with a valid CSRF token for writes) redirects to the login page."""
    client = app.test_client()
    token = csrf_token(client)
    for endpoint, method, url in console_routes(app):
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (endpoint, method)
        assert response.headers["Location"].startswith("/admin/login"), (endpoint, method)


@pytest.mark.parametrize("role", list(Role))
def test_each_console_route_is_refused_to_a_role_below_the_one_it_needs(app, users, signed_in, role):
    """Route by route: 403 when the role is below the one the view needs, never 403 otherwise."""
    client = signed_in(role)
    token = csrf_token(client, "/admin/")
    for endpoint, method, url in console_routes(app):
        if endpoint == "admin.logout":
            continue  # it would end this client's login; every role may log out (tested below)
        needed = auth.required_role(app.view_functions[endpoint])
        response = client.open(url, method=method, data={"csrf_token": token})
        assert (response.status_code == 403) == (not role.allows(needed)), (role, endpoint, method,
                                                                              response.status_code)
        if response.status_code == 403:
            assert texts.FORBIDDEN in page(response)


def test_a_write_without_its_csrf_token_is_refused_and_changes_nothing(app, users, signed_in):
    """A form posted without the token gets 400 and a plain explanation; no account is made."""
    client = signed_in(Role.ADMIN)
    response = client.post("/admin/users", data={"name": "tanaka", "role": "editor", "password": PASSWORD})
    assert response.status_code == 400
    assert texts.FORM_EXPIRED in page(response)
    with db.read_transaction(app) as session:
        assert accounts.by_name(session, "tanaka") is None


def test_the_login_page_refuses_a_post_without_its_csrf_token(app, users):
    """Even the login form needs its token (a login CSRF would sign a victim into the attacker's account)."""
    response = app.test_client().post("/admin/login", data={"name": "editor1", "password": PASSWORD})
    assert response.status_code == 400


def test_the_console_cookie_is_http_only_secure_same_site_and_kept_to_the_console(app, users):
    """The session cookie is HttpOnly, Secure, SameSite=Lax and sent only to /admin."""
    response = log_in(app.test_client(), "editor1")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("machi_console=")
    for part in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/admin"):
        assert part in cookie


def test_a_wrong_password_gets_a_message_that_does_not_say_which_part_was_wrong(app, users):
    """401 and the same message for a wrong password as for an unknown name."""
    client = app.test_client()
    wrong, unknown = log_in(client, "editor1", "wrong password here"), log_in(client, "nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert texts.LOGIN_FAILED in page(wrong) and texts.LOGIN_FAILED in page(unknown)


def test_a_throttled_login_is_told_to_wait(app, users):
    """After too many failures the page says so, with 429, even for the right password."""
    client = app.test_client()
    for _ in range(accounts.ACCOUNT_FAILURES):
        log_in(client, "editor1", "wrong password here")
    response = log_in(client, "editor1")
    assert response.status_code == 429
    assert texts.LOGIN_THROTTLED in page(response)


@pytest.mark.parametrize(("hops", "seen"), [(0, "127.0.0.1"), (1, "198.51.100.7")])
def test_the_login_throttle_sees_the_forwarded_address_only_behind_a_configured_proxy(database_url, line_api, hops,
                                                                                    seen):
    """With PROXY_HOPS=1 (nginx in front) a failure counts against X-Forwarded-For's address, so staff behind one
    proxy are not throttled together; without it the header is ignored (anyone could send it)."""
    app = create_app({**line_config(database_url, line_api.url), "PROXY_HOPS": hops}, clock=lambda: NOW)
    try:
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
        log_in(client, "nobody", "wrong password here")
        with db.read_transaction(app) as session:
            assert session.scalars(sa.select(LoginFailure.address)).all() == [seen]
    finally:
        empty_and_close(app)


def test_after_logging_in_the_page_asked_for_is_shown(app, users):
    """A console page asked for before the login is where the login leads."""
    client = app.test_client()
    login_page = client.get("/admin/users?sort=name").headers["Location"]
    response = client.post(login_page, data={"csrf_token": csrf_token(client), "name": "admin1", "password": PASSWORD})
    assert response.headers["Location"] == "/admin/users?sort=name"


@pytest.mark.parametrize("target", ["https://evil.example/admin/", "//evil.example/admin/", "/callback",
                                    "/admin\\..\\x", "javascript:alert(1)"])
def test_after_logging_in_a_page_outside_the_console_is_not_followed(app, users, target):
    """An open redirect is not possible through ``next``: anything but a console path leads home."""
    response = log_in(app.test_client(), "admin1", next=target)
    assert response.headers["Location"] == "/admin/"


def test_a_login_idle_longer_than_the_limit_ends(app, users, signed_in, clock):
    """After ADMIN_IDLE_MINUTES without a request, the next one is sent to log in again and told why."""
    client = signed_in(Role.EDITOR)
    clock.advance(minutes=29)
    assert client.get("/admin/").status_code == 200
    clock.advance(minutes=31)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login")
    assert texts.IDLE_LOGGED_OUT in page(client.get(response.headers["Location"]))
    assert client.get("/admin/").status_code == 302


def test_logging_out_ends_the_login(app, users, signed_in):
    """After the logout button, console pages ask for a login again."""
    client = signed_in(Role.EDITOR)
    response = client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert response.headers["Location"] == "/admin/login"
    assert client.get("/admin/").status_code == 302


def test_disabling_an_account_ends_its_open_login_at_its_next_request(app, users, signed_in):
    """A login open when its account is disabled gets no further page."""
    client = signed_in(Role.EDITOR)
    with db.transaction(app) as session:
        accounts.set_active(session, session.get(StaffUser, users[Role.EDITOR]), False, now=session.get(
            StaffUser, users[Role.EDITOR]).created_at, actor="admin1")
    assert client.get("/admin/").status_code == 302


def test_an_admin_adds_an_account_from_the_console(app, users, signed_in):
    """The form makes the account (audited, with the admin's name) and the list shows it."""
    client = signed_in(Role.ADMIN)
    response = client.post("/admin/users", data={"csrf_token": csrf_token(client, "/admin/users"),
                                                 "name": "Tanaka", "role": "approver", "password": PASSWORD})
    assert response.status_code == 302
    listing = page(client.get("/admin/users"))
    assert texts.USER_CREATED.format(name="tanaka") in listing and "tanaka" in listing
    assert log_in(app.test_client(), "tanaka").status_code == 302
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(AuditEntry.actor).where(AuditEntry.target == "user:tanaka")) == "admin1"


def test_a_new_account_that_will_not_do_is_explained_on_the_form(app, users, signed_in):
    """A short password is refused with the rule in Japanese, and nothing is made."""
    client = signed_in(Role.ADMIN)
    response = client.post("/admin/users", data={"csrf_token": csrf_token(client, "/admin/users"),
                                                 "name": "tanaka", "role": "editor", "password": "short"})
    assert response.status_code == 400
    assert texts.ACCOUNT_ERRORS["short_password"] in page(response)
    with db.read_transaction(app) as session:
        assert accounts.by_name(session, "tanaka") is None


def test_an_admin_resets_a_password_and_the_old_login_ends(app, users, signed_in):
    """After a reset the staff member's open login ends and the new password works."""
    editor, admin = signed_in(Role.EDITOR), signed_in(Role.ADMIN)
    admin.post(f"/admin/users/{users[Role.EDITOR]}/password",
               data={"csrf_token": csrf_token(admin, "/admin/users"), "password": "a new long password"})
    assert editor.get("/admin/").status_code == 302
    assert log_in(app.test_client(), "editor1", "a new long password").status_code == 302


def test_an_admin_cannot_disable_their_own_account_from_the_console(app, users, signed_in):
    """The list offers no button for it, a forged post is refused with the reason, the account stays active."""
    admin = signed_in(Role.ADMIN)
    assert f'/admin/users/{users[Role.ADMIN]}/disable' not in page(admin.get("/admin/users"))
    assert f'/admin/users/{users[Role.EDITOR]}/disable' in page(admin.get("/admin/users"))
    admin.post(f"/admin/users/{users[Role.ADMIN]}/disable", data={"csrf_token": csrf_token(admin, "/admin/users")})
    assert texts.ACCOUNT_ERRORS["disable_self"] in page(admin.get("/admin/users"))
    with db.read_transaction(app) as session:
        assert session.get(StaffUser, users[Role.ADMIN]).active


def test_staff_change_their_own_password_and_stay_logged_in(app, users, signed_in):
    """With the right current password the new one is set; this login carries on, the old password fails."""
    client = signed_in(Role.EDITOR)
    response = client.post("/admin/account/password", data={
        "csrf_token": csrf_token(client, "/admin/account/password"), "current": PASSWORD,
        "new": "a new long password", "confirm": "a new long password"})
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert log_in(app.test_client(), "editor1").status_code == 401


def test_a_wrong_current_password_changes_nothing(app, users, signed_in):
    """The form says the current password is wrong, and the old one still works."""
    client = signed_in(Role.EDITOR)
    response = client.post("/admin/account/password", data={
        "csrf_token": csrf_token(client, "/admin/account/password"), "current": "not my password at all",
        "new": "a new long password", "confirm": "a new long password"})
    assert texts.ACCOUNT_ERRORS["wrong_password"] in page(response)
    assert log_in(app.test_client(), "editor1").status_code == 302


def test_the_audit_log_page_shows_who_changed_what(app, users, signed_in):
    """The admin's audit page lists the changes in Japanese with the actor."""
    admin = signed_in(Role.ADMIN)
    admin.post(f"/admin/users/{users[Role.EDITOR]}/role",
               data={"csrf_token": csrf_token(admin, "/admin/users"), "role": "approver"})
    listing = page(admin.get("/admin/audit"))
    assert texts.AUDIT_ACTIONS["user.role"] in listing and "admin1" in listing
    assert "役割：編集者" in listing and "役割：承認者" in listing


def test_the_webhook_and_health_checks_never_get_the_console_cookie(app, users, client):
    """Only the console sets its cookie: /healthz answers without one."""
    assert "Set-Cookie" not in client.get("/healthz").headers


def test_a_console_page_is_in_japanese_with_labels_for_its_fields(app, users):
    """The login page is lang=ja and each field has its label."""
    html = page(app.test_client().get("/admin/login"))
    assert '<html lang="ja">' in html
    assert '<label for="name">ログイン名</label>' in html and '<label for="password">パスワード</label>' in html


def test_make_user_helper_accounts_log_in(app):
    """(The fixtures' accounts log in with the shared test password.)"""
    make_user(app, "sato", Role.EDITOR)
    assert log_in(app.test_client(), "sato").status_code == 302
