"""``python -m streams`` runs the ``geotension`` CLI."""

from streams.cli import main

main()
