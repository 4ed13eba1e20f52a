"""`residents import`: residents from another system, all rows or none, every bad row reported."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

import db
from importing.errors import ImportFailed
from importing.messages import Problem
from residents import service
from residents.importer import read_residents
from residents.models import Child
from residents.models import Resident
from residents.models import ResidentStatus
from residents.models import Subscription
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[2]
HEADER = "line_user_id,area,categories,children\n"
ALICE = "U" + "a" * 32
BOB = "U" + "b" * 32
GOOD = (HEADER
        + f"{ALICE},木太,子育て|防災,birth:2024-05-01|due:2027-03-05\n"
        + f"{BOB},,ごみ,\n")


def run(runner, tmp_path, content: str | bytes, name="residents.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return runner.invoke(args=["residents", "import", str(path)])


def count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


class TestGoodFiles:
    def test_residents_areas_categories_and_children_are_imported(self, runner, tmp_path, session):
        """A good file creates each resident with area, categories and children."""
        result = run(runner, tmp_path, GOOD)
        assert result.exit_code == 0, result.output
        assert "2 new residents, 0 already known, 2 children added" in result.output
        alice = session.scalar(sa.select(Resident).where(Resident.line_user_id == ALICE))
        assert alice.area == "木太" and alice.status is ResidentStatus.ACTIVE
        assert set(session.scalars(sa.select(Subscription.category).where(Subscription.resident_id == alice.id))) \
            == {"子育て", "防災"}
        assert set(session.execute(sa.select(Child.due_date, Child.birth_date)).all()) == {
            (None, date(2024, 5, 1)), (date(2027, 3, 5), None)}

    def test_imported_residents_have_consented_now(self, runner, tmp_path, session):
        """Imported residents get consent_at = now, since they consented in the previous system."""
        run(runner, tmp_path, GOOD)
        assert set(session.scalars(sa.select(Resident.consent_at))) == {NOW}

    @pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
    def test_bom_and_shift_jis_files_are_read(self, runner, tmp_path, session, encoding):
        """UTF-8 with BOM and Shift_JIS files import the same."""
        result = run(runner, tmp_path, GOOD.encode(encoding))
        assert result.exit_code == 0, result.output
        assert session.scalar(sa.select(Resident.area).where(Resident.area.is_not(None))) == "木太"

    def test_importing_the_same_file_twice_changes_nothing(self, runner, tmp_path, session):
        """A second import of the same file adds no category or child."""
        run(runner, tmp_path, GOOD)
        result = run(runner, tmp_path, GOOD)
        assert "0 new residents, 2 already known, 0 children added" in result.output
        assert (count(session, Resident), count(session, Subscription), count(session, Child)) == (2, 3, 2)

    def test_twins_are_two_children(self, runner, tmp_path, session):
        """Two children with the same birth date are both imported."""
        run(runner, tmp_path, HEADER + f"{ALICE},,子育て,birth:2024-05-01|birth:2024-05-01\n")
        assert count(session, Child) == 2

    def test_a_known_resident_keeps_their_own_area(self, app, runner, tmp_path, session):
        """A resident who already set an area in chat keeps it; the file only adds categories."""
        with db.transaction(app) as tx:
            service.set_area(tx, ALICE, "栗林", NOW)
        run(runner, tmp_path, GOOD)
        assert session.scalar(sa.select(Resident.area).where(Resident.line_user_id == ALICE)) == "栗林"

    def test_help_says_imported_residents_are_recorded_as_consenting(self, runner):
        """The command's help explains the consent carried over from the previous system."""
        result = runner.invoke(args=["residents", "import", "--help"])
        assert "consented to push messages now" in " ".join(result.output.split())


class TestBadRows:
    @pytest.mark.parametrize(("row", "problem", "reported"), [
        ("U123,木太,子育て,", Problem("residents.user_id", value="U123"),
         "3行目：LINEのユーザーID「U123」の形が違います。U と16進数32桁で書いてください。"),
        ("u" + "a" * 32 + ",木太,子育て,", Problem("residents.user_id", value="u" + "a" * 32),
         "3行目：LINEのユーザーID「u"),
        (f"U{'c' * 32},木太,観光,", Problem("residents.unknown_category", name="観光", known="子育て|ごみ|防災|健康|高齢者|イベント"),
         "3行目：配信の種類「観光」はありません（使える種類: 子育て|ごみ|防災|健康|高齢者|イベント）。"),
        (f"U{'c' * 32},木太,子育て,birth:2026-02-30", Problem("residents.child_date", value="birth:2026-02-30"),
         "3行目：子ども「birth:2026-02-30」の日付が読めません。"),
        (f"U{'c' * 32},木太,子育て,born:2024-01-01", Problem("residents.child_format", value="born:2024-01-01"),
         "3行目：子ども「born:2024-01-01」は birth:YYYY-MM-DD か due:YYYY-MM-DD の形で書いてください。"),
        (f"U{'c' * 32},木太,子育て,birth:2027-01-01", Problem("residents.birth_future", day="2027-01-01"),
         "3行目：誕生日 2027-01-01 は今日より後です。"),
        (f"U{'c' * 32},木太,子育て,due:2020-01-01", Problem("residents.due_past", day="2020-01-01"),
         "3行目：出産予定日 2020-01-01 は1か月以上前です"),
        (f"{ALICE},栗林,防災,", Problem("residents.duplicate_user", user=ALICE, first="2行目"),
         f"3行目：LINEのユーザー {ALICE} は2行目にもあります。"),
        (f"U{'c' * 32},木太", Problem("row.width", found=2, expected=4), "3行目：2列ありますが、見出しは4列です。"),
    ])
    def test_each_bad_row_is_reported_and_nothing_is_imported(self, runner, tmp_path, session, row, problem, reported):
        """A bad row is reported by number with its reason, and the good rows are not imported either."""
        content = HEADER + f"{ALICE},木太,子育て,\n" + row + "\n"
        with pytest.raises(ImportFailed) as failed:
            read_residents(content.encode(), NOW.date())
        assert [(error.row, error.problem) for error in failed.value.errors] == [(3, problem)]
        result = run(runner, tmp_path, content)
        assert result.exit_code != 0
        assert reported in result.output
        assert "residents.csv は取り込めません。1件の問題があり、何も取り込んでいません。" in result.output
        assert count(session, Resident) == 0

    def test_every_bad_row_is_listed(self, runner, tmp_path):
        """All bad rows are reported in one run, not just the first (more than the fifty a summary shows)."""
        rows = "".join(f"U{n},木太,子育て,\n" for n in range(60))
        result = run(runner, tmp_path, HEADER + rows)
        assert "60件の問題があり" in result.output
        assert all(f"  {n}行目：LINEのユーザーID「U{n - 2}」" in result.output for n in range(2, 62))

    def test_a_wrong_header_is_refused(self, runner, tmp_path, session):
        """A file without the expected header imports nothing."""
        result = run(runner, tmp_path, "id,area\n" + f"{ALICE},木太\n")
        assert "1行目：見出しの行を line_user_id,area,categories,children にしてください。" in result.output
        assert count(session, Resident) == 0


def test_a_failure_while_saving_leaves_nothing_behind(runner, tmp_path, session, monkeypatch):
    """If saving fails part-way, the residents already written are rolled back too."""
    from residents import importer

    calls = []

    def failing_child(**kwargs):
        calls.append(kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "Child", failing_child)
    result = run(runner, tmp_path, HEADER + f"{BOB},,ごみ,\n{ALICE},木太,子育て,birth:2024-05-01\n")
    assert isinstance(result.exception, RuntimeError) and calls
    assert count(session, Resident) == 0


class TestAreas:
    @pytest.fixture
    def city_areas(self, app):
        """高松's eight areas (the demo pack's garbage data), as the city's areas."""
        from city import pack as packs

        with db.transaction(app) as tx:
            packs.load_pack(tx, ROOT / "packs" / "demo")

    def test_an_area_the_city_does_not_have_is_refused_by_row(self, runner, tmp_path, session, city_areas):
        """With garbage areas loaded, an area that is none of them is a bad row and nothing is imported."""
        result = run(runner, tmp_path, HEADER + f"{ALICE},木太,子育て,\n{BOB},火星,ごみ,\n")
        assert result.exit_code != 0
        assert "3行目：地区「火星」は市の地区にありません。" in result.output
        assert count(session, Resident) == 0

    def test_an_area_given_by_an_alias_is_stored_as_the_area_name(self, runner, tmp_path, session, city_areas):
        """「木太」 is an alias of 「木太・林・多肥・国分寺南部」: the resident gets the area's name, as in the chat."""
        result = run(runner, tmp_path, HEADER + f"{ALICE},木太,子育て,\n")
        assert result.exit_code == 0, result.output
        assert "area 木太 stored as 木太・林・多肥・国分寺南部" in result.output
        assert session.scalar(sa.select(Resident.area)) == "木太・林・多肥・国分寺南部"

    def test_an_alias_of_several_areas_is_refused(self, runner, tmp_path, session, city_areas):
        """「香川」 names three areas (香川（浅野）, （川東）, （大野）): refused, asking for the full name."""
        result = run(runner, tmp_path, HEADER + f"{ALICE},香川,子育て,\n")
        assert result.exit_code != 0
        assert "2行目：地区「香川」に当たる地区が3つあります（前田・三谷・" in result.output
        assert "。地区の名前を省略せずに書いてください。" in result.output

    def test_a_close_spelling_is_suggested(self, runner, tmp_path, session, city_areas):
        """A near miss names the area it probably means."""
        result = run(runner, tmp_path, HEADER + f"{ALICE},木太・林・多肥,子育て,\n")
        assert "2行目：地区「木太・林・多肥」は市の地区にありません。木太・林・多肥・国分寺南部 のことですか。" in result.output

    def test_without_areas_loaded_areas_are_kept_unchecked_and_said_so(self, runner, tmp_path, session):
        """Before any garbage data is loaded, areas are kept as written and the command says they were not checked."""
        result = run(runner, tmp_path, HEADER + f"{ALICE},火星,子育て,\n")
        assert result.exit_code == 0, result.output
        assert "areas were not checked: no garbage areas are loaded" in result.output
        assert session.scalar(sa.select(Resident.area)) == "火星"


class TestText:
    def test_euc_jp_file_is_read(self, runner, tmp_path, session):
        """A residents file saved in EUC-JP imports with its area intact."""
        result = run(runner, tmp_path, GOOD.encode("euc_jp"))
        assert result.exit_code == 0, result.output
        assert session.scalar(sa.select(Resident.area).where(Resident.area.is_not(None))) == "木太"

    def test_private_use_character_is_a_bad_row(self, runner, tmp_path, session):
        """A 外字 in an area is reported by row and column."""
        result = run(runner, tmp_path, HEADER + f"{ALICE},木\ue000太,子育て,\n")
        assert result.exit_code != 0
        assert "2行目：B列（area）の2文字目に外字（U+E000）があります。" in result.output


def test_an_area_typed_by_its_reading_is_stored_as_the_area_name(runner, tmp_path, session, app):
    """「はやし」 is the reading of 林 (an alias of 木太・林・多肥・国分寺南部): the importer takes it, as the chat does."""
    from city import pack as packs

    with db.transaction(app) as tx:
        packs.load_pack(tx, ROOT / "packs" / "demo")
    result = run(runner, tmp_path, HEADER + f"{ALICE},はやし,子育て,\n")
    assert result.exit_code == 0, result.output
    assert session.scalar(sa.select(Resident.area)) == "木太・林・多肥・国分寺南部"
