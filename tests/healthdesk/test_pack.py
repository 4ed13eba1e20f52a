"""The health section of a pack: loaded and checked with the pack, all or nothing, replaced on each load."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import db
from city.pack import PackError
from city.pack import load_pack
from healthdesk import store as health_store
from healthdesk.data import check_section
from healthdesk.data import defaults_section
from healthdesk.models import HealthData

MANIFEST = """
[municipality]
code = "000000"
name = "かもめ市"
"""
HEALTH = """
[desk]
name = "健康相談"
phone = "0123-45-6740"
hours = "平日"

[lines.q8000]
opens = "19:00"
closes = "08:00"
"""


def write_pack(folder, health: str | None) -> None:
    manifest = MANIFEST + ('\n[health]\nfile = "health.toml"\n' if health is not None else "")
    (folder / "pack.toml").write_text(manifest, encoding="utf-8")
    if health is not None:
        (folder / "health.toml").write_text(health, encoding="utf-8")


def test_a_pack_with_health_data_stores_it(app, tmp_path):
    """The health file named in pack.toml is stored and the desk reads it."""
    write_pack(tmp_path, HEALTH)
    with db.transaction(app) as session:
        assert load_pack(session, tmp_path).health
        assert health_store.load_desk(session).desk.phone == "0123-45-6740"


def test_a_pack_without_health_data_leaves_the_national_defaults(app, tmp_path):
    """Loading a pack without a health section removes the earlier one: only the defaults remain."""
    write_pack(tmp_path, HEALTH)
    with db.transaction(app) as session:
        load_pack(session, tmp_path)
    write_pack(tmp_path, None)
    with db.transaction(app) as session:
        assert not load_pack(session, tmp_path).health
        assert session.scalar(sa.select(sa.func.count()).select_from(HealthData)) == 0
        assert health_store.load_desk(session).desk.phone == ""


@pytest.mark.parametrize(("health", "named"), [
    ('[red_flags]\n"意識" = []\n', "意識"),
    ('[words]\ncheer = ["元気"]\n', "cheer"),
    ('[lines.q8000]\nopens = "7pm"\ncloses = "08:00"\n', "opens"),
    ('[lines.extra]\nkind = "mental"\n', "needs a name and a number"),
    ('[[facilities]]\nphone = "1"\n', "facility 1 needs a name"),
    ("[desk\n", "cannot be read"),
])
def test_bad_health_data_is_refused_by_name(app, tmp_path, health, named):
    """A pack with unusable health data is refused, saying what to fix, and nothing is stored."""
    write_pack(tmp_path, health)
    with pytest.raises(PackError, match=named), db.transaction(app) as session:
        load_pack(session, tmp_path)
    with db.transaction(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(HealthData)) == 0


def test_a_missing_health_file_is_refused(app, tmp_path):
    """A health file named in pack.toml but absent stops the load."""
    write_pack(tmp_path, HEALTH)
    (tmp_path / "health.toml").unlink()
    with pytest.raises(PackError, match="does not exist"), db.transaction(app) as session:
        load_pack(session, tmp_path)


def test_the_national_defaults_pass_their_own_check():
    """The defaults file follows the layout a pack must follow."""
    assert check_section(defaults_section()) == []


def test_desk_hours_must_be_clock_times_given_together():
    """[desk] opens without closes, or a time that is no clock time, is refused and named."""
    assert check_section({"desk": {"opens": "08:45"}}) == ["[desk] needs both opens and closes, or neither"]
    assert check_section({"desk": {"opens": "8時", "closes": "17:30"}}) == ['[desk] opens must be a time like "19:00"']
