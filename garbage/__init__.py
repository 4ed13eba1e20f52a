"""ごみ: the sorting dictionary, collection calendars by area, and the answers built from them."""
