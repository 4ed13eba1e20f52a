"""The three-tier reply policy: answer directly, suggest the top few (「もしかして」), or fall back to the desk.

Thresholds are calibrated by ``bench/calibrate_thresholds.py`` into ``faq/thresholds.toml``; a city may
override each one with a ``MATCH_*`` setting.
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import fields
from pathlib import Path

from search.docs import Hit

THRESHOLDS = Path(__file__).resolve().parent / "thresholds.toml"


class Tier(enum.StrEnum):
    """The three kinds of FAQ reply."""

    ANSWER = "faq"
    SUGGEST = "suggest"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class AnswerPolicy:
    """Thresholds of the three-tier reply: answer directly, suggest the top few, or fall back.

    A direct answer needs a high top score and a clear margin over the runner-up; very short queries
    (a few characters, where chance overlaps score high) need higher scores. A 「もしかして」 candidate is
    shown only if it is good enough on its own (``suggest_at``) and close to the best (at least
    ``suggest_ratio`` of its score): fewer good buttons beat three absurd ones. Calibrated by
    ``bench/calibrate_thresholds.py`` into ``faq/thresholds.toml``.
    """

    answer_at: float = 0.5
    answer_at_short: float = 0.65
    min_margin: float = 0.1
    suggest_at: float = 0.2
    suggest_at_short: float = 0.3
    short_chars: int = 3
    suggestions: int = 3
    suggest_ratio: float = 0.0

    def decide(self, hits: Sequence[Hit], query_chars: int) -> Tier:
        """Which tier ``hits`` (best first) deserve for a query whose matching key has ``query_chars``."""
        short = query_chars <= self.short_chars
        if not hits or hits[0].score < (self.suggest_at_short if short else self.suggest_at):
            return Tier.FALLBACK
        margin = hits[0].score - (hits[1].score if len(hits) > 1 else 0.0)
        if hits[0].score >= (self.answer_at_short if short else self.answer_at) and margin >= self.min_margin:
            return Tier.ANSWER
        return Tier.SUGGEST

    def shown(self, hits: Sequence[Hit], query_chars: int) -> list[Hit]:
        """The 「もしかして」 candidates of ``hits`` (best first): the best, and those close to it and good enough."""
        floor = self.suggest_at_short if query_chars <= self.short_chars else self.suggest_at
        if not hits:
            return []
        best = hits[0].score
        return [hits[0]] + [hit for hit in hits[1:self.suggestions]
                            if hit.score >= floor and hit.score >= self.suggest_ratio * best]

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> AnswerPolicy:
        """A policy from a mapping of field names (e.g. ``faq/thresholds.toml``); unknown keys are ignored."""
        known = {f.name: f.type for f in fields(cls)}
        return cls(**{k: (int(v) if k in {"short_chars", "suggestions"} else float(v))
                      for k, v in values.items() if k in known})


def answer_policy(overrides: Mapping[str, object]) -> AnswerPolicy:
    """The calibrated thresholds of ``faq/thresholds.toml``, with ``overrides`` (``MATCH_*`` settings) winning."""
    values: dict[str, object] = tomllib.loads(THRESHOLDS.read_text(encoding="utf-8"))
    values.update({key: value for key, value in overrides.items() if value is not None})
    return AnswerPolicy.from_mapping(values)
