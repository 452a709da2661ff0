"""A small code location shaped like mira-storage's day graph, for the backfill prototypes.

`landing` (a day's input) -> `learner` (self-dependent: day d needs day d-1, like htm_state) -> `patterns`
(pool chroma); `landing` -> `collection` (pool chroma). `learner` writes a state file per day and refuses
to run when an earlier state exists but the previous day's is missing (the day-order rule); every asset
appends "<asset> <day> <pid> <t>" to order.log. A day listed in `fail_days` makes `landing` fail.
TOY_DIR is read inside the asset bodies (run time), never at import.
"""

import os
import time
from datetime import date, timedelta
from pathlib import Path

import dagster as dg

daily = dg.DailyPartitionsDefinition(start_date="2026-11-01", end_date="2026-11-11", timezone="UTC")


def _dir() -> Path:
    return Path(os.environ["TOY_DIR"])


def _log(asset: str, day: str) -> None:
    with open(_dir() / "order.log", "a") as f:
        f.write(f"{asset} {day} {os.getpid()} {time.time():.3f}\n")


@dg.asset(partitions_def=daily)
def landing(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    day = context.partition_key
    fail = (_dir() / "fail_days").read_text().split() if (_dir() / "fail_days").exists() else []
    if day in fail:
        raise RuntimeError(f"landing {day}: told to fail")
    time.sleep(float(os.environ.get("TOY_SLEEP", "0")))
    _log("landing", day)
    return dg.MaterializeResult(metadata={"records": 10})


@dg.asset(
    partitions_def=daily,
    deps=[landing, dg.AssetDep("learner", partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1))],
    check_specs=[dg.AssetCheckSpec("state_is_sane", asset="learner", partitions_def=daily)],
)
def learner(context: dg.AssetExecutionContext):
    day = date.fromisoformat(context.partition_key)
    states = _dir() / "learner"
    states.mkdir(exist_ok=True)
    earlier = sorted(p.stem for p in states.glob("*.state") if p.stem < day.isoformat())
    previous = (day - timedelta(days=1)).isoformat()
    if earlier and earlier[-1] != previous:
        raise RuntimeError(f"learner {day}: day-order rule: state of {previous} is missing (latest is {earlier[-1]})")
    (states / f"{day.isoformat()}.state").write_text(f"learned after {earlier[-1] if earlier else 'nothing'}")
    _log("learner", day.isoformat())
    yield dg.MaterializeResult(metadata={"days_learned": len(earlier) + 1})
    yield dg.AssetCheckResult(check_name="state_is_sane", passed=True, metadata={"day": day.isoformat()})


@dg.asset(partitions_def=daily, deps=[learner], pool="chroma")
def patterns(context: dg.AssetExecutionContext) -> None:
    _log("patterns", context.partition_key)


@dg.asset(partitions_def=daily, deps=[landing], pool="chroma")
def collection(context: dg.AssetExecutionContext) -> None:
    time.sleep(float(os.environ.get("TOY_CHROMA_SLEEP", "0")))
    _log("collection", context.partition_key)


@dg.sensor(asset_selection=dg.AssetSelection.all(), minimum_interval_seconds=30,
           default_status=dg.DefaultSensorStatus.RUNNING)
def catch_up(context: dg.SensorEvaluationContext):
    """Complete landing days (a `<day>.complete` marker) not yet materialized -> one asset backfill, in order."""
    from dagster._core.definitions.assets.graph.asset_graph_subset import AssetGraphSubset
    from dagster._core.definitions.events import AssetKeyPartitionKey
    from dagster._core.execution.backfill import BulkActionsFilter, BulkActionStatus

    landing_dir = _dir() / "landing"
    complete = sorted(p.name.removesuffix(".complete") for p in landing_dir.glob("*.complete"))
    asset_graph = context.repository_def.asset_graph
    keys = sorted(asset_graph.materializable_asset_keys)
    # A day is done when every asset has it; the last asset in the order is enough only with a linear graph.
    done = set.intersection(*(set(context.instance.get_materialized_partitions(k)) for k in keys))
    in_flight = set()
    for backfill in context.instance.get_backfills(filters=BulkActionsFilter(statuses=[BulkActionStatus.REQUESTED])):
        in_flight |= set(backfill.tags.get("mira/days", "").split())
    todo = [d for d in complete if d not in done and d not in in_flight and d in daily.get_partition_keys()]
    if not todo:
        return dg.SkipReason(f"{len(complete)} complete day(s), none left to materialize")
    subset = AssetGraphSubset.from_asset_partition_set(
        {AssetKeyPartitionKey(k, d) for k in keys for d in todo}, asset_graph)
    context.log.info(f"catch-up: asset backfill of {len(todo)} day(s) {todo[0]}..{todo[-1]}")
    return dg.SensorResult(run_requests=[dg.RunRequest.for_asset_graph_subset(
        subset, tags={"mira/days": " ".join(todo), "mira/launched_by": "catch_up"})])


toy_job = dg.define_asset_job("toy_job", selection=dg.AssetSelection.all(), partitions_def=daily)

defs = dg.Definitions(assets=[landing, learner, patterns, collection], jobs=[toy_job], sensors=[catch_up], executor=dg.in_process_executor)
