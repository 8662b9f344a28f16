"""GDELT agent: gdelt.raw (one export line per record) → tension.events (key = dyad).

The mapping is :func:`streams.sources.gdelt.classify`. Rows without two actor countries and
rows where neither country is a watched state are skipped and counted
(``gdelt:no-actor-country``, ``gdelt:not-watched`` in ``/api/counters``): they are normal
GDELT output, not errors. Malformed rows (wrong column count, bad date, code or number) go
to the dead-letter topic with the reason.
"""

from __future__ import annotations

from typing import Any

from streams.agents.deadletter import dead_letter
from streams.app import Pipeline
from streams.errors import SchemaError
from streams.sources.gdelt import GdeltRules, Skip, classify


def register(pipeline: Pipeline) -> Any:
    rules = GdeltRules.from_settings(pipeline.settings)
    source, sink = pipeline.topics["gdelt_raw"], pipeline.topics["events"]
    counters = pipeline.counters

    @pipeline.app.agent(source, name="gdelt")
    async def gdelt(stream: Any) -> None:
        async for event in stream.events():
            counters.records_in["gdelt"] += 1
            try:
                if not event.value:
                    raise SchemaError("empty value (expected a GDELT export line)")
                result = classify(event.value, rules)
                if isinstance(result, Skip):
                    counters.skipped[f"gdelt:{result.reason}"] += 1
                    continue
                value = pipeline.registry.encode("TaggedEvent", result)
            except Exception as exc:  # noqa: BLE001 - one bad record must not stop the agent
                await dead_letter(pipeline, "gdelt", event, exc)
                continue
            await sink.send(key=(result["dyad"] or result["article_id"]).encode(), value=value)
            counters.records_out["gdelt"] += 1

    return gdelt
