"""``flask --app app ask …`` and ``chat``: the bot's answers in the terminal, without LINE."""

from __future__ import annotations

import json
import logging
import sys
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext
from linebot.v3.messaging import Action
from linebot.v3.messaging import Message
from linebot.v3.messaging import MessageAction
from linebot.v3.messaging import PostbackAction
from linebot.v3.messaging import TextMessage

import db
import runtime
from bot import dispatch
from bot.context import context_for
from bot.trace import Trace
from faq import store
from messaging.client import ConsoleLineClient
from search.docs import Query

CONSOLE_USER = "U" + "0" * 31 + "c"


@click.command("ask")
@with_appcontext
@click.argument("text", required=False)
@click.option("--top", default=5, show_default=True, help="How many FAQ candidates to report.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--jsonl", is_flag=True, help='Read {"id", "text"} lines from stdin, write one JSON line each.')
@click.option("--area", help="Answer as a resident of this area.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Answer as if today were this date.")
@click.option("--explain", is_flag=True,
              help="Show the whole decision: each stage of the route, the FAQ tier and why, each view's score "
                   "(with --json/--jsonl: an 'explain' field).")
def ask_command(text: str | None, top: int, as_json: bool, jsonl: bool, area: str | None, today,
                explain: bool) -> None:
    """Answer TEXT as the bot would, without sending or logging anything."""
    _quiet()
    day = today.date() if today else None
    if jsonl:
        # Many questions: warmed and settled as a served process is, so each is timed as it would be there.
        runtime.warm(current_app._get_current_object())
        runtime.settle_heap()
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                query_id, query_text = item.get("id"), str(item["text"])
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
                raise click.ClickException(f'line {number}: expected {{"id": …, "text": …}}') from None
            click.echo(json.dumps(ask(query_text, top, area, day, query_id, explain=explain), ensure_ascii=False))
            runtime.collect_between()  # the answer is out: what is due is collected before the next comes
        return
    if text is None:
        raise click.UsageError("give TEXT or --jsonl")
    result = ask(text, top, area, day, None, explain=explain)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"[{result['kind']}] " + (result["intent"] or result["faq_id"] or "") +
               (f" score={result['score']:.3f}" if result["score"] is not None else ""))
    for reply in result["reply"]:
        click.echo(reply)
        click.echo("---")
    if explain:
        click.echo("\n".join(render_trace(result["explain"])))
        click.echo()
        _explain_views(text, top)
        return
    for candidate in result["candidates"]:
        click.echo(f"  {candidate['faq_id']:>8}  {candidate['score']:.3f}")


def ask(text: str, top: int, area: str | None, today: date | None, query_id, *, explain: bool = False) -> dict:
    """One answer as plain data (the line ``ask --jsonl`` writes): nothing is logged, and the transaction is
    rolled back. ``candidates`` are the FAQ's best ``top`` entries whatever answered, so an intent's answer
    is followed by one FAQ search here (the bot itself searches the FAQ only when no intent answered, or for a
    worry the FAQ may also answer: those candidates are kept).
    With ``explain``, ``explain`` holds the route's trace (``bot.trace``)."""
    with db.session_factory()() as session:
        ctx = context_for(session, area=area, top=top, today=today)
        ctx.record = False
        ctx.trace = Trace() if explain else None
        reply = dispatch.on_text(ctx, None, text)
        query = Query.of(text)
        if reply.kind == "intent" and top and query.key and not reply.candidates:
            reply.candidates = ctx.matcher.search(query, k=top)
        session.rollback()
    result = {
        "id": query_id,
        "kind": reply.kind,
        "intent": reply.intent,
        "faq_id": reply.faq_id,
        "score": reply.score,
        "candidates": [{"faq_id": hit.faq_id, "score": hit.score} for hit in reply.candidates],
        "reply": [message_text(message) for message in reply.messages],
    }
    if ctx.trace is not None:
        result["explain"] = ctx.trace.as_data()
    return result


def render_trace(stages: list[dict]) -> list[str]:
    """The trace (``Trace.as_data()``) as lines for staff: one block per stage, in the order they ran."""
    lines = ["route"]
    for stage in stages:
        name, detail = stage["stage"], {k: v for k, v in stage.items() if k != "stage"}
        render = _STAGE_LINES.get(name)
        lines += [f"  {name:<7} {line}" if i == 0 else f"          {line}"
                  for i, line in enumerate(render(detail) if render else [_pairs(detail)])]
    return lines


def _pairs(detail: dict) -> str:
    """Any stage's detail as ``key=value`` pairs (stages without their own rendering)."""
    return " ".join(f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in detail.items()) or "-"


def _step_lines(detail: dict) -> list[str]:
    if detail.get("open") is None:
        return ["no open step"]
    if detail.get("cancelled"):
        return [f"{detail['open']}: cancelled by the text"]
    if not detail.get("took"):
        return [f"{detail['open']}: did not take the text; step closed"]
    answer = detail.get("answer") or {}
    return [f"{detail['open']}: took the text → {answer.get('kind')}" +
            (f", then answers {answer['then']!r}" if answer.get("then") else "")]


def _intent_lines(detail: dict) -> list[str]:
    if not detail.get("matched"):
        return [f"{detail['name']}: no match"]
    result = detail.get("result")
    if result is None:
        return [f"{detail['name']}: matched, handler returned nothing (next intent)"]
    return [f"{detail['name']}: matched → {_brief(result)}"]


def _faq_lines(detail: dict) -> list[str]:
    if not detail.get("searched"):
        return ["not searched (nothing left to match after normalising)", f"tier {detail['result']}"]
    decision = detail["decision"]
    runner_up = decision["runner_up"]
    lines = [f"tier {decision['tier']}" + (" (short query: stricter thresholds)" if decision["short"] else "")
             + (f"  result {detail['result']}" if detail["result"] != decision["tier"] else "")]
    if decision["best"] is None:
        lines.append("no candidate scored above zero")
    else:
        lines.append(f"best {decision['best']:.3f}, runner-up " +
                     (f"{runner_up:.3f}" if runner_up is not None else "none") + f", margin {decision['margin']:.3f}")
    for check in decision["checks"]:
        sign = "≥" if check["value"] >= check["threshold"] else "<"
        lines.append(f"{check['measure']} {check['value']:.3f} {sign} {check['threshold_name']} "
                     f"{check['threshold']:.3f}  {'pass' if check['value'] >= check['threshold'] else 'fail'}")
    if decision.get("unmet"):
        lines.append(f"the message asks ({', '.join(decision['unmet'])}) what the best entry does not speak of: "
                     "offered, not answered")
    lines.append("kept    " + (", ".join(f"{h['faq_id']} {h['score']:.3f}" for h in detail["kept"]) or "-"))
    lines.append("dropped " + (", ".join(f"{h['faq_id']} {h['score']:.3f}" + (f" ({h['why']})" if h.get("why") else "")
                                         for h in detail["dropped"]) or "-"))
    return lines


def _reply_lines(detail: dict) -> list[str]:
    what = detail["kind"] + "".join(f" {detail[key]}" for key in ("intent", "faq_id") if detail.get(key))
    lines = [f"{what}, {len(detail['messages'])} message(s)"]
    for message in detail["messages"]:
        lines.append(f"{message['type']}: {message.get('text', '')}".rstrip().replace("\n", " ⏎ ") +
                     (f"  [{' | '.join(message['buttons'])}]" if message.get("buttons") else ""))
    return lines


def _brief(value) -> str:
    """A plain summary (``bot.trace.plain``) on one line: a result's type and its fields."""
    if isinstance(value, dict) and "type" in value:
        fields = {key: item for key, item in value.items() if key != "type"}
        return f"{value['type']}({_pairs(fields) if fields else ''})"
    return json.dumps(value, ensure_ascii=False)


_STAGE_LINES = {"query": lambda d: [f"{d['text']!r} → key {d['key']!r}"], "step": _step_lines,
                "intent": _intent_lines, "faq": _faq_lines, "reply": _reply_lines}


def _explain_views(text: str, top: int) -> None:
    """Print the query's keys, tokens and synonyms, then each candidate's score per view."""
    with db.session_factory()() as session:
        explanation = context_for(session).matcher.explain(text, top)
        questions = {e.faq_id: e.question
                     for e in store.get_entries(session, [row.faq_id for row in explanation.rows]).values()}
    analysis = explanation.analysis
    click.echo(f"query      {analysis.text}")
    click.echo(f"normalised {analysis.surface}")
    click.echo(f"reading    {analysis.reading}")
    click.echo(f"tokens     {' '.join(analysis.tokens) or '-'}")
    click.echo("synonyms   " + (", ".join(f"{a} → {b}" for a, b in analysis.synonyms) or "-"))
    click.echo("asks       " + (", ".join(sorted(analysis.facets)) or "-"))
    click.echo(explanation.formula)
    click.echo(f"{'faq_id':>8} {'score':>6} {'ng-surf':>7} {'ng-read':>7} {'bm25':>6} {'fuzzy':>6} {'sem':>6}"
               f" {'facet':>6}  question")
    for row in explanation.rows:
        click.echo(f"{row.faq_id:>8} {row.score:6.3f} {row.ngram_surface:7.3f} {row.ngram_reading:7.3f} "
                   f"{row.bm25:6.3f} {row.fuzzy:6.3f} {row.semantic:6.3f} {row.facet:6.3f}  "
                   f"{questions.get(row.faq_id, '')}")


def message_text(message: Message) -> str:
    """The text of a message, or a short summary of a non-text one."""
    return message.text if isinstance(message, TextMessage) else f"({message.type})"


@click.command("chat")
@with_appcontext
@click.option("--user", default=CONSOLE_USER, show_default=True, help="LINE user id to chat as.")
def chat_command(user: str) -> None:
    """Talk to the bot in the terminal as a resident (type a number to press a button, '@LAT,LON' to send a
    location, 'q' to quit)."""
    _quiet()
    console = ConsoleLineClient()
    with db.transaction() as session:
        console.reply("console", dispatch.on_follow(context_for(session), user, unblocked=False).messages)
    while True:
        try:
            line = input("> ").strip()
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if line in {"q", "quit", "exit"}:
            return
        if not line:
            continue
        action = _picked_action(console, line)
        place = _location(line)
        with db.transaction() as session:
            ctx = context_for(session)
            if place is not None:  # what LINE's send-location button sends
                reply = dispatch.on_location(ctx, user, *place)
            elif isinstance(action, PostbackAction):
                click.echo(f"> {action.display_text or action.label}")
                reply = dispatch.on_postback(ctx, user, action.data)
            else:
                reply = dispatch.on_text(ctx, user, action.text if isinstance(action, MessageAction) else line)
        console.reply("console", reply.messages)


def _quiet() -> None:
    """Keep the terminal for answers: only warnings and errors are logged."""
    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))


def _location(line: str) -> tuple[float, float] | None:
    """The place of a line such as ``@42.8425,141.65`` (a location message in ``chat``), or None."""
    if not line.startswith("@"):
        return None
    try:
        latitude, longitude = (float(part) for part in line[1:].replace(" ", "").split(","))
    except ValueError:
        return None
    return (latitude, longitude) if -90 <= latitude <= 90 and -180 <= longitude <= 180 else None


def _picked_action(console: ConsoleLineClient, line: str) -> Action | None:
    """The action of the quick-reply button the resident picked by number, if they typed one."""
    if line.isdigit() and 1 <= int(line) <= len(console.last_choices):
        return console.last_choices[int(line) - 1].action
    return None
