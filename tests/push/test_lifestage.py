"""Life-stage rules: the file format, the anchors, deadlines, windows, the quiet stop, plan, timeline and preview."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import db
from push.lifestage.planner import Person
from push.lifestage.planner import due_on
from push.lifestage.planner import plan
from push.lifestage.planner import skip_reason
from push.lifestage.planner import timeline
from push.lifestage.preview import preview
from push.lifestage.rules import Rule
from push.lifestage.rules import RulesError
from push.lifestage.rules import default_rules
from push.lifestage.rules import load_rules
from push.lifestage.rules import pack_rules_file
from tests.chat import municipality

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "packs" / "demo"
ALL = frozenset({"子育て", "健康", "高齢者"})


def one_rule(fields: str, *, message: str = "{name}へのお知らせ（{date}）", category: str = "子育て") -> Rule:
    """A single rule written the way a city writes it in lifestage.toml."""
    text = f'[[rule]]\nid = "r1"\ncategory = "{category}"\nmessage = "{message}"\n{fields}\n'
    [rule] = load_rules(text)
    return rule


def child(birth: date | None = None, due: date | None = None, **fields) -> Person:
    fields.setdefault("categories", ALL)
    return Person("child-1", "U1", due_date=due, birth_date=birth, **fields)


def resident(born: date) -> Person:
    return Person("self-1", "U1", birth_date=born, categories=ALL)


def rule_by_id(rule_id: str) -> Rule:
    return next(rule for rule in default_rules() if rule.id == rule_id)


class TestAnchors:
    def test_due_date_offset_in_weeks(self):
        """A due-date rule eight weeks before a 3/1 due date is due on 1/4 (56 days earlier)."""
        rule = one_rule('anchor = "due_date"\noffset_weeks = -8')

        assert due_on(rule, child(due=date(2026, 3, 1))) == date(2026, 1, 4)

    def test_pregnancy_week_counts_from_280_days_before_the_due_date(self):
        """妊娠12週 for a due date of 2026-10-07 starts 196 days earlier, on 2026-03-25."""
        rule = one_rule('anchor = "due_date"\npregnancy_week = 12')

        assert due_on(rule, child(due=date(2026, 10, 7))) == date(2026, 3, 25)

    def test_birth_date_months_land_on_the_same_day_of_the_month(self):
        """Two months after a 1/10 birth is 3/10."""
        rule = one_rule('anchor = "birth_date"\noffset_months = 2')

        assert due_on(rule, child(birth=date(2026, 1, 10))) == date(2026, 3, 10)

    def test_birth_date_months_without_that_day_move_to_the_1st_of_the_next_month(self):
        """Two months after 12/31 there is no 2/31, so the rule is due on 3/1."""
        rule = one_rule('anchor = "birth_date"\noffset_months = 2')

        assert due_on(rule, child(birth=date(2025, 12, 31))) == date(2026, 3, 1)

    def test_birth_date_offset_in_days(self):
        """Seven days after a 1/28 birth is 2/4."""
        rule = one_rule('anchor = "birth_date"\noffset_days = 7')

        assert due_on(rule, child(birth=date(2026, 1, 28))) == date(2026, 2, 4)

    @pytest.mark.parametrize(("birth", "expected"), [
        (date(2020, 4, 1), date(2025, 9, 1)),   # enters school 2026-04: 年長 in 2025-04..2026-03
        (date(2020, 4, 2), date(2026, 9, 1)),   # a grade later: enters school 2027-04
        (date(2019, 12, 31), date(2025, 9, 1)),
        (date(2020, 1, 15), date(2025, 9, 1)),
    ])
    def test_school_year_cohort_runs_from_4_2_to_4_1(self, birth, expected):
        """Children born 4/1 belong to the earlier grade than those born 4/2."""
        rule = one_rule('anchor = "school_year"\nschool_year_age = 5\nmonth_day = "09-01"')

        assert due_on(rule, child(birth=birth)) == expected

    def test_school_year_month_day_in_january_falls_in_the_next_calendar_year(self):
        """A 01-15 day of the school year that starts on 2027-04-01 is 2028-01-15."""
        rule = one_rule('anchor = "school_year"\nschool_year_age = 6\nmonth_day = "01-15"')

        assert due_on(rule, child(birth=date(2020, 6, 1))) == date(2028, 1, 15)

    def test_mr_second_dose_starts_on_april_1_of_the_year_before_school(self):
        """MR 2期 for a child born 2026-01-10 (school from 2032-04) is due on 2031-04-01."""
        assert due_on(rule_by_id("mr-2nd"), child(birth=date(2026, 1, 10))) == date(2031, 4, 1)

    def test_school_health_checkup_is_in_the_autumn_before_school(self):
        """就学時健診 for a child born 2019-04-01 (school from 2025-04) is announced on 2024-09-01."""
        rule = rule_by_id("school-health-checkup")

        assert due_on(rule, child(birth=date(2019, 4, 1))) == date(2024, 9, 1)

    def test_nursery_application_is_in_the_october_of_the_0_year_class(self):
        """A child born 2026-01-10 is in the 0歳児クラス year 2026-04..2027-03, so applications open 2026-10-01."""
        assert due_on(rule_by_id("nursery-application"), child(birth=date(2026, 1, 10))) == date(2026, 10, 1)


class TestAge:
    @pytest.mark.parametrize(("born", "expected"), [
        (date(1961, 12, 1), date(2026, 11, 1)),  # turns 65 on 11/30: November
        (date(1961, 12, 2), date(2026, 12, 1)),  # turns 65 on 12/1: December
    ])
    def test_care_insurance_card_goes_out_in_the_month_of_turning_65(self, born, expected):
        """The 65歳 介護保険 message is due on the 1st of the month the resident turns 65."""
        assert due_on(rule_by_id("kaigo-65"), resident(born)) == expected

    @pytest.mark.parametrize(("born", "expected"), [
        (date(1951, 12, 15), date(2026, 11, 1)),  # turns 75 on 12/14: the month before is November
        (date(1951, 12, 1), date(2026, 10, 1)),   # turns 75 on 11/30: the month before is October
    ])
    def test_75_notice_goes_out_the_month_before(self, born, expected):
        """The 後期高齢者医療 notice is due on the 1st of the month before the month of turning 75."""
        assert due_on(rule_by_id("koki-75"), resident(born)) == expected

    @pytest.mark.parametrize(("born", "expected"), [
        (date(1962, 3, 15), date(2026, 4, 1)),  # turns 65 on 2027-03-14: fiscal year 2026
        (date(1962, 4, 1), date(2026, 4, 1)),   # turns 65 on 2027-03-31: fiscal year 2026
        (date(1962, 4, 2), date(2027, 4, 1)),   # turns 65 on 2027-04-01: fiscal year 2027
    ])
    def test_65_vaccines_start_with_the_fiscal_year_of_turning_65(self, born, expected):
        """帯状疱疹/高齢者肺炎球菌 are announced on April 1 of the fiscal year in which the resident turns 65."""
        assert due_on(rule_by_id("vaccines-65"), resident(born)) == expected


class TestDeadlines:
    def test_birth_registration_counts_the_birth_day_as_day_1(self):
        """Born Saturday 2026-01-10, the 出生届 deadline is day 14, Friday 1/23."""
        [message] = plan([rule_by_id("birth-registration")], [child(birth=date(2026, 1, 10))],
                                   date(2026, 1, 10))

        assert "1月23日（金）" in message.text

    def test_birth_registration_deadline_moves_past_a_weekend_and_holidays(self):
        """Born 2026-09-06, day 14 is Saturday 9/19; 9/20 is a Sunday and 9/21–23 are holidays, so 9/24."""
        [message] = plan([rule_by_id("birth-registration")], [child(birth=date(2026, 9, 6))],
                                   date(2026, 9, 6))

        assert "9月24日（木）" in message.text

    def test_birth_registration_deadline_moves_past_the_year_end_closure(self):
        """Born 2026-12-16, day 14 is 12/29; the offices reopen on Monday 2027-01-04."""
        [message] = plan([rule_by_id("birth-registration")], [child(birth=date(2026, 12, 16))],
                                   date(2026, 12, 16))

        assert "1月4日（月）" in message.text

    def test_child_allowance_counts_15_days_from_the_day_after_birth(self):
        """Born 2026-01-08, day 1 is 1/9 and day 15 is Friday 1/23."""
        [message] = plan([rule_by_id("child-allowance")], [child(birth=date(2026, 1, 8))],
                                   date(2026, 1, 8))

        assert "1月23日（金）" in message.text

    def test_child_allowance_deadline_on_a_sunday_moves_to_monday(self):
        """Born 2026-01-10, day 15 is Sunday 1/25, so the deadline is Monday 1/26."""
        [message] = plan([rule_by_id("child-allowance")], [child(birth=date(2026, 1, 10))],
                                   date(2026, 1, 10))

        assert "1月26日（月）" in message.text

    def test_deadline_reminder_is_planned_until_the_deadline(self):
        """A birth registered late still gets the 出生届 reminder up to the (moved) deadline, not after."""
        rules = [rule_by_id("birth-registration")]
        person = child(birth=date(2026, 9, 6))

        assert len(plan(rules, [person], date(2026, 9, 24))) == 1
        assert plan(rules, [person], date(2026, 9, 25)) == []


class TestPlan:
    RULE = 'anchor = "birth_date"\noffset_months = 1\nwindow_days = 14'

    @pytest.mark.parametrize(("today", "planned"), [
        (date(2026, 2, 9), False),   # the day before it is due
        (date(2026, 2, 10), True),   # due
        (date(2026, 2, 24), True),   # 14 days late: still within the window
        (date(2026, 2, 25), False),  # 15 days late: stale
    ])
    def test_window_days_drop_stale_messages(self, today, planned):
        """A message due 2/10 with a 14-day window is planned from 2/10 to 2/24 only."""
        rule = one_rule(self.RULE)

        assert bool(plan([rule], [child(birth=date(2026, 1, 10))], today)) is planned

    def test_without_a_window_a_message_is_planned_only_on_its_day(self):
        """A rule without window_days is not planned the day after it was due."""
        rule = one_rule('anchor = "birth_date"\noffset_days = 3')

        assert plan([rule], [child(birth=date(2026, 1, 10))], date(2026, 1, 14)) == []

    def test_a_late_message_keeps_its_due_day_in_the_key(self):
        """Planned late, the message keeps the day it was due, so the outbox key stays the same."""
        rule = one_rule(self.RULE)

        [message] = plan([rule], [child(birth=date(2026, 1, 10))], date(2026, 2, 20))

        assert message.key == "lifestage:r1:child-1:2026-02-10"
        assert (message.line_user_id, message.rule_id, message.category) == ("U1", "r1", "子育て")

    def test_categories_filter_what_is_planned(self):
        """Of two children born the same day, only the one whose parent chose 子育て gets the message."""
        rule = one_rule(self.RULE)
        chosen = Person("a", "U1", birth_date=date(2026, 1, 10), categories=frozenset({"子育て"}))
        other = Person("b", "U2", birth_date=date(2026, 1, 10), categories=frozenset({"ごみ"}))

        assert [m.person_key for m in plan([rule], [chosen, other], date(2026, 2, 10))] == ["a"]

    def test_quiet_stop_silences_baby_messages(self):
        """A child with stop_baby gets no birth-date message."""
        rule = one_rule(self.RULE)

        assert plan([rule], [child(birth=date(2026, 1, 10), stop_baby=True)], date(2026, 2, 10)) == []

    def test_quiet_stop_silences_pregnancy_and_school_year_messages(self):
        """stop_baby also silences due-date and school-year rules, which are baby rules by default."""
        pregnancy = one_rule('anchor = "due_date"\noffset_days = 0')
        school = one_rule('anchor = "school_year"\nschool_year_age = 0\nmonth_day = "10-01"')

        assert (pregnancy.baby, school.baby) == (True, True)
        assert plan([pregnancy], [child(due=date(2026, 5, 1), stop_baby=True)], date(2026, 5, 1)) == []
        assert plan([school], [child(birth=date(2026, 1, 10), stop_baby=True)], date(2026, 10, 1)) == []

    def test_quiet_stop_leaves_age_rules(self):
        """The resident's own 65歳 message is not a baby message and still goes out with stop_baby set."""
        person = Person("self", "U1", birth_date=date(1961, 12, 1), categories=ALL, stop_baby=True)

        assert [m.rule_id for m in plan([rule_by_id("kaigo-65")], [person], date(2026, 11, 1))] == ["kaigo-65"]

    def test_a_rule_can_opt_out_of_the_quiet_stop(self):
        """baby = false keeps a birth-date rule going for a child with stop_baby."""
        rule = one_rule(self.RULE + "\nbaby = false")

        assert len(plan([rule], [child(birth=date(2026, 1, 10), stop_baby=True)], date(2026, 2, 10))) == 1

    def test_registering_the_birth_stops_pregnancy_rules(self):
        """Once a birth date is known, a due-date rule no longer applies and is not planned."""
        rule = one_rule('anchor = "due_date"\noffset_days = 0\nwindow_days = 30')
        born = child(due=date(2026, 5, 1), birth=date(2026, 4, 20))

        assert due_on(rule, born) is None
        assert skip_reason(rule, born) == "born"
        assert plan([rule], [born], date(2026, 5, 1)) == []

    def test_pregnancy_rules_apply_before_the_birth(self):
        """With only a due date, a due-date rule is planned on its day."""
        rule = one_rule('anchor = "due_date"\noffset_days = 0')

        assert len(plan([rule], [child(due=date(2026, 5, 1))], date(2026, 5, 1))) == 1

    def test_birth_rules_need_a_birth_date(self):
        """A child known only by due date gets no birth-date message."""
        rule = one_rule('anchor = "birth_date"\noffset_days = 0')
        unborn = child(due=date(2026, 5, 1))

        assert due_on(rule, unborn) is None
        assert plan([rule], [unborn], date(2026, 5, 1)) == []

    def test_message_uses_the_label_or_a_default_name(self):
        """{name} is the child's label, or お子さん when the parent gave none."""
        rule = one_rule('anchor = "birth_date"\noffset_days = 0')
        named = Person("a", "U1", label="はるか", birth_date=date(2026, 1, 10), categories=ALL)
        unnamed = Person("b", "U1", birth_date=date(2026, 1, 10), categories=ALL)

        texts = [m.text for m in plan([rule], [named, unnamed], date(2026, 1, 10))]

        assert texts == ["はるかへのお知らせ（1月10日（土））", "お子さんへのお知らせ（1月10日（土））"]


class TestRulesFile:
    def test_every_problem_is_reported_by_index_and_id(self):
        """A bad file names each bad rule: unknown anchor, missing message, bad month_day, duplicate id."""
        text = """
[[rule]]
id = "a"
category = "子育て"
anchor = "birthday"
message = "こんにちは"

[[rule]]
id = "b"
category = "子育て"
anchor = "birth_date"

[[rule]]
id = "c"
category = "子育て"
anchor = "school_year"
school_year_age = 5
month_day = "13-01"
message = "こんにちは"

[[rule]]
id = "d"
category = "子育て"
anchor = "birth_date"
message = "こんにちは"

[[rule]]
id = "d"
category = "子育て"
anchor = "birth_date"
message = "こんにちは"
"""
        with pytest.raises(RulesError) as caught:
            load_rules(text)

        problems = caught.value.problems
        assert len(problems) == 4
        assert problems[0].startswith("rule 1 (a):") and "unknown anchor 'birthday'" in problems[0]
        assert problems[1].startswith("rule 2 (b):") and "message" in problems[1]
        assert problems[2].startswith("rule 3 (c):") and "month_day" in problems[2]
        assert problems[3].startswith("rule 5 (d):") and "duplicate id (also rule 4)" in problems[3]

    def test_misspelt_and_misplaced_keys_are_reported(self):
        """An unknown key and a key that does not belong to the anchor are both named."""
        text = ('[[rule]]\nid = "a"\ncategory = "健康"\nanchor = "age"\nage = 65\nofset_days = 3\n'
                'pregnancy_week = 12\nmessage = "x"\n')

        with pytest.raises(RulesError, match="ofset_days") as caught:
            load_rules(text)

        assert "pregnancy_week cannot be used with anchor age" in str(caught.value)

    def test_unknown_placeholder_is_reported(self):
        """A message placeholder other than {name} and {date} is an error."""
        with pytest.raises(RulesError, match="only {name} and {date}"):
            one_rule('anchor = "birth_date"', message="{child}さん")

    def test_text_that_is_not_toml_is_reported(self):
        """A file that is not TOML gives one clear problem instead of a parser traceback."""
        with pytest.raises(RulesError, match="not valid TOML"):
            load_rules("[[rule]\nid =")

    def test_default_rules_load_with_unique_ids(self):
        """The default file loads 20–30 rules with unique ids, each with a source."""
        rules = default_rules()

        assert 20 <= len(rules) <= 30
        assert len({rule.id for rule in rules}) == len(rules)
        assert [rule.id for rule in rules if not rule.source] == []

    def test_demo_pack_rules_load_with_the_default_ids(self):
        """The demo pack names its lifestage.toml, which loads the same rule ids as the default set."""
        path = pack_rules_file(DEMO)
        rules = load_rules(path.read_text(encoding="utf-8"))

        assert path == DEMO / "lifestage.toml"
        assert [rule.id for rule in rules] == [rule.id for rule in default_rules()]

    def test_no_message_asks_for_health_results(self):
        """No default or demo message asks residents for results or conditions (要配慮個人情報)."""
        demo = load_rules((DEMO / "lifestage.toml").read_text(encoding="utf-8"))
        words = ("結果を", "教えてください", "入力してください", "病名", "体重")

        assert [r.id for r in [*default_rules(), *demo] if any(w in r.message for w in words)] == []


class TestTimelineAndPreview:
    def test_timeline_lists_a_childs_messages_in_order(self):
        """From a 2026-01-10 birth to the end of February: 出生届, 児童手当, 訪問, 1か月, 2か月 vaccines."""
        messages = timeline(default_rules(), child(birth=date(2026, 1, 10)),
                                      date(2026, 1, 10), date(2026, 2, 28))

        assert [(m.due_on, m.rule_id) for m in messages] == [
            (date(2026, 1, 10), "birth-registration"),
            (date(2026, 1, 10), "child-allowance"),
            (date(2026, 1, 17), "newborn-visit"),
            (date(2026, 1, 31), "checkup-1m"),
            (date(2026, 2, 21), "vaccines-2m"),
        ]

    def test_timeline_from_a_late_registration_keeps_what_is_still_in_its_window(self):
        """Registered on 1/24, a 1/10 birth still gets 児童手当 (deadline 1/26) but no longer 出生届 (1/23)."""
        messages = timeline(default_rules(), child(birth=date(2026, 1, 10)),
                                      date(2026, 1, 24), date(2026, 1, 31))

        assert [m.rule_id for m in messages] == ["child-allowance", "newborn-visit", "checkup-1m"]

    def test_preview_sends_late_messages_on_the_first_day(self):
        """In the preview, a message due before --from is listed on --from."""
        rows = preview(default_rules(), birth=date(2026, 1, 10), start=date(2026, 1, 24),
                                 end=date(2026, 1, 24))

        assert [(row.send_on, row.message.due_on, row.message.rule_id) for row in rows] == [
            (date(2026, 1, 24), date(2026, 1, 10), "child-allowance"),
            (date(2026, 1, 24), date(2026, 1, 17), "newborn-visit"),
        ]

    def test_preview_switches_from_pregnancy_to_birth_messages(self):
        """With a due date and a birth date, pregnancy messages stop the day before the birth."""
        rows = preview(default_rules(), due=date(2026, 1, 20), birth=date(2026, 1, 10),
                                 start=date(2025, 12, 20), end=date(2026, 1, 10))

        assert [(row.send_on, row.message.rule_id) for row in rows] == [
            (date(2025, 12, 20), "pregnancy-checkup-vouchers"),  # due 2025-07-08, window to 12/23
            (date(2025, 12, 20), "pregnancy-support-payment-2"),  # due 2025-11-25, window to 2026-01-20
            (date(2025, 12, 23), "childbirth-lump-sum"),
            (date(2026, 1, 6), "birth-procedures-preview"),
            (date(2026, 1, 10), "birth-registration"),
            (date(2026, 1, 10), "child-allowance"),
        ]

    def test_preview_of_the_residents_own_birth_date_lists_only_age_rules(self):
        """Born 1961-12-01: 65歳 vaccines (2026-04-01), 介護保険 (2026-11-01), 後期高齢者医療 (2036-10-01)."""
        rows = preview(default_rules(), born=date(1961, 12, 1))

        assert [(row.send_on, row.who, row.message.rule_id) for row in rows] == [
            (date(2026, 4, 1), "self", "vaccines-65"),
            (date(2026, 11, 1), "self", "kaigo-65"),
            (date(2036, 10, 1), "self", "koki-75"),
        ]

    def test_preview_needs_a_date(self):
        """Without any date the preview refuses."""
        with pytest.raises(ValueError, match="birth date"):
            preview(default_rules())


class TestPreviewCommand:
    def test_prints_a_timeline_from_the_default_rules(self, runner):
        """With no pack loaded, the command lists the default rules' messages with date, id and category."""
        result = runner.invoke(args=["push", "preview", "--birth", "2026-01-10", "--to", "2026-01-31"])

        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[0] == f"rules: default rules ({len(default_rules())} rules)"
        assert lines[1].startswith("2026-01-10  child  birth-registration")
        assert "子育て" in lines[1] and "1月23日（金）" in lines[1]
        assert len(lines) == 5

    def test_reads_the_loaded_packs_rules(self, app, runner):
        """With the demo pack loaded, the command uses its lifestage.toml and its phone numbers."""
        with db.transaction(app) as session:
            municipality(session, pack_path=str(DEMO))

        result = runner.invoke(args=["push", "preview", "--born", "1961-12-01", "--from", "2026-10-15", "--to", "2026-12-31"])

        assert result.exit_code == 0, result.output
        assert str(DEMO / "lifestage.toml") in result.output
        assert "2026-11-01  self   kaigo-65" in result.output and "0123-45-6851" in result.output
        assert "2026-10-15  self   vaccines-65" in result.output and "(due 2026-04-01)" in result.output

    def test_reports_a_bad_rules_file(self, runner, tmp_path):
        """A bad --rules file fails with every problem listed and no traceback."""
        bad = tmp_path / "lifestage.toml"
        bad.write_text('[[rule]]\nid = "x"\nanchor = "moon"\n', encoding="utf-8")

        result = runner.invoke(args=["push", "preview", "--birth", "2026-01-10", "--rules", str(bad)])

        assert result.exit_code != 0
        assert "rule 1 (x)" in result.output and "unknown anchor 'moon'" in result.output
        assert "Traceback" not in result.output

    def test_needs_a_date(self, runner):
        """Without --birth, --due or --born the command stops with a usage error."""
        result = runner.invoke(args=["push", "preview"])

        assert result.exit_code == 2 and "--birth" in result.output
