"""The console in a real browser (Playwright driving Debian's Chromium) against the app served on 127.0.0.1:
logging in and out, a role that may not do something cannot, an admin adding an account with the keyboard, an
FAQ edit approved and published by another person, an FAQ file previewed then published, a broadcast composed, approved and delivered, an unanswered question made an alias the bot then answers."""

from __future__ import annotations

import shutil
import threading
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

import db
from admin import texts
from admin.models import Role
from faq import store
from faq.importers import FaqRecord
from push import broadcasts
from push.sender import send_due
from residents.models import Resident
from residents.models import ResidentStatus
from tests import factories
from tests.admin.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium's own calls home are refused on a closed network, many at a time: none is made.
QUIET = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium on this machine (Debian's chromium package; .ci/run installs it): "
                    "the console's browser tests need one")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=QUIET)
        yield browser
        browser.close()


def closing(app):
    """``app`` with every response body closed even when the browser drops the connection mid-body (werkzeug's
    development server then skips ``close``: a static file, such as the favicon, stayed open until collected)."""
    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            yield from body
        finally:
            if hasattr(body, "close"):
                body.close()
    return wsgi


@pytest.fixture
def console(app, users):
    """The app served over HTTP on localhost (a real server, threads per request); its console's URL."""
    server = make_server("127.0.0.1", 0, closing(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.port}/admin/"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1024, "height": 768})
    yield context.new_page()
    context.close()


def menu(page, name: str):
    """The console menu's link called ``name`` (pages link to the same places in their text too)."""
    return page.get_by_role("navigation", name="メニュー").get_by_role("link", name=name, exact=True)


def log_in(page, console: str, name: str, password: str = PASSWORD) -> None:
    page.goto(console)
    page.get_by_label("ログイン名").fill(name)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()


def test_staff_log_in_and_out(page, console):
    """A console URL leads to the login page; after logging in the home page greets them; logging out ends it."""
    log_in(page, console, "editor1")
    expect(page.get_by_role("heading", name="ホーム")).to_be_visible()
    expect(page.get_by_text("editor1（編集者）")).to_be_visible()
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_text(texts.LOGGED_OUT)).to_be_visible()
    page.goto(console)
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()


def test_a_wrong_password_is_told_plainly(page, console):
    """The login page says the name or password is wrong, and stays."""
    log_in(page, console, "editor1", "wrong password here")
    expect(page.get_by_text(texts.LOGIN_FAILED)).to_be_visible()


def test_an_editor_cannot_reach_the_accounts_page(page, console):
    """No アカウント link for an editor, and the page itself says they may not."""
    log_in(page, console, "editor1")
    expect(page.get_by_role("link", name="アカウント")).to_have_count(0)
    response = page.goto(console + "users")
    assert response.status == 403
    expect(page.get_by_text(texts.FORBIDDEN)).to_be_visible()


def test_an_admin_adds_an_account_with_the_keyboard_and_it_logs_in(browser, page, console):
    """On the アカウント page the new-account form is filled by label and sent with Enter; the account works."""
    log_in(page, console, "admin1")
    menu(page, "アカウント").click()
    form = page.locator("form", has=page.get_by_role("button", name="追加する"))
    form.get_by_label("ログイン名").fill("tanaka")
    form.get_by_label("役割").select_option(Role.APPROVER.value)
    form.get_by_label("初めのパスワード").fill(PASSWORD)
    form.get_by_label("初めのパスワード").press("Enter")
    expect(page.get_by_text(texts.USER_CREATED.format(name="tanaka"))).to_be_visible()
    other = browser.new_context(locale="ja-JP").new_page()
    log_in(other, console, "tanaka")
    expect(other.get_by_text("tanaka（承認者）")).to_be_visible()
    other.context.close()


def test_an_edit_is_approved_by_another_person_and_published(browser, page, console, app):
    """An editor changes an answer in the form; an approver, in another browser, approves and publishes it;
    the entry page then shows the new answer."""
    with db.transaction(app) as session:
        store.save_records(session, [FaqRecord("7", "住民票の写しがほしい", "市民課の窓口で取れます。")])
    log_in(page, console, "editor1")
    menu(page, "FAQ").click()
    page.get_by_label("さがす").fill("住民票")
    page.get_by_role("button", name="さがす").click()
    page.get_by_role("link", name="住民票の写しがほしい").click()
    page.get_by_role("link", name="編集する（下書き）").click()
    page.get_by_label("回答").fill("本庁舎1階の市民課の窓口で取れます。")
    page.get_by_role("button", name="下書きを保存").click()
    expect(page.get_by_text(texts.DRAFT_SAVED)).to_be_visible()
    expect(page.get_by_label("追加").first).to_have_text("本庁舎1階の")
    expect(page.get_by_role("button", name="承認する")).to_have_count(0)
    approver = browser.new_context(locale="ja-JP").new_page()
    log_in(approver, console, "approver1")
    menu(approver, "下書き").click()
    approver.get_by_role("link", name="住民票の写しがほしい").click()
    approver.get_by_role("button", name="承認する").click()
    approver.get_by_role("button", name="公開する").click()
    expect(approver.get_by_text(texts.DRAFT_PUBLISHED)).to_be_visible()
    page.goto(console + "faq/7")
    expect(page.get_by_role("definition").filter(has_text="本庁舎1階の")).to_be_visible()
    approver.context.close()


def test_an_excel_file_is_previewed_then_approved_and_published(browser, page, console, app, tmp_path):
    """An editor exports the FAQ as Excel, uploads a Shift_JIS CSV that changes an answer and adds an entry,
    and sees both before anything is applied; an approver, in another browser, approves and publishes it."""
    with db.transaction(app) as session:
        store.save_records(session, [FaqRecord("7", "住民票の写しがほしい", "市民課の窓口で取れます。")])
    log_in(page, console, "editor1")
    menu(page, "FAQ").click()
    page.get_by_role("link", name="ファイルで取り込む・書き出す").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel（.xlsx）").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    changed = tmp_path / "更新.csv"
    changed.write_bytes(("id,category,question,answer,aliases,url,department,phone\r\n"
                         "7,,住民票の写しがほしい,本庁舎1階の市民課で取れます。,,,,\r\n"
                         "11,,パスポートの申請,県の窓口で申請します。,,,,\r\n").encode("cp932"))
    page.get_by_label("ファイル（CSV・Excel・JSON）").set_input_files(changed)
    page.get_by_role("button", name="読み込んで確かめる").click()
    expect(page.get_by_text(texts.IMPORT_HELD)).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="追加 1件")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="変更 1件")).to_be_visible()
    expect(page.get_by_label("追加").first).to_have_text("本庁舎1階の")
    expect(page.get_by_role("button", name="公開する")).to_have_count(0)
    approver = browser.new_context(locale="ja-JP").new_page()
    log_in(approver, console, "approver1")
    menu(approver, "下書き").click()
    approver.get_by_role("link", name="更新.csv").click()
    approver.get_by_role("button", name="承認する").click()
    approver.get_by_role("button", name="公開する").click()
    expect(approver.get_by_text(texts.IMPORT_PUBLISHED)).to_be_visible()
    page.goto(console + "faq/11")
    expect(page.get_by_role("heading", name="パスポートの申請")).to_be_visible()
    approver.context.close()


def test_a_broadcast_is_composed_approved_and_delivered(browser, page, console, app, clock, line_api, sdk_line_client):
    """An editor composes a broadcast to 大町 and sees its reach counted live; an approver, in another browser,
    approves it; when it is due the worker's steps send it, and the page shows it delivered at the fake LINE."""
    with db.transaction(app) as session:
        session.add_all([Resident(line_user_id="U" + str(n) * 32, status=ResidentStatus.ACTIVE, area=area,
                                  consent_at=clock.now) for n, area in ((1, "大町"), (2, "大町"), (3, "港町"))])
    log_in(page, console, "editor1")
    menu(page, "配信").click()
    page.get_by_role("link", name="新しい配信を作る").click()
    page.get_by_label("お知らせの本文").fill("12月1日は市役所の窓口が18時まで開いています。")
    page.get_by_label("配信先の式").fill("area:大町")
    expect(page.locator("#live-reach")).to_contain_text("2人")
    page.get_by_role("button", name="人数を数える").click()
    expect(page.get_by_text("届く人数：2人")).to_be_visible()
    page.get_by_role("button", name="下書きを保存").click()
    expect(page.get_by_text(texts.BROADCAST_SAVED)).to_be_visible()
    approver = browser.new_context(locale="ja-JP").new_page()
    log_in(approver, console, "approver1")
    menu(approver, "配信").click()
    approver.get_by_role("link", name="12月1日は市役所の窓口").click()
    approver.get_by_role("button", name="承認する").click()
    expect(approver.get_by_text(texts.BROADCAST_APPROVED)).to_be_visible()
    due = clock.now + timedelta(hours=2)
    factory = db.session_factory(app)
    broadcasts.plan_broadcasts(factory, due, timezone=ZoneInfo("Asia/Tokyo"))
    send_due(factory, sdk_line_client, due)
    (to, _messages, _key), = line_api.multicasts
    assert sorted(to) == ["U" + "1" * 32, "U" + "2" * 32]
    approver.reload()
    expect(approver.get_by_role("listitem").filter(has_text="送信済み 2人")).to_be_visible()
    approver.context.close()


def test_an_unanswered_question_becomes_an_alias_and_the_bot_answers_it(browser, page, console, app, post_webhook,
                                                                        line_api):
    """A question the bot missed is on the 未回答 page; the editor adds it to an entry, an approver publishes
    the draft, and the same question through the webhook now gets that entry's answer."""
    with db.transaction(app) as session:
        store.save_records(session, [FaqRecord("pets", "動物愛護センターの譲渡会について",
                                               "動物愛護センターで毎月、譲渡会を開いています。")])
    missed = "ねこの里親を探しています"
    post_webhook(factories.body(factories.text_event(missed)))
    log_in(page, console, "editor1")
    menu(page, "未回答").click()
    page.get_by_role("link", name=missed).click()
    page.get_by_label("ほかの項目のID").fill("pets")
    page.get_by_label("ほかの項目（IDを入力）").check()
    page.get_by_role("button", name="言い換えに追加（下書き）").click()
    expect(page.get_by_text(texts.QUEUE_ALIASED)).to_be_visible()
    approver = browser.new_context(locale="ja-JP").new_page()
    log_in(approver, console, "approver1")
    approver.goto(page.url)
    approver.get_by_role("button", name="承認する").click()
    approver.get_by_role("button", name="公開する").click()
    expect(approver.get_by_text(texts.DRAFT_PUBLISHED)).to_be_visible()
    approver.context.close()
    line_api.reset()
    post_webhook(factories.body(factories.text_event(missed)))
    (_token, messages), = line_api.replies
    assert "動物愛護センターで毎月、譲渡会を開いています。" in messages[0]["text"]


def test_the_main_pages_raise_no_error_in_the_browser(page, console):
    """Home, FAQ, queue, golden queries, files, broadcast compose and the data pages load without a browser
    error: no script error and nothing the console's Content-Security-Policy refused (an inline style the
    policy blocks turned the dashboard legend black while the HTML tests passed)."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, console, "admin1")
    for path in ("", "faq", "unanswered", "golden", "faq/import", "broadcasts/new", "data/lifestage",
                 "data/garbage", "data/residents", "data/shelters", "try", "users", "audit"):
        response = page.goto(console + path)
        assert response.status == 200, path
    assert errors == []
