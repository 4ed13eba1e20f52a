"""Matching benchmark: our FAQ engine and item lookup against a naive rapidfuzz baseline, in one run.

What it measures (targets from the issue, printed beside the figures):

1. FAQ retrieval on ``shared/eval/short-queries.dev.jsonl`` with the 汎用FAQ loaded: Hit@1, Hit@3,
   Hit@5 and MRR@10, for the app's answer path (``flask ask --jsonl``; its candidates list is the
   engine's ranking), for ``HybridMatcher`` called directly, and for the baseline
   ``process.extract(query, questions, scorer=fuzz.WRatio, processor=None)`` over the raw questions.
2. Direct answers (kind ``faq``) on ``shared/eval/off-topic.dev.jsonl`` and on the short queries,
   with the share of every reply kind, through the real app path (migrate, import, ask).
3. Garbage item lookup on 留萌 (5374 ``target.csv``) and 高松 (ごみ分別一覧): every distinct item name,
   parenthetical part removed, asked as typed, as its hiragana reading, in half-width katakana and
   with its middle character missing; top-1 accuracy and ms per lookup for ``HybridMatcher`` over
   the item names and for rapidfuzz WRatio over the raw names.
4. One PASS/MISS line per target.

The data is read in place from the shared folder (never copied into the repository). Run it from
the repository root:

    .venv/bin/python bench/eval_match.py [--shared ../shared] [--faq PATH]

``--faq`` loads another FAQ file (CSV, XLSX or 汎用FAQ JSON) instead of the 汎用FAQ. It is a report,
not a test: the exit code is always 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from rapidfuzz import fuzz
from rapidfuzz import process

import db
from app import create_app
from bot.context import context_for
from bot.context import current_bot
from faq.importers import FaqRecord
from faq.importers import read_faq_file
from faq.importers import read_synonyms_file
from japanese.analysis import JapaneseText
from japanese.normalize import normalize
from japanese.synonyms import Synonyms
from search.docs import FaqDoc
from search.engine import Analyzer
from search.engine import HybridMatcher
from search.items import item_doc

ROOT = Path(__file__).resolve().parents[1]
FAQ_FILE = Path("data/kosodate-faq/faq.json")
DEMO_PACK = Path(__file__).resolve().parents[1] / "packs" / "demo"
SHORT_QUERIES = Path("eval/short-queries.dev.jsonl")
OFF_TOPIC = Path("eval/off-topic.dev.jsonl")
RUMOI = Path("data/rumoi-5374/target.csv")
TAKAMATSU = Path("data/takamatsu/garbage_separation_list.csv")

# Where each file comes from (details in the SOURCE.md / README.md next to it).
ORIGINS = {
    FAQ_FILE: "子育てオープンデータ協議会『汎用FAQ』(CC BY 4.0), via takatama/faq-search-experiment @ 63160a6",
    SHORT_QUERIES: "written for this project (development set, see eval/README.md)",
    OFF_TOPIC: "written for this project (development set, see eval/README.md)",
    RUMOI: "rumoikk/5374 @ ce47758 (gh-pages); no data licence stated, read in place only",
    TAKAMATSU: "takamatsu-city/opendata @ 6fc71c7 (xlsx → CSV); 高松市オープンデータ利用規約",
}

FAQ_TARGETS = {"Hit@1": 0.80, "Hit@3": 0.92}
OFF_TOPIC_DIRECT_MAX = 0.05
ITEM_TARGETS = {"exact": 0.99, "hiragana": 0.95, "1 char missing": 0.90}
VARIANTS = ("exact", "hiragana", "half-width", "1 char missing")
KINDS = ("faq", "suggest", "fallback", "intent")
TOP = 10


# ---- metrics -------------------------------------------------------------------------------------


def hit_at_k(ranking: Sequence[str], relevant: set[str], k: int) -> bool:
    """Whether any relevant id is among the first ``k`` of ``ranking`` (an empty ranking is a miss)."""
    return any(faq_id in relevant for faq_id in ranking[:k])


def reciprocal_rank(ranking: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """1/rank of the first relevant id within the first ``k``, or 0 when there is none."""
    for rank, faq_id in enumerate(ranking[:k], start=1):
        if faq_id in relevant:
            return 1.0 / rank
    return 0.0


def retrieval_scores(rankings: Sequence[Sequence[str]], relevants: Sequence[set[str]]) -> dict[str, float]:
    """Hit@1, Hit@3, Hit@5 and MRR@10 averaged over queries."""
    n = len(rankings) or 1
    pairs = list(zip(rankings, relevants, strict=True))
    scores = {f"Hit@{k}": sum(hit_at_k(r, rel, k) for r, rel in pairs) / n for k in (1, 3, 5)}
    scores["MRR@10"] = sum(reciprocal_rank(r, rel, 10) for r, rel in pairs) / n
    return scores


# ---- query variants for item lookup ----------------------------------------------------------------

_PARENTHETICAL = re.compile(r"[（(][^（）()]*[）)]")


def strip_parenthetical(name: str) -> str:
    """``name`` without its ``（…）``/``(…)`` parts (inner ones first) and surrounding spaces."""
    while True:
        stripped = _PARENTHETICAL.sub("", name)
        if stripped == name:
            return name.strip()
        name = stripped


def _halfwidth_table() -> dict[str, str]:
    """Full-width katakana (and ー, ・) → half-width, built by inverting NFKC over the half-width block."""
    table: dict[str, str] = {}
    for code in range(0xFF61, 0xFFA0):
        half = chr(code)
        for spelled in (half, half + "\uff9e", half + "\uff9f"):
            full = unicodedata.normalize("NFKC", spelled)
            if len(full) == 1 and "\u30a0" <= full <= "\u30ff":
                table.setdefault(full, spelled)
    return table


_HALFWIDTH = _halfwidth_table()


def to_halfwidth_katakana(text: str) -> str:
    """``text`` with full-width katakana typed as half-width (ペットボトル → ﾍﾟｯﾄﾎﾞﾄﾙ); the rest kept."""
    return "".join(_HALFWIDTH.get(char, char) for char in text)


def drop_middle(text: str) -> str:
    """``text`` with its middle character deleted."""
    middle = len(text) // 2
    return text[:middle] + text[middle + 1:]


def item_key(name: str) -> str:
    """What two item names must share for a lookup to count as correct."""
    return normalize(strip_parenthetical(name))


# ---- data ------------------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict]:
    """The objects of a JSON Lines file, blank lines skipped."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_item_names(path: Path) -> list[str]:
    """The ``name`` column of a garbage list, in file order, rows with an empty name skipped."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["name"] for row in csv.DictReader(handle) if (row.get("name") or "").strip()]


def describe(path: Path, origin: str) -> None:
    """Print where one input file is and where it comes from."""
    state = "" if path.exists() else "  ** missing **"
    print(f"  {path}{state}\n      {origin}")


# ---- the app's answer path -------------------------------------------------------------------------


@dataclass
class AppRun:
    """What the app answered, by query id, and how long answering took."""

    answers: dict[str, dict]
    matcher: str
    policy: str
    seconds: float


def _invoke(runner, args: list[str], text: str | None = None):
    """Run one ``flask`` command through the test CLI runner; raise when it fails."""
    result = runner.invoke(args=args, input=text)
    if result.exit_code != 0:
        raise RuntimeError(f"`flask {' '.join(args[:2])}` failed ({result.exit_code}): "
                           f"{result.output.strip()[-500:]} {result.exception!r}")
    return result


def parse_answers(output: str) -> dict[str, dict]:
    """The JSON answer lines of ``ask --jsonl`` output by id; other lines are ignored."""
    answers = {}
    for line in output.splitlines():
        try:
            answer = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(answer, dict) and "id" in answer:
            answers[str(answer["id"])] = answer
    return answers


def run_app(faq_path: Path, queries: Sequence[dict]) -> AppRun:
    """Build the app on a fresh SQLite file with the demo pack (city, synonym table), replace its FAQ with
    ``faq_path`` and ask every query through it."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/eval.sqlite3", "SECRET_KEY": "eval"})
        runner = app.test_cli_runner()
        _invoke(runner, ["db", "upgrade"])
        _invoke(runner, ["pack", "load", str(DEMO_PACK)])
        imported = _invoke(runner, ["faq", "import", str(faq_path), "--replace"]).output.strip()
        _invoke(runner, ["ask", "--top", str(TOP), "warm-up: build the matcher"])
        lines = "".join(json.dumps({"id": q["id"], "text": q["text"]}, ensure_ascii=False) + "\n" for q in queries)
        start = time.perf_counter()
        output = _invoke(runner, ["ask", "--jsonl", "--top", str(TOP)], lines).output
        seconds = time.perf_counter() - start
        with app.app_context(), db.session_factory(app)() as session:
            matcher = context_for(session).matcher
            policy = current_bot().policy
        db.session_factory(app).kw["bind"].dispose()
    answers = parse_answers(output)
    missing = len(queries) - len(answers)
    print(f"  app: {imported.splitlines()[-1].strip() if imported else 'imported'}; matcher {type(matcher).__name__}"
          + (f"; ** {missing} queries got no answer line (counted as misses)" if missing else ""))
    return AppRun(answers, type(matcher).__name__, repr(policy), seconds)


# ---- section 1: FAQ retrieval ------------------------------------------------------------------------


def baseline_ranking(questions: Sequence[str], ids: Sequence[str], query: str, k: int = TOP) -> list[str]:
    """The issue's naive baseline: WRatio over the raw questions, no processor; zero scores are no result."""
    found = process.extract(query, questions, scorer=fuzz.WRatio, processor=None, limit=k)
    return [ids[index] for _choice, score, index in found if score > 0]


def timed(rank: Callable[[str], list[str]], texts: Sequence[str]) -> tuple[list[list[str]], float]:
    """Rankings for every text and the mean milliseconds per text."""
    start = time.perf_counter()
    rankings = [rank(text) for text in texts]
    return rankings, (time.perf_counter() - start) * 1000 / max(len(texts), 1)


def faq_section(records: Sequence[FaqRecord], short: list[dict], app_run: AppRun | None) -> dict[str, dict[str, float]]:
    """Print the retrieval table and return the scores per row."""
    ids = [r.faq_id for r in records]
    questions = [r.question for r in records]
    relevants = [{str(x) for x in q["relevant"]} for q in short]
    texts = [q["text"] for q in short]
    known = set(ids)
    covered = sum(1 for rel in relevants if rel & known)
    print(f"\n1. FAQ retrieval: {len(short)} short queries, {len(records)} FAQ entries "
          f"(queries with a relevant id in this FAQ: {covered}/{len(short)})")

    rows: dict[str, tuple[dict[str, float], float]] = {}
    if app_run is not None:
        ranking = [[c["faq_id"] for c in app_run.answers.get(str(q["id"]), {}).get("candidates", [])] for q in short]
        rows[f"app ask path ({app_run.matcher})"] = (retrieval_scores(ranking, relevants),
                                                     app_run.seconds * 1000 / max(len(app_run.answers), 1))
    start = time.perf_counter()
    synonyms = Synonyms(read_synonyms_file(DEMO_PACK / "synonyms.csv"))
    hybrid = HybridMatcher([FaqDoc(r.faq_id, r.question, r.aliases, r.answer) for r in records],
                           analyzer=Analyzer(synonyms))
    build = time.perf_counter() - start
    ranking, ms = timed(lambda text: [h.faq_id for h in hybrid.search(text, TOP)], texts)
    rows["HybridMatcher, direct (demo synonyms)"] = (retrieval_scores(ranking, relevants), ms)
    ranking, ms = timed(lambda text: baseline_ranking(questions, ids, text), texts)
    rows["baseline WRatio, raw"] = (retrieval_scores(ranking, relevants), ms)

    metrics = ("Hit@1", "Hit@3", "Hit@5", "MRR@10")
    print(f"   {'':34}" + "".join(f"{m:>8}" for m in metrics) + f"{'ms/query':>10}")
    print(f"   {'target':34}" + "".join(f"{'≥' + format(FAQ_TARGETS[m], '.2f') if m in FAQ_TARGETS else '':>8}"
                                        for m in metrics))
    for label, (scores, ms) in rows.items():
        print(f"   {label:34}" + "".join(f"{scores[m]:>8.3f}" for m in metrics) + f"{ms:>10.2f}")
    print(f"   (HybridMatcher index built in {build:.2f} s; the app path's ms/query is the whole ask command "
          "per line, intents and database included, after a warm-up)")
    return {label: scores for label, (scores, _ms) in rows.items()}


# ---- section 2: direct answers ---------------------------------------------------------------------


def kind_shares(answers: Sequence[dict]) -> Counter:
    """How many answers of each kind."""
    return Counter(a.get("kind", "?") for a in answers)


def direct_section(app_run: AppRun, short: list[dict], off: list[dict]) -> dict[str, float]:
    """Print the reply-kind table for both sets and return the direct-answer rates."""
    print("\n2. Direct answers through the app (kind == faq is a direct FAQ answer)")
    print(f"   policy: {app_run.policy}")
    print(f"   {'set':22}{'n':>5}" + "".join(f"{k:>10}" for k in KINDS) + f"{'direct':>10}  target")
    rates = {}
    for label, queries, target in (("off-topic.dev", off, f"≤ {OFF_TOPIC_DIRECT_MAX:.0%}"),
                                   ("short-queries.dev", short, "(the cost)")):
        answers = [app_run.answers.get(str(q["id"]), {}) for q in queries]
        counts = kind_shares(answers)
        n = len(queries) or 1
        rates[label] = counts["faq"] / n
        cells = "".join(f"{counts[k] / n:>10.1%}" for k in KINDS)
        other = sum(v for k, v in counts.items() if k not in KINDS)
        print(f"   {label:22}{len(queries):>5}{cells}{rates[label]:>10.1%}  {target}"
              + (f"  ({other} without an answer line)" if other else ""))
    answered_off = [q["id"] for q in off if app_run.answers.get(str(q["id"]), {}).get("kind") == "faq"]
    if answered_off:
        print(f"   off-topic lines answered directly: {', '.join(answered_off)}")
    direct = [(app_run.answers[str(q["id"])]["faq_id"], {str(x) for x in q["relevant"]}) for q in short
              if app_run.answers.get(str(q["id"]), {}).get("kind") == "faq"]
    right = sum(1 for faq_id, rel in direct if faq_id in rel)
    print(f"   direct answers on short-queries that are relevant: {right}/{len(direct)}")
    for label, queries in (("off-topic.dev", off), ("short-queries.dev", short)):
        shown = suggestion_buttons(app_run, queries)
        if shown:
            useful = sum(1 for buttons, relevant in shown if set(buttons) & relevant)
            mean = sum(len(buttons) for buttons, _ in shown) / len(shown)
            print(f"   「もしかして」 on {label}: {len(shown)} replies, {mean:.2f} candidates each, "
                  f"{useful} with a relevant one among them")
    return rates


def suggestion_buttons(app_run: AppRun, queries: Sequence[dict]) -> list[tuple[list[str], set[str]]]:
    """(the candidates shown as buttons, the relevant ids) of every 「もしかして」 reply.

    The candidates shown are the first of the ranking, one per 「・」 line of the reply."""
    shown = []
    for q in queries:
        answer = app_run.answers.get(str(q["id"]), {})
        if answer.get("kind") != "suggest" or not answer.get("reply"):
            continue
        count = sum(1 for line in answer["reply"][0].splitlines() if line.startswith("・"))
        shown.append(([c["faq_id"] for c in answer.get("candidates", [])[:count]], {str(x) for x in q["relevant"]}))
    return shown


# ---- section 3: garbage item lookup -----------------------------------------------------------------


def item_queries(names: Sequence[str], reading: Callable[[str], str]) -> dict[str, list[tuple[str, str]]]:
    """(query, expected key) per variant, one per distinct name with its parenthetical part removed."""
    distinct = sorted({s for s in (strip_parenthetical(n) for n in names) if s})
    queries: dict[str, list[tuple[str, str]]] = {v: [] for v in VARIANTS}
    for name in distinct:
        key = normalize(name)
        queries["exact"].append((name, key))
        queries["hiragana"].append((reading(name), key))
        queries["half-width"].append((to_halfwidth_katakana(name), key))
        if len(name) >= 3:
            queries["1 char missing"].append((drop_middle(name), key))
    return queries


def lookup_accuracy(top_index: Callable[[str], int | None], names: Sequence[str],
                    queries: Sequence[tuple[str, str]]) -> tuple[float, float]:
    """Top-1 accuracy and mean ms per lookup; ``top_index`` returns the row of the best item or None."""
    start = time.perf_counter()
    correct = 0
    for query, expected in queries:
        index = top_index(query)
        correct += index is not None and item_key(names[index]) == expected
    ms = (time.perf_counter() - start) * 1000 / max(len(queries), 1)
    return correct / max(len(queries), 1), ms


def city_section(city: str, path: Path) -> dict[str, float]:
    """Print the lookup table of one city and return the engine's accuracy per variant."""
    names = read_item_names(path)
    start = time.perf_counter()
    engine = HybridMatcher([item_doc(str(row), name) for row, name in enumerate(names, start=1)])
    build = time.perf_counter() - start
    queries = item_queries(names, JapaneseText().reading)

    def engine_top(query: str) -> int | None:
        hits = engine.search(query, 1)
        return int(hits[0].faq_id) - 1 if hits else None

    def baseline_top(query: str) -> int | None:
        found = process.extract(query, names, scorer=fuzz.WRatio, processor=None, limit=1)
        return found[0][2] if found and found[0][1] > 0 else None

    print(f"\n   {city}: {len(names)} items, {len(queries['exact'])} distinct names without parentheses "
          f"(index built in {build:.2f} s)")
    print(f"   {'variant':18}{'n':>6}{'engine':>9}{'ms':>7}{'baseline':>10}{'ms':>7}  target")
    accuracy = {}
    for variant in VARIANTS:
        acc, ms = lookup_accuracy(engine_top, names, queries[variant])
        base, base_ms = lookup_accuracy(baseline_top, names, queries[variant])
        accuracy[variant] = acc
        target = f"≥ {ITEM_TARGETS[variant]:.2f}" if variant in ITEM_TARGETS else "-"
        print(f"   {variant:18}{len(queries[variant]):>6}{acc:>9.3f}{ms:>7.2f}{base:>10.3f}{base_ms:>7.2f}  {target}")
    return accuracy


def items_section(cities: dict[str, Path]) -> dict[str, dict[str, float]]:
    """Print the item-lookup tables of every city found."""
    print("\n3. Garbage item lookup, top-1 accuracy (engine: HybridMatcher over item names; "
          "baseline: WRatio over raw names)")
    print("   A lookup is right when the top item's name without parentheses, normalised, equals the query's.")
    print("   hiragana = JapaneseText().reading(name): already the engine's normalised reading key, so it is an")
    print("   optimistic simulation of hiragana typing (the same simplification as matching.md §4); it also folds")
    print("   small kana (クッション → くつしよん).")
    print("   half-width = full-width katakana typed as half-width; 1 char missing = middle character deleted, "
          "names of ≥ 3 characters.")
    results = {}
    for city, path in cities.items():
        if not path.exists():
            print(f"\n   {city}: {path} is missing; skipped")
            continue
        results[city] = city_section(city, path)
    return results


# ---- section 4: summary -----------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def summary(faq_scores: dict[str, dict[str, float]], rates: dict[str, float] | None,
            items: dict[str, dict[str, float]]) -> None:
    """One PASS/MISS line per target."""
    print("\n4. Targets")
    app_rows = [label for label in faq_scores if label.startswith("app")]
    label = app_rows[0] if app_rows else "HybridMatcher, direct"
    for metric, target in FAQ_TARGETS.items():
        if label in faq_scores:
            value = faq_scores[label][metric]
            print(f"   {verdict(value >= target)}  FAQ {metric} ≥ {target:.2f} ({label}): {value:.3f}")
    if rates is not None:
        rate = rates["off-topic.dev"]
        print(f"   {verdict(rate <= OFF_TOPIC_DIRECT_MAX)}  off-topic direct answers ≤ {OFF_TOPIC_DIRECT_MAX:.0%}: "
              f"{rate:.1%}")
    for city, accuracy in items.items():
        for variant, target in ITEM_TARGETS.items():
            value = accuracy[variant]
            print(f"   {verdict(value >= target)}  {city} item lookup, {variant} ≥ {target:.2f}: {value:.3f}")


# ---- main ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared",
                        help="the shared folder with eval/ and data/ (default: ../shared next to the repository)")
    parser.add_argument("--faq", type=Path, help="FAQ file to load (default: <shared>/data/kosodate-faq/faq.json)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    shared = args.shared.resolve()
    if not shared.is_dir():
        print(f"The shared folder {shared} is missing: nothing to measure.")
        return 0
    faq_path = (args.faq or shared / FAQ_FILE).resolve()
    print(f"Matching benchmark (rapidfuzz WRatio baseline measured in the same run); shared data: {shared}")
    print("Data:")
    describe(faq_path, ORIGINS[FAQ_FILE] if args.faq is None else "given with --faq")
    for relative in (SHORT_QUERIES, OFF_TOPIC, RUMOI, TAKAMATSU):
        describe(shared / relative, ORIGINS[relative])

    faq_scores: dict[str, dict[str, float]] = {}
    rates = None
    if faq_path.exists() and (shared / SHORT_QUERIES).exists() and (shared / OFF_TOPIC).exists():
        short, off = read_jsonl(shared / SHORT_QUERIES), read_jsonl(shared / OFF_TOPIC)
        records = read_faq_file(faq_path)
        app_run = None
        try:
            app_run = run_app(faq_path, short + off)
        except Exception as error:  # a report: say what broke and go on
            print(f"  ** the app path failed: {error!r}")
        faq_scores = faq_section(records, short, app_run)
        if app_run is not None:
            rates = direct_section(app_run, short, off)
    else:
        print("\n1./2. skipped: the FAQ file or an eval file is missing")

    items = items_section({"留萌": shared / RUMOI, "高松": shared / TAKAMATSU})
    summary(faq_scores, rates, items)
    print(f"\nTotal time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
