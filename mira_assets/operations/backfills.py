"""Asset backfills through the instance: launched like the UI's Materialize -> date range, then driven or watched.

An *asset* backfill follows partition mappings, so `htm_state`'s days run one after the other; a backfill from a
job's Partitions page does not (dagster#11962). `launch_asset_backfill` records one in the instance. Who runs it:
the daemon's backfill loop when a daemon runs (its heartbeat is fresh); otherwise `wait_for_backfill` drives it
from this process: each round it advances the backfill exactly as the daemon's loop would and executes the runs
the backfill queued, here, in the order they were created. The two never both drive: the heartbeat is read
before every run. Progress (targeted, materialized, failed partitions by asset) comes from the backfill record.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import dagster as dg
from dagster._core.events import DagsterEvent, DagsterEventType
from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill
from dagster._core.storage.tags import RUN_FAILURE_REASON_TAG
from dagster._core.utils import make_new_backfill_id
from dagster._daemon.backfill import execute_backfill_jobs
from dagster._daemon.daemon import BackfillDaemon
from dagster._time import get_current_timestamp

from mira_assets.operations.dead_runs import host_tags
from mira_assets.operations.location_runs import execute_here

BACKFILL_TAG = "dagster/backfill"
ACTIVE = {BulkActionStatus.REQUESTED, BulkActionStatus.CANCELING, BulkActionStatus.FAILING}
# A daemon's heartbeat is written every few seconds; Dagster's own "healthy" status stays true long after a stop.
DAEMON_HEARTBEAT_FRESH_S = 60.0


class BackfillInterrupted(Exception):
    """A run this process executed for the backfill was interrupted (Ctrl-C): stop driving."""


@dataclass(frozen=True)
class BackfillProgress:
    backfill_id: str
    status: str
    total: int
    materialized: int
    failed: int
    failed_partitions: dict[str, list[str]] = field(default_factory=dict)
    runs_in_flight: int = 0

    @property
    def finished(self) -> bool:
        return self.status not in {s.value for s in ACTIVE} and self.runs_in_flight == 0

    @property
    def succeeded(self) -> bool:
        return self.finished and self.status == BulkActionStatus.COMPLETED_SUCCESS.value and not self.failed

    def failure_lines(self) -> list[str]:
        return [f"{asset}: {', '.join(days)}" for asset, days in sorted(self.failed_partitions.items()) if days]


def launch_asset_backfill(instance: dg.DagsterInstance, asset_graph, days: Sequence[str],
                          asset_keys: Sequence[dg.AssetKey], *, title: str,
                          tags: dict[str, str] | None = None, run_config: dict | None = None) -> str:
    """Record an asset backfill of ``asset_keys`` over ``days`` (what Materialize -> date range creates);
    ``run_config`` applies to each of its runs."""
    backfill = PartitionBackfill.from_asset_partitions(
        backfill_id=make_new_backfill_id(), asset_graph=asset_graph, partition_names=list(days),
        asset_selection=list(asset_keys), backfill_timestamp=get_current_timestamp(), tags=dict(tags or {}),
        dynamic_partitions_store=instance, all_partitions=False, title=title, description=None, run_config=run_config)
    instance.add_backfill(backfill)
    return backfill.backfill_id


def backfill_runs(instance: dg.DagsterInstance, backfill_id: str, statuses=None) -> list[dg.DagsterRun]:
    """The backfill's runs, oldest first."""
    records = instance.get_run_records(filters=dg.RunsFilter(tags={BACKFILL_TAG: backfill_id}, statuses=statuses),
                                       order_by="create_timestamp", ascending=True)  # one query, not one per run
    return [record.dagster_run for record in records]


def backfill_progress(instance: dg.DagsterInstance, backfill_id: str, asset_graph) -> BackfillProgress:
    backfill = instance.get_backfill(backfill_id)
    if backfill is None:
        raise KeyError(f"no backfill {backfill_id} in this instance")
    in_flight = sum(not run.is_finished for run in backfill_runs(instance, backfill_id))
    if not backfill.is_asset_backfill:
        return BackfillProgress(backfill_id, backfill.status.value, 0, 0, 0, runs_in_flight=in_flight)
    data = backfill.get_asset_backfill_data(asset_graph)
    failed = data.failed_and_downstream_subset
    return BackfillProgress(
        backfill_id, backfill.status.value,
        total=data.target_subset.num_partitions_and_non_partitioned_assets,
        materialized=data.materialized_subset.num_partitions_and_non_partitioned_assets,
        failed=failed.num_partitions_and_non_partitioned_assets,
        failed_partitions={key.to_user_string(): sorted(failed.get_partitions_subset(key).get_partition_keys())
                           for key in failed.asset_keys},
        runs_in_flight=in_flight,
    )


def daemon_drives_backfills(instance: dg.DagsterInstance, fresh_s: float = DAEMON_HEARTBEAT_FRESH_S) -> bool:
    """True when a `dagster-daemon` (or `dagster dev`) runs the backfill loop on this instance now."""
    beat = instance.get_daemon_heartbeats().get(BackfillDaemon.daemon_type())
    return beat is not None and time.time() - beat.timestamp < fresh_s


def advance(context, backfill_id: str, logger: logging.Logger) -> None:
    """One round of the daemon's backfill loop, for this backfill only (it submits the runs that are ready)."""
    backfill = context.instance.get_backfill(backfill_id)
    if backfill is not None and backfill.status in ACTIVE:
        for error in execute_backfill_jobs(context, logger, [backfill]):
            if error is not None:
                logger.warning(f"backfill {backfill_id}: {error.message.strip()}")


def execute_queued_run(instance: dg.DagsterInstance, run: dg.DagsterRun, on_event=None) -> dg.DagsterRun:
    """Take a queued run off the queue and execute it here (tagged with this host and pid for the dead-run
    check): what launching records first (DagsterInstance.launch_run), then a run worker's work."""
    instance.add_run_tags(run.run_id, host_tags(os.getpid()))
    instance.report_dagster_event(DagsterEvent(event_type_value=DagsterEventType.PIPELINE_STARTING.value,
                                               job_name=run.job_name), run_id=run.run_id)
    return execute_here(instance, instance.get_run_by_id(run.run_id), on_event)


def execute_queued_runs(context, backfill_id: str, on_event=None) -> int:
    """Execute, here and oldest first, the runs the backfill queued; stop when a daemon takes over.
    Returns how many ran. Raises BackfillInterrupted when a run was interrupted by Ctrl-C."""
    instance = context.instance
    executed = 0
    for run in backfill_runs(instance, backfill_id, statuses=[dg.DagsterRunStatus.QUEUED]):
        if daemon_drives_backfills(instance):
            break
        finished = execute_queued_run(instance, run, on_event)
        executed += 1
        if finished.tags.get(RUN_FAILURE_REASON_TAG) == "UNEXPECTED_TERMINATION":
            raise BackfillInterrupted(f"run {run.run_id} of backfill {backfill_id} was interrupted")
    return executed


def wait_for_backfill(context, backfill_id: str, *, on_progress: Callable[[BackfillProgress, bool], None],
                      poll_s: float = 1.0, logger: logging.Logger | None = None) -> BackfillProgress:
    """Until the backfill and its runs are finished: drive it while no daemon does, else watch. ``on_progress``
    gets the progress and whether this process drives, every round."""
    logger = logger or logging.getLogger("mira.backfill")
    while True:
        driving = not daemon_drives_backfills(context.instance)
        if driving:
            advance(context, backfill_id, logger)
            execute_queued_runs(context, backfill_id)
        progress = backfill_progress(context.instance, backfill_id, context.create_request_context().asset_graph)
        on_progress(progress, driving)
        if progress.finished:
            return progress
        time.sleep(poll_s)
