"""The console's home page as a dashboard: questions per day drawn by how the bot answered them, the shares,
the ratings, and the latest broadcasts' delivery."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import db
from admin.models import Role
from faq import store
from faq.importers import FaqRecord
from tests import factories


@pytest.fixture
def faq(app):
    with db.transaction(app) as session:
        store.save_records(session, [FaqRecord("7", "住民票の写しがほしい", "市民課の窓口で取れます。")])


def page(response) -> str:
    return response.get_data(as_text=True)


def ask(post_webhook, text: str) -> None:
    assert post_webhook(factories.body(factories.text_event(text))).status_code == 200


def test_questions_through_the_webhook_are_on_the_dashboard(app, users, signed_in, faq, post_webhook):
    """One question answered from the FAQ and one the bot could not answer: 2 questions, 50 % each, and the
    chart has a bar piece for each with its count in its title."""
    ask(post_webhook, "住民票の写しがほしい")
    ask(post_webhook, "宇宙旅行の補助金について")
    shown = page(signed_in(Role.EDITOR).get("/admin/"))
    assert "30日間で2件" in shown
    assert "FAQで回答 <strong>50%</strong>（1件）" in shown and "答えられず <strong>50%</strong>（1件）" in shown
    assert shown.count("</title></rect>") == 2 and "FAQで回答 1件</title>" in shown and "答えられず 1件</title>" in shown


def test_an_empty_dashboard_shows_zeros_and_no_bars(app, users, signed_in):
    """No question yet: zeros, no bar (a bar is a rect with its count in a title), no broadcast."""
    shown = page(signed_in(Role.EDITOR).get("/admin/"))
    assert "30日間で0件" in shown and "</title></rect>" not in shown and "配信はまだありません" in shown


def test_no_console_template_has_what_the_content_security_policy_blocks():
    """The console's CSP (default-src 'self') blocks inline styles, inline scripts and event attributes: a page
    using one would look or work wrong in the browser (the legend's colours went black) while tests of its HTML
    pass, so none may be written."""
    blocked = re.compile(r"""\sstyle\s*=|<script(?![^>]*\ssrc=)|\son[a-z]+\s*=""", re.IGNORECASE)
    templates = Path(__file__).resolve().parents[2] / "admin" / "templates"
    found = [f"{path.name}: {match.group().strip()}" for path in sorted(templates.rglob("*.html"))
             for match in blocked.finditer(path.read_text(encoding="utf-8"))]
    assert found == []
