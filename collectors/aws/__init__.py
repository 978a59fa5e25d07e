"""Talking to AWS: sessions, the read-only guard, retries, error classification."""
