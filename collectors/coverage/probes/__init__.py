"""Probes, one module per layer; each module lists its probe functions in `PROBES`."""
