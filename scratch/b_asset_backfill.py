"""Prototype (b): an ASSET backfill launched through the instance and driven without a daemon.

On the toy code location (scratch/toy: a self-dependent `learner` like htm_state, day d needs d-1):

1. asset backfill over 4 days, nothing failing: `learner` days run strictly in order.
2. asset backfill over 4 days where day 2's `landing` fails: the backfill ends COMPLETED_FAILED, day 2 and
   everything downstream of it (learner 2, 3, 4, patterns 2-4) is in failed_and_downstream_subset, and
   learner 3/4 are never attempted (no day-order error in any run).
3. JOB backfill (the job's partitions page) over the same 4 days with day 2 failing: every day gets its own
   run of the whole job regardless; learner 3 runs without day 2 and fails on its day-order rule.

The driver is what `mira backfill --wait` would do when no daemon runs: one loop that calls the backfill
daemon's iteration (dagster._daemon.backfill.execute_backfill_iteration) and the run queue's
(QueuedRunCoordinatorDaemon.run_iteration), then reads progress from the backfill record.

Usage: .venv/bin/python scratch/b_asset_backfill.py [--daemon]   (--daemon: a real `dagster-daemon run`
subprocess drives the same backfill instead of the in-process loop)
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, Timer, expect  # noqa: E402

TOY = ROOT / "scratch" / "toy"
DAYS = ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]
TERMINAL = {"COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED", "COMPLETED"}


def fresh_toy(fail_days=()) -> Path:
    toy_dir = Path(tempfile.mkdtemp(prefix="mira-toy-"))
    (toy_dir / "fail_days").write_text(" ".join(fail_days))
    home = toy_dir / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((ROOT / "config" / "dagster.yaml").read_text())
    os.environ.update(TOY_DIR=str(toy_dir), DAGSTER_HOME=str(home))
    return toy_dir


def learner_order(toy_dir: Path) -> list[str]:
    log = toy_dir / "order.log"
    lines = log.read_text().split("\n") if log.exists() else []
    return [line.split()[1] for line in lines if line.startswith("learner ")]


def launch_asset_backfill(instance, request, days, title) -> str:
    from dagster._core.execution.backfill import PartitionBackfill
    from dagster._core.utils import make_new_backfill_id
    from dagster._time import get_current_timestamp

    asset_graph = request.asset_graph
    backfill = PartitionBackfill.from_asset_partitions(
        backfill_id=make_new_backfill_id(), asset_graph=asset_graph, partition_names=days,
        asset_selection=list(asset_graph.get_all_asset_keys()), backfill_timestamp=get_current_timestamp(),
        tags={"mira/launched_by": "prototype"}, dynamic_partitions_store=instance, all_partitions=False,
        title=title, description=None, run_config=None,
    )
    instance.add_backfill(backfill)
    return backfill.backfill_id


def launch_job_backfill(instance, request, days, job_name="toy_job") -> str:
    """What the job's partitions page -> Launch backfill creates (a partition-set backfill)."""
    from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill
    from dagster._core.utils import make_new_backfill_id
    from dagster._time import get_current_timestamp

    (location,) = [e.code_location for e in request.get_code_location_entries().values()]
    (repo,) = location.get_repositories().values()
    (partition_set,) = [ps for ps in repo.get_partition_sets() if ps.job_name == job_name]
    backfill = PartitionBackfill(
        backfill_id=make_new_backfill_id(), partition_set_origin=partition_set.get_remote_origin(),
        status=BulkActionStatus.REQUESTED, partition_names=days, from_failure=False, reexecution_steps=None,
        tags={}, backfill_timestamp=get_current_timestamp(), asset_selection=None, title="job backfill",
        description=None, run_config=None,
    )
    instance.add_backfill(backfill)
    return backfill.backfill_id


def progress(instance, request, backfill_id) -> str:
    backfill = instance.get_backfill(backfill_id)
    if not backfill.is_asset_backfill:
        runs = instance.get_runs(filters=_backfill_filter(backfill_id))
        return f"{backfill.status.value}: runs {sorted(r.status.value for r in runs)}"
    data = backfill.get_asset_backfill_data(request.asset_graph)
    total = data.target_subset.num_partitions_and_non_partitioned_assets
    done = data.materialized_subset.num_partitions_and_non_partitioned_assets
    failed = data.failed_and_downstream_subset.num_partitions_and_non_partitioned_assets
    return f"{backfill.status.value}: {done}/{total} materialized, {failed} failed or downstream of a failure"


def _backfill_filter(backfill_id):
    import dagster as dg

    return dg.RunsFilter(tags={"dagster/backfill": backfill_id})


def drive_in_process(context, backfill_id, timeout_s=240) -> None:
    """One loop of the two daemon pieces a backfill needs, until the backfill is terminal."""
    from dagster._daemon.backfill import execute_backfill_iteration
    from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import QueuedRunCoordinatorDaemon

    instance = context.instance
    logger = logging.getLogger("mira.backfill")
    queue = QueuedRunCoordinatorDaemon(interval_seconds=1)
    deadline = time.time() + timeout_s
    last = None
    while time.time() < deadline:
        for error in execute_backfill_iteration(context, logger):
            if error is not None:
                print("  backfill iteration error:", error.message)
        for error in queue.run_iteration(context):
            if error is not None:
                print("  queue iteration error:", error.message)
        now = progress(instance, context.create_request_context(), backfill_id)
        if now != last:
            print("   ", now, flush=True)
            last = now
        if instance.get_backfill(backfill_id).status.value in TERMINAL:
            # let launched runs finish (a job backfill is COMPLETED once all runs are *submitted*)
            runs = instance.get_runs(filters=_backfill_filter(backfill_id))
            if all(r.is_finished for r in runs):
                return
        time.sleep(1)
    raise TimeoutError(f"backfill {backfill_id} not done after {timeout_s}s: {last}")


def drive_with_daemon(context, backfill_id, timeout_s=300) -> None:
    daemon = subprocess.Popen(
        [str(ROOT / ".venv/bin/dagster-daemon"), "run", "-w", str(TOY / "workspace.yaml")],
        cwd=TOY, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + timeout_s
        last = None
        while time.time() < deadline:
            now = progress(context.instance, context.create_request_context(), backfill_id)
            if now != last:
                print("   ", now, flush=True)
                last = now
            backfill = context.instance.get_backfill(backfill_id)
            runs = context.instance.get_runs(filters=_backfill_filter(backfill_id))
            if backfill.status.value in TERMINAL and all(r.is_finished for r in runs):
                return
            time.sleep(1)
        raise TimeoutError(last)
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(30)


def scenario(kind: str, fail_days, use_daemon: bool):
    import dagster as dg
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import WorkspaceFileTarget

    toy_dir = fresh_toy(fail_days)
    os.chdir(TOY)
    instance = dg.DagsterInstance.get()
    with WorkspaceProcessContext(instance, WorkspaceFileTarget(paths=[str(TOY / "workspace.yaml")])) as context:
        request = context.create_request_context()
        if kind == "asset":
            backfill_id = launch_asset_backfill(instance, request, DAYS, f"asset backfill, failing {fail_days}")
        else:
            backfill_id = launch_job_backfill(instance, request, DAYS)
        with Timer(f"{kind} backfill of {len(DAYS)} days ({'daemon' if use_daemon else 'in-process driver'})"):
            (drive_with_daemon if use_daemon else drive_in_process)(context, backfill_id)
        backfill = instance.get_backfill(backfill_id)
        runs = instance.get_runs(filters=_backfill_filter(backfill_id))
        failed_partitions = None
        if backfill.is_asset_backfill:
            data = backfill.get_asset_backfill_data(context.create_request_context().asset_graph)
            failed_partitions = {
                key.to_user_string(): sorted(data.failed_and_downstream_subset.get_partitions_subset(key).get_partition_keys())
                for key in data.failed_and_downstream_subset.asset_keys
            }
        errors = []
        for run in runs:
            for record in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
                error = record.dagster_event.step_failure_data.error
                errors.append((error.cause or error).message.strip().splitlines()[-1])
    return toy_dir, backfill, runs, failed_partitions, errors


def main() -> None:
    use_daemon = "--daemon" in sys.argv
    print("1. asset backfill, all days good")
    toy_dir, backfill, runs, _, errors = scenario("asset", (), use_daemon)
    order = learner_order(toy_dir)
    print(f"   {len(runs)} runs; learner order {order}")
    expect(backfill.status.value == "COMPLETED_SUCCESS", "asset backfill completed successfully")
    expect(order == DAYS, "learner ran each day once, strictly in day order")

    print("2. asset backfill, day 2 fails in landing")
    toy_dir, backfill, runs, failed, errors = scenario("asset", (DAYS[1],), use_daemon)
    order = learner_order(toy_dir)
    print(f"   {len(runs)} runs; learner order {order}; failed and downstream {failed}; errors {errors}")
    expect(backfill.status.value == "COMPLETED_FAILED", "asset backfill ends COMPLETED_FAILED")
    expect(order == DAYS[:1], "learner learned day 1 only: days after the failed one are never attempted")
    expect(failed["learner"] == DAYS[1:] and failed["landing"] == [DAYS[1]],
           "failed partitions name landing day 2 and learner days 2-4 (downstream of the failure)")
    expect(not any("day-order" in e for e in errors), "no run hit the day-order rule")

    print("3. JOB backfill (partitions page of toy_job), day 2 fails in landing")
    toy_dir, backfill, runs, _, errors = scenario("job", (DAYS[1],), use_daemon)
    order = learner_order(toy_dir)
    print(f"   {len(runs)} runs {sorted(r.status.value for r in runs)}; learner order {order}; errors {errors}")
    expect(len(runs) == len(DAYS), "a job backfill makes one run per day, whatever failed before")
    expect(any("day-order rule" in e for e in errors),
           "learner day 3 ran without day 2 and failed loudly on its day-order rule")


if __name__ == "__main__":
    main()
