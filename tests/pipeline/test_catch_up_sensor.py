"""The catch-up sensor: the landing days MIRA's runtime marked complete and that are not stored yet become one
asset backfill, in day order; in-flight days, a gap and a failed catch-up hold the days after them back."""

from __future__ import annotations

import logging
import os
import time

import dagster as dg
import pytest
from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill
from dagster._core.utils import make_new_backfill_id

from jobs.catch_up import DAYS_TAG, LAUNCHED_BY_TAG, SENSOR_NAME
from mira_assets.domain.landing.complete import complete_days, mark_day_complete, marker_path
from pipeline.helpers import DAYS, load_defs


@pytest.fixture
def marked(mira_data):
    for day in DAYS:
        mark_day_complete(mira_data / "landing", day)
    return mira_data


def evaluate(defs, instance):
    sensor = defs.resolve_sensor_def(SENSOR_NAME)
    context = dg.build_sensor_context(instance=instance, repository_def=defs.get_repository_def(),
                                      resources={"data_root": defs.resources["data_root"]})
    return sensor(context)


def requested_days(result) -> list[str]:
    [request] = result.run_requests
    days = {key.partition_key for key in request.asset_graph_subset.iterate_asset_partitions()}
    assert request.tags[DAYS_TAG] == " ".join(sorted(days))
    return sorted(days)


def store(instance, defs, day):
    """Record that every asset has the day (what a finished run leaves in the instance)."""
    for key in defs.resolve_asset_graph().get_all_asset_keys():
        instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=day))


def catch_up_backfill(instance, defs, days, status):
    backfill = PartitionBackfill.from_asset_partitions(
        backfill_id=make_new_backfill_id(), asset_graph=defs.resolve_asset_graph(), partition_names=days,
        asset_selection=list(defs.resolve_asset_graph().get_all_asset_keys()), backfill_timestamp=time.time(),
        tags={DAYS_TAG: " ".join(days), LAUNCHED_BY_TAG: SENSOR_NAME},
        dynamic_partitions_store=instance, all_partitions=False, title="catch-up", description=None,
        run_config=None)
    instance.add_backfill(backfill.with_status(status))


def test_marked_days_not_stored_become_one_request_in_day_order(marked, settings, instance):
    defs = load_defs(settings)
    assert complete_days(marked / "landing")[0].isoformat() == DAYS[0]
    result = evaluate(defs, instance)
    assert requested_days(result) == DAYS
    [request] = result.run_requests
    assets = {key.asset_key.to_user_string() for key in request.asset_graph_subset.iterate_asset_partitions()}
    assert {"htm_state", "stored_memories", "private_memories", "codebase_snapshots"} <= assets
    store(instance, defs, DAYS[0])
    assert requested_days(evaluate(defs, instance)) == DAYS[1:], "a stored day is not caught up again"
    for day in DAYS[1:]:
        store(instance, defs, day)
    assert isinstance(evaluate(defs, instance), dg.SkipReason)


def test_a_gap_and_days_in_flight_hold_the_later_days_back(marked, settings, instance):
    defs = load_defs(settings)
    marker_path(marked / "landing", DAYS[1]).unlink()  # the runtime has not finished day 2
    skip = evaluate(defs, instance)
    assert requested_days(skip) == DAYS[:1]
    store(instance, defs, DAYS[0])
    skip = evaluate(defs, instance)
    assert isinstance(skip, dg.SkipReason) and f"{DAYS[1]} is neither stored nor marked complete" in skip.skip_message
    mark_day_complete(marked / "landing", DAYS[1])
    catch_up_backfill(instance, defs, DAYS[1:2], BulkActionStatus.REQUESTED)
    skip = evaluate(defs, instance)
    assert isinstance(skip, dg.SkipReason) and f"{DAYS[1]} is in flight" in skip.skip_message


def test_a_failed_catch_up_is_not_retried_until_its_marker_is_written_again(marked, settings, instance):
    defs = load_defs(settings)
    catch_up_backfill(instance, defs, DAYS, BulkActionStatus.COMPLETED_FAILED)
    skip = evaluate(defs, instance)
    assert isinstance(skip, dg.SkipReason) and f"the last catch-up of {DAYS[0]} failed" in skip.skip_message
    os.utime(marker_path(marked / "landing", DAYS[0]))  # the runtime delivered day 1 again
    for day in DAYS[1:]:
        os.utime(marker_path(marked / "landing", day))
    assert requested_days(evaluate(defs, instance)) == DAYS


def test_the_sensor_daemon_turns_a_tick_into_one_asset_backfill(marked, instance, monkeypatch, vault_key):
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._daemon.sensor import execute_sensor_iteration

    from mira_assets.operations.location_runs import location_target

    monkeypatch.setenv("MIRA_DATA", str(marked))
    with WorkspaceProcessContext(instance, location_target(), code_server_log_level="WARNING") as context:
        for _ in execute_sensor_iteration(context, logging.getLogger("test"), threadpool_executor=None,
                                          submit_threadpool_executor=None):
            pass
    [backfill] = instance.get_backfills()
    assert backfill.is_asset_backfill and backfill.tags[DAYS_TAG] == " ".join(DAYS)
    graph = backfill.asset_backfill_data.target_subset
    assert sorted({key.partition_key for key in graph.iterate_asset_partitions()}) == DAYS
