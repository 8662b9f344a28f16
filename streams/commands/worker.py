"""Commands: worker."""

COMMANDS: list = []
