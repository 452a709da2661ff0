"""Prototype (d): a sensor that launches ONE asset backfill for complete landing days not yet materialized.

Toy code location (scratch/toy): `catch_up` looks for `<TOY_DIR>/landing/<day>.complete` markers, skips days
every asset already has and days named by a REQUESTED backfill's `mira/days` tag, and returns
RunRequest.for_asset_graph_subset(...) - the sensor daemon turns that into an asset backfill
(PartitionBackfill.from_asset_graph_subset + instance.add_backfill). Here the sensor daemon's iteration runs
in-process (dagster._daemon.sensor.execute_sensor_iteration), then the backfill is driven as in (b).

Usage: .venv/bin/python scratch/d_catch_up_sensor.py
"""

import logging
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from b_asset_backfill import DAYS, TOY, drive_in_process, fresh_toy, learner_order  # noqa: E402
from common import Timer, expect  # noqa: E402


def tick(context) -> None:
    from dagster._daemon.sensor import execute_sensor_iteration

    for _ in execute_sensor_iteration(context, logging.getLogger("sensor"), threadpool_executor=None,
                                      submit_threadpool_executor=None):
        pass


def evaluate_directly(instance):
    import importlib.util

    import dagster as dg

    spec = importlib.util.spec_from_file_location("toy_defs_direct", TOY / "toy_defs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    repo = module.defs.get_repository_def()
    context = dg.build_sensor_context(instance=instance, repository_def=repo)
    return module.catch_up(context)


def main() -> None:
    import dagster as dg
    from dagster._core.execution.backfill import BulkActionsFilter
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import WorkspaceFileTarget

    toy_dir = fresh_toy()
    os.chdir(TOY)
    landing = toy_dir / "landing"
    landing.mkdir()
    for day in DAYS[:3]:
        (landing / f"{day}.complete").touch()
    instance = dg.DagsterInstance.get()
    with WorkspaceProcessContext(instance, WorkspaceFileTarget(paths=[str(TOY / "workspace.yaml")])) as context:
        with Timer("sensor tick"):
            tick(context)
        backfills = instance.get_backfills()
        expect(len(backfills) == 1 and backfills[0].is_asset_backfill, "first tick launched one ASSET backfill")
        data = backfills[0].get_asset_backfill_data(context.create_request_context().asset_graph)
        expect(sorted(data.target_subset.get_partitions_subset(dg.AssetKey("learner")).get_partition_keys()) == DAYS[:3],
               "it targets exactly the three complete days")
        # The daemon would not evaluate again within minimum_interval_seconds; evaluate the sensor directly to
        # prove that the in-flight rule (days named by a REQUESTED backfill) holds on its own.
        result = evaluate_directly(instance)
        print(f"   direct evaluation while the backfill is in flight: {result}")
        expect(isinstance(result, dg.SkipReason), "while it is in flight, the sensor launches nothing")
        drive_in_process(context, backfills[0].backfill_id)
        expect(learner_order(toy_dir) == DAYS[:3], "the backfill learned the three days in order")
        (landing / f"{DAYS[3]}.complete").touch()
        # the sensor's minimum interval (30 s) applies to the daemon loop; reset the tick clock by waiting it out
        import time
        time.sleep(31)
        tick(context)
        backfills = instance.get_backfills(filters=BulkActionsFilter())
        newest = max(backfills, key=lambda b: b.backfill_timestamp)
        expect(len(backfills) == 2 and newest.tags["mira/days"] == DAYS[3],
               "when day 4 completes, the next tick backfills day 4 only")
        ticks = instance.get_ticks(
            next(iter(instance.all_instigator_state())).instigator_origin_id,
            next(iter(instance.all_instigator_state())).selector_id,
        )
        print("   tick statuses:", [t.status.value for t in ticks])


if __name__ == "__main__":
    main()
