"""Day-complete markers: how MIRA's runtime says "I have written everything of this day".

The runtime writes `landing/_complete/<YYYY-MM-DD>.json` once it has written (and renamed into place) every
stream's files of that day, including a day with no records at all. The catch-up sensor materializes only
marked days; a day without a marker may still be growing. The marker is a small JSON object; its presence is
what counts, its fields are optional: `producer` (who wrote the day) and `note` (a line for people; `mira
demo-data` says there that it writes malformed lines on purpose, and the quarantine warnings repeat it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mira_assets.domain.landing.contract import as_day, parse_day
from resources.vault.atomic import atomic_write

MARKER_DIR = "_complete"
DEMO_PRODUCER = "mira demo-data"
DEMO_NOTE = "expected on the demo: `mira demo-data` writes a few malformed lines per stream and day on purpose"


@dataclass(frozen=True)
class DayMarker:
    day: date
    producer: str = ""
    note: str = ""

    @property
    def is_demo(self) -> bool:
        return self.producer == DEMO_PRODUCER


def marker_path(landing_root: Path, day: date | str) -> Path:
    return Path(landing_root) / MARKER_DIR / f"{as_day(day).isoformat()}.json"


def mark_day_complete(landing_root: Path, day: date | str, *, producer: str = "", note: str = "") -> Path:
    """Write the day's marker (atomically; rewriting it with the same fields changes nothing)."""
    day = as_day(day)
    path = marker_path(landing_root, day)
    body = {"day": day.isoformat(), **({"producer": producer} if producer else {}), **({"note": note} if note else {})}
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, (json.dumps(body, sort_keys=True) + "\n").encode())
    return path


def read_marker(landing_root: Path, day: date | str) -> DayMarker | None:
    """The day's marker, or None when the day is not marked complete. A marker that is not a JSON object
    still marks the day (its presence is the contract); its fields are then empty."""
    path = marker_path(landing_root, day)
    if not path.is_file():
        return None
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        body = {}
    body = body if isinstance(body, dict) else {}
    return DayMarker(as_day(day), str(body.get("producer") or ""), str(body.get("note") or ""))


def complete_days(landing_root: Path) -> list[date]:
    """Every day marked complete, in order. Files whose name is not a day (or start with `.`) are ignored."""
    folder = Path(landing_root) / MARKER_DIR
    paths = folder.glob("*.json") if folder.is_dir() else ()
    days = (parse_day(path.stem) for path in paths if not path.name.startswith("."))
    return sorted(d for d in days if d is not None)
