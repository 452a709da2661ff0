"""Runs the Dagster UI recognises as the job's: created through the code location, executed in this process.

`execute_in_process` and `dg.materialize` create runs without the code location's origin: the job's page does
not list them, the Overview timeline has no place for them and Re-execute warns of another job version. Here
the code location `mira_storage` (module `mira_assets.definitions`, as workspace.yaml names it) is loaded in
this process, without a code server; a run is created with the job's snapshot and execution plan from that
location and the origin a launch from the UI records, tagged with its partition, this host and this pid, and
executed here with Dagster's run API, the call a run worker makes. The caller keeps runs in order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

import dagster as dg
from dagster._core.definitions.selector import JobSubsetSelector
from dagster._core.events import DagsterEvent
from dagster._core.execution.api import execute_run_iterator
from dagster._core.remote_origin import InProcessCodeLocationOrigin, RemoteJobOrigin
from dagster._core.workspace.load_target import ModuleTarget
from dagster._utils.hosted_user_process import recon_job_from_origin

from mira_assets.operations.dead_runs import host_tags
from mira_assets.operations.termination import interrupt_when_terminated

LOCATION_NAME = "mira_storage"
LOCATION_MODULE = "mira_assets.definitions"


def location_target() -> ModuleTarget:
    """The code location as workspace.yaml declares it."""
    return ModuleTarget(LOCATION_MODULE, None, None, LOCATION_NAME)


class LocationRunner:
    """Creates runs of the code location's jobs and executes them here, one at a time."""

    def __init__(self, instance: dg.DagsterInstance):
        (self.origin,) = location_target().create_origins()
        self.instance = instance
        self.location = InProcessCodeLocationOrigin(
            self.origin.loadable_target_origin, location_name=self.origin.location_name
        ).create_location(instance)
        (self.repo,) = self.location.get_repositories().values()

    def _job(self, job_name: str):
        return self.location.get_job(JobSubsetSelector(location_name=self.origin.location_name,
                                                       repository_name=self.repo.name, job_name=job_name,
                                                       op_selection=None))

    def _plan(self, remote_job, run_config: Mapping):
        return self.location.get_execution_plan(remote_job, dict(run_config), step_keys_to_execute=None,
                                                known_state=None, instance=self.instance)

    def create_run(self, job_name: str, partition_key: str | None, run_config: Mapping | None = None,
                   tags: Mapping[str, str] | None = None) -> dg.DagsterRun:
        remote_job = self._job(job_name)
        run_config = dict(run_config or {})
        plan = self._plan(remote_job, run_config)
        # What the UI records when it launches this job: the workspace's origin of the location.
        repository_origin = remote_job.get_remote_origin().repository_origin._replace(code_location_origin=self.origin)
        run_tags = {**remote_job.tags, **(tags or {}), **host_tags(os.getpid())}
        if partition_key is not None:
            run_tags["dagster/partition"] = partition_key
        return self.instance.create_run(
            job_name=job_name, run_id=None, run_config=run_config, status=None, tags=run_tags,
            root_run_id=None, parent_run_id=None, step_keys_to_execute=None,
            execution_plan_snapshot=plan.execution_plan_snapshot, job_snapshot=remote_job.job_snapshot,
            parent_job_snapshot=remote_job.parent_job_snapshot, asset_selection=None,
            asset_check_selection=None, resolved_op_selection=None, op_selection=None,
            remote_job_origin=RemoteJobOrigin(repository_origin=repository_origin, job_name=job_name),
            job_code_origin=remote_job.get_python_origin(), asset_graph=self.repo.asset_graph,
        )


def step_keys(instance: dg.DagsterInstance, run: dg.DagsterRun) -> list[str]:
    """The steps a run will execute (for progress)."""
    return list(instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id).step_keys_to_execute)


def execute_here(instance: dg.DagsterInstance, run: dg.DagsterRun,
                 on_event: Callable[[DagsterEvent], None] | None = None) -> dg.DagsterRun:
    """Execute a created (or dequeued) run in this process; ``on_event`` sees every event. The UI's Terminate
    interrupts it. Returns the finished run."""
    recon_job = recon_job_from_origin(run.job_code_origin)
    with interrupt_when_terminated(instance, run.run_id):
        for event in execute_run_iterator(recon_job, run, instance):
            if on_event is not None:
                on_event(event)
    return instance.get_run_by_id(run.run_id)
