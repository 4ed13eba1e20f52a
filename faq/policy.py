"""The three-tier reply policy: answer directly, suggest the top few (「もしかして」), or fall back to the desk.

Thresholds are fitted across evaluation sets by ``bench/fit_matching.py`` into ``faq/thresholds.toml`` (with the
semantic view's share of the matcher's score, ``fusion_weights``); a city may override each threshold with a
``MATCH_*`` setting.
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import fields
from dataclasses import replace
from pathlib import Path

from search.docs import Hit
from search.engine import Weights

THRESHOLDS = Path(__file__).resolve().parent / "thresholds.toml"
NEVER = 1.01  # a threshold no score in [0, 1] reaches


class Tier(enum.StrEnum):
    """The three kinds of FAQ reply."""

    ANSWER = "faq"
    SUGGEST = "suggest"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Check:
    """One threshold test of a decision: ``value`` (the best score or the margin) against a named threshold."""

    measure: str  # "best" (the best score) or "margin" (best minus runner-up)
    value: float
    threshold_name: str  # the AnswerPolicy field (and MATCH_* setting) that applied
    threshold: float

    @property
    def passed(self) -> bool:
        """True when the value reaches the threshold."""
        return self.value >= self.threshold


@dataclass(frozen=True)
class Decision:
    """Which tier a ranking deserves and why, as plain data (``ask --explain`` shows it to staff).

    ``short`` says the stricter short-query thresholds applied; ``checks`` are empty when nothing was found;
    ``unmet`` names what the message asks about its subject that the best entry does not speak of (then it is
    offered, never answered: ``japanese.facets``).
    """

    tier: Tier
    short: bool
    best: float | None
    runner_up: float | None
    margin: float | None
    checks: tuple[Check, ...]
    unmet: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerPolicy:
    """Thresholds of the three-tier reply: answer directly, suggest the top few, or fall back.

    A direct answer needs a high top score and a clear margin over the runner-up; very short queries
    (a few characters, where chance overlaps score high) need higher scores. A very high top score
    (``answer_at_high``, not for short queries) needs only the smaller margin ``min_margin_high``: a question
    worded like an entry is answered even when a sibling entry (「…はいつ振り込まれますか」 beside 「…が振り込まれて
    いません」) scores close behind. A 「もしかして」 candidate is
    shown only if it is good enough on its own (``suggest_at``) and close to the best (at least
    ``suggest_ratio`` of its score): fewer good buttons beat three absurd ones. A best entry that does not speak
    of what the message asks about its subject (「マイナンバーカードなくした」 against the card's application entry,
    ``Hit.unmet``) is offered, never answered. A decision lists the checks in force (the high pair only when it is
    on). Fitted by
    ``bench/fit_matching.py`` into ``faq/thresholds.toml``.
    """

    answer_at: float = 0.5
    answer_at_short: float = 0.65
    min_margin: float = 0.1
    suggest_at: float = 0.2
    suggest_at_short: float = 0.3
    short_chars: int = 3
    suggestions: int = 3
    suggest_ratio: float = 0.0
    answer_at_high: float = NEVER  # off unless fitted
    min_margin_high: float = 0.1

    def decide(self, hits: Sequence[Hit], query_chars: int) -> Tier:
        """Which tier ``hits`` (best first) deserve for a query whose matching key has ``query_chars``."""
        return self.explain(hits, query_chars).tier

    def explain(self, hits: Sequence[Hit], query_chars: int) -> Decision:
        """The tier ``hits`` deserve and why: the best score and the margin against each threshold."""
        short = query_chars <= self.short_chars
        suffix = "_short" if short else ""
        if not hits:
            return Decision(Tier.FALLBACK, short, None, None, None, ())
        best = hits[0].score
        runner_up = hits[1].score if len(hits) > 1 else None
        margin = best - (runner_up or 0.0)
        suggest_at = self.suggest_at_short if short else self.suggest_at
        answer_at = self.answer_threshold(query_chars)
        checks = (Check("best", best, "suggest_at" + suffix, suggest_at),
                  Check("best", best, "answer_at" + suffix, answer_at),
                  Check("margin", margin, "min_margin", self.min_margin))
        if not short and self.answer_at_high < NEVER:
            checks += (Check("best", best, "answer_at_high", self.answer_at_high),
                       Check("margin", margin, "min_margin_high", self.min_margin_high))
        unmet = tuple(sorted(hits[0].unmet))
        plain, high = checks[1:3], checks[3:]
        if not checks[0].passed:
            tier = Tier.FALLBACK
        elif not unmet and (all(check.passed for check in plain) or (high and all(check.passed for check in high))):
            tier = Tier.ANSWER
        else:
            tier = Tier.SUGGEST
        return Decision(tier, short, best, runner_up, margin, checks, unmet)

    def answer_threshold(self, query_chars: int) -> float:
        """The best score a query whose matching key has ``query_chars`` needs for a direct answer."""
        return self.answer_at_short if query_chars <= self.short_chars else self.answer_at

    def shown(self, hits: Sequence[Hit], query_chars: int) -> list[Hit]:
        """The 「もしかして」 candidates of ``hits`` (best first): the best, and those close to it and good enough."""
        floor = self.suggest_at_short if query_chars <= self.short_chars else self.suggest_at
        if not hits:
            return []
        best = hits[0].score
        return [hits[0]] + [hit for hit in hits[1:self.suggestions]
                            if hit.score >= floor and hit.score >= self.suggest_ratio * best]

    def why_not_shown(self, hit: Hit, hits: Sequence[Hit], query_chars: int) -> str:
        """Why a 「もしかして」 candidate was left out (for ``ask --explain``), or "" when it is shown."""
        short = query_chars <= self.short_chars
        floor = self.suggest_at_short if short else self.suggest_at
        name = "suggest_at_short" if short else "suggest_at"
        if not hits or hit == hits[0]:
            return ""
        if hits.index(hit) >= self.suggestions:
            return f"beyond the {self.suggestions} buttons"
        if hit.score < floor:
            return f"< {name} {floor:.3f}"
        if hit.score < self.suggest_ratio * hits[0].score:
            return f"< suggest_ratio {self.suggest_ratio:.2f} × best"
        return ""

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> AnswerPolicy:
        """A policy from a mapping of field names (e.g. ``faq/thresholds.toml``); unknown keys are ignored."""
        known = {f.name: f.type for f in fields(cls)}
        return cls(**{k: (int(v) if k in {"short_chars", "suggestions"} else float(v))
                      for k, v in values.items() if k in known})


def fusion_weights() -> Weights:
    """The matcher's weights with the semantic view's share fitted in ``faq/thresholds.toml``."""
    values = tomllib.loads(THRESHOLDS.read_text(encoding="utf-8")).get("weights", {})
    return replace(Weights(), **{key: float(value) for key, value in values.items()})


def answer_policy(overrides: Mapping[str, object]) -> AnswerPolicy:
    """The calibrated thresholds of ``faq/thresholds.toml``, with ``overrides`` (``MATCH_*`` settings) winning."""
    values: dict[str, object] = tomllib.loads(THRESHOLDS.read_text(encoding="utf-8"))
    values.update({key: value for key, value in overrides.items() if value is not None})
    return AnswerPolicy.from_mapping(values)
