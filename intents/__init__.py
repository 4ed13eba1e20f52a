"""Structured answers tried before the FAQ. ``INTENTS`` order is the priority: the first match wins."""

from intents import area
from intents import children
from intents import dates
from intents import garbage
from intents import my_data
from intents import notices
from intents import reminders
from intents import settings
from intents import shelters
from intents import smalltalk

INTENTS = (my_data.INTENT, area.INTENT, reminders.INTENT, settings.INTENT, children.INTENT, smalltalk.INTENT, dates.INTENT,
           notices.INTENT, shelters.INTENT, shelters.NAMED, garbage.COLLECTION_DAY, garbage.ITEM)
