"""The daily storage job over every partitioned asset, and the nightly schedule that runs it for yesterday."""

import dagster as dg

DAILY_JOB = "daily_storage_job"


def daily_storage_job(partitions: dg.PartitionsDefinition):
    """The job over every asset (an unresolved asset job: the Definitions resolve it)."""
    return dg.define_asset_job(
        DAILY_JOB,
        selection=dg.AssetSelection.all(),
        partitions_def=partitions,
        description="Materialize every storage asset for one day (landing -> vault and ChromaDB). Backfill "
                    "several days from the asset graph (Materialize -> date range) or with `mira backfill`, "
                    "not from this job's Partitions page: a job backfill does not keep htm_state's day order.",
    )


def nightly_storage_schedule(job) -> dg.ScheduleDefinition:
    # build_schedule_from_partitioned_job targets the last complete partition: at 02:00 UTC that is yesterday.
    return dg.build_schedule_from_partitioned_job(
        job,
        name="nightly_storage_schedule",
        hour_of_day=2,
        minute_of_hour=0,
        description="Every night at 02:00 UTC, process yesterday's landing data.",
    )
