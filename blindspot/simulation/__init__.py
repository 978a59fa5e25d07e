"""A simulated AWS organization inside moto, for the demo and the tests."""
