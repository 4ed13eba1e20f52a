"""Take the README's screenshots of the staff console: a demo database, a few accounts, the pages in Chromium.

Run: .venv/bin/python docs/console_screenshots.py   (needs Debian's chromium; writes docs/console-*.png)
Everything is served on 127.0.0.1 from a temporary SQLite database; nothing else is touched.
"""

from __future__ import annotations

import random
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
from garbage.catalog import load_areas  # noqa: E402
from residents.models import Resident  # noqa: E402
from residents.models import ResidentStatus  # noqa: E402

PASSWORD = "demo password 2026"
MISSED = [("ごみ袋どこで買える", 9), ("ごみ袋どこで買えますか", 4), ("ごみぶくろ どこで買える?", 2),
          ("ねこの里親を探しています", 3), ("犬の鑑札をなくした", 2), ("図書館の本を返したい", 1)]
SHOTS = [("login", "login", False), ("home", "", True), ("unanswered", "unanswered", True),
         ("faq", "faq?q=住民票&mode=match", True), ("try", "try", True),
         ("draft", "drafts/1", True), ("import", "faq/import", True), ("broadcast", "broadcasts/new", True),
         ("data", "data/residents", True), ("users", "users", True), ("audit", "audit", True)]
UPLOAD = ("id,category,question,answer,aliases,url,department,phone\r\n"
          "9001,届出,マイナンバーカードの受け取り,市民課の窓口で受け取れます。予約は不要です。,マイナカード受け取り,,市民課,0123-45-6789\r\n")


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
            rng = random.Random(5)
            with db.transaction() as session:  # a month of questions for the dashboard (made up)
                for day in range(30):
                    for outcome, times in ((QueryOutcome.FAQ, 40), (QueryOutcome.INTENT, 25),
                                           (QueryOutcome.SUGGEST, 10), (QueryOutcome.FALLBACK, 6)):
                        session.add_all(QueryLog(normalized_text="", outcome=outcome,
                                                 created_at=now - timedelta(days=day, minutes=rng.randrange(600)))
                                        for _ in range(rng.randrange(times // 2, times + times // 2)))
            with db.transaction() as session:  # residents who agreed to push, in two areas (counts only)
                areas = [area.name for area in load_areas(session)][:3]
                session.add_all(Resident(line_user_id=f"U{n:032x}", status=ResidentStatus.ACTIVE, area=areas[n % 3],
                                         consent_at=now) for n in range(120))
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
                    if name == "import":  # a file's dry run
                        upload = Path(tmp) / "追加.csv"
                        upload.write_bytes(UPLOAD.encode("cp932"))
                        page.get_by_label("ファイル（CSV・Excel・JSON）").set_input_files(upload)
                        page.get_by_role("button", name="読み込んで確かめる").click()
                    if name == "broadcast":
                        page.get_by_label("お知らせの本文").fill("年末年始（12月29日〜1月3日）は市役所の窓口がお休みです。")
                        page.locator('input[name="areas"]').first.check()
                        page.get_by_label("子育て").check()
                        page.get_by_role("button", name="人数を数える").click()
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
