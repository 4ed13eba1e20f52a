"""Reading the files cities give us: text encodings, and import errors reported by file and row."""
