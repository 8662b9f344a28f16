"""Commands: tail."""

COMMANDS: list = []
