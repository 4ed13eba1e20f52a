"""The console's FAQ files: the FAQ exported as Excel or CSV comes back unchanged; an uploaded file is a dry run
(added, changed, removed, field by field) until another person approves it and it is published; a bad file's
rows are listed and nothing is held."""

from __future__ import annotations

import html
import io
import re

import pytest
import sqlalchemy as sa

import db
from admin import texts
from admin.models import AuditEntry
from admin.models import Role
from faq import store
from faq.importers import FaqRecord
from faq.importers import read_faq_data
from faq.models import FaqEntry
from faq.models import FaqImport
from faq.models import FaqVersion
from tests import factories
from tests.admin.conftest import csrf_token
from tests.admin.conftest import log_in

ENTRIES = [
    FaqRecord("7", "住民票の写しがほしい", "市民課の窓口で取れます。", category="届出", department="市民課",
              aliases=("住民票とりたい", "住民票の写し")),
    FaqRecord("8", "粗大ごみの出し方", "予約してください。", department="環境課", phone="0123-45-6789"),
    FaqRecord("9", "犬の登録", "環境課で登録します。", url="https://example.jp/dog"),
]
HEADER = "id,category,question,answer,aliases,url,department,phone\r\n"


@pytest.fixture
def faq(app):
    with db.transaction(app) as session:
        store.save_records(session, ENTRIES)


def page(response) -> str:
    return response.get_data(as_text=True)


def upload(client, data: bytes, name: str, *, replace: bool = False):
    form = {"csrf_token": csrf_token(client, "/admin/faq/import"), "file": (io.BytesIO(data), name)}
    if replace:
        form["replace"] = "y"
    return client.post("/admin/faq/import", data=form, content_type="multipart/form-data")


def problems_listed(response) -> list[tuple[str, str]]:
    """The (place, problem) rows of the page's table of a bad file's problems, as staff read them."""
    section = page(response).split('id="errors-title"', 1)[1]
    return [(html.unescape(place), html.unescape(problem))
            for place, problem in re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", section, re.DOTALL)]


def held_id(response) -> int:
    assert response.status_code == 302, page(response)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def post(client, target: str):
    return client.post(target, data={"csrf_token": csrf_token(client, "/admin/")})


def published(app) -> dict[str, tuple[str, int]]:
    with db.read_transaction(app) as session:
        return {e.faq_id: (e.answer, e.version) for e in session.scalars(sa.select(FaqEntry))}


def approve_and_publish(app, held: int):
    approver = app.test_client()
    log_in(approver, "approver1")
    post(approver, f"/admin/faq/imports/{held}/approve")
    return post(approver, f"/admin/faq/imports/{held}/publish"), approver


def export(client, kind: str) -> bytes:
    response = client.get("/admin/faq/export", query_string={"format": kind})
    assert response.status_code == 200, page(response)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return response.get_data()


@pytest.mark.parametrize(("kind", "name"), [("xlsx", "faq.xlsx"), ("csv", "faq.csv"), ("csv-sjis", "faq.csv")])
def test_the_faq_exported_reads_back_as_the_same_entries(app, users, signed_in, faq, kind, name):
    """Excel, UTF-8 CSV and Shift_JIS CSV hold every field (aliases joined by 「|」) as the importer reads it."""
    records = read_faq_data(export(signed_in(Role.EDITOR), kind), name)
    assert records == ENTRIES


FORMULAS = [FaqRecord("20", "=HYPERLINK(\"http://evil.example\")", "+1で始まる答え"),
            FaqRecord("21", "@SUM(A1)", "-で始まる箇条書き", category="-区分")]


@pytest.mark.parametrize("kind", ["csv", "csv-sjis"])
def test_a_csv_cell_that_starts_like_a_formula_is_written_as_text_and_reads_back_unchanged(app, users, signed_in,
                                                                                          kind):
    """A cell starting with =, +, - or @ goes after an apostrophe (Excel shows it, runs nothing); the importer
    takes the apostrophe off, so the round trip still changes nothing."""
    with db.transaction(app) as session:
        store.save_records(session, FORMULAS)
    data = export(signed_in(Role.EDITOR), kind)
    text = data.decode("utf-8-sig" if kind == "csv" else "cp932")
    assert "'=HYPERLINK(" in text and "'+1で始まる答え" in text and "'@SUM(A1)" in text and ",'-区分," in text
    assert read_faq_data(data, "faq.csv") == FORMULAS


def test_the_shift_jis_export_is_shift_jis(app, users, signed_in, faq):
    """The Shift_JIS CSV is what older Excel opens: cp932 bytes, no byte order mark."""
    data = export(signed_in(Role.EDITOR), "csv-sjis")
    assert data.startswith(HEADER.encode())
    assert "住民票の写しがほしい".encode("cp932") in data


def test_an_entry_shift_jis_cannot_hold_is_named_instead_of_written_as_question_marks(app, users, signed_in):
    """An emoji in an answer: the Shift_JIS export is refused, naming the entry, and UTF-8 offered."""
    with db.transaction(app) as session:
        store.save_records(session, [*ENTRIES, FaqRecord("10", "花火大会", "楽しんでください🎆")])
    client = signed_in(Role.EDITOR)
    response = client.get("/admin/faq/export", query_string={"format": "csv-sjis"}, follow_redirects=True)
    assert texts.EXPORT_NOT_SHIFT_JIS.format(count=1, ids="10") in page(response)


def test_an_exported_file_uploaded_unchanged_changes_nothing(app, users, signed_in, faq):
    """The dry run of the FAQ's own export: nothing added, changed or removed, even with 「削除する」 ticked."""
    client = signed_in(Role.EDITOR)
    held = held_id(upload(client, export(client, "xlsx"), "faq.xlsx", replace=True))
    shown = page(client.get(f"/admin/faq/imports/{held}"))
    assert "公開中の内容と同じです" in shown and "変わらない 3件" in shown


def test_an_upload_is_a_dry_run_that_shows_each_change_and_applies_nothing(app, users, signed_in, faq):
    """A Shift_JIS file changing one answer and adding one entry: the plan shows both, field by field, and the
    published FAQ is as it was."""
    before = published(app)
    data = (HEADER + "7,届出,住民票の写しがほしい,本庁舎1階の市民課で取れます。,住民票とりたい|住民票の写し,,市民課,\r\n"
            "11,,パスポートの申請,県の窓口で申請します。,,,,\r\n").encode("cp932")
    client = signed_in(Role.EDITOR)
    held = held_id(upload(client, data, "faq.csv"))
    shown = page(client.get(f"/admin/faq/imports/{held}"))
    assert "追加 <strong>1</strong>件" in shown and "変更 <strong>1</strong>件" in shown
    assert "削除 <strong>0</strong>件" in shown  # 8 and 9 are missing, but removing was not asked for
    assert '<ins aria-label="追加">本庁舎1階の</ins>' in shown
    assert "パスポートの申請" in shown
    assert published(app) == before


def test_missing_entries_are_removed_only_when_asked(app, users, signed_in, faq):
    """With 「ファイルにない項目を削除する」 the entries missing from the file are listed as removed."""
    data = (HEADER + "7,届出,住民票の写しがほしい,市民課の窓口で取れます。,住民票とりたい|住民票の写し,,市民課,\r\n").encode()
    client = signed_in(Role.EDITOR)
    shown = page(client.get(f"/admin/faq/imports/{held_id(upload(client, data, 'faq.csv', replace=True))}"))
    assert "削除 <strong>2</strong>件" in shown and "8：粗大ごみの出し方" in shown and "9：犬の登録" in shown


def test_approved_by_another_person_and_published_it_changes_the_faq_and_the_bot(app, users, signed_in, faq,
                                                                                post_webhook, line_api):
    """Published, the file's change reaches residents; each changed entry keeps its earlier version in the
    history; removed entries are gone; every step is in the audit log."""
    data = (HEADER + "7,届出,住民票の写しがほしい,本庁舎1階の市民課で取れます。,住民票とりたい|住民票の写し,,市民課,\r\n"
            "8,,粗大ごみの出し方,予約してください。,,,環境課,0123-45-6789\r\n").encode()
    held = held_id(upload(signed_in(Role.EDITOR), data, "faq.csv", replace=True))
    response, approver = approve_and_publish(app, held)
    assert texts.IMPORT_PUBLISHED in page(approver.get(response.headers["Location"]))
    assert published(app) == {"7": ("本庁舎1階の市民課で取れます。", 2), "8": ("予約してください。", 1)}
    with db.read_transaction(app) as session:
        versions = session.execute(sa.select(FaqVersion.version, FaqVersion.published_by)
                                   .where(FaqVersion.faq_id == "7").order_by(FaqVersion.version)).all()
        actions = list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert versions == [(1, "(import)"), (2, "approver1")]
    assert actions[-3:] == ["faq.upload", "faq.import_approve", "faq.import_publish"]
    assert post_webhook(factories.body(factories.text_event("住民票の写しがほしい"))).status_code == 200
    (_token, messages), = line_api.replies
    assert "本庁舎1階の市民課で取れます。" in messages[0]["text"]


def test_an_editor_can_upload_but_not_approve_or_publish(app, users, signed_in, faq):
    """The editor's approve and publish are refused (403) and the upload stays waiting."""
    editor = signed_in(Role.EDITOR)
    held = held_id(upload(editor, (HEADER + "12,,新しい質問,新しい答え,,,,\r\n").encode(), "faq.csv"))
    assert post(editor, f"/admin/faq/imports/{held}/approve").status_code == 403
    assert post(editor, f"/admin/faq/imports/{held}/publish").status_code == 403
    with db.read_transaction(app) as session:
        assert session.get(FaqImport, held).status == "open"


def test_the_uploader_cannot_approve_their_own_file(app, users, signed_in, faq):
    """Under the two-person rule an approver's own upload waits for someone else."""
    approver = signed_in(Role.APPROVER)
    held = held_id(upload(approver, (HEADER + "12,,新しい質問,新しい答え,,,,\r\n").encode(), "faq.csv"))
    response = post(approver, f"/admin/faq/imports/{held}/approve")
    assert texts.IMPORT_ERRORS["own_draft"] in page(approver.get(response.headers["Location"]))
    assert "12" not in published(app)


def test_an_upload_overtaken_by_another_change_is_not_published(app, users, signed_in, faq):
    """The FAQ changed after the file was read (another publication): approving it is refused as stale."""
    held = held_id(upload(signed_in(Role.EDITOR), (HEADER + "12,,新しい質問,新しい答え,,,,\r\n").encode(), "faq.csv"))
    with db.transaction(app) as session:
        store.save_records(session, [*ENTRIES, FaqRecord("13", "別の変更", "ほかの人が入れた項目")])
    approver = signed_in(Role.APPROVER)
    response = post(approver, f"/admin/faq/imports/{held}/approve")
    assert texts.IMPORT_ERRORS["stale"] in page(approver.get(response.headers["Location"]))
    assert "12" not in published(app)


@pytest.mark.parametrize(("data", "name", "row", "problem"), [
    ((HEADER + "7,,,答え,,,,\r\n").encode("cp932"), "faq.csv", "2行目", "question が空です。"),
    ((HEADER + "7,,質問,答え,,,,\r\n7,,質問2,答え2,,,,\r\n").encode(), "faq.csv", "3行目",
     "id 7 は2行目でも使われています。id は重ならないようにしてください。"),
    ((HEADER + "7,,質問,答え,,ftp://x,,\r\n").encode("euc_jp"), "faq.csv", "2行目",
     "url は http:// か https:// で始めてください（「ftp://x」になっています）。"),
    ("id,question\r\n1,質問\r\n".encode(), "faq.csv", "1行目", "必須の列 answer が見出しにありません。"),
    (b"PK\x03\x04 not really a workbook", "faq.xlsx", "ファイル全体", "Excelのブック（.xlsx）として読めません（"),
])
def test_a_bad_file_lists_its_rows_and_nothing_is_held(app, users, signed_in, faq, data, name, row, problem):
    """Each problem is shown with the row a person sees in Excel; no upload is kept."""
    response = upload(signed_in(Role.EDITOR), data, name)
    assert response.status_code == 400
    [(place, message)] = problems_listed(response)
    assert place == row and message.startswith(problem)
    with db.read_transaction(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(FaqImport)) == 0


# Four or more English words in a row: a sentence staff would have to translate (column names such as
# ``id,category,question`` and formats such as ``CSV UTF-8`` are not sentences).
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]+(?: [A-Za-z]+){3,}")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_a_broken_shift_jis_file_is_explained_in_japanese(app, users, signed_in, faq):
    """Excel's Shift_JIS CSV with a damaged byte: one problem for the whole file, in Japanese, saying what to do."""
    data = (HEADER + "7,,住民票,市民課です。,,,,\r\n8,,ごみの日,地区で異なります。,,,,\r\n").encode("cp932")
    response = upload(signed_in(Role.EDITOR), data.replace("地区".encode("cp932"), b"\xfd" + "区".encode("cp932")),
                      "faq.csv")
    assert response.status_code == 400
    assert "「faq.csv」は取り込めません（1件の問題）" in page(response)
    [(place, message)] = problems_listed(response)
    assert place == "ファイル全体"
    assert message == ("3行目のバイト 0xFD が読めません。文字コードが UTF-8、Shift_JIS、EUC-JP のどれでもありません。"
                       "Excelで「CSV UTF-8（コンマ区切り）」の形式で保存し直して、もう一度読み込んでください。")


def test_every_problem_on_the_page_is_japanese(app, users, signed_in, faq):
    """A Shift_JIS file with many kinds of bad rows: each is listed by its row, and no message is an English
    sentence."""
    rows = ["7,,住民票,市民課です。,,,,,余分",  # 2: too many fields
            "8,,,答えだけ,,,,",  # 3: no question
            "9,,外字\ue000の質問,答え,,,,",  # 4: a private-use character (a Shift_JIS user-defined one)
            "10,,質問,答え,,www.example.jp,,",  # 5: no scheme
            "8,,重複,答え,,,,"]  # 6: the id of row 3
    data = (HEADER + "".join(row + "\r\n" for row in rows)).encode("cp932")
    response = upload(signed_in(Role.EDITOR), data, "faq.csv")
    assert response.status_code == 400
    listed = problems_listed(response)
    assert listed == [
        ("2行目", "9列ありますが、見出しは8列です。"),
        ("3行目", "question が空です。"),
        ("4行目", "C列（question）の3文字目に外字（U+E000）があります。住民のスマートフォンでは表示できないので、"
                  "ふつうの文字に直してください。"),
        ("5行目", "url は http:// か https:// で始めてください（「www.example.jp」になっています）。"),
        ("6行目", "id 8 は3行目でも使われています。id は重ならないようにしてください。"),
    ]
    for _place, message in listed:
        assert JAPANESE.search(message) and not ENGLISH_SENTENCE.search(message), message


def test_a_value_quoted_in_a_problem_is_escaped(app, users, signed_in, faq):
    """Text from the file shown inside a problem is escaped, never markup."""
    response = upload(signed_in(Role.EDITOR), (HEADER + "7,,質問,答え,,<b>x</b>,,\r\n").encode(), "faq.csv")
    shown = page(response)
    assert response.status_code == 400
    assert "<b>x</b>" not in shown
    assert "（「&lt;b&gt;x&lt;/b&gt;」になっています）" in shown
    assert problems_listed(response) == [
        ("2行目", "url は http:// か https:// で始めてください（「<b>x</b>」になっています）。")]


def test_a_file_of_another_kind_is_refused_on_the_form(app, users, signed_in, faq):
    """A .txt upload gets the form's message about the file types, with a 400."""
    response = upload(signed_in(Role.EDITOR), b"hello", "faq.txt")
    assert response.status_code == 400
    assert texts.IMPORT_FILE_TYPES in page(response)


def test_an_open_upload_is_listed_with_the_drafts(app, users, signed_in, faq):
    """The drafts page lists files waiting for approval, by name."""
    client = signed_in(Role.EDITOR)
    held_id(upload(client, (HEADER + "12,,新しい質問,新しい答え,,,,\r\n").encode(), "春の更新.csv"))
    assert "春の更新.csv" in page(client.get("/admin/drafts"))
