"""Commands: broker."""

COMMANDS: list = []
