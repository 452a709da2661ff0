"""One calendar day of MIRA's landing data is one partition everywhere in the project."""

import dagster as dg

PARTITION_START = "2026-01-01"

daily_partitions = dg.DailyPartitionsDefinition(start_date=PARTITION_START, timezone="UTC")
