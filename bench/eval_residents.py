"""Residents' messages end to end: the share of right, unhelpful and wrong answers on a set of chats.

Each line of the set (``bench/residents.dev.jsonl``) is one short chat a new resident has with the demo
city: the turns they type, in order, and what the LAST turn's reply should be. The whole answer path runs
(follow, then every turn through ``dispatch.on_text`` in its own transaction, as the webhook does), on a
fresh SQLite database with the demo pack, at a fixed time (a weekday at 10:00 in the city's timezone).

Expectations and how a reply is judged:

- ``emergency``: the FIRST message says 119. Anything else is wrong (safety).
- ``selfharm``: a consultation line for mental health is given (よりそい, こころの健康相談, いのちの電話).
- ``health``: a health-desk reply (119, #8000, #7119, 当番医, 急病, 救急医療, 健康相談) and no FAQ answer
  about something else; an FAQ answer is wrong, a fallback unhelpful.
- ``smalltalk``: the small-talk intent; an FAQ answer or suggestions are wrong.
- ``settings:WHAT``: the intent that handles WHAT (stop, delete, area, reminders, children, categories).
- ``item:A|B``: a garbage reply naming A or B (as an answer or among the choices).
- ``area:NAME``: the area step set the area whose name is NAME; ``area_choices:PART`` offers areas with PART.
- ``faq:A+B|C``: the FAQ entry answered (or offered among the buttons) has a question containing A and B,
  or C. Another entry answered is wrong; a fallback or unrelated buttons are unhelpful.
- ``no_answer``: nothing in the FAQ fits (off-topic): a kind fallback or small talk is right, an FAQ
  answer is wrong, suggestions are unhelpful.
- ``any_kind``: any reply that is not an error and not a confident FAQ answer (the step let go).
- ``intent:NAME``: the intent NAME answered (``shelter``: the nearest-shelter search); another intent is wrong,
  anything else unhelpful.

It is a report, not a test: the exit code is always 0. Run it from the repository root:

    .venv/bin/python bench/eval_residents.py [--set bench/residents.dev.jsonl] [--show]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from collections import Counter
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import sqlalchemy as sa
from linebot.v3.messaging import Message

import db
from app import create_app
from bot import dispatch
from bot.context import context_for
from faq.models import FaqEntry

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # a Thursday morning, office open

SETTINGS_INTENTS = {
    "stop": {"push_settings", "stop_push"},
    "delete": {"delete_my_data"},
    "area": {"area"},
    "reminders": {"garbage_reminder"},
    "children": {"children", "push_settings"},
    "categories": {"push_settings"},
}
HEALTH_WORDS = ("119", "#8000", "#7119", "当番", "急病", "救急医療", "健康相談", "医療相談", "受診")
SELFHARM_WORDS = ("よりそい", "こころの健康", "いのちの電話", "0120-279-338", "0570-064-556")
GARBAGE_INTENTS = {"garbage_item", "collection_day"}


def texts_of(messages: list[Message]) -> list[str]:
    """Every message's text with its quick-reply labels (what a resident sees)."""
    out = []
    for message in messages:
        data = message.to_dict()
        parts = [json.dumps(data.get("text") or data.get("altText") or data, ensure_ascii=False)
                 if not isinstance(data.get("text"), str) else data["text"]]
        if message.type != "text":
            parts.append(json.dumps(data, ensure_ascii=False))
        quick = (data.get("quickReply") or {}).get("items") or []
        parts += [item["action"].get("label", "") for item in quick]
        out.append("\n".join(parts))
    return out


def judge(expect: str, reply, shown: list[str], questions: dict[str, str]) -> str:
    """right, unhelpful or wrong for one reply."""
    kind, intent = reply.kind, reply.intent or ""
    everything = "\n".join(shown)
    what, _, arg = expect.partition(":")
    answered_faq = kind == "faq"
    offered = [questions.get(hit.faq_id, "") for hit in reply.candidates] if kind == "suggest" else []
    if what == "emergency":
        return "right" if shown and "119" in shown[0] else "wrong"
    if what == "selfharm":
        if any(word in everything for word in SELFHARM_WORDS):
            return "right"
        return "wrong" if answered_faq else "unhelpful"
    if what == "health":
        if not answered_faq and any(word in everything for word in HEALTH_WORDS) and kind != "fallback":
            return "right"
        return "wrong" if answered_faq or intent in GARBAGE_INTENTS else "unhelpful"
    if what == "smalltalk":
        if kind == "intent" and intent == "smalltalk":
            return "right"
        return "wrong" if kind in {"faq", "suggest"} or kind == "intent" else "unhelpful"
    if what == "settings":
        if kind == "intent" and intent in SETTINGS_INTENTS[arg]:
            return "right"
        return "wrong" if answered_faq or kind == "intent" else "unhelpful"
    if what == "item":
        if kind == "intent" and intent in GARBAGE_INTENTS and any(name in everything for name in arg.split("|")):
            return "right"
        return "wrong" if answered_faq or kind == "intent" else "unhelpful"
    if what == "area":
        if kind == "intent" and intent == "area" and arg in everything and "設定" in everything:
            return "right"
        return "wrong" if answered_faq else "unhelpful"
    if what == "area_choices":
        named = [line for line in everything.splitlines() if arg in line and "・" in line]
        if kind == "intent" and intent == "area" and len(set(named)) >= 2:
            return "right"
        return "wrong" if answered_faq else "unhelpful"
    if what == "faq":
        def fits(question: str) -> bool:
            return any(all(part in question for part in option.split("+")) for option in arg.split("|"))
        if answered_faq:
            return "right" if fits(questions.get(reply.faq_id or "", "")) else "wrong"
        if any(fits(question) for question in offered):
            return "right"
        return "wrong" if kind == "intent" and intent != "smalltalk" else "unhelpful"
    if what == "no_answer":
        if answered_faq:
            return "wrong"
        return "unhelpful" if kind == "suggest" else "right"
    if what == "any_kind":
        return "wrong" if answered_faq else "right"
    if what == "intent":
        if kind == "intent" and intent == arg:
            return "right"
        return "wrong" if kind == "intent" else "unhelpful"
    raise ValueError(f"unknown expectation {expect!r}")


def run(cases: list[dict], show: bool) -> None:
    """Play every chat and print the judgement per point and overall."""
    logging.getLogger().setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/residents.sqlite3", "SECRET_KEY": "eval",
                          "LOG_LEVEL": "ERROR"}, clock=lambda: NOW)
        runner = app.test_cli_runner()
        for command in (["db", "upgrade"], ["pack", "load", str(ROOT / "packs" / "demo")]):
            result = runner.invoke(args=command)
            if result.exit_code:
                raise SystemExit(result.output)
        verdicts: dict[str, Counter] = defaultdict(Counter)
        with app.app_context():
            with db.session_factory()() as session:
                questions = _all_questions(session)
            for number, case in enumerate(cases):
                user = f"U{number:032x}"[:33]
                with db.transaction() as session:
                    dispatch.on_follow(context_for(session), user, unblocked=False)
                reply = None
                for turn in case["turns"]:
                    with db.transaction() as session:
                        reply = dispatch.on_text(context_for(session), user, turn)
                shown = texts_of(reply.messages)
                verdict = judge(case["expect"], reply, shown, questions)
                verdicts[str(case.get("point", 0))][verdict] += 1
                verdicts["all"][verdict] += 1
                if show or verdict != "right":
                    print(f"--- {case['id']} [{verdict}] expect {case['expect']} · {reply.kind} "
                          f"{reply.intent or reply.faq_id or ''}")
                    print("    " + " / ".join(case["turns"]))
                    for text in shown:
                        print("    > " + text.replace("\n", "\n      ")[:400])
    print()
    print(f"{'point':<6} {'chats':>5} {'right':>6} {'unhelpful':>9} {'wrong':>6}")
    for point in sorted(verdicts, key=lambda p: (p == "all", p)):
        counts = verdicts[point]
        total = sum(counts.values())
        print(f"{point:<6} {total:>5} {counts['right'] / total:>6.0%} {counts['unhelpful'] / total:>9.0%} "
              f"{counts['wrong'] / total:>6.0%}")


def _all_questions(session) -> dict[str, str]:
    """Every FAQ entry's question by id."""
    return {row.faq_id: row.question for row in session.scalars(sa.select(FaqEntry))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default=str(ROOT / "bench" / "residents.dev.jsonl"))
    parser.add_argument("--show", action="store_true", help="print every reply, not only the misses")
    args = parser.parse_args()
    cases = [json.loads(line) for line in Path(args.set).read_text(encoding="utf-8").splitlines() if line.strip()]
    run(cases, args.show)


if __name__ == "__main__":
    main()
