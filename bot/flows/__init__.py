"""The dialogue flows the dispatcher routes to, one module per dialogue (areas, settings, children)."""
