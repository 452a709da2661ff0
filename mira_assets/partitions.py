"""One calendar day of MIRA's landing data is one partition everywhere in the project.

The range starts at the first day the user has data for: `MIRA_PARTITION_START` (a day like 2026-11-01),
read by the code location's loader when Dagster loads it (never at import), default 2026-01-01. Every asset,
check, job and schedule is built by a factory that takes the one partitions definition, so they all agree.
"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from mira_assets.domain.landing.contract import parse_day

DEFAULT_PARTITION_START = "2026-01-01"
PARTITION_START_VARIABLE = "MIRA_PARTITION_START"


def partition_start(environ: Mapping[str, str]) -> str:
    """The first partition day configured in ``environ`` (default 2026-01-01); a clear error when it is no day."""
    value = (environ.get(PARTITION_START_VARIABLE) or DEFAULT_PARTITION_START).strip()
    day = parse_day(value)
    if day is None:
        raise ValueError(f"{PARTITION_START_VARIABLE} must be a day like 2026-11-01, got {value!r}")
    return day.isoformat()


def daily_partitions(start: str = DEFAULT_PARTITION_START) -> dg.DailyPartitionsDefinition:
    """Daily partitions (UTC) from ``start`` up to yesterday."""
    return dg.DailyPartitionsDefinition(start_date=start, timezone="UTC")
