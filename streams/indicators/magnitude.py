"""How much a merged event counts: its report weight times coverage, severity and scale.

A story carried by thirty outlets is a bigger event than one wire item, an aerial
bombardment bigger than the root's unspecified use of force, a barrage of missiles bigger
than one launch. Each of the three raises the weight by a bounded factor and their product
is capped (``magnitude`` in ``config/indicators.yaml`` gives the curve and its rationale):

    coverage factor = min(coverage_cap, 1 + coverage_slope * log2(coverage))
    boost           = min(max_boost, coverage factor * severity(code) * scale)
    magnitude       = modality weight * confidence * boost

``coverage`` counts each outlet once (its largest ``num_sources``, which for a GDELT row is
NumSources), so duplicates still merge into one event and only independent reporting
raises it. The largest class of event (an attack by one watched state's government or
military, Goldstein at most ``largest.max_goldstein``, widely covered) also sets a floor under
the dyad's level on its day.
"""

from __future__ import annotations

import math

from streams.indicators.state import MergedEvent
from streams.settings import MagnitudeSettings

#: The evidence span label the tagger gives a phrase of scale ("barrage", "hundreds of missiles").
SCALE_LABEL = "SCALE"


class Magnitude:
    """The magnitude rule of one configuration."""

    def __init__(self, cfg: MagnitudeSettings) -> None:
        self.cfg = cfg
        # Longest code first, so "195" wins over a root-wide "19".
        self._severity = sorted(cfg.severity.items(), key=lambda item: -len(item[0]))
        self._largest = cfg.largest

    def coverage_factor(self, coverage: int) -> float:
        """Sub-linear in the number of independent reports, 1 for a single one, capped."""
        return min(self.cfg.coverage_cap, 1.0 + self.cfg.coverage_slope * math.log2(max(coverage, 1)))

    def severity(self, code: str) -> float:
        """The configured factor of the longest configured code that ``code`` starts with."""
        for prefix, factor in self._severity:
            if code.startswith(prefix):
                return factor
        return 1.0

    def boost(self, event: MergedEvent) -> float:
        scale = self.cfg.scale_factor if event.scaled else 1.0
        return min(self.cfg.max_boost, self.coverage_factor(event.coverage_count) * self.severity(event.cameo_code) * scale)

    def weight(self, event: MergedEvent) -> float:
        """The event's weight in every sum: report weight times the bounded boost."""
        return event.weight * self.boost(event)

    def is_largest(self, event: MergedEvent) -> bool:
        """An attack of the largest class: it lifts the dyad to at least ``largest.level`` on its day."""
        rule = self._largest
        return (
            event.quad_class == 4
            and event.goldstein <= rule.max_goldstein
            and event.coverage_count >= rule.min_coverage
            and event.cameo_code.startswith(rule.codes)
            and event.source_role in rule.source_roles
            and event.modality in rule.modalities
        )
