"""Content revisions: which kind of data changed, so that every process rebuilds what it derived from it."""
