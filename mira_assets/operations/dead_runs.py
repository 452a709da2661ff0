"""Finding runs whose process is gone, marking them failed and giving back their pool slots.

A run executed on this machine records its worker's pid in an engine event ("Executing steps in process
(pid: N)" from the in-process executor, "Started process for run (pid: N)" from a run worker) and, when mira
created, executed or launched it, its host in the `mira/host` tag. A run still STARTING, STARTED or CANCELING
whose host is this machine and whose worker pid no longer exists (or now belongs to a younger process) is
dead: nothing will ever finish it or free the pool slots it claimed, and every later run waiting for the
`chroma` slot would wait forever (issue 9). Runs of other hosts are left to their host.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg
import psutil

HOST_TAG = "mira/host"
PID_TAG = "mira/pid"
ACTIVE = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


@dataclass(frozen=True)
class ReapedRun:
    run_id: str
    job_name: str
    partition: str | None
    pid: int | None
    freed_slots: list[str]
    status: str


def host_tags(pid: int) -> dict[str, str]:
    """The tags that let the dead-run check find a run's process: this host and the pid executing it."""
    return {HOST_TAG: socket.gethostname(), PID_TAG: str(pid)}


def worker_pid(instance: dg.DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """(pid, when it was logged) of the latest process that said it executes this run."""
    latest = None
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        data = record.dagster_event.engine_event_data if record.dagster_event else None
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


def run_process(instance: dg.DagsterInstance, record) -> tuple[int, float] | None:
    """The pid that executes a run of this host and when it said so; None when none is known."""
    found = worker_pid(instance, record.dagster_run.run_id)
    if found is not None:
        return found
    pid = record.dagster_run.tags.get(PID_TAG)
    # created by mira, no worker logged yet: the creating process is the worker
    return (int(pid), record.create_timestamp.timestamp()) if pid and pid.isdigit() else None


def on_this_host(run: dg.DagsterRun) -> bool:
    """Created, executed or launched by mira on this machine (its host tag)."""
    return run.tags.get(HOST_TAG) == socket.gethostname()


def end_dead_run(instance: dg.DagsterInstance, run: dg.DagsterRun, message: str, *, canceled: bool) -> list[str]:
    """Mark a run whose process is gone canceled (or failed) and free its pool slots; returns the slots it held."""
    held = claimed_slots(instance, run.run_id)
    if canceled:
        instance.report_run_canceled(run, message=message)
    else:
        instance.report_run_failed(run, message=message)
    instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
    return held


def reap_dead_runs(instance: dg.DagsterInstance, log: Callable[[str], None] = print) -> list[ReapedRun]:
    """Mark every dead run of this host failed (canceled when it was being canceled) and free its pool slots;
    one log line each. Returns what was reaped."""
    host = socket.gethostname()
    reaped = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=ACTIVE)):
        run = record.dagster_run
        if not on_this_host(run):
            continue
        found = run_process(instance, record)
        if found is None or process_alive(*found):
            continue
        pid = found[0]
        message = f"run worker process {pid} on {host} is gone (killed or crashed); found by mira's dead-run check"
        instance.report_engine_event(message, run)
        canceled = run.status == dg.DagsterRunStatus.CANCELING
        held = end_dead_run(instance, run, message, canceled=canceled)
        ended = dg.DagsterRunStatus.CANCELED if canceled else dg.DagsterRunStatus.FAILURE
        done = ReapedRun(run.run_id, run.job_name, run.tags.get("dagster/partition"), pid, held, ended.value)
        log(f"dead run {run.run_id} ({run.job_name} {done.partition or '-'}): process {pid} is gone; marked "
            f"{done.status}, freed {len(held)} pool slot(s){' ' + ', '.join(held) if held else ''}")
        reaped.append(done)
    return reaped
