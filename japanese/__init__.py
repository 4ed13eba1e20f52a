"""Japanese text and the Japanese calendar: the normaliser, Sudachi analysis, synonyms and date arithmetic."""
