"""Widgets of the explorer; none holds business logic (queries come from collectors)."""
