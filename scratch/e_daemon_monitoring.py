"""Prototype (e), part 3: the daemon path - run_monitoring with free_slots_after_run_end_seconds.

Toy code location; `collection` (pool chroma) sleeps 120 s so it holds the slot. A run of toy_job is
queued, `dagster-daemon run` dequeues and launches it (DefaultRunLauncher -> code server -> run worker).
While `collection` holds the slot the daemon's whole process group (daemon, code server, run worker) gets
SIGKILL - a machine crash, as far as Dagster can tell. Then the daemon is started again:

 control   instance with run_monitoring but the stock DefaultRunLauncher: the dead run stays STARTED and
           keeps the slot (checked for 40 s).
 fixed     same, with run_launcher LocalRunLauncher (scratch/ops_lib/run_launcher.py): run monitoring's
           health check fails the run, and free_slots_after_run_end_seconds frees its slot.

Usage: PYTHONPATH=scratch .venv/bin/python scratch/e_daemon_monitoring.py
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from b_asset_backfill import DAYS, TOY, fresh_toy  # noqa: E402
from common import ROOT, Timer, expect  # noqa: E402

MONITORING = """
run_monitoring:
  enabled: true
  poll_interval_seconds: 5
  free_slots_after_run_end_seconds: 5
"""
LAUNCHER = """
run_launcher:
  module: ops_lib.run_launcher
  class: LocalRunLauncher
"""


def start_daemon() -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scratch"), "TOY_CHROMA_SLEEP": "120"}
    return subprocess.Popen([str(ROOT / ".venv/bin/dagster-daemon"), "run", "-w", str(TOY / "workspace.yaml")],
                            cwd=TOY, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def queue_run(instance) -> str:
    from dagster._core.definitions.selector import JobSubsetSelector
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import WorkspaceFileTarget

    with WorkspaceProcessContext(instance, WorkspaceFileTarget(paths=[str(TOY / "workspace.yaml")])) as context:
        request = context.create_request_context()
        location = request.get_code_location("toy")
        (repo,) = location.get_repositories().values()
        job = location.get_job(JobSubsetSelector(location_name="toy", repository_name=repo.name,
                                                 job_name="toy_job", op_selection=None))
        plan = location.get_execution_plan(job, {}, step_keys_to_execute=None, known_state=None, instance=instance)
        run = instance.create_run(
            job_name="toy_job", run_id=None, run_config={}, status=None, tags={"dagster/partition": DAYS[0]},
            root_run_id=None, parent_run_id=None, step_keys_to_execute=None,
            execution_plan_snapshot=plan.execution_plan_snapshot, job_snapshot=job.job_snapshot,
            parent_job_snapshot=None, asset_selection=None, asset_check_selection=None, resolved_op_selection=None,
            op_selection=None, remote_job_origin=job.get_remote_origin(), job_code_origin=job.get_python_origin(),
            asset_graph=repo.asset_graph)
        instance.submit_run(run.run_id, request)  # QUEUED: the daemon's run queue launches it
    return run.run_id


def crash_while_holding_slot(instance) -> str:
    daemon = start_daemon()
    run_id = queue_run(instance)
    deadline = time.time() + 300
    while time.time() < deadline:
        holders = instance.event_log_storage.get_concurrency_info("chroma").claimed_slots
        if holders:
            break
        time.sleep(0.2)
    else:
        os.killpg(daemon.pid, signal.SIGKILL)
        raise TimeoutError("the run never claimed the chroma slot")
    os.killpg(daemon.pid, signal.SIGKILL)
    daemon.wait()
    time.sleep(1)
    return run_id


def scenario(name: str, yaml_extra: str, watch_s: float):
    import dagster as dg

    toy_dir = fresh_toy()
    home = Path(os.environ["DAGSTER_HOME"])
    (home / "dagster.yaml").write_text((home / "dagster.yaml").read_text() + yaml_extra)
    os.environ["PYTHONPATH"] = str(ROOT / "scratch")
    instance = dg.DagsterInstance.get()
    run_id = crash_while_holding_slot(instance)
    print(f"   {name}: killed daemon+code server+run worker while run {run_id[:8]} held the slot")
    expect(instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED, f"{name}: the run is left STARTED")
    daemon = start_daemon()
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < watch_s:
            run = instance.get_run_by_id(run_id)
            slots = instance.event_log_storage.get_concurrency_info("chroma").claimed_slots
            if run.status != dg.DagsterRunStatus.STARTED and not slots:
                break
            time.sleep(1)
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(30)
    seconds = time.perf_counter() - started
    run = instance.get_run_by_id(run_id)
    slots = instance.event_log_storage.get_concurrency_info("chroma").claimed_slots
    messages = [e.message for e in instance.all_logs(run_id, of_type={dg.DagsterEventType.RUN_FAILURE,
                                                                        dg.DagsterEventType.ENGINE_EVENT})]
    print(f"   {name}: after {seconds:.0f} s with a fresh daemon: {run.status.value}, slots {[(s.run_id[:8], s.step_key) for s in slots]}")
    print("   last events:", [m[:110] for m in messages[-2:]])
    return run.status, slots, seconds


def main() -> None:
    import dagster as dg

    print("control: run_monitoring on, stock DefaultRunLauncher")
    with Timer("control"):
        status, slots, _ = scenario("control", MONITORING, watch_s=40)
    expect(status == dg.DagsterRunStatus.STARTED and len(slots) == 1,
           "control: the dead run stays STARTED and keeps the slot (monitoring cannot check DefaultRunLauncher)")
    print("fixed: run_monitoring on, LocalRunLauncher")
    with Timer("fixed"):
        status, slots, seconds = scenario("fixed", MONITORING + LAUNCHER, watch_s=120)
    expect(status == dg.DagsterRunStatus.FAILURE, "fixed: monitoring marks the dead run FAILURE")
    expect(not slots, f"fixed: free_slots_after_run_end_seconds freed its slot ({seconds:.0f} s after the daemon came back)")


if __name__ == "__main__":
    main()
