"""The nightly run: every daily-partitioned asset for the day that just ended."""

import dagster as dg

from mira_assets.partitions import daily_partitions

daily_storage_job = dg.define_asset_job(
    "daily_storage_job",
    selection=dg.AssetSelection.all(),
    partitions_def=daily_partitions,
    description="Materialize every storage asset for one day (landing -> vault and ChromaDB).",
)

# build_schedule_from_partitioned_job targets the last complete partition: at 02:00 UTC that is yesterday.
nightly_storage_schedule = dg.build_schedule_from_partitioned_job(
    daily_storage_job,
    name="nightly_storage_schedule",
    hour_of_day=2,
    minute_of_hour=0,
    description="Every night at 02:00 UTC, process yesterday's landing data.",
)
