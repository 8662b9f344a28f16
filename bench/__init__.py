"""Benchmarks: ``make bench`` (``python -m bench``) prints one JSON object per result line.

Each module in this package defines ``run(ctx) -> list[dict]``; every result carries its
``name``, the measured ``value`` and ``unit``, and where it has one the ``baseline`` measured
in the same run and the ``ratio`` between them, so figures are comparable across machines.
"""
