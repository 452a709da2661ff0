"""Finding runs whose process is gone, marking them failed and giving back their pool slots.

A run executed on this machine records its worker's pid in an engine event ("Executing steps in process
(pid: N)" from the in-process executor, "Started process for run (pid: N)" from a run worker) and, when
mira created or launched it, its host in the `mira/host` tag. A run still STARTING/STARTED/CANCELING whose
host is this machine and whose worker pid no longer exists (or now belongs to a younger process) is dead:
nothing will ever finish it or free the slots it claimed. Runs of other hosts are left to their host.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import dagster as dg
import psutil

HOST_TAG = "mira/host"
ACTIVE = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


@dataclass(frozen=True)
class ReapedRun:
    run_id: str
    job_name: str
    partition: str | None
    pid: int | None
    freed_slots: int
    status: str


def worker_pid(instance: dg.DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """(pid, when it was logged) of the latest process that said it executes this run."""
    latest = None
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        data = record.dagster_event.engine_event_data
        pid = data.metadata.get("pid") if data and data.metadata else None
        if pid is not None:
            latest = (int(pid.value), record.timestamp)
    return latest


def process_alive(pid: int, logged_at: float) -> bool:
    """True when pid is a live process that already existed when the run logged it (not a reused pid)."""
    try:
        process = psutil.Process(pid)
        return process.status() != psutil.STATUS_ZOMBIE and process.create_time() <= logged_at + 1.0
    except psutil.NoSuchProcess:
        return False


def claimed_slots(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    storage = instance.event_log_storage
    return [f"{pool}:{slot.step_key}" for pool in sorted(storage.get_concurrency_keys())
            for slot in storage.get_concurrency_info(pool).claimed_slots if slot.run_id == run_id]


def reap_dead_runs(instance: dg.DagsterInstance, log=print) -> list[ReapedRun]:
    host = socket.gethostname()
    reaped = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=ACTIVE)):
        run = record.dagster_run
        if run.tags.get(HOST_TAG) != host:
            continue
        found = worker_pid(instance, run.run_id)
        if found is None:
            # created by mira but no worker ever logged: the creating process is the worker
            pid, at = int(run.tags.get("mira/pid", 0)), record.create_timestamp.timestamp()
        else:
            pid, at = found
        if pid and process_alive(pid, at):
            continue
        message = f"run worker process {pid} on {host} is gone (killed or crashed); marked by mira's dead-run check"
        instance.report_engine_event(message, run)
        if run.status == dg.DagsterRunStatus.CANCELING:
            instance.report_run_canceled(run, message=message)
        else:
            instance.report_run_failed(run, message=message)
        held = claimed_slots(instance, run.run_id)
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        reaped_run = ReapedRun(run.run_id, run.job_name, run.tags.get("dagster/partition"), pid, len(held),
                               instance.get_run_by_id(run.run_id).status.value)
        log(f"dead run {run.run_id} ({run.job_name} {reaped_run.partition or '-'}): process {pid} is gone; "
            f"marked {reaped_run.status}, freed {len(held)} pool slot(s) {held or ''}")
        reaped.append(reaped_run)
    return reaped
