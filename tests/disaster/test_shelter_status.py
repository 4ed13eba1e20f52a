"""A shelter's status: set by staff from the command line, or from a shelter staff member's LINE account
linked with a one-time code; never by a resident."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

import db
from disaster import status
from disaster.models import Shelter
from disaster.models import ShelterStaff
from disaster.models import ShelterStaffCode
from tests.chat import load_demo_pack
from tests.chat import press
from tests.chat import say
from tests.conftest import NOW

STAFF = "U" + "5" * 32
RESIDENT = "U" + "6" * 32
SCHOOL = "富丘中学校"  # a building (指定避難所) and its grounds (指定緊急避難場所): two shelters of one name


def statuses(session, name: str = SCHOOL) -> set[tuple[str, str]]:
    session.expire_all()
    return {(s.status, s.crowding) for s in session.scalars(sa.select(Shelter).where(Shelter.name == name))}


def staff_code(runner, name: str = SCHOOL) -> str:
    result = runner.invoke(args=["shelters", "staff-code", name])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[0]


def test_the_status_command_sets_every_shelter_of_the_name_with_the_time(app, runner, session):
    load_demo_pack(app)
    result = runner.invoke(args=["shelters", "status", SCHOOL, "--open", "--crowding", "some"])
    assert result.exit_code == 0, result.output
    assert statuses(session) == {("open", "some")}
    assert {s.status_at for s in session.scalars(sa.select(Shelter).where(Shelter.name == SCHOOL))} == {NOW}


def test_closing_clears_the_crowding(app, runner, session):
    load_demo_pack(app)
    runner.invoke(args=["shelters", "status", SCHOOL, "--open", "--crowding", "busy"])
    runner.invoke(args=["shelters", "status", SCHOOL, "--closed"])
    assert statuses(session) == {("closed", "")}


def test_an_unknown_name_changes_nothing_and_suggests_names(app, runner, session):
    load_demo_pack(app)
    result = runner.invoke(args=["shelters", "status", "富丘", "--open"])
    assert result.exit_code != 0 and SCHOOL in result.output
    assert session.scalar(sa.select(sa.func.count()).select_from(Shelter).where(Shelter.status != "")) == 0


def test_a_linked_staff_member_sets_the_status_from_line(app, runner, session):
    """「避難所スタッフ CODE」 links the account; then 「混雑」 sets the shelter open and crowded."""
    load_demo_pack(app)
    code = staff_code(runner)
    linked = say(app, f"避難所スタッフ {code}", user=STAFF)
    assert SCHOOL in linked.messages[0].text and "登録しました" in linked.messages[0].text
    reply = say(app, "混雑", user=STAFF)
    assert "開設中・混雑" in reply.messages[0].text
    assert statuses(session) == {("open", "busy")}
    say(app, "閉鎖しました。", user=STAFF)
    assert statuses(session) == {("closed", "")}


def test_a_resident_cannot_change_a_status(app, runner, session):
    """The same words from an account that is not linked are answered as any message; no status moves."""
    load_demo_pack(app)
    say(app, f"避難所スタッフ {staff_code(runner)}", user=STAFF)
    for word in ("混雑", "満員", "閉鎖", "開設"):
        reply = say(app, word, user=RESIDENT)
        assert reply.intent != "shelter_staff"
    assert statuses(session) == {("", "")}


def test_the_staff_members_status_shows_in_residents_answers(app, runner):
    load_demo_pack(app)
    say(app, f"避難所スタッフ {staff_code(runner)}", user=STAFF)
    say(app, "混雑", user=STAFF)  # a full one would give way to others (test_shelters_chat)
    asked = say(app, "あずさの避難所", user=RESIDENT)
    [data] = [item.action.data for item in asked.messages[-1].quick_reply.items if item.action.label == "地震"]
    found = press(app, data, user=RESIDENT).messages[0].text
    assert "富丘中学校" in found and "開設状況：開設中・混雑（" in found


def test_a_code_links_one_account_once(app, runner, session):
    load_demo_pack(app)
    code = staff_code(runner)
    say(app, f"避難所スタッフ {code}", user=STAFF)
    again = say(app, f"避難所スタッフ {code}", user=RESIDENT)
    assert "使用済み" in again.messages[0].text
    assert session.scalars(sa.select(ShelterStaff.line_user_id)).all() == [STAFF]


def test_an_expired_or_wrong_code_links_nobody(app, runner, session):
    load_demo_pack(app)
    code = staff_code(runner)
    with db.transaction(app) as write:
        write.execute(sa.update(ShelterStaffCode).values(expires_at=NOW - timedelta(seconds=1)))
    assert "期限" in say(app, f"避難所スタッフ {code}", user=STAFF).messages[0].text
    assert "期限" in say(app, "避難所スタッフ ABCD2345", user=STAFF).messages[0].text
    assert session.scalars(sa.select(ShelterStaff)).all() == []


def test_only_the_codes_hash_is_stored(app, runner, session):
    load_demo_pack(app)
    code = staff_code(runner)
    assert code not in {row.code_hash for row in session.scalars(sa.select(ShelterStaffCode))}


def test_a_code_is_read_in_full_width_and_lower_case(app, runner, session):
    load_demo_pack(app)
    code = staff_code(runner)
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    assert "登録しました" in say(app, f"避難所スタッフ　{wide}", user=STAFF).messages[0].text


def test_deleting_ones_data_unlinks_a_staff_member(app, runner, session):
    """「データ削除」, confirmed: the staff link goes with the rest, and 「混雑」 no longer sets anything."""
    load_demo_pack(app)
    say(app, f"避難所スタッフ {staff_code(runner)}", user=STAFF)
    say(app, "データ削除", user=STAFF)
    press(app, "a=delete&c=yes", user=STAFF)
    assert session.scalars(sa.select(ShelterStaff)).all() == []
    say(app, "混雑", user=STAFF)
    assert statuses(session) == {("", "")}


@pytest.mark.parametrize(("text", "change"), [
    ("開設しました", ("open", None)), ("避難所を開設しました", ("open", None)), ("開設します", ("open", None)),
    ("まだ空いています", ("open", "empty")), ("空いてます", ("open", "empty")),
    ("やや混雑", ("open", "some")), ("少し混んでいます", ("open", "some")),
    ("混雑", ("open", "busy")), ("だいぶ混んできました", ("open", "busy")), ("混雑してきました", ("open", "busy")),
    ("満員です！", ("full", "full")), ("満杯です", ("full", "full")), ("いっぱいです", ("full", "full")),
    ("受け入れ停止", ("full", "full")),
    ("閉鎖します", ("closed", None)), ("閉めました", ("closed", None)), ("閉鎖しました。", ("closed", None)),
])
def test_staff_words_are_read_as_staff_write_them(text, change):
    assert status.staff_word(text) == status.Change(*change)


@pytest.mark.parametrize("text", ["混雑してる？", "今日の夕飯はカレーです", "避難所の混雑状況を市のホームページで確認してください"])
def test_questions_and_other_messages_are_no_status(text):
    assert status.staff_word(text) is None


def test_a_staff_status_that_cannot_be_read_is_answered_with_the_words(app, runner, session):
    """「受入れは半分くらい」 from a staff member: nothing changes, and the reply lists the words to send."""
    load_demo_pack(app)
    say(app, f"避難所スタッフ {staff_code(runner)}", user=STAFF)
    reply = say(app, "受入れは半分くらい", user=STAFF)
    assert reply.intent == "shelter_staff" and "「満員」" in reply.messages[0].text
    assert statuses(session) == {("", "")}


def test_a_full_shelter_is_shown_as_full_alone(app, runner):
    load_demo_pack(app)
    say(app, f"避難所スタッフ {staff_code(runner)}", user=STAFF)
    reply = say(app, "満員です", user=STAFF)
    assert "「満員」" in reply.messages[0].text and "満員・" not in reply.messages[0].text


def test_a_code_is_read_inside_a_sentence(app, runner, session):
    """Staff write as they would to a colleague: the code after the words still links the account."""
    load_demo_pack(app)
    code = staff_code(runner)
    linked = say(app, f"お疲れ様です。避難所スタッフの田中です。コードは {code} です。よろしくお願いします", user=STAFF)
    assert "登録しました" in linked.messages[0].text


def test_the_words_without_a_code_are_an_ordinary_message(app, runner, session):
    load_demo_pack(app)
    reply = say(app, "避難所スタッフの募集はありますか", user=STAFF)
    assert reply.intent != "shelter_staff"
