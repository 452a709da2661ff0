"""The default run launcher, plus a health check the run-monitoring daemon can use on one machine.

Dagster's DefaultRunLauncher cannot say whether a run's worker still lives, so run monitoring leaves a STARTED
run alone forever once its worker (and the code server that launched it) died - and the pool slots it holds
are never freed. This launcher tags each launched run with its host and answers the health check from the
worker pid the run logged (dead_runs.worker_pid): FAILED when that process is gone. Runs of another host, or
not logging a pid yet, are reported RUNNING: the daemon treats UNKNOWN as dead.

It also answers the UI's Terminate for runs a mira command executes in its own process (`mira materialize`,
`mira backfill`; tagged with its pid, no code server): Dagster's launcher can only mark them CANCELING and
reports a failure to terminate. Here the run is marked CANCELING, which the mira process watches for and stops
on (operations/termination.py); a run whose process is already gone is marked CANCELED and its slots freed.

config/dagster.yaml: `run_launcher: {module: mira_assets.operations.run_launcher, class: LocalRunLauncher}`.
"""

from __future__ import annotations

import socket

from dagster._core.launcher import CheckRunHealthResult, WorkerStatus
from dagster._core.launcher.default_run_launcher import DefaultRunLauncher
from dagster._core.storage.tags import GRPC_INFO_TAG

from mira_assets.operations.dead_runs import (HOST_TAG, PID_TAG, end_dead_run, on_this_host, process_alive,
                                              run_process, worker_pid)


class LocalRunLauncher(DefaultRunLauncher):
    def launch_run(self, context) -> None:
        self._instance.add_run_tags(context.dagster_run.run_id, {HOST_TAG: socket.gethostname()})
        super().launch_run(context)

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run) -> CheckRunHealthResult:
        if not on_this_host(run):
            return CheckRunHealthResult(WorkerStatus.RUNNING, "worker on another host: not checked here")
        found = worker_pid(self._instance, run.run_id)
        if found is None:
            return CheckRunHealthResult(WorkerStatus.RUNNING, "no worker pid logged yet")
        pid, logged_at = found
        if process_alive(pid, logged_at):
            return CheckRunHealthResult(WorkerStatus.RUNNING, f"worker process {pid} is alive")
        return CheckRunHealthResult(WorkerStatus.FAILED, f"worker process {pid} on {socket.gethostname()} is gone")

    def terminate(self, run_id: str) -> bool:
        record = self._instance.get_run_record_by_id(run_id)
        run = record.dagster_run if record else None
        executed_by_mira = (run is not None and not run.is_finished and PID_TAG in run.tags
                            and GRPC_INFO_TAG not in run.tags and on_this_host(run))
        if not executed_by_mira:
            return super().terminate(run_id)
        found = run_process(self._instance, record)
        if found is not None and process_alive(*found):
            self._instance.report_run_canceling(
                run, message=f"Terminate requested: mira process {found[0]} interrupts the run")
            return True
        message = f"Terminate requested; the run's process {found[0] if found else '?'} is gone: marked canceled"
        end_dead_run(self._instance, run, message, canceled=True)
        return True
