"""Terminate from the UI for a run executed in this process.

The UI's Terminate asks the run launcher to stop the run; for a run that no launcher started (created and
executed by `mira materialize` or `mira backfill`) it can only mark the run CANCELING. A thread here watches
for that and interrupts this process, the way Dagster's run workers do: the step in flight stops at its next
interrupt point, a step waiting for a pool slot stops waiting, and the run ends CANCELED. It polls every
`run_monitoring.cancellation_thread_poll_interval_seconds` (config/dagster.yaml).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import dagster as dg
from dagster._utils import send_interrupt

STOPPING = {dg.DagsterRunStatus.CANCELING, dg.DagsterRunStatus.CANCELED}


@contextlib.contextmanager
def interrupt_when_terminated(instance: dg.DagsterInstance, run_id: str) -> Iterator[None]:
    stop = threading.Event()
    interval = max(0.5, float(instance.cancellation_thread_poll_interval_seconds))

    def watch() -> None:
        with dg.DagsterInstance.from_ref(instance.get_ref()) as own:
            while not stop.wait(interval):
                run = own.get_run_by_id(run_id)
                if run is not None and run.status in STOPPING:
                    send_interrupt()
                    return

    thread = threading.Thread(target=watch, name=f"terminate-watch-{run_id[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
