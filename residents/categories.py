"""The push categories a resident can choose; the one list every part of the app uses."""

from __future__ import annotations

CHILDCARE = "子育て"
GARBAGE = "ごみ"
DISASTER = "防災"
HEALTH = "健康"
ELDERLY = "高齢者"
EVENTS = "イベント"

# Order is the order residents see them in.
CATEGORIES: tuple[str, ...] = (CHILDCARE, GARBAGE, DISASTER, HEALTH, ELDERLY, EVENTS)
