"""Evidence of scale: SCALE spans on material-conflict events ("barrage", "hundreds of missiles").

A separate pass after coding, driven by ``config/scale.yaml``: it reads only the event's
own sentence and adds spans, never changes what was coded. The indicators weigh an event
whose evidence carries a SCALE span by ``magnitude.scale_factor``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from streams.errors import ConfigError

LABEL = "SCALE"


class ScaleCues:
    """Compiled scale patterns by language; patterns of every language apply to an unknown one."""

    def __init__(self, patterns: Mapping[str, list[str]]) -> None:
        self.by_language: dict[str, list[re.Pattern[str]]] = {}
        for lang, items in patterns.items():
            try:
                self.by_language[str(lang)] = [re.compile(p, re.IGNORECASE) for p in items]
            except (re.error, TypeError) as exc:
                raise ConfigError(f"scale.yaml: `patterns.{lang}`: not a list of regular expressions ({exc})") from None
        self.every = [p for items in self.by_language.values() for p in items]

    @classmethod
    def load(cls, path: Path) -> ScaleCues:
        """From ``scale.yaml``; a missing file means no scale evidence."""
        if not path.exists():
            return cls({})
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: invalid YAML ({exc})") from None
        patterns = raw.get("patterns") if isinstance(raw, dict) else None
        if not isinstance(patterns, dict) or not all(isinstance(v, list) for v in patterns.values()):
            raise ConfigError(f"{path}: `patterns`: expected a mapping of language to a list of patterns")
        return cls(patterns)

    def mark(self, event: dict[str, Any]) -> None:
        """Add SCALE spans for every match in a material-conflict event's sentence (in place)."""
        if event.get("quad_class") != 4 or not self.every:
            return
        evidence = event["evidence"]
        sentence = evidence["sentence"]
        found = {(m.start(), m.end()) for p in self.by_language.get(event.get("language") or "", self.every)
                 for m in p.finditer(sentence) if m.end() > m.start()}
        if found:
            spans = evidence["spans"] + [{"start": s, "end": e, "label": LABEL} for s, e in sorted(found)]
            evidence["spans"] = sorted(spans, key=lambda span: (span["start"], span["end"], span["label"]))
