"""Logging coverage: the catalogue of controls, the probes that decide them, and the
resolution of coverage along the resource graph."""
