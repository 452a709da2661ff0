"""Prototype (a): runs that the UI recognises as the job's, created through the code location.

Three ways of running a day of `daily_storage_job` on one instance, then the webserver's own GraphQL
schema (in-process) is asked what the job page, the run list and Re-execute would see:

  today      job_def.execute_in_process(...)                  (what `mira materialize` does now)
  in_cli     run created from the workspace's code location origin, executed in this process with
             dagster._core.execution.api.execute_run           (no gRPC server, no subprocess)
  launched   run created the way `dagster job launch` does, submitted to the instance's run
             coordinator/launcher (DefaultRunLauncher -> the workspace's gRPC code server), waited for

Usage: .venv/bin/python scratch/a_runs_through_location.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DAYS, Timer, expect, fresh_env  # noqa: E402

JOB = "daily_storage_job"
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
# The job's default executor is multiprocess: every step in its own process re-imports the code location and
# reloads the embedder (measured 86-110 s a day under load against ~26 s in-process). Runs here pick in_process.
RUN_CONFIG = {**QUIET, "execution": {"config": {"in_process": {}}}}


def run_today(instance, day: str) -> str:
    from mira_assets.definitions import defs

    result = defs.resolve_job_def(JOB).execute_in_process(
        partition_key=day, instance=instance, raise_on_error=False, run_config=QUIET
    )
    return result.run_id


def workspace_origin():
    """The code location origin exactly as workspace.yaml declares it (nothing is started)."""
    from dagster._core.workspace.load_target import WorkspaceFileTarget

    (origin,) = WorkspaceFileTarget(paths=["workspace.yaml"]).create_origins()
    return origin


def run_in_cli(instance, day: str) -> str:
    """Create the run from the code location (in-process) but record the workspace's origin; execute here."""
    from dagster._core.definitions.selector import JobSubsetSelector
    from dagster._core.execution.api import execute_run
    from dagster._core.remote_origin import InProcessCodeLocationOrigin, RemoteJobOrigin
    from dagster._utils.hosted_user_process import recon_job_from_origin

    origin = workspace_origin()
    location = InProcessCodeLocationOrigin(
        origin.loadable_target_origin, location_name=origin.location_name
    ).create_location(instance)
    (repo,) = location.get_repositories().values()
    remote_job = location.get_job(
        JobSubsetSelector(location_name=origin.location_name, repository_name=repo.name, job_name=JOB,
                          op_selection=None)
    )
    plan = location.get_execution_plan(remote_job, RUN_CONFIG, step_keys_to_execute=None, known_state=None,
                                       instance=instance)
    # Record the same origin a UI launch records: the managed gRPC location from workspace.yaml.
    in_process_origin = remote_job.get_remote_origin()
    remote_origin = RemoteJobOrigin(
        repository_origin=in_process_origin.repository_origin._replace(code_location_origin=origin),
        job_name=JOB,
    )
    run = instance.create_run(
        job_name=JOB, run_id=None, run_config=RUN_CONFIG, status=None,
        tags={**remote_job.tags, "dagster/partition": day},
        root_run_id=None, parent_run_id=None, step_keys_to_execute=None,
        execution_plan_snapshot=plan.execution_plan_snapshot, job_snapshot=remote_job.job_snapshot,
        parent_job_snapshot=remote_job.parent_job_snapshot, asset_selection=None, asset_check_selection=None,
        resolved_op_selection=None, op_selection=None, remote_job_origin=remote_origin,
        job_code_origin=remote_job.get_python_origin(), asset_graph=repo.asset_graph,
    )
    result = execute_run(recon_job_from_origin(run.job_code_origin), run, instance)
    return result.run_id


def run_launched(instance, workspace_context, day: str) -> str:
    from dagster._core.definitions.selector import JobSubsetSelector

    request = workspace_context.create_request_context()
    origin = workspace_origin()
    location = request.get_code_location(origin.location_name)
    (repo,) = location.get_repositories().values()
    remote_job = location.get_job(
        JobSubsetSelector(location_name=origin.location_name, repository_name=repo.name, job_name=JOB,
                          op_selection=None)
    )
    plan = location.get_execution_plan(remote_job, RUN_CONFIG, step_keys_to_execute=None, known_state=None,
                                       instance=instance)
    run = instance.create_run(
        job_name=JOB, run_id=None, run_config=RUN_CONFIG, status=None,
        tags={**remote_job.tags, "dagster/partition": day},
        root_run_id=None, parent_run_id=None, step_keys_to_execute=None,
        execution_plan_snapshot=plan.execution_plan_snapshot, job_snapshot=remote_job.job_snapshot,
        parent_job_snapshot=remote_job.parent_job_snapshot, asset_selection=None, asset_check_selection=None,
        resolved_op_selection=None, op_selection=None, remote_job_origin=remote_job.get_remote_origin(),
        job_code_origin=remote_job.get_python_origin(), asset_graph=repo.asset_graph,
    )
    # submit_run would only queue it (QueuedRunCoordinator is the default; the daemon dequeues):
    instance.launch_run(run.run_id, request)
    while True:
        current = instance.get_run_by_id(run.run_id)
        if current.is_finished:
            return run.run_id
        time.sleep(0.5)


JOB_QUERY = """
query ($sel: PipelineSelector!) {
  pipelineOrError(params: $sel) {
    __typename
    ... on Pipeline { pipelineSnapshotId runs { runId status pipelineSnapshotId } }
  }
  runsOrError { ... on Runs { results { runId status pipelineName pipelineSnapshotId
      repositoryOrigin { repositoryLocationName repositoryName } tags { key value } } } }
}
"""


def main() -> None:
    base = fresh_env()
    print(f"instance and data under {base}")
    import dagster as dg
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import WorkspaceFileTarget
    from dagster_graphql.test.utils import execute_dagster_graphql

    instance = dg.DagsterInstance.get()
    ids = {}
    with Timer("today: execute_in_process, 1 day"):
        ids["today"] = run_today(instance, DAYS[0])
    with Timer("in_cli: code-location origin, execute_run here, 1 day"):
        ids["in_cli"] = run_in_cli(instance, DAYS[1])
    with Timer("launched: workspace load (gRPC code server start)"):
        context = WorkspaceProcessContext(instance, WorkspaceFileTarget(paths=["workspace.yaml"]))
    with context:
        with Timer("launched: launch_run + wait, 1 day"):
            ids["launched"] = run_launched(instance, context, DAYS[2])
        request = context.create_request_context()
        origin = workspace_origin()
        (repo,) = request.get_code_location(origin.location_name).get_repositories().values()
        result = execute_dagster_graphql(
            request, JOB_QUERY,
            {"sel": {"pipelineName": JOB, "repositoryName": repo.name, "repositoryLocationName": origin.location_name}},
        )
    assert not result.errors, result.errors
    job = result.data["pipelineOrError"]
    runs = {r["runId"]: r for r in result.data["runsOrError"]["results"]}
    on_job_page = {r["runId"] for r in job["runs"]}
    for how, run_id in ids.items():
        run = runs[run_id]
        record = instance.get_run_by_id(run_id)
        print(f"{how:9} status={run['status']:8} origin={run['repositoryOrigin']} "
              f"snapshot={'same as job' if run['pipelineSnapshotId'] == job['pipelineSnapshotId'] else 'DIFFERENT'} "
              f"on job page={run_id in on_job_page} repo tag={record.tags.get('.dagster/repository')}")
    expect(runs[ids["today"]]["repositoryOrigin"] is None and ids["today"] not in on_job_page,
           "today's execute_in_process run has no origin and is missing from the job page (the issue)")
    expect(runs[ids["today"]]["pipelineSnapshotId"] != job["pipelineSnapshotId"],
           "today's run carries an ephemeral job snapshot (Re-execute warns of a different version)")
    for how in ("in_cli", "launched"):
        run = runs[ids[how]]
        expect(run["status"] == "SUCCESS", f"{how}: run succeeded")
        expect(ids[how] in on_job_page, f"{how}: run is listed on the job page")
        expect(run["repositoryOrigin"] == {"repositoryLocationName": origin.location_name,
                                           "repositoryName": repo.name}, f"{how}: run carries the repository origin")
        expect(run["pipelineSnapshotId"] == job["pipelineSnapshotId"],
               f"{how}: run's job snapshot is the code location's (no version warning on Re-execute)")
        expect({"key": "dagster/partition", "value": run_id and instance.get_run_by_id(ids[how]).tags["dagster/partition"]}
               in run["tags"], f"{how}: run carries its partition tag")


if __name__ == "__main__":
    main()
