"""The explorer's screens; each reads the app's graph and asks collectors for answers."""
