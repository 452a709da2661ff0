"""Instance homes from config profiles, and asset backfills launched and waited for, for the ops tests."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from pathlib import Path

import yaml

from ops.servers import stop_group

ROOT = Path(__file__).resolve().parents[2]
TOY = Path(__file__).resolve().parent / "toy_location"
TERMINAL = {"COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED", "COMPLETED"}


def merge(base: dict, overlay: dict) -> dict:
    out = dict(base)
    for key, value in overlay.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def instance_home(path: Path, *profiles: str, extra: dict | None = None) -> Path:
    """A Dagster home whose dagster.yaml is config/dagster.yaml with the named config/profiles merged over it."""
    path.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((ROOT / "config" / "dagster.yaml").read_text())
    for profile in profiles:
        config = merge(config, yaml.safe_load((ROOT / "config" / "profiles" / f"{profile}.yaml").read_text()))
    config = merge(config, extra or {})
    (path / "dagster.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def launch_asset_backfill(instance, request_context, days: list[str], title: str) -> str:
    """What Materialize -> date range on the asset graph creates: an asset backfill of every asset."""
    from dagster._core.execution.backfill import PartitionBackfill
    from dagster._core.utils import make_new_backfill_id
    from dagster._time import get_current_timestamp

    asset_graph = request_context.asset_graph
    backfill = PartitionBackfill.from_asset_partitions(
        backfill_id=make_new_backfill_id(), asset_graph=asset_graph, partition_names=days,
        asset_selection=list(asset_graph.get_all_asset_keys()), backfill_timestamp=get_current_timestamp(),
        tags={}, dynamic_partitions_store=instance, all_partitions=False, title=title, description=None,
        run_config=None)
    instance.add_backfill(backfill)
    return backfill.backfill_id


def wait_for_backfill(instance, backfill_id: str, timeout_s: float) -> None:
    import dagster as dg

    deadline = time.time() + timeout_s
    while time.time() < deadline:
        backfill = instance.get_backfill(backfill_id)
        runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/backfill": backfill_id}))
        if backfill.status.value in TERMINAL and all(r.is_finished for r in runs):
            return
        time.sleep(1)
    raise TimeoutError(f"backfill {backfill_id} still {instance.get_backfill(backfill_id).status} after {timeout_s:.0f} s")


@contextlib.contextmanager
def daemon(workspace: Path, env: dict[str, str], log_path: Path):
    venv_bin = Path(os.sys.executable).parent
    with open(log_path, "w") as log:
        process = subprocess.Popen([str(venv_bin / "dagster-daemon"), "run", "-w", str(workspace)],
                                   cwd=workspace.parent, env={**os.environ, **env}, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        stop_group(process, timeout_s=30)


def learner_order(toy_dir: Path) -> list[str]:
    log = toy_dir / "order.log"
    return [line.split()[1] for line in log.read_text().splitlines() if line.startswith("learner ")] if log.exists() else []


def run_day_through_location(instance, workspace: Path, job_name: str, day: str, run_config=None):
    """Creates the run from the code location (with its origin) and executes it in this process."""
    from dagster._core.definitions.selector import JobSubsetSelector
    from dagster._core.execution.api import execute_run
    from dagster._core.remote_origin import InProcessCodeLocationOrigin
    from dagster._core.workspace.load_target import WorkspaceFileTarget
    from dagster._utils.hosted_user_process import recon_job_from_origin

    (origin,) = WorkspaceFileTarget(paths=[str(workspace)]).create_origins()
    location = InProcessCodeLocationOrigin(origin.loadable_target_origin, location_name=origin.location_name
                                           ).create_location(instance)
    (repo,) = location.get_repositories().values()
    job = location.get_job(JobSubsetSelector(location_name=origin.location_name, repository_name=repo.name,
                                             job_name=job_name, op_selection=None))
    run_config = run_config or {}
    plan = location.get_execution_plan(job, run_config, step_keys_to_execute=None, known_state=None, instance=instance)
    run = instance.create_run(
        job_name=job_name, run_id=None, run_config=run_config, status=None, tags={"dagster/partition": day},
        root_run_id=None, parent_run_id=None, step_keys_to_execute=None,
        execution_plan_snapshot=plan.execution_plan_snapshot, job_snapshot=job.job_snapshot,
        parent_job_snapshot=None, asset_selection=None, asset_check_selection=None, resolved_op_selection=None,
        op_selection=None,
        remote_job_origin=job.get_remote_origin()._replace(
            repository_origin=job.get_remote_origin().repository_origin._replace(code_location_origin=origin)),
        job_code_origin=job.get_python_origin(), asset_graph=repo.asset_graph)
    return execute_run(recon_job_from_origin(run.job_code_origin), run, instance)
