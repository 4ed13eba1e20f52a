"""Matching benchmark: our FAQ engine and item lookup against a naive rapidfuzz baseline, in one run.

What it measures (targets from the issues, printed beside the figures):

1. FAQ retrieval on every evaluation set (``bench/fit_matching.py`` lists them, in folds: the development
   sets of ``shared/eval``, the long natural questions and the blind set of ``bench/sets``), with the 汎用FAQ
   loaded. **Held out**: each fold is scored with the fusion weights and thresholds fitted on the other folds,
   never with values fitted on itself. Hit@1, Hit@3, Hit@5 and MRR@10 for ``HybridMatcher`` (with its semantic
   view and without it), for the baseline ``process.extract(query, questions, scorer=fuzz.WRatio,
   processor=None)`` over the raw questions, and through the app (``flask ask --jsonl``, whose candidates are
   the engine's ranking), run with that fold's held-out values.
2. The replies through the app per set: the share of each kind (a direct FAQ answer, 「もしかして」, the fallback,
   an intent), how often a direct answer is right and how often the buttons hold a relevant entry; for
   off-topic sets, the share answered directly.
3. Garbage item lookup on 留萌 (5374 ``target.csv``) and 高松 (ごみ分別一覧): every distinct item name,
   parenthetical part removed, asked as typed, as its hiragana reading, in half-width katakana and
   with its middle character missing; top-1 accuracy and ms per lookup for ``HybridMatcher`` over
   the item names and for rapidfuzz WRatio over the raw names.
4. One PASS/MISS line per target.

The shared data is read in place (never copied into the repository). Run it from the repository root:

    .venv/bin/python bench/eval_match.py [--shared ../shared]

It is a report, not a test: the exit code is always 0.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere
sys.path.insert(0, str(Path(__file__).resolve().parent))

import fit_matching
from rapidfuzz import fuzz
from rapidfuzz import process

import db
from app import create_app
from bot.context import context_for
from bot.context import current_bot
from faq import policy as policy_module
from faq.importers import read_faq_file
from faq.policy import AnswerPolicy
from japanese.analysis import JapaneseText
from japanese.normalize import normalize
from search.engine import HybridMatcher
from search.engine import Weights
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

FAQ_TARGETS = {  # Hit@k through the app, per set (held out)
    "short-queries.dev": {"Hit@1": 0.80, "Hit@3": 0.92},
    "long-natural.dev": {"Hit@1": 0.52, "Hit@5": 0.76},
    "*": {"Hit@1": 0.80},
}
DIRECT_RIGHT_MIN = 0.95
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


@contextlib.contextmanager
def fitted_values(weights: Weights, policy: AnswerPolicy) -> Iterator[None]:
    """The app reads ``weights`` and ``policy`` instead of the committed ``faq/thresholds.toml`` (held-out runs)."""
    shipped = policy_module.THRESHOLDS
    with tempfile.TemporaryDirectory() as tmp:
        policy_module.THRESHOLDS = Path(tmp) / "thresholds.toml"
        try:
            fit_matching.write(weights, policy, policy_module.THRESHOLDS)
            yield
        finally:
            policy_module.THRESHOLDS = shipped


def run_app(faq_path: Path, queries: Sequence[dict]) -> AppRun:
    """Build the app on a fresh SQLite file with the demo pack (city, synonym table), replace its FAQ with
    ``faq_path`` and ask every query through it."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/eval.sqlite3", "SECRET_KEY": "eval"})
        runner = app.test_cli_runner()
        _invoke(runner, ["db", "upgrade"])
        _invoke(runner, ["pack", "load", str(DEMO_PACK)])
        _invoke(runner, ["faq", "import", str(faq_path), "--replace"])
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
    if missing:
        print(f"  ** {missing} queries got no answer line (counted as misses)")
    return AppRun(answers, type(matcher).__name__, repr(policy), seconds)


# ---- sections 1 and 2: FAQ retrieval and the reply tiers, held out --------------------------------------


def baseline_ranking(questions: Sequence[str], ids: Sequence[str], query: str, k: int = TOP) -> list[str]:
    """The issue's naive baseline: WRatio over the raw questions, no processor; zero scores are no result."""
    found = process.extract(query, questions, scorer=fuzz.WRatio, processor=None, limit=k)
    return [ids[index] for _choice, score, index in found if score > 0]


def kind_shares(answers: Sequence[dict]) -> Counter:
    """How many answers of each kind."""
    return Counter(a.get("kind", "?") for a in answers)


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


@dataclass
class SetFigures:
    """One evaluation set's held-out figures."""

    name: str
    n: int
    engine: dict[str, float]  # retrieval by the engine with the fold's held-out weights
    lexical: dict[str, float]  # the same with the semantic view off
    baseline: dict[str, float]  # WRatio over the raw questions
    app: dict[str, float]  # retrieval through ``ask --jsonl`` (its candidates)
    kinds: Counter  # reply kinds through the app
    direct_right: tuple[int, int]  # direct FAQ answers that are relevant, of all direct answers
    buttons_hold: tuple[int, int]  # 「もしかして」 replies with a relevant button, of all of them
    off_topic: bool


def faq_sections(shared: Path, faq_path: Path) -> list[SetFigures]:
    """Every set scored with what the other folds fitted: the engine, the engine without its semantic view, the
    WRatio baseline, and the whole app (``ask --jsonl``) with the held-out thresholds and weights."""
    folds = fit_matching.load_folds(shared)
    records = read_faq_file(faq_path)
    ids = [r.faq_id for r in records]
    questions = [r.question for r in records]
    matcher = fit_matching.build_matcher(shared)
    figures = []
    for result in fit_matching.held_out(matcher, folds):
        queries = [{"id": q.id, "text": q.text, "relevant": sorted(q.relevant)} for q in folds[result.fold]]
        with fitted_values(result.weights, result.policy):
            app_run = run_app(faq_path, queries)
        for name in dict.fromkeys(q.set for q in folds[result.fold]):
            rows = [r for r in result.rows if r.question.set == name]
            lexical = [r for r in result.lexical_rows if r.question.set == name]
            mine = [q for q in queries if q["id"] in {r.question.id for r in rows}]
            relevants = [{str(x) for x in q["relevant"]} for q in mine]
            answers = [app_run.answers.get(str(q["id"]), {}) for q in mine]
            direct = [(a.get("faq_id"), rel) for a, rel in zip(answers, relevants, strict=True)
                      if a.get("kind") == "faq"]
            shown = suggestion_buttons(app_run, mine)
            figures.append(SetFigures(
                name, len(mine), fit_matching.retrieval(rows), fit_matching.retrieval(lexical),
                retrieval_scores([baseline_ranking(questions, ids, q["text"]) for q in mine], relevants),
                retrieval_scores([[c["faq_id"] for c in a.get("candidates", [])] for a in answers], relevants),
                kind_shares(answers), (sum(1 for f, rel in direct if f in rel), len(direct)),
                (sum(1 for buttons, rel in shown if set(buttons) & rel), len(shown)),
                not any(relevants)))
    return figures


def print_faq_sections(figures: Sequence[SetFigures]) -> None:
    """The retrieval table and the reply-tier table, one row per set."""
    print("\n1. FAQ retrieval, held out: each set scored with weights and thresholds fitted on the OTHER folds")
    print("   (bench/fit_matching.py); engine = HybridMatcher with its semantic view; lexical = semantic off;")
    print("   baseline = rapidfuzz WRatio over the raw questions; app = `flask ask --jsonl` candidates")
    print(f"   {'set':22}{'n':>5}{'engine H@1/H@3/H@5':>21}{'MRR':>7}{'lexical H@1/H@5':>17}"
          f"{'baseline H@1/H@5':>18}{'app H@1/H@5':>13}")
    for f in figures:
        if f.off_topic:
            continue
        e, lx, b, a = f.engine, f.lexical, f.baseline, f.app
        print(f"   {f.name:22}{f.n:>5}{e['Hit@1']:>9.3f}/{e['Hit@3']:.3f}/{e['Hit@5']:.3f}{e['MRR@10']:>7.3f}"
              f"{lx['Hit@1']:>11.3f}/{lx['Hit@5']:.3f}{b['Hit@1']:>12.3f}/{b['Hit@5']:.3f}"
              f"{a['Hit@1']:>7.3f}/{a['Hit@5']:.3f}")
    print("\n2. Replies through the app, held out (kind faq = a direct FAQ answer)")
    print(f"   {'set':22}{'n':>5}" + "".join(f"{k:>10}" for k in KINDS) + f"{'right':>10}{'buttons hold':>14}")
    for f in figures:
        n = f.n or 1
        right = f"{f.direct_right[0]}/{f.direct_right[1]}" if not f.off_topic else "-"
        hold = f"{f.buttons_hold[0]}/{f.buttons_hold[1]}" if not f.off_topic else "-"
        print(f"   {f.name:22}{f.n:>5}" + "".join(f"{f.kinds[k] / n:>10.1%}" for k in KINDS) + f"{right:>10}{hold:>14}")
    print("   right = direct answers that are relevant; buttons hold = 「もしかして」 replies with a relevant button")


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


def summary(figures: Sequence[SetFigures], items: dict[str, dict[str, float]]) -> None:
    """One PASS/MISS line per target (held-out figures only)."""
    print("\n4. Targets (held out)")
    for f in figures:
        if f.off_topic:
            rate = f.kinds["faq"] / (f.n or 1)
            print(f"   {verdict(rate <= OFF_TOPIC_DIRECT_MAX)}  {f.name}: answered directly "
                  f"≤ {OFF_TOPIC_DIRECT_MAX:.0%}: {rate:.1%}")
            continue
        target = FAQ_TARGETS.get(f.name, FAQ_TARGETS["*"])
        for metric, value in target.items():
            print(f"   {verdict(f.app[metric] >= value)}  {f.name}: app {metric} ≥ {value:.2f}: {f.app[metric]:.3f}")
        right, given = f.direct_right
        if given:
            print(f"   {verdict(right / given >= DIRECT_RIGHT_MIN)}  {f.name}: a direct answer is right "
                  f"≥ {DIRECT_RIGHT_MIN:.0%}: {right}/{given}")
    for city, accuracy in items.items():
        for variant, target in ITEM_TARGETS.items():
            value = accuracy[variant]
            print(f"   {verdict(value >= target)}  {city} item lookup, {variant} ≥ {target:.2f}: {value:.3f}")


# ---- main ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared",
                        help="the shared folder with eval/ and data/ (default: ../shared next to the repository)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    shared = args.shared.resolve()
    if not shared.is_dir():
        print(f"The shared folder {shared} is missing: nothing to measure.")
        return 0
    faq_path = shared / FAQ_FILE
    print(f"Matching benchmark (rapidfuzz WRatio baseline measured in the same run); shared data: {shared}")
    print("Data:")
    for relative, origin in ORIGINS.items():
        describe(shared / relative, origin)
    for path in sorted(fit_matching.SETS.glob("*.jsonl")):
        describe(path, "written for this project (bench/sets/README.md)")

    figures: list[SetFigures] = []
    if faq_path.exists():
        figures = faq_sections(shared, faq_path)
        print_faq_sections(figures)
    else:
        print("\n1./2. skipped: the FAQ file is missing")

    items = items_section({"留萌": shared / RUMOI, "高松": shared / TAKAMATSU})
    summary(figures, items)
    print(f"\nTotal time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
