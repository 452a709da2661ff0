"""The default run launcher, plus a health check the run-monitoring daemon can use on one machine.

Dagster's DefaultRunLauncher cannot say whether a run's worker still lives, so run monitoring leaves a STARTED
run alone forever once its worker (and the code server that launched it) died - and the pool slots it holds
are never freed. This launcher tags each launched run with its host and answers the health check from the
worker pid the run logged (dead_runs.worker_pid): FAILED when that process is gone. Runs of another host, or
not logging a pid yet, are reported RUNNING: the daemon treats UNKNOWN as dead.

config/dagster.yaml: `run_launcher: {module: mira_assets.operations.run_launcher, class: LocalRunLauncher}`.
"""

from __future__ import annotations

import socket

from dagster._core.launcher import CheckRunHealthResult, WorkerStatus
from dagster._core.launcher.default_run_launcher import DefaultRunLauncher

from mira_assets.operations.dead_runs import HOST_TAG, process_alive, worker_pid


class LocalRunLauncher(DefaultRunLauncher):
    def launch_run(self, context) -> None:
        self._instance.add_run_tags(context.dagster_run.run_id, {HOST_TAG: socket.gethostname()})
        super().launch_run(context)

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run) -> CheckRunHealthResult:
        host = socket.gethostname()
        if run.tags.get(HOST_TAG) != host:
            return CheckRunHealthResult(WorkerStatus.RUNNING, "worker on another host: not checked here")
        found = worker_pid(self._instance, run.run_id)
        if found is None:
            return CheckRunHealthResult(WorkerStatus.RUNNING, "no worker pid logged yet")
        pid, logged_at = found
        if process_alive(pid, logged_at):
            return CheckRunHealthResult(WorkerStatus.RUNNING, f"worker process {pid} is alive")
        return CheckRunHealthResult(WorkerStatus.FAILED, f"worker process {pid} on {host} is gone")
