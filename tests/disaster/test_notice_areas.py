"""A notice names residents' areas as the city has them: an alias or a reading is read as its area."""

from __future__ import annotations

import json

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
    assert result.exit_code != 0 and "unknown area" in result.output
    assert json.loads(runner.invoke(args=["disaster", "notice", "list", "--json"]).output) == []


def test_without_areas_loaded_names_are_kept_as_written(app, runner):
    result = runner.invoke(args=["disaster", "notice", "create", "--level", "4", "--area", "港町", "--by", "田中"])
    assert result.exit_code == 0 and "unchecked" in result.output
