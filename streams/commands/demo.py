"""Commands: demo."""

COMMANDS: list = []
