"""The console's data pages, read-only: the life-stage timeline for a sample child, the garbage dictionary and an
area's next collection days, residents as counts only, and the shelters' status board with the 避難情報."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

import db
from admin import data_views
from admin import texts
from admin.models import Role
from disaster import notices
from disaster.models import Shelter
from push import segments
from push.stage_counts import stage_counts
from residents.models import Child
from residents.models import Resident
from residents.models import ResidentStatus
from residents.models import Subscription
from tests.chat import load_demo_garbage
from tests.chat import municipality
from tests.conftest import NOW

DEMO = Path(__file__).resolve().parents[2] / "packs" / "demo"
KITA = "木太・林・多肥・国分寺南部"  # 燃やせる: 火・金, 破砕: 第1・3月, 缶びん: 第2・4木, 紙布: 第1・3木, プラ: 水
TODAY = date(2026, 11, 20)  # NOW in Japan: Friday, 12:00


def page(response) -> str:
    return response.get_data(as_text=True)


def row_of(shown: str, name: str) -> str:
    """The cells after the row header ``name`` (its first row)."""
    return shown.split(f'<th scope="row">{name}</th>', 1)[1].split("</tr>", 1)[0]


@pytest.fixture
def demo_city(app):
    """かもめ市, its pack folder recorded (so the demo pack's life-stage rules are the city's)."""
    with db.transaction(app) as session:
        municipality(session, pack_path=str(DEMO))


class TestLifeStage:
    def test_the_timeline_lists_a_message_of_the_citys_rules_on_its_date(self, app, signed_in, demo_city):
        """For a child born 2025-11-20, the demo pack's 出生届 message is on the birth date with its deadline."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/lifestage", query_string={"birth": "2025-11-20"}))
        row = shown.split("2025年11月20日（木）", 1)[1].split("</tr>", 1)[0]
        assert "出生届は12月3日（水）までに提出してください" in row and "かもめ市役所 市民課" in row
        assert "birth-registration" in row

    def test_the_timeline_is_in_date_order(self, app, signed_in, demo_city):
        """The 1か月児健診 (2025-12-11) comes after the 出生届 (2025-11-20) and before the 2か月 vaccines."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/lifestage", query_string={"birth": "2025-11-20"}))
        assert shown.index("birth-registration") < shown.index("checkup-1m") < shown.index("vaccines-2m")

    def test_a_due_date_lists_the_pregnancy_messages(self, app, signed_in, demo_city):
        """With only a due date of 2027-05-01, the 2nd support payment is announced 8 weeks before it."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/lifestage", query_string={"birth": "", "due": "2027-05-01"}))
        row = shown.split("2027年3月6日（土）", 1)[1].split("</tr>", 1)[0]
        assert "pregnancy-support-payment-2" in row
        assert "birth-registration" not in shown.split("<h2>ルール", 1)[0]  # (the rules' list has every rule)

    def test_the_first_visit_shows_a_child_born_a_year_ago(self, app, signed_in):
        """Without a pack, the default rules give a timeline for a birth date one year before today."""
        response = signed_in(Role.EDITOR).get("/admin/data/lifestage")
        assert response.status_code == 200
        assert 'value="2025-11-20"' in page(response)
        assert "2025年11月20日（木）" in page(response) and "標準のルール" in page(response)

    @pytest.mark.parametrize("value", ["2025-02-30", "2025/13/01", "きのう", "20251120x"])
    def test_a_date_that_does_not_exist_is_explained_with_400(self, app, signed_in, value):
        """2月30日, a 13th month or words get the Japanese message naming the field, not a 500."""
        response = signed_in(Role.EDITOR).get("/admin/data/lifestage", query_string={"birth": value})
        assert response.status_code == 400
        assert texts.DATA_BAD_DATE.format(field="子どもの生年月日", value=value) in page(response)

    def test_a_year_out_of_range_is_explained_with_400(self, app, signed_in):
        """A year the calendar arithmetic cannot reach (0005) is refused with the range."""
        response = signed_in(Role.EDITOR).get("/admin/data/lifestage", query_string={"birth": "0005-01-01"})
        assert response.status_code == 400
        assert texts.DATA_DATE_RANGE.format(field="子どもの生年月日", first=1900, last=2100) in page(response)

    def test_no_date_at_all_is_explained_with_400(self, app, signed_in):
        """A form sent with every date blank asks for one."""
        response = signed_in(Role.EDITOR).get("/admin/data/lifestage", query_string={"birth": ""})
        assert response.status_code == 400
        assert texts.DATA_NO_DATE in page(response)

    def test_japanese_and_slashed_dates_are_read(self):
        """2025年4月1日, ２０２５/4/1 and 2025-04-01 are the same day."""
        assert {data_views._read_date("birth", v) for v in ("2025年4月1日", "２０２５/4/1", "2025-04-01")} == {
            date(2025, 4, 1)}


@pytest.fixture
def garbage(app):
    """高松's garbage data (the demo pack's)."""
    load_demo_garbage(app)


class TestGarbage:
    def test_a_word_finds_an_item_with_its_category(self, app, signed_in, garbage):
        """「アイロン」 finds アイロン (破砕ごみ) and アイロン台 with its notice."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/garbage", query_string={"q": "アイロン"}))
        assert "<td>破砕ごみ</td>" in row_of(shown, "アイロン")
        assert "重量10kgを超えるものは" in shown and "の結果 2件" in shown

    def test_a_word_in_hiragana_finds_the_katakana_name(self, app, signed_in, garbage):
        """「あいろん」 finds アイロン too."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/garbage", query_string={"q": "あいろん"}))
        assert '<th scope="row">アイロン</th>' in shown

    def test_the_bots_search_finds_what_a_resident_would_be_answered(self, app, signed_in, garbage):
        """In the bot's mode 「ぺっとぼとる」 (a reading) finds the ペットボトル row, as the chat would."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/garbage",
                                                query_string={"q": "ぺっとぼとる", "mode": "match"}))
        assert "ペットボトル（飲料・酒・醤油用など）" in shown and "缶・びん・ペットボトル" in shown

    def test_the_dictionary_comes_a_page_at_a_time(self, app, signed_in, garbage):
        """Without a word, all 607 rows are counted but one page of PAGE_SIZE rows is shown, with a next link."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/garbage"))
        assert "607件" in shown and "1 / 13" in shown
        assert shown.count('<th scope="row">') == data_views.PAGE_SIZE
        assert "page=2" in shown

    def test_an_areas_next_collection_days_are_shown(self, app, signed_in, garbage):
        """At noon on Fri 11/20 the day is over: 燃やせるごみ (火・金) next on 11/24 and 11/27."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/garbage", query_string={"area": KITA}))
        row = shown.split('<th scope="row">燃やせるごみ</th>', 1)[1].split("</tr>", 1)[0]
        assert "毎週火・金曜日" in row and "2026年11月24日（火）、2026年11月27日（金）" in row
        assert "2026年11月21日（土）から" in shown

    def test_without_garbage_data_the_page_says_so(self, app, signed_in):
        """A city with no garbage data gets a sentence, not an error."""
        response = signed_in(Role.EDITOR).get("/admin/data/garbage", query_string={"q": "x", "mode": "match"})
        assert response.status_code == 200 and "ごみのデータがまだありません" in page(response)


USERS = {n: f"U{n:032d}" for n in range(1, 7)}


@pytest.fixture
def residents(app):
    """Six residents: four following with consent (大町 ×3, 港町), one following without (港町), one blocked
    (大町); with push categories and children of each stage."""
    people = [  # (n, area, status, consent, categories, children's (due, birth))
        (1, "大町", ResidentStatus.ACTIVE, True, ["子育て", "防災"], [(date(2027, 3, 1), None)]),
        (2, "大町", ResidentStatus.ACTIVE, True, ["防災"], [(None, date(2026, 6, 1)), (None, date(2026, 1, 5))]),
        (3, "大町", ResidentStatus.ACTIVE, True, [], [(None, date(2022, 5, 5)), (None, date(2015, 5, 5))]),
        (4, "港町", ResidentStatus.ACTIVE, True, ["子育て"], [(None, date(2005, 1, 1))]),
        (5, "港町", ResidentStatus.ACTIVE, False, ["子育て"], [(None, date(2025, 12, 24))]),
        (6, "大町", ResidentStatus.BLOCKED, True, ["防災"], [(None, date(2026, 2, 2))]),
    ]
    with db.transaction(app) as session:
        for n, area, status, consent, categories, children in people:
            resident = Resident(line_user_id=USERS[n], status=status, area=area, consent_at=NOW if consent else None)
            session.add(resident)
            session.flush()
            session.add_all(Subscription(resident_id=resident.id, category=c) for c in categories)
            session.add_all(Child(resident_id=resident.id, due_date=due, birth_date=birth) for due, birth in children)


class TestResidents:
    def test_the_totals_count_following_and_consenting_residents(self, app, signed_in, residents):
        """Five follow (the blocked one does not count), four of them agreed to push; six rows in all."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/residents"))
        assert "友だち（ブロックしていない人）：<strong>5</strong>人" in shown
        assert "うち通知に同意：<strong>4</strong>人" in shown and "（ブロックした人を含む）：6人" in shown

    def test_residents_are_counted_by_area(self, app, signed_in, residents):
        """大町: 3 following and consenting (not the blocked one); 港町: 2 following, 1 consenting."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/residents"))
        assert row_of(shown, "大町") == "<td>3</td><td>3</td>"
        assert row_of(shown, "港町") == "<td>2</td><td>1</td>"

    def test_residents_are_counted_by_push_category(self, app, signed_in, residents):
        """子育て: 3 following (2 consenting); 防災: 2 (the blocked one left out); 健康: none."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/residents"))
        assert row_of(shown, "子育て") == "<td>3</td><td>2</td>"
        assert row_of(shown, "防災") == "<td>2</td><td>2</td>"
        assert row_of(shown, "健康") == "<td>0</td><td>0</td>"

    def test_residents_are_counted_by_their_childrens_stage(self, app, signed_in, residents):
        """On 2026-11-20: one expecting, two with a baby (one of them not consenting; two babies count once),
        one with a preschooler, one with a schoolchild; the 2005 child is in no stage."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/residents"))
        assert row_of(shown, "妊娠中の方") == "<td>1</td><td>1</td>"
        assert row_of(shown, "0歳の子がいる方") == "<td>2</td><td>1</td>"
        assert row_of(shown, "未就学の子がいる方") == "<td>1</td><td>1</td>"
        assert row_of(shown, "小・中学生の子がいる方") == "<td>1</td><td>1</td>"

    def test_the_page_shows_no_line_user_id(self, app, signed_in, residents):
        """Counts only: no resident's LINE user id is on the page."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/residents"))
        assert not any(user in shown for user in USERS.values())
        assert "U000" not in shown

    def test_the_stage_counts_agree_with_the_broadcast_segments(self, app, residents):
        """Counted in SQL, each stage's consenting residents are the reach of its ``stage:`` segment."""
        with db.read_transaction(app) as session:
            counted = stage_counts(session, TODAY)
            for stage in segments.STAGES:
                assert counted[stage].consenting == segments.reach(session, segments.parse(f"stage:{stage}"), TODAY)

    def test_the_counts_take_the_same_queries_for_more_residents(self, app, signed_in, residents):
        """Aggregates, not a row per resident: ten times the residents, the same number of statements."""
        client = signed_in(Role.EDITOR)

        def statements() -> int:
            seen = []
            listener = lambda *args: seen.append(1)  # noqa: E731
            sa.event.listen(sa.engine.Engine, "before_cursor_execute", listener)
            try:
                assert client.get("/admin/data/residents").status_code == 200
            finally:
                sa.event.remove(sa.engine.Engine, "before_cursor_execute", listener)
            return len(seen)

        before = statements()
        with db.transaction(app) as session:
            for n in range(60):
                resident = Resident(line_user_id=f"V{n:032d}", status=ResidentStatus.ACTIVE, area="大町",
                                    consent_at=NOW)
                session.add(resident)
                session.flush()
                session.add(Child(resident_id=resident.id, birth_date=date(2020, 1, 1)))
        assert statements() == before


@pytest.fixture
def shelters(app):
    """Two shelters: かもめ小学校 open and somewhat crowded (said at NOW), 港町公園 never given a status."""
    with db.transaction(app) as session:
        session.add(Shelter(key="1", kind="evacuation", name="かもめ小学校", address="かもめ市大町1-1", latitude=42.8,
                            longitude=141.6, accepts="全員", status="open", crowding="some", status_at=NOW))
        session.add(Shelter(key="2", kind="emergency", name="港町公園", address="かもめ市港町2-2", latitude=42.81,
                            longitude=141.61, hazards=0b1001))


@pytest.fixture
def notice(app):
    """A 避難指示 for 大町, issued (one approval needed), and a draft 高齢者等避難 for 港町."""
    with db.transaction(app) as session:
        issued = notices.create(session, level=4, areas=["大町"], created_by="tanaka", now=NOW)
        notices.approve(session, issued.id, "suzuki", NOW, approvals=1)
        notices.create(session, level=3, areas=["港町"], created_by="tanaka", now=NOW)


class TestShelters:
    def test_shelters_appear_with_their_status(self, app, signed_in, shelters):
        """かもめ小学校 is 開設中（やや混雑）; 港町公園 未設定 with its hazards; the board counts one of each."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/shelters"))
        assert "開設中（やや混雑）" in row_of(shown, "かもめ小学校")
        assert "未設定" in row_of(shown, "港町公園") and "洪水・地震" in row_of(shown, "港町公園")
        assert ">開設中</a>：<strong>1</strong>か所" in shown and ">未設定</a>：<strong>1</strong>か所" in shown

    def test_shelters_are_filtered_by_status(self, app, signed_in, shelters):
        """status=unset lists only the shelter never given a status."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/shelters", query_string={"status": "unset"}))
        assert '<th scope="row">港町公園</th>' in shown and '<th scope="row">かもめ小学校</th>' not in shown

    def test_shelters_are_searched_by_name_or_address(self, app, signed_in, shelters):
        """「大町」 finds the shelter at an address in 大町."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/shelters", query_string={"q": "大町"}))
        assert '<th scope="row">かもめ小学校</th>' in shown and '<th scope="row">港町公園</th>' not in shown

    def test_a_status_said_long_ago_is_marked_old(self, app, signed_in, shelters, clock):
        """Past SHELTER_STATUS_MAX_AGE_HOURS the status is marked as old information."""
        client = signed_in(Role.EDITOR)
        assert "古い情報" not in page(client.get("/admin/data/shelters"))
        for _ in range(8):  # 200 minutes, in steps within the console's idle limit
            clock.advance(minutes=25)
            client.get("/admin/")
        assert "古い情報" in row_of(page(client.get("/admin/data/shelters")), "かもめ小学校")

    def test_notices_appear_with_their_state(self, app, signed_in, notice):
        """The issued 避難指示 shows 発令中 for 大町 with its approver; the draft shows 承認待ち."""
        shown = page(signed_in(Role.EDITOR).get("/admin/data/shelters"))
        issued = row_of(shown, "警戒レベル4 避難指示")
        assert "<td>発令中</td>" in issued and "<td>大町</td>" in issued and "承認：suzuki" in issued
        assert "<td>承認待ち</td>" in row_of(shown, "警戒レベル3 高齢者等避難")

    def test_notices_are_filtered_by_area_and_state(self, app, signed_in, notice):
        """notice_area=港町 shows only the 港町 notice; notice_status=issued only the issued one."""
        client = signed_in(Role.EDITOR)
        by_area = page(client.get("/admin/data/shelters", query_string={"notice_area": "港町"}))
        assert "高齢者等避難" in by_area and "避難指示" not in by_area
        by_state = page(client.get("/admin/data/shelters", query_string={"notice_status": "issued"}))
        assert "警戒レベル4 避難指示" in by_state and "警戒レベル3" not in by_state


def test_the_index_links_every_data_page(app, signed_in):
    """/admin/data links the four pages, and the menu links /admin/data."""
    shown = page(signed_in(Role.EDITOR).get("/admin/data"))
    for target in ("/admin/data/lifestage", "/admin/data/garbage", "/admin/data/residents", "/admin/data/shelters"):
        assert f'href="{target}"' in shown
    assert '<a href="/admin/data">データ</a>' in shown
