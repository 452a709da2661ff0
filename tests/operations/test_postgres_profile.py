"""The PostgreSQL profile with the daemon: a 3-day backfill runs through `dagster-daemon` with its runs and events in
a real PostgreSQL server, and a cancelled run that still held the `chroma` slot does not block it (run
monitoring frees a finished run's slots). The suite's one daemon-driven backfill: the daemon's backfill loop
sleeps 30 s between rounds."""

from __future__ import annotations

import contextlib
import os
import shutil
import time

import dagster as dg
import pytest

from mira_assets.operations.dead_runs import host_tags
from mira_assets.operations.instance_home import write_instance_yaml
from operations.helpers import DAYS, ROOT, new_site, runs_of, slot_holders, wait_until
from operations.servers import dagster_daemon

# Faster monitoring than config/dagster.yaml's 30 s / 60 s, to keep the test short.
FAST_MONITORING = {"run_monitoring": {"poll_interval_seconds": 5, "free_slots_after_run_end_seconds": 5}}
FACTS = ["fact_embeddings", "facts", "identified_facts"]


@pytest.mark.slow
def test_a_backfill_run_by_the_daemon_is_stored_in_postgres_and_a_cancelled_run_blocks_nothing(tmp_path, postgres):
    site = new_site(tmp_path, days=3, profiles=("postgres",), extra_env=postgres.env)
    again = site.mira("instance", "init")  # as `make demo` / `make ui` do: the home keeps its profile
    assert "(PostgresRunStorage; profiles: postgres)" in again.stdout
    write_instance_yaml(site.home, ["postgres"], extra=FAST_MONITORING)
    shutil.rmtree(site.data / "landing" / "_complete")  # no catch-up backfill beside the one under test
    with site.instance() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        cancelled = instance.add_run(dg.DagsterRun(job_name="daily_storage_job", status=dg.DagsterRunStatus.STARTED,
                                                   tags=host_tags(os.getpid())))
        instance.event_log_storage.initialize_concurrency_limit_to_default("chroma")
        assert instance.event_log_storage.claim_concurrency_slot("chroma", cancelled.run_id,
                                                                 "stored_memories").is_claimed
        instance.report_run_canceled(cancelled, message="cancelled while it held the slot")
        assert slot_holders(instance) == [(cancelled.run_id, "stored_memories")]

        with dagster_daemon(ROOT / "workspace.yaml", site.env, tmp_path / "daemon.log"):
            wait_until(lambda: _backfill_daemon_alive(instance), 120, "the daemon's first heartbeat", every_s=1)
            started = time.time()
            watched = site.mira("backfill", "--start", DAYS[0], "--end", DAYS[-1], "--select", "group:facts",
                                "--wait", timeout=600)
            print(f"3-day backfill through the daemon: {time.time() - started:.0f} s")
        assert "a Dagster daemon runs backfills on this instance: waiting for it" in watched.stderr
        assert "9 of 9 asset partitions materialized" in watched.stdout
        assert slot_holders(instance) == [], "run monitoring gave the cancelled run's slot back"
        [backfill] = instance.get_backfills()
        runs = runs_of(instance, **{"dagster/backfill": backfill.backfill_id})
    assert runs and {run.status for run in runs} == {dg.DagsterRunStatus.SUCCESS}
    assert all("mira/pid" not in run.tags and run.tags.get("mira/host") for run in runs), \
        "the daemon launched them (LocalRunLauncher), the CLI only watched"

    with contextlib.closing(postgres.connect()) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT run_id, status FROM runs")
        stored_runs = dict(cursor.fetchall())
        cursor.execute("SELECT asset_key, partition FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION'")
        materialized = sorted((dg.AssetKey.from_db_string(key).to_user_string(), day) for key, day in cursor.fetchall())
        cursor.execute("SELECT count(*) FROM bulk_actions")
        (backfills,) = cursor.fetchone()
    assert {run.run_id for run in runs} <= set(stored_runs), "every run of the backfill is a row in PostgreSQL"
    assert {stored_runs[run.run_id] for run in runs} == {"SUCCESS"}
    assert materialized == sorted((asset, day) for asset in FACTS for day in DAYS)
    assert backfills == 1


def _backfill_daemon_alive(instance) -> bool:
    from mira_assets.operations.backfills import daemon_drives_backfills

    return daemon_drives_backfills(instance)
