"""A small code location shaped like mira-storage's day graph, for the server-backed ops tests.

`landing` -> `learner` (self-dependent like htm_state: day d needs d-1, refuses to run out of order)
-> `patterns` (pool chroma); `landing` -> `collection` (pool chroma). Every asset appends
"<asset> <day> <pid>" to $TOY_DIR/order.log. The executor is chosen when the location LOADS:
MIRA_EXECUTOR=celery uses the Celery executor with MIRA_CELERY_BROKER / MIRA_CELERY_BACKEND.
"""

import os
from datetime import date, timedelta
from pathlib import Path

import dagster as dg


def _log(asset: str, day: str) -> None:
    with open(Path(os.environ["TOY_DIR"]) / "order.log", "a") as f:
        f.write(f"{asset} {day} {os.getpid()}\n")


def build_assets(daily: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    @dg.asset(partitions_def=daily)
    def landing(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        _log("landing", context.partition_key)
        return dg.MaterializeResult(metadata={"records": 10})

    @dg.asset(partitions_def=daily, deps=[landing, dg.AssetDep(
        "learner", partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1))],
        check_specs=[dg.AssetCheckSpec("state_is_sane", asset="learner", partitions_def=daily)])
    def learner(context: dg.AssetExecutionContext):
        day = date.fromisoformat(context.partition_key)
        states = Path(os.environ["TOY_DIR"]) / "learner"
        states.mkdir(exist_ok=True)
        earlier = sorted(p.stem for p in states.glob("*.state") if p.stem < day.isoformat())
        previous = (day - timedelta(days=1)).isoformat()
        if earlier and earlier[-1] != previous:
            raise RuntimeError(f"learner {day}: day-order rule: {previous} is missing")
        (states / f"{day.isoformat()}.state").write_text("learned")
        _log("learner", day.isoformat())
        yield dg.MaterializeResult(metadata={"days_learned": len(earlier) + 1})
        yield dg.AssetCheckResult(check_name="state_is_sane", passed=True)

    @dg.asset(partitions_def=daily, deps=[learner], pool="chroma")
    def patterns(context: dg.AssetExecutionContext) -> None:
        _log("patterns", context.partition_key)

    @dg.asset(partitions_def=daily, deps=[landing], pool="chroma")
    def collection(context: dg.AssetExecutionContext) -> None:
        _log("collection", context.partition_key)

    return [landing, learner, patterns, collection]


def executor() -> dg.ExecutorDefinition:
    if os.environ.get("MIRA_EXECUTOR", "in_process") == "celery":
        from dagster_celery import celery_executor

        return celery_executor.configured({"broker": {"env": "MIRA_CELERY_BROKER"},
                                           "backend": {"env": "MIRA_CELERY_BACKEND"}})
    return dg.in_process_executor


@dg.definitions
def defs() -> dg.Definitions:
    daily = dg.DailyPartitionsDefinition(start_date="2026-11-01", end_date="2026-11-11", timezone="UTC")
    job = dg.define_asset_job("toy_job", selection=dg.AssetSelection.all(), partitions_def=daily)
    return dg.Definitions(assets=build_assets(daily), jobs=[job], executor=executor())
