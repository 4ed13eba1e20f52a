"""Disaster mode: a 避難指示 or higher in force switches everyone's rich menu once (LINE's alias API, at the fake
LINE server) and back when lifted; a location sent meanwhile gets the shelters for the notice's hazard at once."""

from __future__ import annotations

import pytest
from linebot.v3.messaging import LocationMessage

import db
from bot.context import context_for
from bot.flows import shelters
from messaging.errors import LineApiError
from push import notices as push_notices
from tests.chat import checked
from tests.chat import load_demo_pack
from tests.chat import say
from tests.conftest import NOW

MENUS = {"disaster": "richmenu-d0000000000000000000000000000000", "normal": "richmenu-n0000000000000000000000000000000"}
NEAR_AZUSA = (42.8425, 141.6500)


@pytest.fixture
def menus(line_api):
    line_api.rich_menu_aliases.update(MENUS)
    return line_api


def issue(runner, level: int = 4, hazard: str | None = None, area: str = "大町") -> int:
    args = ["disaster", "notice", "create", "--level", str(level), "--area", area, "--by", "田中"]
    result = runner.invoke(args=args + (["--hazard", hazard] if hazard else []))
    notice_id = int(result.output.splitlines()[0])
    for approver in ("佐藤", "鈴木"):
        runner.invoke(args=["disaster", "notice", "approve", str(notice_id), "--approver", approver])
    return notice_id


def switch(factory, client):
    return push_notices.switch_rich_menu(factory, client, NOW, disaster_alias="disaster", normal_alias="normal")


def test_a_level_4_notice_switches_the_rich_menu_once_and_lifting_it_switches_back(factory, runner, menus,
                                                                                    sdk_line_client):
    notice_id = issue(runner)
    assert switch(factory, sdk_line_client) == "disaster"
    assert switch(factory, sdk_line_client) is None  # already shown: no second call
    runner.invoke(args=["disaster", "notice", "lift", str(notice_id)])
    assert switch(factory, sdk_line_client) == "normal"
    assert menus.default_rich_menus == [MENUS["disaster"], MENUS["normal"]]
    assert menus.violations == []


def test_a_level_3_notice_leaves_the_menu_alone(factory, runner, menus, sdk_line_client):
    issue(runner, level=3)
    assert switch(factory, sdk_line_client) is None
    assert menus.default_rich_menus == []


def test_without_a_disaster_alias_nothing_is_switched(factory, runner, menus, sdk_line_client):
    issue(runner)
    assert push_notices.switch_rich_menu(factory, sdk_line_client, NOW, disaster_alias="", normal_alias="") is None
    assert menus.default_rich_menus == []


def test_a_failed_switch_is_tried_again_on_the_next_round(factory, runner, menus, sdk_line_client):
    issue(runner)
    menus.fail_next(500, times=3)  # the client repeats a 5xx once itself: fail both
    with pytest.raises(LineApiError):
        switch(factory, sdk_line_client)
    menus.reset()
    menus.rich_menu_aliases.update(MENUS)
    assert switch(factory, sdk_line_client) == "disaster"
    assert menus.default_rich_menus == [MENUS["disaster"]]


def test_an_alias_line_does_not_know_raises(factory, runner, line_api, sdk_line_client):
    issue(runner)
    with pytest.raises(LineApiError):
        switch(factory, sdk_line_client)
    assert line_api.default_rich_menus == []


def send_location(app, latitude: float, longitude: float):
    with app.app_context(), db.transaction(app) as session:
        return checked(shelters.on_location(context_for(session), "U" + "7" * 32, latitude, longitude))


def test_in_disaster_mode_a_location_gets_the_shelters_for_the_notices_hazard_at_once(app, runner):
    load_demo_pack(app)
    issue(runner, hazard="flood", area="木太")
    reply = send_location(app, *NEAR_AZUSA)
    assert "洪水のときの避難場所" in reply.messages[0].text
    assert "洪水のときの指定緊急避難場所" in reply.messages[1].text
    assert any(isinstance(message, LocationMessage) for message in reply.messages)


def test_in_disaster_mode_without_a_hazard_the_hazard_is_asked(app, runner):
    load_demo_pack(app)
    issue(runner, area="木太")
    reply = send_location(app, *NEAR_AZUSA)
    assert "どの災害" in reply.messages[0].text


def test_in_disaster_mode_an_unanswered_message_points_to_shelters_and_notices_first(app, runner):
    """A message the bot cannot answer: in disaster mode its reply starts with where to find shelters and the
    notices; outside it, only the desk."""
    load_demo_pack(app)
    before = say(app, "ほげほげふがふが")
    assert "避難情報が出ています" not in before.messages[0].text
    issue(runner, area="木太")
    during = say(app, "ほげほげふがふが")
    assert during.kind == "fallback" and during.messages[0].text.startswith("避難情報が出ています")


def test_in_disaster_mode_the_shelters_come_with_buttons_for_the_other_hazards(app, runner):
    """The notice's hazard is searched at once; the other hazards and a place to stay are a button away."""
    load_demo_pack(app)
    issue(runner, hazard="flood", area="木太")
    reply = send_location(app, *NEAR_AZUSA)
    labels = [item.action.label for item in reply.messages[-1].quick_reply.items]
    assert "洪水" not in labels and {"地震", "避難所（滞在）"} <= set(labels)


def test_the_events_of_one_batch_look_the_mode_up_once(app, runner):
    """The contexts of a batch's events are copies of one: the first asks the database for the mode, the
    others are told from memory; a new batch asks again and sees a notice issued meanwhile."""
    import dataclasses

    from tests.transactions import statements

    load_demo_pack(app)
    with app.app_context(), db.read_transaction(app) as session:
        base = context_for(session)
        assert not dataclasses.replace(base).disaster_mode().active
        with statements(session) as run:
            assert not dataclasses.replace(base).disaster_mode().active
        assert run == []
    issue(runner, area="木太")
    with app.app_context(), db.read_transaction(app) as session:
        assert context_for(session).disaster_mode().active
