"""Reading the files cities give us: text encodings, CSV records by row, characters an import refuses, and
import errors reported by file and row, worded in Japanese for city staff (``importing.messages``)."""
