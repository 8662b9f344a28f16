"""Which language an article is in: lingua's detector over the languages the rules cover.

A detector restricted to the covered languages alone calls French or Spanish "en" (lingua then
picks the nearest of the four), so it also knows a few frequent news languages the rules do not
cover (``detect_also`` in events.yaml). An article in one of those is reported under its own
code; text it cannot place confidently is ``unknown``. Either way the tagger does not parse it
with another language's rules.

Only the first :data:`SAMPLE_CHARS` characters are read: a headline and lede are plenty.
"""

from __future__ import annotations

from collections.abc import Iterable

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

UNKNOWN = "unknown"
SAMPLE_CHARS = 1000
# Below this relative distance between the two likeliest languages the text is "unknown".
MIN_RELATIVE_DISTANCE = 0.05


def _language(code: str) -> Language:
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except (AttributeError, ValueError) as exc:
        raise ValueError(f"not an ISO 639-1 language code the detector knows: {code!r}") from exc


class LanguageDetector:
    """``detect(text)`` → an ISO 639-1 code among ``covered`` and ``also``, or ``unknown``.

    Models load on the first call (lingua loads each language lazily), so a tagger that only
    sees articles with a ``language`` field never pays for them."""

    def __init__(self, covered: Iterable[str], also: Iterable[str] = ()) -> None:
        self.covered = frozenset(c.lower() for c in covered)
        languages = {_language(c) for c in [*self.covered, *also]}
        if len(languages) < 2:  # lingua needs two to choose between; one covered language is all there is
            languages.add(Language.ENGLISH if Language.ENGLISH not in languages else Language.FRENCH)
        self._detector = (LanguageDetectorBuilder.from_languages(*languages)
                          .with_minimum_relative_distance(MIN_RELATIVE_DISTANCE)
                          .with_low_accuracy_mode()  # whole sentences, not single words: enough, and fast
                          .build())

    def detect(self, text: str) -> str:
        sample = text[:SAMPLE_CHARS]
        if not sample.strip():
            return UNKNOWN
        found = self._detector.detect_language_of(sample)
        if found is None:
            return UNKNOWN
        return found.iso_code_639_1.name.lower()
