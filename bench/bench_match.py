"""Speed and memory benchmark of the FAQ engine (``search.engine.HybridMatcher``) at 1k, 10k and 100k entries.

Run::

    .venv/bin/python bench/bench_match.py [--sizes 1000,10000,100000] [--queries N]

Everything runs on one core: the BLAS/OpenMP pools are set to one thread and the process is pinned to the
first CPU it may use before numpy or scipy is imported. Each store size is measured in a fresh child
process (the same script with ``--child``), so memory figures and the engine's per-string caches do not
leak from one size to the next. The script is a report: it always exits 0.

How the store is grown (:func:`grow_store`, seed 20261120): the 661 entries of ``packs/demo/faq.csv`` come
first, unchanged. Entry ``i`` beyond them is ``bench-{i:06d}``, built from real text only, by one of five
recipes chosen at random:

* the head phrase of record a's question (its text up to the first 「は」「を」「が」「について」) + a topic
  suffix (「の申請」「の手続き」「の対象者」…) + a question ending (「を教えてください。」…), sometimes with a
  district or year tag (「（北地区）」「（令和7年度）」…);
* a place/condition prefix (「北地区の」「代理人による」「オンラインでの」…) + record a's whole question;
* two head phrases joined (「{head a}と{head b}」) + a question ending;
* two questions joined (「{question a minus its ending}。また、{question b}」);
* record a's question with a district or year tag before its final punctuation.

Its answer is one to three sentences of a different record's answer, sometimes plus one sentence of a
third record's; record a's aliases are kept for the recipes that keep a's question whole. The generator is
sequential, so a smaller store is always a prefix of a larger one.

The engine is built as the app builds it: with its sentence encoder (``search.semantic``, loaded before the
memory baseline and shown apart) and the fusion weights of ``faq/thresholds.toml``. The encoder's token memo
(``search.sentence_model``) fills while the store is encoded: its rows are part of the index's growth and
shown beside it.

Queries: 44 short hand-written resident-style messages (hiragana-only, half-width kana, colloquial, kanji
typos), the same number of questions sampled from the store with one character deleted, and 44 long natural
questions (``bench/sets/long-natural.dev.jsonl``: context, politeness, several clauses). The engine
caches the analysis of each string, so a *cold* pass makes every query string unique by appending a
punctuation mark the normaliser drops anyway (「？」, 「!」, 「…」…, a different one or a longer run per pass);
a *warm* pass repeats strings already searched. The cold p99 is the headline figure.

Memory (RSS, not tracemalloc): ``RssAnon`` and ``RssFile`` read from ``/proc/self/status`` just before and
just after the index build — the anonymous growth is the index ("index MB"), the file-backed growth is
Sudachi dictionary pages touched while analysing (shared, reclaimable page cache) — and
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` after the build minus the total RSS before it ("peak extra").
The Sudachi dictionary is opened and the synonym tables read before the baseline, and the generated
``FaqDoc`` list exists before it, so neither is counted.

Baseline: brute-force ``rapidfuzz.process.extract(query, questions, scorer=fuzz.WRatio, processor=None,
limit=5)`` over the raw questions of the same store (rapidfuzz keeps no cache, so one kind of pass).

Whole answer path: the demo pack loaded into a scratch SQLite database, and ``flask --app app ask --jsonl``
run as the app runs it (``--ask-repo`` names another checkout to measure the same way, e.g. an older
commit); each query is written to its stdin and timed until its answer line comes back, so the figure
holds everything a question costs (the route, the intents, the FAQ, the database, JSON). Queries: the
hand-written ones (mostly FAQ questions), the long natural ones and messages the intents answer (ごみ, small
talk, settings), each made unique per pass as above. Beside it, the engine's own ``search(k=5)`` for the same
FAQ questions on the same 661 entries in this process. The same path is then timed with the grown store of
10,000 entries imported over the pack's FAQ, against rapidfuzz WRatio brute force over those 10,000 questions
measured in this run (targets: p99 ≤ 6 ms, and ≤ 0.1 then 0.05 of WRatio's p99).

Incremental edit: 50 entries get a new question and answer through ``upsert``; each upsert is timed, and a
search for the new question must return the edited entry first. The full-rebuild figures beside it are the
cold build time and ``compact()`` (a rebuild that reuses the warm analysis caches).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import random
import re
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if __name__ == "__main__":  # before numpy/scipy are imported (they are imported lazily below)
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = "1"
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from search.docs import FaqDoc

DEMO_FAQ = ROOT / "packs" / "demo" / "faq.csv"
SEED = 20261120
DEFAULT_SIZES = (1000, 10_000, 100_000)
TARGETS_MS = {10_000: 2.0, 100_000: 10.0}  # cold p99 per query
EDITS = 50

TOPIC_SUFFIXES = (
    "の申請", "の手続き", "について", "の対象者", "の必要書類", "の受付時間", "の窓口", "の費用",
    "の期限", "の変更", "の再発行", "の予約", "の持ち物", "の申込方法", "の助成", "の届出",
)
ENDINGS = (
    "を教えてください。", "について教えてください。", "はどこですか？", "はいつですか？", "はできますか？",
    "に必要なものは何ですか？", "について知りたいです。", "はどうすればいいですか？",
)
TAGS = (
    "（北地区）", "（南地区）", "（東地区）", "（西地区）", "（中央地区）", "（みなと地区）", "（山手地区）",
    "（令和7年度）", "（令和8年度）", "（北出張所）", "（みなと出張所）", "（保健センター）", "（市民センター）",
    "（休日）", "（郵送）", "（電子申請）",
)
PREFIXES = (
    "北地区の", "南地区の", "みなと地区で", "山手地区の", "市外から転入した場合の", "土日に", "代理人による",
    "オンラインでの", "外国籍の方の", "ひとり親家庭の", "多胎児の", "転出する前に", "出張所での", "夜間に",
)
HEAD_STOPS = ("について", "は", "を", "が")
FINAL_PUNCT = "。？?！!"
QUESTION_ENDINGS = ("について教えてください", "を教えてください", "はどこですか", "ですか", "ますか")

# Short messages in the style residents type into LINE (written for this benchmark).
HANDWRITTEN_QUERIES = (
    "住民票ほしい", "じゅうみんひょう", "ごみの日", "ゴミ出しいつ", "粗大ごみ出したい", "そだいごみ いくら",
    "ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ", "まいなんばーかーど", "ひなんじょ", "避難所どこ", "母子手帳もらいたい", "ぼしてちょう",
    "保育園入りたい", "ほいくえん 申し込み", "児童手当いつ振り込み", "じどうてあて", "予防接種の予約",
    "よぼうせっしゅ", "インフルの注射", "子どもの医療費", "妊婦検診", "妊婦健診の受信票", "印鑑登録したい",
    "いんかんしょうめい", "引っ越しの手続き", "転入届", "国保の手続き", "こくほ", "がん検診", "学童保育",
    "一時預かり", "ﾌｧﾐｻﾎﾟ", "幼稚園の募集", "病児保育", "市長の名前", "ひとり親手当", "里帰り出産",
    "おむつの捨て方", "子育て支援センター", "子どもの歯医者", "保育料いくら", "ＬＩＮＥでなにできる",
    "ﾎｲｸｴﾝ ｷｬﾝｾﾙ待ち", "こそだてしえんせんたー",
)
# Long questions as residents write them (context, politeness, several clauses): the first lines of the
# long natural set written for this project (bench/sets/long-natural.dev.jsonl).
LONG_SET = ROOT / "bench" / "sets" / "long-natural.dev.jsonl"
LONG_COUNT = 44


def long_queries(count: int = LONG_COUNT) -> list[str]:
    """The first ``count`` long natural questions (none when the set is missing)."""
    if not LONG_SET.exists():
        return []
    lines = [line for line in LONG_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [json.loads(line)["text"] for line in lines[:count]]


# Messages the intents answer (garbage, small talk, settings), for the whole-path measurement.
INTENT_QUERIES = (
    "アイロンは何ごみ？", "明日のごみ", "今日は何ごみ？", "次の燃えるごみはいつ？", "ソファー捨てたい", "乾電池",
    "傘", "ペットボトルの捨て方", "こんにちは", "ありがとう", "使い方", "地域設定", "ごみの通知", "データ削除",
)
# Marks the normaliser and Sudachi drop: appended to make cold-pass query strings unique.
COLD_MARKS = ("？", "?", "！", "!", "。", "、", "…", "～", "．", "　")


# ---- helpers (tested) -------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) of ``values`` with linear interpolation (numpy's default method)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _strip_final(question: str) -> str:
    return question.rstrip(FINAL_PUNCT)


def head_phrase(question: str) -> str:
    """The topic phrase a question opens with: its text up to the first 「は」「を」「が」「について」."""
    text = _strip_final(question)
    cut = len(text)
    for stop in HEAD_STOPS:
        at = text.find(stop, 2)
        if at != -1:
            cut = min(cut, at)
    return text[:cut] or text


def question_body(question: str) -> str:
    """A question without its polite ending (「…について教えてください。」 → 「…」)."""
    text = _strip_final(question)
    for ending in QUESTION_ENDINGS:
        if text.endswith(ending) and len(text) > len(ending) + 1:
            return text[: -len(ending)]
    return text


def sentences(answer: str) -> list[str]:
    """The sentences of an answer (split after 「。」 and at line breaks), blanks dropped."""
    parts = re.split(r"(?<=。)|\n", answer)
    return [p.strip() for p in parts if p.strip()]


def grow_store(records: Sequence, size: int, seed: int = SEED) -> list[FaqDoc]:
    """``size`` FaqDocs: the real ``records`` first, then deterministic recombinations of their text.

    ``records`` need ``faq_id``, ``question``, ``answer`` and ``aliases`` (``FaqRecord`` or ``FaqDoc``).
    """
    from search.docs import FaqDoc

    docs = [FaqDoc(r.faq_id, r.question, tuple(r.aliases), r.answer) for r in records[:size]]
    if size <= len(records):
        return docs
    rng = random.Random(seed)
    n = len(records)
    answer_parts = [sentences(r.answer) or [r.answer] for r in records]
    for i in range(n, size):
        a = records[rng.randrange(n)]
        b = records[rng.randrange(n)]
        recipe = rng.randrange(5)
        aliases: tuple[str, ...] = ()
        if recipe == 0:
            question = head_phrase(a.question) + rng.choice(TOPIC_SUFFIXES) + rng.choice(ENDINGS)
            if rng.random() < 0.5:
                question = rng.choice(TAGS) + question
        elif recipe == 1:
            question = rng.choice(PREFIXES) + a.question
            aliases = tuple(a.aliases)
        elif recipe == 2:
            question = f"{head_phrase(a.question)}と{head_phrase(b.question)}{rng.choice(ENDINGS)}"
        elif recipe == 3:
            question = f"{question_body(a.question)}。また、{b.question}"
        else:
            body = _strip_final(a.question)
            question = body + rng.choice(TAGS) + (a.question[len(body):] or "？")
            aliases = tuple(a.aliases)
        c = rng.randrange(n)
        while records[c].faq_id == a.faq_id:
            c = rng.randrange(n)
        parts = answer_parts[c]
        start = rng.randrange(len(parts))
        answer = "".join(parts[start:start + rng.randint(1, 3)])
        if rng.random() < 0.3:
            answer += rng.choice(answer_parts[rng.randrange(n)])
        docs.append(FaqDoc(f"bench-{i:06d}", question, aliases, answer))
    return docs


def delete_one_char(text: str, rng: random.Random) -> str:
    """``text`` with one character (not its final punctuation) removed at a random position."""
    body = _strip_final(text)
    if len(body) < 2:
        return text
    at = rng.randrange(len(body))
    return body[:at] + body[at + 1:] + text[len(body):]


def make_queries(docs: Sequence[FaqDoc], count: int, seed: int = SEED) -> list[str]:
    """``count`` hand-written queries, ``count`` store questions with one character deleted, then the long
    natural questions."""
    count = min(count, len(HANDWRITTEN_QUERIES))
    rng = random.Random(seed + 1)
    sampled = [delete_one_char(docs[j].question, rng) for j in rng.sample(range(len(docs)), count)]
    return list(HANDWRITTEN_QUERIES[:count]) + sampled + long_queries()


def cold_mark(pass_no: int) -> str:
    """The suffix that makes pass ``pass_no``'s query strings unique (dropped by the normaliser)."""
    return COLD_MARKS[pass_no % len(COLD_MARKS)] * (pass_no // len(COLD_MARKS) + 1)


# ---- measuring (child process, one store size) -----------------------------------------------------------


def _rss_bytes() -> dict[str, int]:
    """Resident memory now, from /proc/self/status: anonymous (heap, numpy arrays) and file-backed pages."""
    fields = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(("RssAnon:", "RssFile:", "RssShmem:")):
                name, kilobytes = line.split()[:2]
                fields[name.rstrip(":")] = int(kilobytes) * 1024
    return {"anon": fields["RssAnon"], "file": fields["RssFile"] + fields.get("RssShmem", 0),
            "total": sum(fields.values())}


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def _log(size: int, message: str) -> None:
    print(f"  [{size:>7,}] {message}", file=sys.stderr, flush=True)


def _timed_searches(matcher, queries: Sequence[str]) -> list[float]:
    times = []
    search = matcher.search
    for query in queries:
        start = time.perf_counter_ns()
        search(query, k=5)
        times.append((time.perf_counter_ns() - start) / 1e6)
    return times


def _summary(times: Sequence[float]) -> dict:
    return {"n": len(times), "p50": percentile(times, 50), "p99": percentile(times, 99), "max": max(times)}


def measure(size: int, n_queries: int, cold_passes: int, warm_passes: int) -> dict:
    """All figures for one store size (runs inside a fresh child process)."""
    from rapidfuzz import fuzz
    from rapidfuzz import process

    from faq.importers import read_faq_file
    from faq.policy import fusion_weights
    from search.docs import FaqDoc
    from search.engine import Analyzer
    from search.engine import HybridMatcher
    from search.semantic import sentence_encoder
    from search.sentence_model import MEMO_TOKENS
    from search.sentence_model import ROW

    result: dict = {"size": size, "cpu": sorted(os.sched_getaffinity(0))}
    records = read_faq_file(DEMO_FAQ)
    docs = grow_store(records, size)
    queries = make_queries(docs, n_queries)
    result["queries"] = len(queries)
    analyzer = Analyzer()
    analyzer.analyse("辞書の読み込み")  # loads Sudachi before the memory baseline
    gc.collect()
    before_model = _rss_bytes()
    encoder = sentence_encoder()
    encoder.encode(["モデルの読み込み"])  # loads the sentence encoder before the memory baseline
    result["model_mb"] = (_rss_bytes()["total"] - before_model["total"]) / 2**20

    gc.collect()
    rss_before, max_before = _rss_bytes(), _maxrss_bytes()
    start = time.perf_counter()
    matcher = HybridMatcher(docs, analyzer=analyzer, weights=fusion_weights(), encoder=encoder)
    result["build_s"] = time.perf_counter() - start
    rss_after, max_after = _rss_bytes(), _maxrss_bytes()
    result["rss_before_mb"] = rss_before["total"] / 2**20
    result["retained_mb"] = (rss_after["anon"] - rss_before["anon"]) / 2**20
    result["file_mb"] = (rss_after["file"] - rss_before["file"]) / 2**20
    result["peak_extra_mb"] = (max_after - rss_before["total"]) / 2**20 if max_after > max_before else None
    result["memo_mb"] = encoder.token_memo_bytes / 2**20
    result["memo_cap_mb"] = MEMO_TOKENS * ROW * 4 / 2**20
    _log(size, f"built in {result['build_s']:.1f} s, RSS +{result['retained_mb']:.0f} MB")

    for i in range(20):  # warm-up: code paths, numpy/scipy internals; strings not in the query set
        matcher.search(f"ウォームアップ{i}の質問", k=5)
    gc.collect()
    cold: list[float] = []
    by_query: list[list[float]] = [[] for _ in queries]
    for pass_no in range(cold_passes):
        times = _timed_searches(matcher, [q + cold_mark(pass_no) for q in queries])
        cold += times
        for i, t in enumerate(times):
            by_query[i].append(t)
    short = min(n_queries, len(HANDWRITTEN_QUERIES))
    result["cold_handwritten_p99"] = percentile([t for ts in by_query[:short] for t in ts], 99)
    result["cold_sampled_p99"] = percentile([t for ts in by_query[short:2 * short] for t in ts], 99)
    result["cold_long_p99"] = percentile([t for ts in by_query[2 * short:] for t in ts], 99)
    slowest = sorted(range(len(queries)), key=lambda i: -percentile(by_query[i], 50))[:3]
    result["slowest"] = [(queries[i], percentile(by_query[i], 50)) for i in slowest]
    warm: list[float] = []
    for _ in range(warm_passes):
        warm += _timed_searches(matcher, [q + cold_mark(0) for q in queries])
    result["cold"], result["warm"] = _summary(cold), _summary(warm)
    _log(size, f"engine cold p99 {result['cold']['p99']:.2f} ms, warm p99 {result['warm']['p99']:.2f} ms")

    questions = [d.question for d in docs]
    naive: list[float] = []
    naive_passes = 3 if size <= 10_000 else 1
    for _ in range(naive_passes):
        for query in queries:
            start_ns = time.perf_counter_ns()
            process.extract(query, questions, scorer=fuzz.WRatio, processor=None, limit=5)
            naive.append((time.perf_counter_ns() - start_ns) / 1e6)
    result["naive"] = _summary(naive)
    _log(size, f"naive WRatio p99 {result['naive']['p99']:.1f} ms")

    rng = random.Random(SEED + 2)
    edit_times, found, failures = [], 0, []
    new_question = ""
    edited = rng.sample(range(len(docs)), EDITS)
    for j, index in enumerate(edited):
        old = docs[index]
        a, b = records[rng.randrange(len(records))], records[rng.randrange(len(records))]
        new_question = f"{rng.choice(PREFIXES)}{question_body(a.question)}（改定第{j + 1}版）？"
        doc = FaqDoc(old.faq_id, new_question, (), b.answer)
        start_ns = time.perf_counter_ns()
        matcher.upsert(doc)
        edit_times.append((time.perf_counter_ns() - start_ns) / 1e6)
        hits = matcher.search(new_question, k=5)
        if hits and hits[0].faq_id == old.faq_id:
            found += 1
        else:
            failures.append((old.faq_id, new_question, [h.faq_id for h in hits[:3]]))
    result["upsert"] = _summary(edit_times)
    result["upsert_found"] = found
    result["upsert_failures"] = failures[:5]
    start = time.perf_counter()
    matcher.compact()
    result["compact_s"] = time.perf_counter() - start
    hits = matcher.search(new_question, k=1)
    result["after_compact_ok"] = bool(hits) and hits[0].faq_id == docs[edited[-1]].faq_id
    result["len_after"] = len(matcher)
    _log(size, f"upsert p99 {result['upsert']['p99']:.1f} ms, compact {result['compact_s']:.1f} s")
    return result


# ---- the whole answer path (``ask --jsonl``) ----------------------------------------------------------------


def write_store_csv(path: Path, size: int) -> None:
    """The grown store of ``size`` entries as an FAQ file the app imports (``id,question,answer,aliases``)."""
    import csv

    from faq.importers import read_faq_file

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("id", "question", "answer", "aliases"))
        for doc in grow_store(read_faq_file(DEMO_FAQ), size):
            writer.writerow((doc.faq_id, doc.question, doc.answer, "|".join(doc.aliases)))


def measure_ask_path(repo: Path, passes: int, entries: int | None = None) -> dict:
    """Per-question milliseconds through ``flask ask --jsonl`` of ``repo`` with the demo pack, by query kind;
    with ``entries``, the pack's FAQ replaced by the grown store of that size first."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/ask.sqlite3", "SECRET_KEY": "bench",
               "LOG_LEVEL": "WARNING", "FLASK_APP": "app"}
        flask = str(repo / ".venv" / "bin" / "flask")
        commands = [["db", "upgrade"], ["pack", "load", str(repo / "packs" / "demo")]]
        if entries:
            write_store_csv(Path(tmp) / "store.csv", entries)
            commands.append(["faq", "import", str(Path(tmp) / "store.csv"), "--replace"])
        for command in commands:
            subprocess.run([flask, *command], cwd=repo, env=env, check=True, capture_output=True)
        process = subprocess.Popen([flask, "ask", "--jsonl", "--today", "2026-11-20"], cwd=repo, env=env, text=True,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        timings: dict[str, list[float]] = {"faq": [], "long": [], "intent": []}
        kinds: dict[str, int] = {}

        def ask(text: str) -> tuple[float, str]:
            started = time.perf_counter()
            process.stdin.write(json.dumps({"id": 0, "text": text}, ensure_ascii=False) + "\n")
            process.stdin.flush()
            line = process.stdout.readline()
            return (time.perf_counter() - started) * 1000, json.loads(line)["kind"]

        try:
            # Warm-up: the FAQ index, the garbage catalog with its item matcher (built on the first loose
            # item lookup, 「住民票の写し」 ends with a noun), small talk.
            for text in ("住民票ほしい", "アイロンは何ごみ？", "住民票の写し", "こんにちは"):
                ask(text)
            for n in range(passes):
                mark = COLD_MARKS[n % len(COLD_MARKS)] * (1 + n // len(COLD_MARKS))
                for group, queries in (("faq", HANDWRITTEN_QUERIES), ("long", long_queries()),
                                       ("intent", INTENT_QUERIES)):
                    for text in queries:
                        ms, kind = ask(text + mark)
                        timings[group].append(ms)
                        kinds[kind] = kinds.get(kind, 0) + 1
        finally:
            process.stdin.close()
            process.wait(timeout=60)
    timings["all"] = [t for group in ("faq", "long", "intent") for t in timings[group]]
    summary = {group: {"n": len(v), "p50": percentile(v, 50), "p99": percentile(v, 99)} for group, v in timings.items()}
    return {"repo": str(repo), "entries": entries, "kinds": kinds, **summary}


def ask_child(repo: Path) -> dict:
    """In ``repo``'s own Python: the work of one question through its ``ask`` (the function behind
    ``ask --jsonl``): Python function calls per question (deterministic, whatever else the machine is doing)
    and the median over the questions of the fastest of seven runs, in ms. Run by ``measure_ask_work``."""
    import cProfile
    import logging
    import pstats
    import statistics
    import tempfile

    sys.path.insert(0, str(repo))
    os.chdir(repo)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/ask.sqlite3"
        from app import create_app

        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"})
        logging.getLogger().setLevel(logging.WARNING)
        runner = app.test_cli_runner()
        runner.invoke(args=["db", "upgrade"])
        runner.invoke(args=["pack", "load", str(repo / "packs" / "demo")])
        if (repo / "bot" / "cli.py").is_file():  # this layout; older checkouts kept it in cli.py
            from bot.cli import ask
        else:
            from cli import _ask as ask
        result = {}
        with app.app_context():
            # Warm-up: the FAQ index, the garbage catalog with its item matcher (built on the first loose
            # item lookup, 「住民票の写し」 ends with a noun), small talk.
            for text in ("住民票ほしい", "アイロンは何ごみ？", "住民票の写し", "こんにちは"):
                ask(text, 5, None, None, 0)
            for group, queries in (("faq", HANDWRITTEN_QUERIES), ("intent", INTENT_QUERIES)):
                profile = cProfile.Profile()
                profile.enable()
                for text in queries:
                    ask(text + "？", 5, None, None, 0)
                profile.disable()
                fastest = []
                for text in queries:
                    runs = []
                    for n in range(7):
                        started = time.perf_counter()
                        ask(text + "!" * (n + 2), 5, None, None, 0)
                        runs.append((time.perf_counter() - started) * 1000)
                    fastest.append(min(runs))
                result[group] = {"calls": pstats.Stats(profile).total_calls / len(queries),
                                 "ms": statistics.median(fastest)}
        db_bind = app.extensions["db"].kw["bind"]
        db_bind.dispose()
    return result


def measure_ask_work(repo: Path) -> dict:
    """``ask_child`` run in ``repo``'s virtualenv."""
    command = [str(repo / ".venv" / "bin" / "python"), str(Path(__file__).resolve()), "--ask-child", str(repo)]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=600)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_engine_on_demo(passes: int) -> dict:
    """The engine's own ``search(k=5)`` milliseconds for the hand-written queries on the demo pack's FAQ."""
    from faq.importers import read_faq_file
    from faq.importers import read_synonyms_file
    from faq.policy import fusion_weights
    from japanese.synonyms import Synonyms
    from search.engine import Analyzer
    from search.engine import HybridMatcher
    from search.semantic import sentence_encoder

    docs = grow_store(read_faq_file(DEMO_FAQ), len(read_faq_file(DEMO_FAQ)))
    synonyms = Synonyms(read_synonyms_file(DEMO_FAQ.parent / "synonyms.csv"))
    matcher = HybridMatcher(docs, analyzer=Analyzer(synonyms), weights=fusion_weights(), encoder=sentence_encoder())
    matcher.search("住民票ほしい")
    timings = []
    for n in range(passes):
        mark = COLD_MARKS[n % len(COLD_MARKS)] * (1 + n // len(COLD_MARKS))
        for text in HANDWRITTEN_QUERIES:
            started = time.perf_counter()
            matcher.search(text + mark, k=5)
            timings.append((time.perf_counter() - started) * 1000)
    return {"n": len(timings), "p50": percentile(timings, 50), "p99": percentile(timings, 99), "entries": len(docs)}


ASK_ENTRIES = 10_000
ASK_TARGET_MS = 6.0  # whole path p99 at 10,000 entries
ASK_TARGET_RATIO = (0.1, 0.05)  # of WRatio brute force p99 over the same entries, measured in the same run


def ask_report(path: dict, engine: dict, work: dict, large: dict | None = None, naive: dict | None = None) -> str:
    """The whole-path tables (demo pack, and the grown store) beside the engine's own time, and the work of one
    question; with the naive WRatio figures of the grown store's size, the targets."""
    rows = [(f"ask --jsonl: {group} questions", str(path[group]["n"]), _f(path[group]["p50"]),
             _f(path[group]["p99"]))
            for group in ("faq", "long", "intent")]
    rows.append((f"engine search(k=5) alone, {engine['entries']} entries", str(engine["n"]), _f(engine["p50"]),
                 _f(engine["p99"])))
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(path["kinds"].items()))
    work_rows = [(f"ask(): {group} questions", f"{work[group]['calls']:,.0f}", _f(work[group]["ms"]))
                 for group in ("faq", "intent")]
    out = [
        f"Whole answer path, ms per question (demo pack; {path['repo']}; answers: {kinds})",
        _table(("path", "n", "p50", "p99"), rows),
        "",
        "Work of one question in the same checkout's ask() (the function behind ask --jsonl, in process):",
        _table(("path", "Python calls per question", "median of fastest-of-7 ms"), work_rows),
    ]
    if large is not None:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(large["kinds"].items()))
        out += ["", f"Whole answer path with {large['entries']:,} FAQ entries (the grown store imported over the demo "
                    f"pack's FAQ; answers: {kinds})",
                _table(("path", "n", "p50", "p99"),
                       [(f"ask --jsonl: {group}", str(large[group]["n"]), _f(large[group]["p50"]),
                         _f(large[group]["p99"])) for group in ("faq", "long", "intent", "all")])]
        if naive is not None:
            p99 = large["all"]["p99"]
            ratio = p99 / naive["p99"]
            out += [f"naive WRatio over the same {large['entries']:,} questions, p99 {naive['p99']:.1f} ms "
                    f"(measured in this run): whole path / naive = {ratio:.3f}",
                    f"  {'PASS' if p99 <= ASK_TARGET_MS else 'MISS'}  whole path p99 <= {ASK_TARGET_MS:g} ms at "
                    f"{large['entries']:,}: {p99:.2f} ms"]
            out += [f"  {'PASS' if ratio <= target else 'MISS'}  whole path p99 <= {target:g} x naive WRatio p99: "
                    f"{ratio:.3f}" for target in ASK_TARGET_RATIO]
    return "\n".join(out)


# ---- report (parent process) --------------------------------------------------------------------------------


def _run_child(size: int, args: argparse.Namespace) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(size), "--queries", str(args.queries),
               "--cold-passes", str(args.cold_passes), "--warm-passes", str(args.warm_passes)]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, timeout=args.timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"size": size, "error": f"timed out after {args.timeout:.0f} s", "wall_s": time.perf_counter() - start}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"size": size, "error": f"child exited {done.returncode}", "wall_s": time.perf_counter() - start}
    result = json.loads(lines[-1])
    result["wall_s"] = time.perf_counter() - start
    return result


def _f(value, spec: str = ".2f") -> str:
    return "n/a" if value is None else format(value, spec)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(str(c).rjust(w) for c, w in zip(header, widths, strict=True)), line]
    out += ["  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(out)


def report(results: Sequence[dict]) -> str:
    """The plain-text tables and the target verdicts."""
    ok = [r for r in results if "error" not in r]
    out = []
    out.append("Index build. Memory from /proc/self/status just before/after the build: index = RssAnon growth,")
    out.append("dict pages = RssFile growth (Sudachi dictionary pages touched, reclaimable), peak extra = ru_maxrss")
    out.append("after the build - total RSS before it (anon + file).")
    out.append(_table(
        ("entries", "build s", "RSS before MB", "encoder model MB", "index MB", "of it token memo MB",
         "dict pages MB", "peak extra MB", "child wall s"),
        [(f"{r['size']:,}", _f(r["build_s"]), _f(r["rss_before_mb"], ".0f"), _f(r["model_mb"], ".0f"),
          _f(r["retained_mb"], ".0f"), _f(r.get("memo_mb"), ".0f"), _f(r["file_mb"], ".0f"),
          _f(r["peak_extra_mb"], ".0f"),
          _f(r["wall_s"], ".0f")) for r in ok],
    ))
    out.append("(build s includes encoding every question and answer lead with the sentence encoder; the encoder's")
    out.append("model is loaded before the baseline and shown apart: once per process, whatever the store's size;")
    out.append("the token memo is the model's per-token rows written while encoding the store, bounded at")
    out.append(f"{max(r['memo_cap_mb'] for r in ok):.0f} MB and shared by every index of the process)")
    out.append("")
    out.append("Query latency, ms per search(k=5), one core (cold = every query string new to the engine's cache)")
    rows = []
    for r in ok:
        target = TARGETS_MS.get(r["size"])
        ratio = r["naive"]["p99"] / r["cold"]["p99"] if r["cold"]["p99"] else None
        rows.append((f"{r['size']:,}", str(r["cold"]["n"]), _f(r["cold"]["p50"]), _f(r["cold"]["p99"]),
                     _f(r["cold"]["max"]), _f(r["warm"]["p50"]), _f(r["warm"]["p99"]),
                     "-" if target is None else f"<= {target:g}", str(r["naive"]["n"]), _f(r["naive"]["p50"], ".1f"),
                     _f(r["naive"]["p99"], ".1f"), _f(ratio, ".1f") + "x"))
    out.append(_table(("entries", "n", "cold p50", "cold p99", "cold max", "warm p50", "warm p99", "target p99",
                       "naive n", "naive p50", "naive p99", "naive/engine p99"), rows))
    out.append("(naive = rapidfuzz process.extract WRatio, processor=None, limit=5 over the raw questions)")
    for r in ok:
        slow = ", ".join(f"{q[:24]}{'…' if len(q) > 24 else ''} {t:.1f}" for q, t in r["slowest"])
        out.append(f"  {r['size']:>7,}: cold p99 hand-written {r['cold_handwritten_p99']:.2f} ms, sampled "
                   f"{r['cold_sampled_p99']:.2f} ms, long {r['cold_long_p99']:.2f} ms; slowest (median ms): {slow}")
    out.append("")
    out.append(f"Incremental edit ({EDITS} upserts of changed entries; full rebuild = cold build / compact())")
    rows = []
    for r in ok:
        check = "OK" if r["upsert_found"] == EDITS else "FAIL"
        rows.append((f"{r['size']:,}", _f(r["upsert"]["p50"]), _f(r["upsert"]["p99"]), _f(r["build_s"] * 1000, ".0f"),
                     _f(r["compact_s"] * 1000, ".0f"), _f(r["build_s"] * 1000 / r["upsert"]["p50"], ".0f") + "x",
                     f"{check} {r['upsert_found']}/{EDITS}", "OK" if r["after_compact_ok"] else "FAIL"))
    out.append(_table(("entries", "upsert p50 ms", "upsert p99 ms", "build ms", "compact ms", "build/upsert p50",
                       "new question first", "after compact"), rows))
    for r in ok:
        for faq_id, question, top in r["upsert_failures"]:
            out.append(f"  FAIL at {r['size']:,}: {faq_id} {question!r} -> top {top}")
    for r in results:
        if "error" in r:
            out.append(f"ERROR at {r['size']:,} entries: {r['error']} (after {r['wall_s']:.0f} s)")
    out.append("")
    out.append("Targets (cold p99)")
    by_size = {r["size"]: r for r in ok}
    for size, target in TARGETS_MS.items():
        r = by_size.get(size)
        if r is None:
            out.append(f"  p99 <= {target:g} ms at {size:,}: NOT MEASURED")
        else:
            verdict = "PASS" if r["cold"]["p99"] <= target else "MISS"
            out.append(f"  p99 <= {target:g} ms at {size:,}: {verdict} ({r['cold']['p99']:.2f} ms)")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="comma-separated store sizes (default 1000,10000,100000)")
    parser.add_argument("--queries", type=int, default=len(HANDWRITTEN_QUERIES),
                        help=f"hand-written queries used, and as many sampled ones (max {len(HANDWRITTEN_QUERIES)})")
    parser.add_argument("--cold-passes", type=int, default=5)
    parser.add_argument("--warm-passes", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per store size")
    parser.add_argument("--ask-repo", type=Path, default=ROOT,
                        help="the checkout whose `flask ask --jsonl` is timed (default: this one)")
    parser.add_argument("--ask-passes", type=int, default=3, help="passes over the whole-path queries")
    parser.add_argument("--no-ask-large", dest="ask_large", action="store_false",
                        help=f"skip the whole path over {ASK_ENTRIES:,} entries")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ask-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.ask_child is not None:
        print(json.dumps(ask_child(args.ask_child.resolve())))
        return 0
    if args.child is not None:
        print(json.dumps(measure(args.child, args.queries, args.cold_passes, args.warm_passes)))
        return 0
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
        start = time.perf_counter()
        engine = ROOT / "search" / "engine.py"
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(engine.stat().st_mtime))
        print(f"bench_match: sizes {sizes}, {min(args.queries, len(HANDWRITTEN_QUERIES)) * 2} queries, "
              f"{args.cold_passes} cold + {args.warm_passes} warm passes, pinned to CPU "
              f"{sorted(os.sched_getaffinity(0))}, OMP/OPENBLAS/MKL threads = {os.environ.get('OMP_NUM_THREADS')}")
        print(f"search/engine.py sha1 {hashlib.sha1(engine.read_bytes()).hexdigest()[:12]} (modified {stamp}); "
              f"load average at start {os.getloadavg()[0]:.2f}", flush=True)
        results = []
        for size in sizes:
            results.append(_run_child(size, args))
            sys.stdout.flush()
        print(flush=True)
        if results:
            print(report(results))
            print()
        repo = args.ask_repo.resolve()
        naive = next((r["naive"] for r in results if r.get("size") == ASK_ENTRIES and "naive" in r), None)
        large = measure_ask_path(repo, args.ask_passes, ASK_ENTRIES) if args.ask_large else None
        print(ask_report(measure_ask_path(repo, args.ask_passes), measure_engine_on_demo(args.ask_passes),
                         measure_ask_work(repo), large, naive), flush=True)
        print(f"\ntotal wall time {time.perf_counter() - start:.0f} s; load average at end {os.getloadavg()[0]:.2f}")
    except Exception as error:  # a report: never fail the caller
        print(f"bench_match failed: {error!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
