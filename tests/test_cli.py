"""The command-line verbs: pack load, faq import, ask (text, --json, --jsonl) and chat."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import sqlalchemy as sa

import runtime
from bot import cli as bot_cli
from city.models import Municipality
from faq.models import FaqEntry
from faq.models import GoldenQuery
from faq.models import QueryLog
from faq.models import Synonym
from tests.chat import load_demo_pack

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "packs" / "demo"


def write_pack(tmp_path: Path, code="011111", name="テスト町", faq="id,question,answer\n1,ごみの日はいつですか,月曜日です\n"):
    (tmp_path / "pack.toml").write_text(
        f'[municipality]\ncode = "{code}"\nname = "{name}"\nphone = "0120-000-000"\n\n[faq]\nfile = "faq.csv"\n',
        encoding="utf-8",
    )
    (tmp_path / "faq.csv").write_text(faq, encoding="utf-8")
    return tmp_path


class TestPackLoad:
    def test_demo_pack_loads(self, runner, session):
        """The demo pack loads its city and all its FAQ entries."""
        result = runner.invoke(args=["pack", "load", str(DEMO)])
        assert result.exit_code == 0, result.output
        assert session.scalar(sa.select(Municipality.name)) == "かもめ市"
        assert session.scalar(sa.select(sa.func.count()).select_from(FaqEntry)) == 661
        assert session.scalar(sa.select(sa.func.count()).select_from(Synonym)) > 50
        assert session.scalar(sa.select(sa.func.count()).select_from(GoldenQuery)) == 30
        assert "golden queries: 30" in result.output

    def test_a_bad_golden_queries_file_loads_nothing_and_names_its_line(self, runner, tmp_path, session):
        """A golden query naming an entry the pack lacks: the pack is refused, the file and line named."""
        pack = write_pack(tmp_path)
        (pack / "golden.jsonl").write_text('{"question": "q", "faq_id": "1"}\n{"question": "x", "faq_id": "9"}\n',
                                           encoding="utf-8")
        manifest = (pack / "pack.toml").read_text(encoding="utf-8")
        (pack / "pack.toml").write_text(manifest.replace('file = "faq.csv"', 'file = "faq.csv"\ngolden = "golden.jsonl"'),
                                        encoding="utf-8")
        result = runner.invoke(args=["pack", "load", str(pack)])
        assert result.exit_code != 0
        assert "golden.jsonl の2行目：faq_id 9 はパックのFAQにありません。" in result.output
        assert session.scalar(sa.select(sa.func.count()).select_from(Municipality)) == 0

    def test_if_empty_leaves_a_loaded_database_alone(self, runner, tmp_path, session):
        """--if-empty does nothing once a pack is loaded."""
        runner.invoke(args=["pack", "load", str(write_pack(tmp_path))])
        result = runner.invoke(args=["pack", "load", str(DEMO), "--if-empty"])
        assert "already loaded" in result.output
        assert session.scalar(sa.select(Municipality.name)) == "テスト町"

    def test_another_city_needs_replace(self, runner, tmp_path, session):
        """A pack of another municipality is refused unless --replace is given."""
        runner.invoke(args=["pack", "load", str(write_pack(tmp_path))])
        result = runner.invoke(args=["pack", "load", str(DEMO)])
        assert result.exit_code != 0 and "--replace" in result.output
        result = runner.invoke(args=["pack", "load", str(DEMO), "--replace"])
        assert result.exit_code == 0
        assert session.scalar(sa.select(Municipality.name)) == "かもめ市"
        assert session.scalar(sa.select(sa.func.count()).select_from(FaqEntry)) == 661

    def test_bad_faq_file_loads_nothing(self, runner, tmp_path, session):
        """A pack whose FAQ has a bad row loads neither the city nor any entry, and names the row."""
        pack = write_pack(tmp_path, faq="id,question,answer\n1,質問,回答\n2,,回答\n")
        result = runner.invoke(args=["pack", "load", str(pack)])
        assert result.exit_code != 0
        assert "3" in result.output and "Traceback" not in result.output
        assert session.scalar(sa.select(sa.func.count()).select_from(Municipality)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(FaqEntry)) == 0

    def test_pack_without_manifest_is_refused(self, runner, tmp_path):
        """A folder without pack.toml gets a clear error."""
        result = runner.invoke(args=["pack", "load", str(tmp_path)])
        assert result.exit_code != 0 and "pack.toml" in result.output


class TestFaqImport:
    def test_shift_jis_csv_imports(self, runner, tmp_path, session):
        """A CSV saved by Excel in Shift_JIS imports."""
        path = tmp_path / "faq.csv"
        path.write_bytes("id,question,answer\r\n7,住民票の写しを取りたい,市民課で取れます\r\n".encode("cp932"))
        result = runner.invoke(args=["faq", "import", str(path)])
        assert result.exit_code == 0, result.output
        assert session.scalar(sa.select(FaqEntry.question)) == "住民票の写しを取りたい"

    def test_bad_rows_are_reported_by_number_and_nothing_is_imported(self, runner, tmp_path, session):
        """Every bad row is named and no row is saved."""
        path = tmp_path / "faq.csv"
        path.write_text("id,question,answer\n1,質問,回答\n2,,回答\n3,質問3,\n", encoding="utf-8")
        result = runner.invoke(args=["faq", "import", str(path)])
        assert result.exit_code != 0
        assert "faq.csv は取り込めません。2件の問題があり、何も取り込んでいません。" in result.output
        assert "  3行目：question が空です。\n  4行目：answer が空です。" in result.output
        assert session.scalar(sa.select(sa.func.count()).select_from(FaqEntry)) == 0


class TestAsk:
    def test_ask_prints_the_answer(self, runner, faq):
        """ask TEXT prints the kind of answer and the reply text."""
        result = runner.invoke(args=["ask", "住民票の写しを取りたい"])
        assert result.exit_code == 0
        assert "[faq] 101" in result.output and "市民課の窓口" in result.output

    def test_ask_json_has_the_documented_fields(self, runner, faq):
        """ask --json prints the documented object."""
        result = runner.invoke(args=["ask", "粗大ごみ", "--json", "--top", "2"])
        data = json.loads(result.output)
        assert set(data) == {"id", "kind", "intent", "faq_id", "score", "candidates", "reply"}
        assert len(data["candidates"]) == 2 and set(data["candidates"][0]) == {"faq_id", "score"}

    def test_ask_jsonl_answers_each_line(self, runner, faq):
        """ask --jsonl writes one JSON line per input line, keeping the ids."""
        lines = "\n".join(json.dumps({"id": i, "text": t}, ensure_ascii=False)
                          for i, t in [("a", "住民票の写しを取りたい"), ("b", "こんにちは"), ("c", "宇宙旅行")])
        result = runner.invoke(args=["ask", "--jsonl"], input=lines + "\n")
        rows = [json.loads(line) for line in result.output.splitlines()]
        assert [(r["id"], r["kind"]) for r in rows] == [("a", "faq"), ("b", "intent"), ("c", "fallback")]
        assert rows[1]["intent"] == "smalltalk" and rows[1]["candidates"] is not None

    def test_ask_jsonl_warms_and_settles_like_a_served_process(self, app, runner, faq):
        """Before the first line, every cache is built and the heap frozen, so each answer is timed as served."""
        gc.unfreeze()
        result = runner.invoke(args=["ask", "--jsonl"], input="")
        assert result.exit_code == 0
        assert all(cache.ready for cache in runtime.of(app).caches.values())
        assert gc.get_freeze_count() > 0

    def test_ask_jsonl_collects_garbage_after_each_answer_not_inside_one(self, runner, faq, monkeypatch):
        """What the collector has due is collected once an answer line is written, never while a question is
        answered (automatic collections are kept out of the way here, so that only the command's own show)."""
        monkeypatch.setattr(runtime, "COLLECT_BETWEEN_AT", 1)
        monkeypatch.setattr(runtime, "YOUNG_GENERATION_THRESHOLD", 10**9)
        answering, answered, inside, after = [], [], [], []
        real_ask = bot_cli.ask

        def watched_ask(*args, **kwargs):
            answering.append(True)
            try:
                return real_ask(*args, **kwargs)
            finally:
                answering.pop()
                answered.append(True)

        def seen(phase, info):
            if phase == "start" and answering:
                inside.append(info["generation"])
            elif phase == "start" and answered:
                after.append(info["generation"])

        monkeypatch.setattr(bot_cli, "ask", watched_ask)
        thresholds = gc.get_threshold()
        gc.callbacks.append(seen)
        try:
            lines = "".join(json.dumps({"id": n, "text": text}, ensure_ascii=False) + "\n"
                            for n, text in enumerate(["住民票の写しを取りたい", "こんにちは", "宇宙旅行"]))
            result = runner.invoke(args=["ask", "--jsonl"], input=lines)
        finally:
            gc.callbacks.remove(seen)
            gc.set_threshold(*thresholds)
        assert result.exit_code == 0 and len(result.output.splitlines()) == 3
        assert inside == [] and len(after) == 3

    def test_ask_jsonl_names_a_bad_line(self, runner, faq):
        """A line that is not a query object is reported by number."""
        result = runner.invoke(args=["ask", "--jsonl"], input='{"id": 1, "text": "x"}\nnot json\n')
        assert result.exit_code != 0 and "line 2" in result.output

    def test_ask_logs_nothing(self, runner, faq, session):
        """ask is a dry run: no query log is written."""
        runner.invoke(args=["ask", "住民票の写しを取りたい"])
        assert session.scalar(sa.select(sa.func.count()).select_from(QueryLog)) == 0

    def test_ask_explain_shows_keys_tokens_and_view_scores(self, runner, faq):
        """ask --explain prints the normalised query, reading, tokens and a score per view."""
        result = runner.invoke(args=["ask", "--explain", "ｼﾞｭｳﾐﾝﾋｮｳ ほしい"])
        assert result.exit_code == 0, result.output
        assert "normalised じゅうみんひょうほしい" in result.output
        assert "reading" in result.output and "tokens" in result.output
        assert "ng-surf" in result.output and "101" in result.output


class TestAskExplain:
    def test_explain_shows_each_intent_tried_and_the_one_that_answered(self, runner, faq):
        """For an intent's answer, every intent tried is listed in order, the answering one with its result."""
        result = runner.invoke(args=["ask", "--explain", "ありがとう"])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert "route" in lines and "  step    no open step" in lines
        assert any(line.startswith("  intent  delete_my_data: no match") for line in lines)
        assert "  intent  smalltalk: matched → SmallTalk(kind=\"thanks\" hello=\"\")" in lines
        assert "  reply   intent smalltalk, 1 message(s)" in lines

    def test_explain_shows_the_tier_and_each_threshold_check(self, runner, faq):
        """For an FAQ answer, the tier, the best score against each threshold and the kept entry are shown."""
        result = runner.invoke(args=["ask", "--explain", "住民票の写しを取りたい"])
        assert result.exit_code == 0, result.output
        out = result.output
        assert "  faq     tier faq" in out
        assert "≥ suggest_at " in out and "≥ answer_at " in out and "≥ min_margin " in out
        assert "kept    101 " in out

    def test_explain_of_suggestions_names_the_failed_check(self, runner, faq):
        """For 「もしかして」, the check that kept the bot from answering directly says fail."""
        result = runner.invoke(args=["ask", "--explain", "粗大ごみ"])
        assert "tier suggest" in result.output
        assert "fail" in result.output and "dropped " in result.output

    def test_json_with_explain_has_the_trace_as_a_field(self, runner, faq):
        """--json --explain adds an 'explain' list of stages to the documented object."""
        data = json.loads(runner.invoke(args=["ask", "住民票の写しを取りたい", "--json", "--explain"]).output)
        assert [stage["stage"] for stage in data["explain"]][:3] == ["query", "health", "step"]
        assert data["explain"][-1] == {**data["explain"][-1], "stage": "reply", "kind": "faq", "faq_id": "101"}

    def test_jsonl_with_explain_gives_each_line_its_trace(self, runner, faq):
        """--jsonl --explain writes each answer with its own trace; the answers are those without --explain."""
        lines = "\n".join(json.dumps({"id": i, "text": t}, ensure_ascii=False)
                          for i, t in [("a", "住民票の写しを取りたい"), ("b", "こんにちは")]) + "\n"
        explained = [json.loads(line) for line in runner.invoke(args=["ask", "--jsonl", "--explain"],
                                                                 input=lines).output.splitlines()]
        plain = [json.loads(line) for line in runner.invoke(args=["ask", "--jsonl"], input=lines).output.splitlines()]
        assert [row.pop("explain")[0]["text"] for row in explained] == ["住民票の写しを取りたい", "こんにちは"]
        assert explained == plain


class TestChat:
    def test_chat_answers_and_buttons_can_be_pressed_by_number(self, runner, faq):
        """In chat, a question gets suggestions and typing a number presses that button."""
        result = runner.invoke(args=["chat"], input="粗大ごみ\n1\nq\n")
        assert result.exit_code == 0, result.output
        assert "友だち追加ありがとうございます" in result.output
        assert "[1]" in result.output
        assert "環境課" in result.output

    def test_a_location_is_sent_by_typing_at_and_its_coordinates(self, app, runner):
        """「@42.8425,141.65」 in chat is what LINE's send-location button sends: the hazard is asked."""
        load_demo_pack(app)
        result = runner.invoke(args=["chat"], input="避難所\n@42.8425,141.65\nq\n")
        assert result.exit_code == 0, result.output
        assert "どの災害からの避難ですか" in result.output
