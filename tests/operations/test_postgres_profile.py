"""The PostgreSQL profile: a 3-day asset backfill run by the daemon keeps its runs and events in PostgreSQL."""

from __future__ import annotations

import contextlib

import dagster as dg
import pytest

from ops.helpers import TOY, daemon, instance_home, launch_asset_backfill, learner_order, wait_for_backfill

DAYS = ["2026-11-01", "2026-11-02", "2026-11-03"]


@pytest.mark.slow
def test_a_backfill_run_by_the_daemon_is_stored_in_postgres(tmp_path, toy_dir, postgres, monkeypatch):
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import WorkspaceFileTarget

    home = instance_home(tmp_path / "dagster_home", "postgres")
    env = {**postgres.env, "DAGSTER_HOME": str(home), "TOY_DIR": str(toy_dir)}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(TOY)
    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        with WorkspaceProcessContext(instance, WorkspaceFileTarget(paths=[str(TOY / "workspace.yaml")])) as context:
            backfill_id = launch_asset_backfill(instance, context.create_request_context(), DAYS, "three days")
        with daemon(TOY / "workspace.yaml", env, tmp_path / "daemon.log"):
            wait_for_backfill(instance, backfill_id, timeout_s=400)
        assert instance.get_backfill(backfill_id).status.value == "COMPLETED_SUCCESS"
        run_ids = {r.run_id for r in instance.get_runs(filters=dg.RunsFilter(tags={"dagster/backfill": backfill_id}))}
    assert learner_order(toy_dir) == DAYS, "the asset backfill learned the days in order"

    with contextlib.closing(postgres.connect()) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT run_id, status FROM runs")
        stored_runs = dict(cursor.fetchall())
        cursor.execute("SELECT count(*) FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION'")
        (materializations,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM bulk_actions")
        (backfills,) = cursor.fetchone()
    assert run_ids and run_ids <= set(stored_runs), "every run of the backfill is a row in PostgreSQL"
    assert {stored_runs[r] for r in run_ids} == {"SUCCESS"}
    assert materializations == 4 * len(DAYS), "one materialization per asset and day, in PostgreSQL's event log"
    assert backfills == 1
