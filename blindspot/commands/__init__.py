"""One module per sub-command, each exposing `run(args) -> int`."""
