"""Structured answers tried before the FAQ. ``INTENTS`` order is the priority: the first match wins."""

from intents import my_data
from intents import smalltalk

INTENTS = (my_data.INTENT, smalltalk.INTENT)
