"""Renderers: a snapshot (or a view of it) turned into text, tables and graph files."""
