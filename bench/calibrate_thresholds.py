"""Calibrate the three-tier answer thresholds of the FAQ matcher and write them to faq/thresholds.toml.

Run: .venv/bin/python bench/calibrate_thresholds.py [--shared ../shared] [--write]

Inputs: the development query sets in ``shared/eval`` (short resident messages with their relevant FAQ ids,
and off-topic messages) scored against the 汎用FAQ with the demo pack's synonym table. For each query the
engine gives the top score, the margin to the runner-up, and the length of the matching key.

Rules, in this order (each figure is rounded to 0.05 so that single queries cannot pull a threshold):

* ``answer_at`` / ``min_margin``: among pairs that answer **no** off-topic message directly, the pair with
  the best "correct direct answers − 3 × wrong direct answers" on the in-scope set (a wrong answer costs a
  resident more than a question back); the margin is at least 0.05, since a near-tie should be asked;
  then ``answer_at`` is raised by one step (0.05) as a safety margin for unseen messages.
* ``suggest_at``: low enough that 90 % of the in-scope queries whose relevant entry is in the top 3 reach
  the suggestion tier (or better).
* Short keys (≤ ``short_chars`` characters, the engine's own split) overlap with many entries by chance,
  so their thresholds are the long ones raised by 0.15 (answer) and 0.1 (suggest).
* ``suggest_ratio``: a 「もしかして」 candidate after the first is shown only if it scores at least this share
  of the best (and the suggestion threshold itself): the highest ratio at which no query of either set
  loses its last relevant button (Hit@3 of the buttons shown stays as it is), then lowered by one step
  (0.05) as a safety margin for unseen messages.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from faq.importers import read_faq_file  # noqa: E402
from faq.importers import read_synonyms_file  # noqa: E402
from japanese.normalize import normalize  # noqa: E402
from japanese.synonyms import Synonyms  # noqa: E402
from search.docs import FaqDoc  # noqa: E402
from search.engine import Analyzer  # noqa: E402
from search.engine import HybridMatcher  # noqa: E402
from search.engine import Weights  # noqa: E402

SHORT_CHARS = Weights().short_chars  # the same split as the engine's short-query weights
STEP = 0.05


def scored(matcher: HybridMatcher, path: Path) -> list[dict]:
    """Each query of ``path`` with its top score, margin, key length and whether the top hit is relevant."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        hits = matcher.search(item["text"], 3)
        relevant = {str(r) for r in item["relevant"]}
        rows.append({
            "top": hits[0].score if hits else 0.0,
            "margin": (hits[0].score - (hits[1].score if len(hits) > 1 else 0.0)) if hits else 0.0,
            "chars": len(normalize(item["text"])),
            "correct": bool(hits) and hits[0].faq_id in relevant,
            "in_top3": any(h.faq_id in relevant for h in hits[:3]),
            "others": [(h.score / hits[0].score, h.score, h.faq_id in relevant) for h in hits[1:3]],
        })
    return rows


def grid(low: float, high: float) -> list[float]:
    """Values from ``low`` to ``high`` in steps of 0.05."""
    steps = round((high - low) / STEP)
    return [round(low + i * STEP, 2) for i in range(steps + 1)]


def choose_answer(in_scope: list[dict], off_topic: list[dict]) -> tuple[float, float, int, float]:
    """The (answer_at, min_margin) pair that answers the most in-scope queries correctly, safely."""
    best = None
    for answer_at in grid(0.3, 0.9):
        for margin in grid(0.05, 0.3):
            def direct(row, a=answer_at, m=margin):
                return row["chars"] > SHORT_CHARS and row["top"] >= a and row["margin"] >= m
            if any(direct(row) for row in off_topic):
                continue
            answered = [row for row in in_scope if direct(row)]
            correct = sum(row["correct"] for row in answered)
            precision = correct / len(answered) if answered else 1.0
            key = (correct - 3 * (len(answered) - correct), -answer_at, -margin)
            if best is None or key > best[0]:
                best = (key, precision)
    (_, answer_at, margin), precision = best
    answer_at, margin = -answer_at, -margin
    correct = sum(row["correct"] for row in in_scope
                  if row["chars"] > SHORT_CHARS and row["top"] >= answer_at and row["margin"] >= margin)
    return round(answer_at + STEP, 2), margin, correct, precision


def choose_suggest(in_scope: list[dict]) -> float:
    """The highest threshold that keeps 90 % of the findable in-scope queries at suggestion or better."""
    findable = sorted(row["top"] for row in in_scope if row["in_top3"] and row["chars"] > SHORT_CHARS)
    cut = findable[int(len(findable) * 0.1)] if findable else 0.2
    return max(STEP, round((cut // STEP) * STEP, 2))


def choose_ratio(rows: list[dict], suggest_at: float, suggest_at_short: float) -> tuple[float, int, int]:
    """The share of the best score a further candidate needs: (ratio, irrelevant dropped, relevant dropped).

    The highest ratio at which no query loses its last relevant button (its top hit wrong and every
    relevant candidate dropped), lowered by one step as a margin for unseen messages.
    """
    def floor(row: dict) -> float:
        return suggest_at_short if row["chars"] <= SHORT_CHARS else suggest_at

    def outcome(ratio: float) -> tuple[int, int, int]:
        bad = good = lost = 0
        for row in rows:
            if row["top"] < floor(row):
                continue
            candidates = [(r, relevant) for r, score, relevant in row["others"] if score >= floor(row)]
            bad += sum(1 for r, relevant in candidates if r < ratio and not relevant)
            good += sum(1 for r, relevant in candidates if r < ratio and relevant)
            if not row["correct"] and any(rel for _, rel in candidates) and not any(
                    rel for r, rel in candidates if r >= ratio):
                lost += 1
        return bad, good, lost

    safe = [ratio for ratio in grid(0.0, 1.0) if outcome(ratio)[2] == 0]
    ratio = max(0.0, round(max(safe) - STEP, 2))
    bad, good, _ = outcome(ratio)
    return ratio, bad, good


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--write", action="store_true", help="write faq/thresholds.toml")
    args = parser.parse_args()
    faq_json = args.shared / "data" / "kosodate-faq" / "faq.json"
    if not faq_json.exists():
        print(f"{faq_json} is not here; nothing to calibrate on")
        return
    records = read_faq_file(faq_json)
    synonyms = Synonyms(read_synonyms_file(ROOT / "packs" / "demo" / "synonyms.csv"))
    matcher = HybridMatcher([FaqDoc(r.faq_id, r.question, r.aliases, r.answer) for r in records],
                            analyzer=Analyzer(synonyms))
    in_scope = scored(matcher, args.shared / "eval" / "short-queries.dev.jsonl")
    off_topic = scored(matcher, args.shared / "eval" / "off-topic.dev.jsonl")

    answer_at, margin, correct, precision = choose_answer(in_scope, off_topic)
    suggest_at = choose_suggest(in_scope)
    ratio, dropped_bad, dropped_good = choose_ratio(in_scope + off_topic, suggest_at, round(suggest_at + 0.1, 2))
    values = {
        "answer_at": answer_at,
        "answer_at_short": round(answer_at + 0.15, 2),
        "min_margin": margin,
        "suggest_at": suggest_at,
        "suggest_at_short": round(suggest_at + 0.1, 2),
        "short_chars": SHORT_CHARS,
        "suggest_ratio": ratio,
    }
    print(f"in-scope queries {len(in_scope)}, off-topic {len(off_topic)}")
    print(f"best pair before the safety step: answer_at {answer_at - STEP:.2f}, min_margin {margin:.2f}: "
          f"{correct} correct direct answers, precision {precision:.2f}")
    print(f"highest off-topic top score: {max(r['top'] for r in off_topic):.3f}")
    print(f"suggest_ratio {ratio:.2f} drops {dropped_bad} irrelevant and {dropped_good} relevant candidates "
          f"at ranks 2-3")
    for key, value in values.items():
        print(f"{key} = {value}")
    if args.write:
        lines = [
            "# Three-tier answer thresholds for the FAQ matcher (see faq.policy.AnswerPolicy).",
            "# Calibrated by bench/calibrate_thresholds.py; MATCH_* settings override each value.",
            *(f"{key} = {value}" for key, value in values.items()),
        ]
        (ROOT / "faq" / "thresholds.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print("written to faq/thresholds.toml")


if __name__ == "__main__":
    main()
