"""Pure indicator maths: per-dyad event-time windows, decay, baseline, levels and alerts.

No Kafka or faust imports: the indicator agent and ``geotension indicators`` share it.
"""

from streams.indicators.engine import IndicatorEngine, Update, batch_indicators

__all__ = ["IndicatorEngine", "Update", "batch_indicators"]
