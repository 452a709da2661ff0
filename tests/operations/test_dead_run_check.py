"""Telling a dead run from a live one on this machine: the rule the dead-run check (every mira command that
runs or drives runs) and the daemon's run monitoring (through LocalRunLauncher) share."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import dagster as dg
import pytest
from dagster._core.events import DagsterEvent, DagsterEventType, EngineEventData
from dagster._core.launcher import WorkerStatus

from mira_assets.operations.dead_runs import HOST_TAG, host_tags, reap_dead_runs
from mira_assets.operations.run_launcher import LocalRunLauncher


@pytest.fixture
def instance(tmp_path):
    with dg.DagsterInstance.local_temp(str(tmp_path), overrides={
            "concurrency": {"pools": {"default_limit": 1, "granularity": "op"}},
            "run_launcher": {"module": "mira_assets.operations.run_launcher", "class": "LocalRunLauncher"}}) as inst:
        yield inst


def killed_process() -> int:
    """The pid of a process that ran and was killed with SIGKILL."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    process.kill()
    process.wait()
    return process.pid


def started_run(instance, pid: int, host: str | None = None, holds_slot: bool = False) -> dg.DagsterRun:
    """A STARTED run whose worker logged ``pid`` (as our executor does), optionally holding the chroma slot."""
    tags = {**host_tags(pid), **({HOST_TAG: host} if host else {})}
    run = instance.add_run(dg.DagsterRun(job_name="daily_storage_job", status=dg.DagsterRunStatus.STARTED,
                                         tags={**tags, "dagster/partition": "2026-11-01"}))
    instance.report_dagster_event(DagsterEvent(
        event_type_value=DagsterEventType.ENGINE_EVENT.value, job_name=run.job_name,
        message=f"Executing steps in process (pid: {pid})",
        event_specific_data=EngineEventData.in_process(pid)), run_id=run.run_id)
    if holds_slot:
        instance.event_log_storage.initialize_concurrency_limit_to_default("chroma")
        assert instance.event_log_storage.claim_concurrency_slot("chroma", run.run_id, "stored_memories").is_claimed
    return run


def test_a_run_whose_process_was_killed_is_marked_failed_and_gives_back_its_slot(instance):
    dead = started_run(instance, killed_process(), holds_slot=True)
    alive = started_run(instance, os.getpid())
    elsewhere = started_run(instance, killed_process(), host="another-host")
    lines = []
    reaped = reap_dead_runs(instance, log=lines.append)
    assert [r.run_id for r in reaped] == [dead.run_id]
    assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
    assert instance.event_log_storage.get_concurrency_info("chroma").claimed_slots == []
    assert lines == [f"dead run {dead.run_id} (daily_storage_job 2026-11-01): process {reaped[0].pid} is gone; "
                     f"marked FAILURE, freed 1 pool slot(s) chroma:stored_memories"]
    assert instance.get_run_by_id(alive.run_id).status == dg.DagsterRunStatus.STARTED
    assert instance.get_run_by_id(elsewhere.run_id).status == dg.DagsterRunStatus.STARTED, "another host's run"
    assert reap_dead_runs(instance, log=lines.append) == [], "a second look finds nothing more"


def test_run_monitoring_learns_from_the_launcher_which_workers_are_gone(instance):
    launcher = instance.run_launcher
    assert isinstance(launcher, LocalRunLauncher) and launcher.supports_check_run_worker_health
    dead = started_run(instance, killed_process())
    assert launcher.check_run_worker_health(instance.get_run_by_id(dead.run_id)).status == WorkerStatus.FAILED
    alive = started_run(instance, os.getpid())
    assert launcher.check_run_worker_health(instance.get_run_by_id(alive.run_id)).status == WorkerStatus.RUNNING
    # UNKNOWN would make the daemon fail the run: another host's runs and runs without a pid yet are RUNNING
    other = started_run(instance, killed_process(), host="another-host")
    assert launcher.check_run_worker_health(instance.get_run_by_id(other.run_id)).status == WorkerStatus.RUNNING
    fresh = instance.add_run(dg.DagsterRun(job_name="j", status=dg.DagsterRunStatus.STARTING,
                                           tags={HOST_TAG: socket.gethostname()}))
    assert launcher.check_run_worker_health(fresh).status == WorkerStatus.RUNNING


def test_terminate_from_the_ui_reaches_runs_a_mira_process_executes(instance):
    launcher = instance.run_launcher
    alive = started_run(instance, os.getpid())
    assert launcher.terminate(alive.run_id)
    assert instance.get_run_by_id(alive.run_id).status == dg.DagsterRunStatus.CANCELING, "its process stops it"
    dead = started_run(instance, killed_process(), holds_slot=True)
    assert launcher.terminate(dead.run_id)
    assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.CANCELED, "nobody else would"
    assert instance.event_log_storage.get_concurrency_info("chroma").claimed_slots == []
