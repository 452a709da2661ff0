"""The catch-up sensor: landing days MIRA's runtime marked complete and not yet stored become ONE asset backfill.

A day counts as complete when `landing/_complete/<day>.json` exists (docs/landing.md, "Day-complete markers").
Each evaluation takes the marked days that not every asset has materialized yet and launches one asset backfill
of every asset over them; an asset backfill follows `htm_state`'s day-to-day dependency, so the days run in
order. It holds back:

- while a backfill or a run for one of those days (or an earlier one) is still in flight;
- a day whose last catch-up backfill failed, until its marker is written again (the runtime re-delivered it)
  or someone materializes it (`mira backfill`);
- every day after a gap: a day that is neither stored nor marked stops the catch-up there (htm_state would
  refuse the later days), and the skip reason names it.

The nightly schedule stays: it runs yesterday at 02:00 whether or not a marker came. The sensor is on by
default and looks every five minutes.
"""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph_subset import AssetGraphSubset
from dagster._core.definitions.events import AssetKeyPartitionKey
from dagster._core.execution.backfill import BulkActionsFilter, BulkActionStatus

from mira_assets.domain.landing.complete import complete_days, marker_path
from resources.data_root_resource import DataRootResource

SENSOR_NAME = "catch_up_sensor"
DAYS_TAG = "mira/days"
LAUNCHED_BY_TAG = "mira/launched_by"
INTERVAL_S = 300
IN_FLIGHT = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
             dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
BACKFILLS_IN_FLIGHT = [BulkActionStatus.REQUESTED, BulkActionStatus.CANCELING, BulkActionStatus.FAILING]


def _partitioned_keys(graph) -> list[dg.AssetKey]:
    return sorted((key for key in graph.get_all_asset_keys()
                   if graph.get(key).is_materializable and graph.get(key).partitions_def is not None),
                  key=lambda k: k.to_user_string())


def _stored_days(instance: dg.DagsterInstance, keys: list[dg.AssetKey]) -> set[str]:
    """Days every asset has materialized."""
    per_asset = [set(instance.get_materialized_partitions(key)) for key in keys]
    return set.intersection(*per_asset) if per_asset else set()


def _days_in_flight(instance: dg.DagsterInstance, graph) -> set[str]:
    days = {run.tags["dagster/partition"] for run in instance.get_runs(filters=dg.RunsFilter(statuses=IN_FLIGHT))
            if "dagster/partition" in run.tags}
    for backfill in instance.get_backfills(filters=BulkActionsFilter(statuses=BACKFILLS_IN_FLIGHT)):
        if backfill.is_asset_backfill:
            target = backfill.get_asset_backfill_data(graph).target_subset
            days |= {key.partition_key for key in target.iterate_asset_partitions() if key.partition_key}
        else:
            days |= set(backfill.partition_names or ())
    return days


def _failed_before(instance: dg.DagsterInstance, landing, days: set[str]) -> set[str]:
    """Days a finished catch-up backfill did not store, whose marker has not been written since."""
    failed = set()
    for backfill in instance.get_backfills(filters=BulkActionsFilter(tags={LAUNCHED_BY_TAG: SENSOR_NAME})):
        if backfill.status in BACKFILLS_IN_FLIGHT or backfill.status == BulkActionStatus.COMPLETED_SUCCESS:
            continue
        for day in set(backfill.tags.get(DAYS_TAG, "").split()) & days:
            marker = marker_path(landing, day)
            if marker.exists() and marker.stat().st_mtime <= backfill.backfill_timestamp:
                failed.add(day)
    return failed


def days_to_catch_up(marked: list[str], stored: set[str], in_flight: set[str],
                     failed: set[str]) -> tuple[list[str], str]:
    """The marked days to backfill now (in order), and why the others wait ("" when none waits)."""
    history = sorted(set(marked) | stored)
    if not history:
        return [], "no landing day is marked complete (landing/_complete/<day>.json)"
    launch: list[str] = []
    day = date.fromisoformat(history[0])
    last = date.fromisoformat(history[-1])
    while day <= last:
        key = day.isoformat()
        if key not in stored:
            if key in in_flight:
                return launch, f"{key} is in flight (a run or backfill); the days after it wait"
            if key in failed:
                return launch, (f"the last catch-up of {key} failed; fix it and write its marker again, or run "
                                f"`mira backfill --start {key} --end {key}`; the days after it wait")
            if key not in marked:
                return launch, f"{key} is neither stored nor marked complete; the days after it wait"
            launch.append(key)
        day += timedelta(days=1)
    return launch, ""


def catch_up_sensor() -> dg.SensorDefinition:
    @dg.sensor(name=SENSOR_NAME, asset_selection=dg.AssetSelection.all(), minimum_interval_seconds=INTERVAL_S,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="Launches one asset backfill, in day order, of the landing days MIRA's runtime marked "
                           "complete (landing/_complete/<day>.json) that are not stored yet.")
    def catch_up(context: dg.SensorEvaluationContext, data_root: DataRootResource):
        graph = context.repository_def.asset_graph
        keys = _partitioned_keys(graph)
        partitions = graph.get(keys[0]).partitions_def
        valid = set(partitions.get_partition_keys())
        landing = data_root.layout().landing
        marked = [d.isoformat() for d in complete_days(landing) if d.isoformat() in valid]
        stored = _stored_days(context.instance, keys)
        in_flight = _days_in_flight(context.instance, graph)
        days, waiting = days_to_catch_up(marked, stored, in_flight,
                                         _failed_before(context.instance, landing, set(marked)))
        if not days:
            return dg.SkipReason(waiting or "every day marked complete is stored")
        if waiting:
            context.log.info(waiting)
        subset = AssetGraphSubset.from_asset_partition_set(
            {AssetKeyPartitionKey(key, day) for key in keys for day in days}, graph)
        return dg.SensorResult(run_requests=[dg.RunRequest.for_asset_graph_subset(
            subset, tags={DAYS_TAG: " ".join(days), LAUNCHED_BY_TAG: SENSOR_NAME})])

    return catch_up
