"""Backfills keep htm_state's days in order: `mira backfill` (an asset backfill, driven here when no daemon runs)
learns the days one after the other and names the partitions it could not make; a job backfill, which runs the
days side by side, cannot make htm_state learn out of order: the later day fails loudly on the day-order rule."""

from __future__ import annotations

import datetime as dt
import logging

import dagster as dg

from operations.helpers import DAYS, new_site, runs_of, step_failures

ANCESTORS_AND_HTM = "+key:htm_state"  # htm_state and everything it reads (memories, their embeddings, ...)


def htm_materializations(instance) -> list[tuple[str, str]]:
    """(day, the day its state continues) of every htm_state materialization, in the order they happened."""
    records = instance.fetch_materializations(dg.AssetKey("htm_state"), limit=100, ascending=True).records
    return [(r.partition_key, r.asset_materialization.metadata["continues"].value) for r in records]


def test_mira_backfill_learns_the_days_in_order_and_names_what_failed(tmp_path):
    site = new_site(tmp_path, days=3)
    # Days 2 and 3 first: day 1 has memories and no HTM state yet, so htm_state may not start fresh on day 2.
    failed = site.mira("backfill", "--start", DAYS[1], "--end", DAYS[2], "--select", ANCESTORS_AND_HTM, "--wait",
                       check=False)
    assert failed.returncode == 1, failed.stderr[-3000:]
    assert "ended COMPLETED_FAILED; failed partitions (or downstream of a failure):" in failed.stderr
    assert f"  htm_state: {DAYS[1]}, {DAYS[2]}" in failed.stderr
    with site.instance() as instance:
        [failure] = [f for run in runs_of(instance) for f in step_failures(instance, run.run_id).values()]
        assert f"{DAYS[0]} has memories and no state yet" in failure
        assert htm_materializations(instance) == []

    done = site.mira("backfill", "--start", DAYS[0], "--end", DAYS[2], "--select", ANCESTORS_AND_HTM, "--wait")
    assert "asset partitions materialized" in done.stdout
    with site.instance() as instance:
        assert htm_materializations(instance) == [(DAYS[0], "-"), (DAYS[1], DAYS[0]), (DAYS[2], DAYS[1])]
        backfill_runs = runs_of(instance, **{"mira/launched_by": "mira backfill"})
    assert backfill_runs and all(run.tags["mira/host"] for run in backfill_runs), "executed here, findable if killed"


def test_a_job_backfill_cannot_make_htm_state_learn_out_of_order(tmp_path, monkeypatch):
    """The job's Partitions page -> Launch backfill: one run of the whole job per day, and nothing orders them
    (with a daemon, two run at once). Here day 2's run goes first, as it may under a daemon."""
    from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill
    from dagster._core.utils import make_new_backfill_id
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._time import get_current_timestamp

    from mira_assets.operations.backfills import advance, backfill_runs, execute_queued_run
    from mira_assets.operations.location_runs import location_target

    site = new_site(tmp_path, days=2)
    for key in ("MIRA_DATA", "MIRA_VAULT_KEY_FILE", "MIRA_PARTITION_START", "DAGSTER_HOME"):
        monkeypatch.setenv(key, site.env[key])
    with site.instance() as instance, WorkspaceProcessContext(instance, location_target(),
                                                              code_server_log_level="WARNING") as context:
        location = next(iter(context.create_request_context().get_code_location_entries().values())).code_location
        (repo,) = location.get_repositories().values()
        (partition_set,) = [ps for ps in repo.get_partition_sets() if ps.job_name == "daily_storage_job"]
        backfill = PartitionBackfill(
            backfill_id=make_new_backfill_id(), partition_set_origin=partition_set.get_remote_origin(),
            status=BulkActionStatus.REQUESTED, partition_names=DAYS[:2], from_failure=False,
            reexecution_steps=None, tags={}, backfill_timestamp=get_current_timestamp(), asset_selection=None,
            title="job backfill", description=None, run_config=None)
        instance.add_backfill(backfill)
        advance(context, backfill.backfill_id, logging.getLogger("test"))
        queued = backfill_runs(instance, backfill.backfill_id)
        assert [run.tags["dagster/partition"] for run in queued] == DAYS[:2], "one run per day, both queued at once"
        for run in reversed(queued):
            execute_queued_run(instance, run)
        day2, day1 = (instance.get_run_by_id(run.run_id) for run in reversed(queued))
        assert day1.status == dg.DagsterRunStatus.SUCCESS
        assert day2.status == dg.DagsterRunStatus.FAILURE
        failures = step_failures(instance, day2.run_id)
        assert f"htm_state for {DAYS[1]} would start a fresh HTM state, but {DAYS[0]} has memories and no state " \
               f"yet" in failures["htm_state"]
        assert htm_materializations(instance) == [(DAYS[0], "-")], "day 2 learned nothing before day 1"
    files = sorted(p.name for p in (site.data / "databases" / "lightning_vidmem" / "htm_state").rglob("*.enc"))
    assert files == [f"{dt.date.fromisoformat(DAYS[0]).isoformat()}.enc"]
