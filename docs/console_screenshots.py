"""Take the README's screenshots of the staff console: a demo database, a few accounts, the pages in Chromium.

Run: .venv/bin/python docs/console_screenshots.py   (needs Debian's chromium; writes docs/console-*.png)
Everything is served on 127.0.0.1 from a temporary SQLite database; nothing else is touched.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from alembic import command as alembic_command
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import db  # noqa: E402
from admin import accounts  # noqa: E402
from admin.models import Role  # noqa: E402
from admin.models import StaffUser  # noqa: E402
from app import create_app  # noqa: E402
from city import pack  # noqa: E402
from faq import drafts  # noqa: E402
from faq.models import QueryLog  # noqa: E402
from faq.models import QueryOutcome  # noqa: E402

PASSWORD = "demo password 2026"
MISSED = [("ごみ袋どこで買える", 9), ("ごみ袋どこで買えますか", 4), ("ごみぶくろ どこで買える?", 2),
          ("ねこの里親を探しています", 3), ("犬の鑑札をなくした", 2), ("図書館の本を返したい", 1)]
SHOTS = [("login", "login", False), ("home", "", True), ("unanswered", "unanswered", True),
         ("faq", "faq?q=住民票&mode=match", True), ("try", "try", True),
         ("draft", "drafts/1", True), ("users", "users", True), ("audit", "audit", True)]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/console.sqlite3", "SECRET_KEY": "screenshots"})
        with app.app_context():
            alembic_command.upgrade(db.alembic_config(), "head")
            now = datetime.now(UTC)
            with db.transaction() as session:
                accounts.create(session, "kanri", Role.ADMIN, PASSWORD, now=now, actor="(command line)")
                for name, role in (("sato", Role.APPROVER), ("suzuki", Role.EDITOR), ("takahashi", Role.EDITOR)):
                    accounts.create(session, name, role, PASSWORD, now=now, actor="kanri")
            with db.transaction() as session:
                pack.load_pack(session, ROOT / "packs" / "demo")
            with db.transaction() as session:  # a change waiting for approval (the first FAQ entry's)
                entry = drafts.entry(session, _first_faq_id(session))
                content = drafts.content_of(entry)
                content["answer"] = content["answer"].replace("。", "。平日の夜間は電話でもご案内します。", 1)
                drafts.save(session, entry.faq_id, content, author="suzuki", now=now)
            with db.transaction() as session:  # questions residents sent that the bot missed (made up)
                for text, times in MISSED:
                    session.add_all(QueryLog(normalized_text=text, outcome=QueryOutcome.FALLBACK,
                                             created_at=now - timedelta(hours=3 * n)) for n in range(times))
            with db.transaction() as session:
                takahashi = accounts.by_name(session, "takahashi")
                accounts.set_active(session, takahashi, False, now=now, actor="kanri")
                accounts.set_role(session, session.get(StaffUser, accounts.by_name(session, "suzuki").id),
                                  Role.APPROVER, now=now, actor="kanri")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://localhost:{server.port}/admin/"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
                page = browser.new_context(locale="ja-JP", viewport={"width": 1024, "height": 700}).new_page()
                for name, path, logged_in in SHOTS:
                    if logged_in and "login" in page.url:
                        page.get_by_label("ログイン名").fill("kanri")
                        page.get_by_label("パスワード").fill(PASSWORD)
                        page.get_by_role("button", name="ログイン").click()
                    page.goto(base + path)
                    if name == "try":  # the question is posted, not put in the URL
                        page.get_by_label("住民になったつもりで質問を入力").fill("じゅうみんひょう ほしい")
                        page.get_by_role("button", name="ためす").click()
                    page.screenshot(path=str(ROOT / "docs" / f"console-{name}.png"), full_page=True)
                    print(f"docs/console-{name}.png")
                browser.close()
        finally:
            server.shutdown()


def _first_faq_id(session) -> str:
    import sqlalchemy as sa

    from faq.models import FaqEntry

    return session.scalar(sa.select(FaqEntry.faq_id).where(FaqEntry.question.contains("住民票")).order_by(FaqEntry.id))


if __name__ == "__main__":
    main()
