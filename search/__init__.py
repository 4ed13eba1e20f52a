"""Text search over FAQ-shaped documents (FAQ entries, garbage items) and city areas by the names residents type."""
