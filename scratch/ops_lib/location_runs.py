"""Runs the Dagster UI recognises as the job's, created through the code location and executed here.

The code location named in workspace.yaml is loaded in this process (no gRPC server); a run is created
with the job's snapshot and execution plan from that location and with the workspace's own origin (the
one a launch from the UI records), tagged with its partition, this host and this pid, and then executed
in this process with Dagster's run API - the same call a run worker makes. Runs are kept in order: the
caller executes one day after the other.
"""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager

import dagster as dg
from dagster._core.definitions.selector import JobSubsetSelector
from dagster._core.execution.api import execute_run_iterator
from dagster._core.remote_origin import InProcessCodeLocationOrigin, RemoteJobOrigin
from dagster._core.workspace.load_target import WorkspaceFileTarget
from dagster._utils.hosted_user_process import recon_job_from_origin

from ops_lib.dead_runs import HOST_TAG


class LocationRunner:
    def __init__(self, instance: dg.DagsterInstance, workspace_file: str = "workspace.yaml",
                 location_name: str | None = None):
        origins = WorkspaceFileTarget(paths=[workspace_file]).create_origins()
        self.origin = next(o for o in origins if location_name in (None, o.location_name))
        self.instance = instance
        self.location = InProcessCodeLocationOrigin(
            self.origin.loadable_target_origin, location_name=self.origin.location_name
        ).create_location(instance)
        (self.repo,) = self.location.get_repositories().values()

    def create_run(self, job_name: str, partition_key: str | None, run_config: dict | None = None,
                   tags: dict | None = None) -> dg.DagsterRun:
        remote_job = self.location.get_job(JobSubsetSelector(
            location_name=self.origin.location_name, repository_name=self.repo.name, job_name=job_name,
            op_selection=None))
        run_config = run_config or {}
        plan = self.location.get_execution_plan(remote_job, run_config, step_keys_to_execute=None,
                                                known_state=None, instance=self.instance)
        repository_origin = remote_job.get_remote_origin().repository_origin._replace(code_location_origin=self.origin)
        run_tags = {**remote_job.tags, **(tags or {}), HOST_TAG: socket.gethostname(), "mira/pid": str(os.getpid())}
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

    def execute(self, run: dg.DagsterRun, on_event=None) -> dg.DagsterRun:
        """Executes the run here; on_event sees every DagsterEvent (progress). Returns the finished run."""
        recon_job = recon_job_from_origin(run.job_code_origin)
        for event in execute_run_iterator(recon_job, run, self.instance):
            if on_event is not None:
                on_event(event)
        return self.instance.get_run_by_id(run.run_id)
