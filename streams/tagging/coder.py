"""Placeholder until the rule-based coder lands."""

from __future__ import annotations


class Tagger:
    """Codes articles into TaggedEvent records."""
