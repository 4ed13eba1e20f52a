"""A notice names residents' areas as the city has them: an alias or a reading is read as its area."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.chat import DEMO
from tests.chat import load_demo_pack

KIBUTO = "木太・林・多肥・国分寺南部"


def test_an_alias_names_the_area_it_belongs_to(app, runner):
    load_demo_pack(app)
    result = runner.invoke(args=["disaster", "notice", "create", "--level", "3", "--area", "木太", "--by", "田中"])
    assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(args=["disaster", "notice", "list", "--json"]).output)
    assert listed[0]["areas"] == [KIBUTO]


def test_an_unknown_area_is_refused_with_suggestions(app, runner):
    load_demo_pack(app)
    result = runner.invoke(args=["disaster", "notice", "create", "--level", "4", "--area", "港町", "--by", "田中"])
    assert result.exit_code != 0 and "地区「港町」は市の地区にありません。" in result.output
    assert json.loads(runner.invoke(args=["disaster", "notice", "list", "--json"]).output) == []


def test_without_areas_loaded_names_are_kept_as_written(app, runner):
    result = runner.invoke(args=["disaster", "notice", "create", "--level", "4", "--area", "港町", "--by", "田中"])
    assert result.exit_code == 0 and "unchecked" in result.output


def test_a_pack_that_asks_for_one_approval_issues_a_notice_at_the_first(app, runner, tmp_path):
    """A small town's pack: ``[disaster] notice_approvals = 1`` (the setting says 2)."""
    load_demo_pack(app)
    pack = tmp_path / "town"
    shutil.copytree(DEMO, pack)
    manifest = pack / "pack.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("notice_approvals = 2", "notice_approvals = 1"),
                        encoding="utf-8")
    assert runner.invoke(args=["pack", "load", str(pack)]).exit_code == 0
    created = runner.invoke(args=["disaster", "notice", "create", "--level", "4", "--area", "木太", "--by", "田中"])
    assert "issued after 1 approval by" in created.output
    notice_id = created.output.splitlines()[0]
    approved = runner.invoke(args=["disaster", "notice", "approve", notice_id, "--approver", "佐藤"])
    assert f"notice {notice_id} issued" in approved.output


def test_the_demo_pack_asks_for_two_approvals(app, runner):
    load_demo_pack(app)
    notice_id = runner.invoke(args=["disaster", "notice", "create", "--level", "4", "--area", "木太", "--by", "田中"]
                              ).output.splitlines()[0]
    approved = runner.invoke(args=["disaster", "notice", "approve", notice_id, "--approver", "佐藤"])
    assert "1 more approval needed" in approved.output


@pytest.mark.parametrize("value", ["0", "6", "\"two\"", "true"])
def test_a_pack_with_an_impossible_number_of_approvals_is_refused(app, runner, tmp_path, value):
    pack = tmp_path / "town"
    shutil.copytree(DEMO, pack)
    manifest = pack / "pack.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("notice_approvals = 2", f"notice_approvals = {value}"),
                        encoding="utf-8")
    result = runner.invoke(args=["pack", "load", str(pack)])
    assert result.exit_code != 0 and "notice_approvals must be a whole number from 1 to 5" in result.output
