"""Prototype (c): why every check shows a "Skipped" twin with no partition, and the 1.13 fix.

Two daily assets, one with today's kind of check (AssetCheckSpec without partitions_def) and one with a
partitioned check (AssetCheckSpec(..., partitions_def=daily), preview in 1.13). Two days of each are
materialized with dg.materialize on one instance; then the instance's check execution records, and the
webserver's GraphQL (assetCheckExecutions, as the asset's Checks tab reads them), are printed.

Observed on 1.13.28: for the unpartitioned spec every run writes a PLANNED record *with* the partition
(ASSET_CHECK_EVALUATION_PLANNED carries it) and a separate evaluation record *without* one; the planned
record never gets a result, so the UI shows it as skipped. With partitions_def on the spec, the result
lands on the planned record of its partition: one record per day, each with its own pass/fail.

Usage: .venv/bin/python scratch/c_partitioned_checks.py
"""


import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import expect  # noqa: E402

import dagster as dg  # noqa: E402

daily = dg.DailyPartitionsDefinition(start_date="2026-11-01", timezone="UTC")


@dg.asset(partitions_def=daily, check_specs=[dg.AssetCheckSpec("quarantine_is_empty", asset="plain_checked")])
def plain_checked(context: dg.AssetExecutionContext):
    yield dg.MaterializeResult()
    yield dg.AssetCheckResult(check_name="quarantine_is_empty", passed=context.partition_key != "2026-11-02",
                              severity=dg.AssetCheckSeverity.WARN)


@dg.asset(partitions_def=daily,
          check_specs=[dg.AssetCheckSpec("quarantine_is_empty", asset="day_checked", partitions_def=daily)])
def day_checked(context: dg.AssetExecutionContext):
    yield dg.MaterializeResult()
    yield dg.AssetCheckResult(check_name="quarantine_is_empty", passed=context.partition_key != "2026-11-02",
                              severity=dg.AssetCheckSeverity.WARN)


QUERY = """
query ($key: AssetKeyInput!) {
  assetNodeOrError(assetKey: $key) { ... on AssetNode {
    assetChecksOrError { ... on AssetChecks { checks { name partitionDefinition { name }
        executionForLatestMaterialization { status evaluation { success partition } }
        partitionStatuses { __typename ... on AssetCheckTimePartitionStatuses { ranges { startKey endKey status } } }
    } } } } }
  assetCheckExecutions(assetKey: $key, checkName: "quarantine_is_empty", limit: 10) {
    status runId evaluation { success partition } }
}
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        with dg.DagsterInstance.local_temp(home, overrides={"telemetry": {"enabled": False}}) as instance:
            for day in ("2026-11-01", "2026-11-02"):
                dg.materialize([plain_checked, day_checked], partition_key=day, instance=instance)
            records = {}
            for asset in ("plain_checked", "day_checked"):
                key = dg.AssetCheckKey(dg.AssetKey(asset), "quarantine_is_empty")
                history = instance.event_log_storage.get_asset_check_execution_history(key, limit=10)
                records[asset] = [(r.status.value, r.partition) for r in history]
                print(f"{asset:14} records: {records[asset]}")
            graphql = graphql_view(instance, [plain_checked, day_checked])
    expect(("PLANNED", "2026-11-02") in records["plain_checked"] and ("FAILED", None) in records["plain_checked"],
           "unpartitioned check: a PLANNED record per day that never resolves + a result with no partition")
    expect(sorted(records["day_checked"]) == [("FAILED", "2026-11-02"), ("SUCCEEDED", "2026-11-01")],
           "partitioned check: exactly one record per day, holding that day's result")
    expect([e["evaluation"]["partition"] for e in graphql["day_checked"]] == ["2026-11-02", "2026-11-01"],
           "GraphQL assetCheckExecutions (the Checks tab) shows each day's result with its partition")
    ranges = {(r["startKey"], r["status"]) for r in graphql["day_checked:ranges"]}
    expect({("2026-11-01", "SUCCEEDED"), ("2026-11-02", "FAILED")} <= ranges,
           "the check's partitionStatuses (its per-day status bar) give each day its own status")


def graphql_view(instance, assets) -> dict:
    """The same records through the webserver's schema, with an in-process code location of these assets."""
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
    from dagster._core.remote_origin import InProcessCodeLocationOrigin
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
    from dagster_graphql.test.utils import execute_dagster_graphql

    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(python_file=__file__, attribute="defs", working_directory=str(Path(__file__).parent)),
        location_name="checks_demo",
    )
    out = {}
    with WorkspaceProcessContext(instance, InProcessWorkspaceLoadTarget(origin)) as context:
        for asset in ("plain_checked", "day_checked"):
            result = execute_dagster_graphql(context.create_request_context(), QUERY, {"key": {"path": [asset]}})
            assert not result.errors, result.errors
            executions = result.data["assetCheckExecutions"]
            node = result.data["assetNodeOrError"]["assetChecksOrError"]["checks"][0]
            print(f"{asset:14} GraphQL executions: {[(e['status'], e['evaluation'] and e['evaluation']['partition']) for e in executions]}")
            print(f"{asset:14} check node: partitioned={node['partitionDefinition'] is not None} "
                  f"latest={node['executionForLatestMaterialization']}")
            out[asset] = [e for e in executions if e["evaluation"]]
            out[f"{asset}:ranges"] = (node["partitionStatuses"] or {}).get("ranges")
            print(f"{asset:14} per-partition status ranges: {out[f'{asset}:ranges']}")
    return out


defs = dg.Definitions(assets=[plain_checked, day_checked])

if __name__ == "__main__":
    main()
