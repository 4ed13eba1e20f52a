"""The console's unanswered queue: a question the bot missed through the webhook is listed (without who sent
it), added as an alias in a few clicks, and once published the same question gets the direct answer."""

from __future__ import annotations

import re

import sqlalchemy as sa

import db
from admin import texts
from admin.models import Role
from faq import store
from faq import unanswered
from faq.importers import FaqRecord
from faq.models import QueryLog
from faq.models import QueryOutcome
from tests import factories
from tests.admin.conftest import csrf_token

MISSED = "ねこの里親を探しています"  # nothing in the FAQ below reads like it, in words or in meaning
ENTRY = FaqRecord("pets", "動物愛護センターの譲渡会について", "動物愛護センターで毎月、譲渡会を開いています。", department="環境課")


def page(response) -> str:
    return response.get_data(as_text=True)


def ask(post_webhook, line_api, text: str) -> str:
    """A resident's question through the signed webhook; the text of the bot's reply."""
    line_api.reset()
    assert post_webhook(factories.body(factories.text_event(text))).status_code == 200
    (_token, messages), = line_api.replies
    return messages[0]["text"]


def test_webhook_queue_alias_publish_webhook(app, users, signed_in, post_webhook, line_api):
    """Missed → listed → added as an alias → approved and published → answered directly."""
    with db.transaction(app) as session:
        store.save_records(session, [ENTRY])
    assert ENTRY.answer not in ask(post_webhook, line_api, MISSED)
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(QueryLog.outcome).where(QueryLog.normalized_text != "")) != QueryOutcome.FAQ
    editor = signed_in(Role.EDITOR)
    listing = page(editor.get("/admin/unanswered"))
    assert MISSED in listing and factories.USER_ID not in listing
    group = editor.get(f"/admin/unanswered/{unanswered.key_of(MISSED)}")
    assert MISSED in page(group) and f'href="/admin/unanswered/{unanswered.key_of(MISSED)}' in listing
    response = editor.post("/admin/unanswered/alias", data={
        "csrf_token": csrf_token(editor, "/admin/"), "text": MISSED, "faq_id": "", "other_faq_id": "pets"})
    assert texts.QUEUE_ALIASED in page(editor.get(response.headers["Location"]))
    assert MISSED not in page(editor.get("/admin/unanswered"))
    draft_id = response.headers["Location"].rsplit("/", 1)[1]
    approver = signed_in(Role.APPROVER)
    for step in ("approve", "publish"):
        approver.post(f"/admin/drafts/{draft_id}/{step}", data={"csrf_token": csrf_token(approver, "/admin/")})
    assert ENTRY.answer in ask(post_webhook, line_api, MISSED)


def test_the_entry_for_the_alias_is_found_with_the_staffs_own_words(app, users, signed_in, post_webhook, line_api):
    """On a group's page, searching 「譲渡会」 lists the entry that holds it first, ticked (and not again among the
    matcher's suggestions for the residents' words); a word nothing holds says so."""
    with db.transaction(app) as session:
        store.save_records(session, [ENTRY, FaqRecord("dogs", "犬の登録", "環境課で登録します。")])
    ask(post_webhook, line_api, MISSED)
    editor = signed_in(Role.EDITOR)
    shown = page(editor.get(f"/admin/unanswered/{unanswered.key_of(MISSED)}", query_string={"find": "譲渡会"}))
    choices = re.findall(r'name="faq_id" value="([^"]*)"( checked)?', shown)
    assert choices[0] == ("pets", " checked") and "「譲渡会」で検索" in shown
    nothing = page(editor.get(f"/admin/unanswered/{unanswered.key_of(MISSED)}", query_string={"find": "宇宙"}))
    assert "「宇宙」を含む項目は見つかりませんでした。" in nothing


def test_a_group_can_be_set_aside(app, users, signed_in, post_webhook, line_api):
    """「対応不要」 takes the wording out of the list, audited."""
    ask(post_webhook, line_api, MISSED)
    editor = signed_in(Role.EDITOR)
    editor.post("/admin/unanswered/dismiss", data={"csrf_token": csrf_token(editor, "/admin/"), "text": MISSED})
    assert MISSED not in page(editor.get("/admin/unanswered"))
    assert texts.AUDIT_ACTIONS["queue.dismiss"] in page(signed_in(Role.ADMIN).get("/admin/audit"))


def test_a_new_entry_starts_from_the_residents_wording(app, users, signed_in, post_webhook, line_api):
    """「新しい項目を作る」 opens the new-entry form with the wording as its question."""
    ask(post_webhook, line_api, MISSED)
    editor = signed_in(Role.EDITOR)
    response = editor.post("/admin/unanswered/new", data={"csrf_token": csrf_token(editor, "/admin/"),
                                                          "text": MISSED})
    assert response.status_code == 200  # shown, not redirected to: the wording stays out of the URL
    assert f"{MISSED}</textarea>" in page(response) and 'action="/admin/faq/new"' in page(response)


def test_an_alias_for_an_unknown_entry_is_refused_and_the_wording_stays(app, users, signed_in, post_webhook,
                                                                       line_api):
    """A mistyped entry ID says so; the question stays in the queue."""
    ask(post_webhook, line_api, MISSED)
    editor = signed_in(Role.EDITOR)
    response = editor.post("/admin/unanswered/alias", data={
        "csrf_token": csrf_token(editor, "/admin/"), "text": MISSED, "other_faq_id": "nope"})
    assert texts.DRAFT_ERRORS["no_entry"] in page(editor.get(response.headers["Location"]))
    assert MISSED in page(editor.get("/admin/unanswered"))


def test_residents_words_never_travel_in_a_console_url(app, users, signed_in, post_webhook, line_api):
    """Links and redirects name a group by a one-way key: access logs record URLs, and must not hold what
    residents wrote."""
    ask(post_webhook, line_api, MISSED)
    editor = signed_in(Role.EDITOR)
    listing = page(editor.get("/admin/unanswered"))
    assert not any(MISSED in href for href in re.findall(r'href="([^"]*)"', listing))
    response = editor.post("/admin/unanswered/alias", data={
        "csrf_token": csrf_token(editor, "/admin/"), "text": MISSED, "other_faq_id": "nope"})
    assert MISSED not in response.headers["Location"]


def test_no_console_page_shows_a_residents_line_user_id(app, users, signed_in, post_webhook, line_api):
    """After residents' messages, every page an admin can open (the queue and its group included) is free of
    their LINE user id and of anything that looks like one."""
    with db.transaction(app) as session:
        store.save_records(session, [ENTRY])
    ask(post_webhook, line_api, MISSED)
    ask(post_webhook, line_api, ENTRY.question)
    admin = signed_in(Role.ADMIN)
    urls = [rule.rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("admin.") and "GET" in rule.methods and "<" not in rule.rule]
    urls += ["/admin/faq/pets", f"/admin/unanswered/{unanswered.key_of(MISSED)}"]
    for url in urls:
        shown = page(admin.get(url))
        assert factories.USER_ID not in shown, url
        assert not re.search(r"U[0-9a-f]{32}", shown), url
