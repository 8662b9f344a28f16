"""The pinned Goldstein table (GDELT's CAMEO → intensity), with parent-code fallback."""

from __future__ import annotations

import csv
from pathlib import Path

from streams.errors import ConfigError


class GoldsteinTable:
    """CAMEO code → Goldstein value; a code missing from the table takes its nearest parent's."""

    def __init__(self, values: dict[str, float]) -> None:
        self._values = values

    @classmethod
    def load(cls, path: Path) -> GoldsteinTable:
        """Read ``cameo_code,description,goldstein`` rows."""
        values: dict[str, float] = {}
        try:
            with path.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    code = (row.get("cameo_code") or "").strip()
                    try:
                        values[code] = float(row.get("goldstein") or "")
                    except ValueError:
                        raise ConfigError(f"{path}: code {code!r}: goldstein is not a number") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the Goldstein table ({exc.strerror})") from None
        if not values:
            raise ConfigError(f"{path}: the Goldstein table is empty")
        return cls(values)

    def value(self, code: str) -> float | None:
        """Goldstein value of ``code``, else of its 3-digit then 2-digit parent, else None."""
        for prefix in (code, code[:3], code[:2]):
            if prefix in self._values:
                return self._values[prefix]
        return None

    def __contains__(self, code: str) -> bool:
        return self.value(code) is not None


def quad_class(code: str) -> int:
    """QuadClass from the CAMEO root: 01–05 → 1, 06–09 → 2, 10–14 → 3, 15–20 → 4."""
    root = int(code[:2])
    return 1 if root <= 5 else 2 if root <= 9 else 3 if root <= 14 else 4
