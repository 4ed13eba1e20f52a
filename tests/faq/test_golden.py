"""Golden queries: read from a pack's golden.jsonl with every bad line named, graded against the FAQ's answer,
and replayed against a change to find the questions it would answer differently or worse."""

from __future__ import annotations

import pytest

import db
from faq import golden
from faq.answers import Entry
from faq.golden import Grade
from faq.models import GoldenQuery
from faq.policy import answer_policy
from importing.errors import ImportFailed
from importing.messages import Problem
from search.docs import FaqDoc
from search.engine import HybridMatcher
from tests.conftest import NOW

ENTRIES = {
    "7": ("住民票の写しがほしい", ("住民票とりたい",), "市民課の窓口で取れます。"),
    "8": ("粗大ごみの出し方", ("粗大ごみを捨てたい",), "予約してください。"),
    "9": ("犬の登録をしたい", (), "環境課で登録します。"),
}


def faq(entries=ENTRIES):
    matcher = HybridMatcher([FaqDoc(faq_id, q, aliases, a) for faq_id, (q, aliases, a) in entries.items()])
    return {faq_id: Entry(faq_id, q, a) for faq_id, (q, _aliases, a) in entries.items()}, matcher


def content(question, aliases, answer):
    return {"question": question, "aliases": list(aliases), "answer": answer, "category": "", "department": "",
            "phone": "", "url": ""}


def test_a_change_that_loses_a_question_is_a_regression():
    """Taking the alias 住民票とりたい off entry 7 and renaming it: the query that entry 7 answered directly is
    no longer answered by it, and the replay lists it first, as worse."""
    now = faq()
    after = golden.with_entries(*now, {"7": content("証明書の発行", (), "市民課の窓口で取れます。")})
    queries = [GoldenQuery(question="住民票とりたい", faq_id="7"), GoldenQuery(question="犬の登録", faq_id="9")]
    replay = golden.replay(queries, answer_policy({}), now, after)
    assert replay.total == 2 and replay.answered_before == 2
    assert [(r.question, r.before, r.worse) for r in replay.regressions] == [("住民票とりたい", Grade.ANSWERED, True)]


def test_a_change_that_answers_a_question_better_is_changed_but_not_worse():
    """Adding the resident's wording as an alias moves a missed question to a direct answer: listed, not worse."""
    now = faq()
    queries = [GoldenQuery(question="わんちゃんの届け出", faq_id="9")]
    after = golden.with_entries(*now, {"9": content("犬の登録をしたい", ("わんちゃんの届け出",), "環境課で登録します。")})
    replay = golden.replay(queries, answer_policy({}), now, after)
    (row,) = replay.changed
    assert (row.before < row.after, row.after, row.worse, replay.regressions) == (True, Grade.ANSWERED, False, ())


def test_the_replay_leaves_the_matcher_residents_are_answered_by_as_it_was():
    """The change is applied to a copy: the live matcher still finds entry 8 for its alias."""
    entries, matcher = faq()
    golden.with_entries(entries, matcher, {"8": None})
    assert matcher.search("粗大ごみを捨てたい", k=1)[0].faq_id == "8"


def test_a_removed_entry_is_missed_afterwards():
    """Removing entry 8 (None): its query is graded missed after the change."""
    now = faq()
    after = golden.with_entries(*now, {"8": None})
    replay = golden.replay([GoldenQuery(question="粗大ごみを捨てたい", faq_id="8")], answer_policy({}), now, after)
    assert [(r.before, r.after) for r in replay.changed] == [(Grade.ANSWERED, Grade.MISSED)]


def test_the_pack_file_names_each_bad_line(tmp_path):
    """Not JSON, a missing field, an entry the pack does not have and a repeated question: each by its line."""
    path = tmp_path / "golden.jsonl"
    path.write_text('{"question": "住民票とりたい", "faq_id": "7"}\n'
                    "not json\n"
                    '{"question": "犬"}\n'
                    '{"question": "パスポート", "faq_id": "99"}\n'
                    "\n"
                    '{"question": "住民票とりたい", "faq_id": "7"}\n', encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        golden.read_pack_file(path, {"7", "8"})
    assert [(e.row, e.problem) for e in failed.value.errors] == [
        (2, Problem("json.invalid", detail="Expecting value")), (3, Problem("golden.shape")),
        (4, Problem("golden.unknown_faq", faq_id="99")), (6, Problem("golden.duplicate", first="1行目"))]
    assert [str(e) for e in failed.value.errors[2:]] == [
        "4行目：faq_id 99 はパックのFAQにありません。", "6行目：同じ質問が1行目にもあります。"]


def test_a_pack_file_that_is_not_utf8_is_refused_as_a_whole(tmp_path):
    """golden.jsonl in Shift_JIS: one problem for the whole file, saying to save it as UTF-8."""
    path = tmp_path / "golden.jsonl"
    path.write_bytes('{"question": "住民票とりたい", "faq_id": "7"}\n'.encode("cp932"))
    with pytest.raises(ImportFailed) as failed:
        golden.read_pack_file(path, {"7"})
    assert [(e.row, e.problem) for e in failed.value.errors] == [(0, Problem("golden.not_utf8"))]
    assert str(failed.value.errors[0]) == "ファイル全体：文字コードが UTF-8 ではありません。UTF-8 で保存してください。"


def test_the_pack_file_gives_its_pairs_with_numbers_as_ids(tmp_path):
    """A numeric faq_id is read as the entry's text id; blank lines are skipped."""
    path = tmp_path / "golden.jsonl"
    path.write_text('\ufeff{"question": "住民票 とりたい", "faq_id": 7}\n\n', encoding="utf-8")
    assert golden.read_pack_file(path, {"7"}) == [("住民票 とりたい", "7")]


def test_a_pack_load_replaces_the_packs_queries_and_keeps_the_staffs(app):
    """Loading again drops the pack's old queries; a question staff added keeps their entry."""
    with db.transaction(app) as session:
        golden.save_pack_queries(session, [("古い質問", "7"), ("住民票とりたい", "7")], now=NOW)
        golden.add(session, "住民票とりたい", "8", added_by="editor1", now=NOW)
        assert golden.save_pack_queries(session, [("新しい質問", "9"), ("住民票とりたい", "7")], now=NOW) == 1
        kept = {(q.question, q.faq_id, q.added_by) for q in golden.queries(session)}
    assert kept == {("新しい質問", "9", golden.PACK), ("住民票とりたい", "8", "editor1")}
