"""The explorer: a Textual app that reads snapshots and never calls AWS itself."""
