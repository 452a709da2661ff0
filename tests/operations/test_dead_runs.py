"""Nothing stuck (issue 9): `mira materialize` killed with SIGKILL while a `chroma` step holds the pool's only slot
does not stop the next one; a run waiting for a slot that a live run holds idles, and stops on the UI's
Terminate and on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import dagster as dg
import psutil
import pytest

from mira_assets.operations.dead_runs import host_tags
from operations.helpers import DAYS, new_site, pending_steps, runs_of, slot_holders, wait_until

TERMINATE = """
mutation ($runId: String!) {
  terminateRun(runId: $runId) { __typename ... on TerminateRunFailure { message } ... on PythonError { message } }
}
"""


def test_a_materialize_killed_during_a_chroma_step_does_not_stop_the_next_one(tmp_path):
    site = new_site(tmp_path, days=1)
    with site.instance() as instance:
        killed = site.start_mira("materialize", "--start", DAYS[0], log=tmp_path / "killed.log")
        try:
            [(run_id, step)] = wait_until(lambda: slot_holders(instance), 300, "a chroma step holding the slot",
                                          every_s=0.02)
        finally:
            os.killpg(killed.pid, signal.SIGKILL)
            killed.wait()
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED, "nothing finished the run"
        assert slot_holders(instance) == [(run_id, step)], "and it still holds the slot"

        started = time.time()
        rerun = site.mira("materialize", "--start", DAYS[0])
        assert (f"dead run {run_id} (daily_storage_job {DAYS[0]}): process {killed.pid} is gone; marked FAILURE, "
                f"freed 1 pool slot(s) chroma:{step}") in rerun.stderr
        assert f"{DAYS[0]}: ok" in rerun.stdout
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        assert slot_holders(instance) == []
        print(f"rerun after the kill: {time.time() - started:.1f} s")


@pytest.fixture
def live_holder(tmp_path):
    """Two demo days and a live run (this test process) holding the only `chroma` slot."""
    site = new_site(tmp_path, days=2)
    with site.instance() as instance:
        holder = instance.add_run(dg.DagsterRun(job_name="holder", status=dg.DagsterRunStatus.STARTED,
                                                tags=host_tags(os.getpid())))
        instance.event_log_storage.initialize_concurrency_limit_to_default("chroma")
        assert instance.event_log_storage.claim_concurrency_slot("chroma", holder.run_id, "held").is_claimed
        yield site, instance, holder.run_id


def blocked_run(instance, process: subprocess.Popen, holder: str) -> str:
    """The run of ``process`` once every step it could run has run and the rest wait for the pool."""
    def only_waiting():
        assert process.poll() is None, "mira materialize ended instead of waiting for the slot"
        waiting = [step for step in pending_steps(instance) if step[0] != holder]
        if not waiting:
            return None
        run_id = waiting[0][0]
        started = {r.step_key for r in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START)}
        ended = {r.step_key for r in instance.all_logs(run_id, of_type={dg.DagsterEventType.STEP_SUCCESS,
                                                                        dg.DagsterEventType.STEP_FAILURE})}
        return run_id if started == ended else None

    run_id = wait_until(only_waiting, 300, "the run waiting for the chroma slot", every_s=0.5)
    time.sleep(2)
    assert only_waiting() == run_id, "the run started no step while the slot was taken"
    return run_id


def cpu_share(pid: int, seconds: float = 3.0) -> float:
    process = psutil.Process(pid)
    before = process.cpu_times()
    time.sleep(seconds)
    after = process.cpu_times()
    return (after.user + after.system - before.user - before.system) / seconds


def terminate_from_the_ui(instance, run_id: str) -> str:
    """What the UI's Terminate button sends (the webserver's GraphQL mutation)."""
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster_graphql.test.utils import execute_dagster_graphql

    from mira_assets.operations.location_runs import location_target

    with WorkspaceProcessContext(instance, location_target(), code_server_log_level="WARNING") as context:
        result = execute_dagster_graphql(context.create_request_context(), TERMINATE, {"runId": run_id})
    return result.data["terminateRun"]["__typename"]


def stop_while_blocked(instance, process: subprocess.Popen, holder: str, stop, timeout_s: float) -> tuple[str, int]:
    """Wait until ``process``'s run waits for the slot, ``stop(run_id)`` it, and return (run id, exit status)."""
    try:
        run_id = blocked_run(instance, process, holder)
        stop(run_id)
        started = time.time()
        code = process.wait(timeout_s)
        print(f"stopped {time.time() - started:.1f} s after {stop.__name__}")
    finally:
        if process.poll() is None:
            process.kill()
    return run_id, code


def test_a_run_waiting_for_a_live_runs_slot_idles_and_the_ui_can_terminate_it(live_holder, tmp_path):
    site, instance, holder = live_holder
    process = site.start_mira("materialize", "--start", DAYS[0], "--days", "2", log=tmp_path / "blocked.log")

    def terminate(run_id: str) -> None:
        share = cpu_share(process.pid)
        print(f"a run waiting for the slot uses {share:.1%} of a core (load {os.getloadavg()[0]:.1f})")
        assert share < 0.10, "waiting for a slot must not spin"
        assert terminate_from_the_ui(instance, run_id) == "TerminateRunSuccess"

    run_id, code = stop_while_blocked(instance, process, holder, terminate, timeout_s=30)
    log = (tmp_path / "blocked.log").read_text()
    assert code == 1, log[-2000:]
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.CANCELED
    assert f"run {run_id} was terminated: the days after {DAYS[0]} were not run" in log
    assert [run.tags["dagster/partition"] for run in runs_of(instance, **{"mira/launched_by": "mira materialize"})] \
        == [DAYS[0]]
    assert [step for step in pending_steps(instance) if step[0] == run_id] == [], "its wait left no claim behind"


def test_ctrl_c_stops_a_run_waiting_for_a_slot(live_holder, tmp_path):
    site, instance, holder = live_holder
    process = site.start_mira("materialize", "--start", DAYS[0], log=tmp_path / "interrupted.log")

    def ctrl_c(run_id: str) -> None:
        process.send_signal(signal.SIGINT)

    run_id, code = stop_while_blocked(instance, process, holder, ctrl_c, timeout_s=10)
    assert code == 130, (tmp_path / "interrupted.log").read_text()[-2000:]
    run = instance.get_run_by_id(run_id)
    assert run.status == dg.DagsterRunStatus.FAILURE and run.tags["mira/host"] == socket.gethostname()
    assert [step for step in pending_steps(instance) if step[0] == run_id] == []
