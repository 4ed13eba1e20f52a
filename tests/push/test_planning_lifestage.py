"""Planning life-stage messages into the outbox from residents' children and consent."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from push.lifestage.rules import default_rules
from push.planning import enqueue_lifestage
from residents import service as residents
from tests.push.helpers import rows
from tests.push.helpers import user

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)
BORN = date(2026, 1, 10)


def register(factory, number: int, *, consent: bool = True, categories=("子育て",)) -> None:
    with factory.begin() as s:
        residents.add_child(s, user(number), NOW, birth_date=BORN)
        for category in categories:
            residents.set_subscription(s, user(number), category, True, NOW)
        if consent:
            residents.give_consent(s, user(number), NOW)


def test_a_birth_plans_the_registration_deadline_once(factory, session):
    """On the birth day the 出生届 message is planned at 10:00 local, and planning again adds nothing."""
    register(factory, 1)
    with factory.begin() as s:
        found, added = enqueue_lifestage(s, default_rules(), BORN, tz=TOKYO)
    with factory.begin() as s:
        again = enqueue_lifestage(s, default_rules(), BORN, tz=TOKYO)
    keys = [row.key for row in rows(session)]
    assert found == added and added >= 1 and again == (found, 0)
    assert any(key.startswith("lifestage:birth-registration:child-") for key in keys)
    assert all(row.send_after == datetime(2026, 1, 10, 1, 0, tzinfo=UTC) for row in rows(session))


def test_residents_without_consent_get_nothing(factory, session):
    """A resident who has not agreed to push messages is never planned."""
    register(factory, 1, consent=False)
    with factory.begin() as s:
        assert enqueue_lifestage(s, default_rules(), BORN, tz=TOKYO) == (0, 0)


def test_only_chosen_categories_are_planned(factory, session):
    """A resident who did not choose 子育て gets no child-rearing messages."""
    register(factory, 1, categories=("防災",))
    with factory.begin() as s:
        assert enqueue_lifestage(s, default_rules(), BORN, tz=TOKYO) == (0, 0)


def test_rows_carry_their_rules_category_and_the_baby_tag(factory, session):
    """A row is planned with its rule's category; rows of ``baby`` rules are tagged "baby", others not."""
    from dataclasses import replace

    rules = [replace(rule, baby=rule.id == "birth-registration") for rule in default_rules()]
    register(factory, 1)
    with factory.begin() as s:
        enqueue_lifestage(s, rules, BORN, tz=TOKYO)
    assert {(row.key.split(":")[1], row.category, row.tags) for row in rows(session)} == {
        ("birth-registration", "子育て", "|baby|"), ("child-allowance", "子育て", None)}
