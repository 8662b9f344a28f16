"""The README's consumer examples (Python with fastavro, Java with Apache Avro) run as written.

Each example's code block is taken from README.md, pointed at the test broker and a topic of
its own (the only edits: the bootstrap address and the topic name), and run as a separate
program over records our codec wrote; its output must be exactly what the records say.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from kafka import KafkaProducer

from streams.codec import default_registry
from tests.interop.java import run_java
from tests.interop.samples import SAMPLES

REPO = Path(__file__).resolve().parents[2]
SECTION = "### Reading the topics from another program"

pytestmark = pytest.mark.broker


def _block(language: str) -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(SECTION):]
    section = section[:section.index("\n## ")]
    blocks = re.findall(rf"```{language}\n(.*?)```", section, re.S)
    assert len(blocks) == 1, f"one {language} block expected in {SECTION!r}"
    return blocks[0]


def _produce(bootstrap: str, topic: str, names: set[str]) -> list[dict]:
    reg = default_registry()
    records = [record for name, record in SAMPLES if name in names]
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for name, record in SAMPLES:
        if name in names:
            producer.send(topic, reg.encode(name, record))
    producer.flush()
    producer.close()
    return records


def test_python_example_reads_indicators(kafka_bootstrap: str, unique_name: Callable[[str], str], tmp_path: Path) -> None:
    topic = unique_name("readme-py")
    code = _block("python")
    assert code.count('"127.0.0.1:9092"') == 1 and code.count('"tension.indicators"') == 1
    code = code.replace('"127.0.0.1:9092"', repr(kafka_bootstrap)).replace('"tension.indicators"', repr(topic))
    records = _produce(kafka_bootstrap, topic, {"EscalationIndicator"})
    script = tmp_path / "read_indicators.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == [
        f"{r['dyad']} {r['as_of']} {r['revision']} {r['level']} {r['tension_index']}" for r in records
    ]
    assert done.stdout.splitlines()[0] == "IRN-ISR 2025-06-14 00:00:00+00:00 7 SEVERE 61.62"


def test_java_example_reads_events(kafka_bootstrap: str, unique_name: Callable[[str], str], tmp_path: Path) -> None:
    topic = unique_name("readme-java")
    records = _produce(kafka_bootstrap, topic, {"TaggedEvent"})
    source = tmp_path / "ReadEvents.java"
    source.write_text(_block("java"), encoding="utf-8")
    out = run_java(source, [kafka_bootstrap, topic], timeout=180)
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines == [
        f"{r['event_time'].isoformat(timespec='milliseconds').replace('+00:00', 'Z')} {r['dyad'] or 'null'} {r['cameo_code']} "
        f"{r['source']['code']} -> {r['target']['code']}: {r['evidence']['sentence']}"
        for r in records
    ]
    assert lines[1] == "1969-12-31T23:59:59.999Z null 0831 ISR -> MEK: ישראל הכחישה"
