"""Commands: offline."""

COMMANDS: list = []
