"""Disaster notices (避難情報): created, approved by two other people, issued, lifted — and pushed once, as an
emergency broadcast, to the residents of their areas who chose 防災."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from disaster.models import DisasterNotice
from push import broadcasts
from push import notices as push_notices
from push import quiet
from push.models import Broadcast
from push.sender import send_due
from residents.models import Resident
from residents.models import ResidentStatus
from residents.models import Subscription
from tests.chat import load_demo_pack
from tests.chat import say
from tests.conftest import NOW
from tests.push.helpers import received
from tests.push.helpers import user

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def residents(factory):
    """Consenting residents: 0–2 in 大町 with 防災, 3 in 大町 without it, 4 in 港町 with 防災, 5 in 大町 with
    防災 but blocked."""
    rows = [("大町", True, ResidentStatus.ACTIVE), ("大町", True, ResidentStatus.ACTIVE),
            ("大町", True, ResidentStatus.ACTIVE), ("大町", False, ResidentStatus.ACTIVE),
            ("港町", True, ResidentStatus.ACTIVE), ("大町", True, ResidentStatus.BLOCKED)]
    with factory.begin() as session:
        for n, (area, disaster, state) in enumerate(rows):
            resident = Resident(line_user_id=user(n), status=state, area=area, consent_at=NOW)
            session.add(resident)
            session.flush()
            if disaster:
                session.add(Subscription(resident_id=resident.id, category="防災"))
    return [user(n) for n in range(len(rows))]


def create(runner, *args: str) -> int:
    result = runner.invoke(args=["disaster", "notice", "create", *args])
    assert result.exit_code == 0, result.output
    return int(result.output.splitlines()[0])


def issue(runner, level: str = "4", area: str = "大町") -> int:
    notice_id = create(runner, "--level", level, "--area", area, "--by", "田中")
    for approver in ("佐藤", "鈴木"):
        assert runner.invoke(args=["disaster", "notice", "approve", str(notice_id), "--approver", approver]
                             ).exit_code == 0
    return notice_id


def notice_status(factory, notice_id: int) -> str:
    with factory() as session:
        return session.get(DisasterNotice, notice_id).status


def test_a_notice_needs_two_approvers_other_than_its_creator(runner, factory):
    notice_id = create(runner, "--level", "4", "--area", "大町", "--by", "田中")
    refused = runner.invoke(args=["disaster", "notice", "approve", str(notice_id), "--approver", "田中"])
    assert refused.exit_code != 0 and "may not approve" in refused.output
    runner.invoke(args=["disaster", "notice", "approve", str(notice_id), "--approver", "佐藤"])
    runner.invoke(args=["disaster", "notice", "approve", str(notice_id), "--approver", "　佐藤 "])  # the same person again
    assert notice_status(factory, notice_id) == "draft"
    runner.invoke(args=["disaster", "notice", "approve", str(notice_id), "--approver", "鈴木"])
    assert notice_status(factory, notice_id) == "issued"


def test_a_level_outside_3_to_5_is_refused(runner):
    result = runner.invoke(args=["disaster", "notice", "create", "--level", "2", "--area", "大町", "--by", "田中"])
    assert result.exit_code != 0


def test_an_issued_notice_is_pushed_once_to_its_areas_residents_who_chose_disaster(factory, runner, residents,
                                                                                      line_api, sdk_line_client):
    """Only residents 0–2 get it (in 大町, chose 防災, not blocked), once, with the standard words of level 4."""
    issue(runner)
    made = push_notices.broadcast_notices(factory, NOW, timezone=TOKYO)
    assert push_notices.broadcast_notices(factory, NOW, timezone=TOKYO) == []  # never twice
    assert len(made) == 1
    broadcasts.plan_broadcasts(factory, NOW, timezone=TOKYO)
    send_due(factory, sdk_line_client, NOW)
    send_due(factory, sdk_line_client, NOW + timedelta(minutes=1))
    assert received(line_api) == {user(0): 1, user(1): 1, user(2): 1}
    assert line_api.violations == []
    [(_to, messages, _key)] = line_api.multicasts
    text = messages[0]["text"]
    assert text.startswith("【警戒レベル4】避難指示") and "危険な場所から全員避難してください" in text
    with factory() as session:
        assert session.get(Broadcast, made[0]).emergency


def test_an_issued_notice_goes_out_in_quiet_hours(factory, runner, residents, line_api, sdk_line_client):
    """At 23:30 in the city (quiet hours for other pushes), the notice is planned and sent at once."""
    night = NOW.replace(hour=14, minute=30)  # 23:30 in Tokyo
    issue(runner)
    push_notices.broadcast_notices(factory, night, timezone=TOKYO)
    broadcasts.plan_broadcasts(factory, night, timezone=TOKYO, quiet=quiet.parse("21:00-08:00"))
    send_due(factory, sdk_line_client, night)
    assert set(received(line_api)) == {user(0), user(1), user(2)}


def test_lifting_a_notice_tells_the_same_residents(factory, runner, residents, line_api, sdk_line_client):
    notice_id = issue(runner)
    push_notices.broadcast_notices(factory, NOW, timezone=TOKYO)
    assert runner.invoke(args=["disaster", "notice", "lift", str(notice_id)]).exit_code == 0
    push_notices.broadcast_notices(factory, NOW, timezone=TOKYO)
    broadcasts.plan_broadcasts(factory, NOW, timezone=TOKYO)
    send_due(factory, sdk_line_client, NOW)
    texts = [messages[0]["text"] for _to, messages, _key in line_api.multicasts]
    assert any(text.startswith("【解除】") for text in texts)
    assert received(line_api) == {user(0): 2, user(1): 2, user(2): 2}


def test_a_draft_is_cancelled_and_an_issued_notice_is_lifted_not_cancelled(runner, factory):
    draft = create(runner, "--level", "3", "--area", "大町", "--by", "田中")
    assert runner.invoke(args=["disaster", "notice", "cancel", str(draft)]).exit_code == 0
    assert notice_status(factory, draft) == "cancelled"
    issued = issue(runner)
    assert runner.invoke(args=["disaster", "notice", "cancel", str(issued)]).exit_code != 0
    assert notice_status(factory, issued) == "issued"


def test_a_cancelled_draft_is_never_pushed(factory, runner, residents):
    draft = create(runner, "--level", "4", "--area", "大町", "--by", "田中")
    runner.invoke(args=["disaster", "notice", "cancel", str(draft)])
    assert push_notices.broadcast_notices(factory, NOW, timezone=TOKYO) == []


def test_the_list_prints_json(runner):
    issue(runner, level="5", area="港町")
    result = runner.invoke(args=["disaster", "notice", "list", "--json"])
    [shown] = json.loads(result.output)
    assert (shown["level"], shown["name"], shown["areas"], shown["status"], shown["approvers"]) == (
        5, "緊急安全確保", ["港町"], "issued", ["佐藤", "鈴木"])


def test_residents_asking_for_the_level_get_the_notice_of_their_area(app, runner, factory, residents):
    """「今の警戒レベルは？」 from a resident of 大町: the level-4 notice; from 港町: none for 港町."""
    issue(runner, area="大町")
    answer = say(app, "今の警戒レベルは？", user=user(0))
    assert "【警戒レベル4】避難指示" in answer.messages[0].text and "対象：大町" in answer.messages[0].text
    other = say(app, "避難指示出てる？", user=user(4))
    assert "港町に出ている避難情報" in other.messages[0].text and "ありません" in other.messages[0].text
    assert "危険を感じたら早めに" in other.messages[0].text  # no notice is no all-clear


def test_a_notice_lifted_is_no_longer_in_force(app, runner, residents):
    notice_id = issue(runner)
    runner.invoke(args=["disaster", "notice", "lift", str(notice_id)])
    assert "ありません" in say(app, "警戒レベル", user=user(0)).messages[0].text


def test_a_question_about_what_the_words_mean_is_left_to_the_faq(app):
    for text in ("避難指示と緊急安全確保の違いは？", "警戒レベルって何？"):
        assert say(app, text).intent != "notices", text


def test_the_answer_carries_the_citys_own_words(app, runner, residents):
    notice_id = create(runner, "--level", "3", "--area", "大町", "--text", "川の水位が上がっています。", "--by", "田中")
    for approver in ("佐藤", "鈴木"):
        runner.invoke(args=["disaster", "notice", "approve", str(notice_id), "--approver", approver])
    answer = say(app, "今の警戒レベルは？", user=user(0)).messages[0].text
    assert "高齢者等避難" in answer and "川の水位が上がっています。" in answer


def test_only_residents_consented_get_it(factory, runner, residents, line_api, sdk_line_client):
    """A resident of 大町 with 防災 who has not agreed to push gets nothing."""
    with factory.begin() as session:
        session.execute(sa.update(Resident).where(Resident.line_user_id == user(1)).values(consent_at=None))
    issue(runner)
    push_notices.broadcast_notices(factory, NOW, timezone=TOKYO)
    broadcasts.plan_broadcasts(factory, NOW, timezone=TOKYO)
    send_due(factory, sdk_line_client, NOW)
    assert set(received(line_api)) == {user(0), user(2)}


def test_a_notice_line_fails_to_take_is_sent_again_and_reaches_each_resident_once(factory, runner, residents,
                                                                                   line_api, sdk_line_client):
    """LINE answers 500 to the first multicast: the batch is retried later with the same retry key, and each
    resident gets the notice once."""
    issue(runner)
    push_notices.broadcast_notices(factory, NOW, timezone=TOKYO)
    broadcasts.plan_broadcasts(factory, NOW, timezone=TOKYO)
    line_api.fail_next(500, times=2, path="/v2/bot/message/multicast")
    send_due(factory, sdk_line_client, NOW)
    assert received(line_api) == {}
    for minutes in (1, 5, 15, 60):
        send_due(factory, sdk_line_client, NOW + timedelta(minutes=minutes))
    assert received(line_api) == {user(0): 1, user(1): 1, user(2): 1}


@pytest.mark.parametrize("text", ["ひなんしなきゃだめだべか？", "避難しないとだめ？", "いまのけいかいれべるは", "もう家に帰っていいの？"])
def test_asking_whether_to_evacuate_gets_the_notices_in_force(app, runner, residents, text):
    issue(runner, area="大町")
    assert "【警戒レベル4】避難指示" in say(app, text, user=user(0)).messages[0].text


def test_a_resident_setting_an_area_under_a_notice_is_told_first(app, runner):
    """木太 as one's area while a 避難指示 is in force there: the notice comes before the area's confirmation."""
    load_demo_pack(app)
    issue(runner, area="木太")
    say(app, "地域設定", user=user(3))
    reply = say(app, "木太", user=user(3))
    assert reply.messages[0].text.startswith("木太・林・多肥・国分寺南部には、いま【警戒レベル4】避難指示が出ています。")
    assert len(reply.messages) > 1


def test_an_area_without_a_notice_is_set_as_usual(app, runner):
    load_demo_pack(app)
    issue(runner, area="木太")
    say(app, "地域設定", user=user(3))
    text = say(app, "屋島", user=user(3)).messages[0].text
    assert "屋島・古高松・牟礼南部" in text and "避難指示" not in text
