"""Cheap language guess by script and a few stop words (BCP-47 primary tags)."""

from __future__ import annotations

import re

_HEBREW = re.compile(r"[\u0590-\u05FF]")
_ARABIC = re.compile(r"[\u0600-\u06FF]")
# Letters and function words that are frequent in Albanian and rare in English.
_ALBANIAN = re.compile(r"[ëç]|\b(?:dhe|është|për|nga|një|të|që|së|ndaj|pas|tha|ka)\b", re.IGNORECASE)
# Persian letters absent from Arabic (پ چ ژ گ), Persian ی and ک.
_PERSIAN_ONLY = re.compile(r"[پچژگیک]")
SAMPLE_CHARS = 2000


def detect_language(text: str) -> str:
    """'he', 'fa', 'ar', 'sq' or 'en' from the first :data:`SAMPLE_CHARS` characters."""
    sample = text[:SAMPLE_CHARS]
    hebrew = len(_HEBREW.findall(sample))
    arabic = len(_ARABIC.findall(sample))
    if hebrew or arabic:
        if hebrew >= arabic:
            return "he"
        return "fa" if _PERSIAN_ONLY.search(sample) else "ar"
    if len(_ALBANIAN.findall(sample)) >= 3:
        return "sq"
    return "en"
