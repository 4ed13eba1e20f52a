"""Text search over FAQ-shaped documents (FAQ entries, garbage items): the hybrid engine and what it deals in."""
