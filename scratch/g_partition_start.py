"""Prototype (g): MIRA_PARTITION_START read when the code location LOADS (a @dg.definitions loader), never
at import. Checks: importing with a bad value is fine; loading names the variable; the code location the
webserver/daemon would load (workspace.yaml -> gRPC code server subprocess) starts its partitions at the
value; without the variable the default applies; tests build the same definitions by calling the loader.

Usage: .venv/bin/python scratch/g_partition_start.py
"""

import importlib
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import expect  # noqa: E402

HERE = Path(__file__).resolve().parent / "g_loader"
sys.path.insert(0, str(HERE))


def first_partition_via_code_server(start: str | None) -> str:
    import dagster as dg
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import WorkspaceFileTarget

    if start is None:
        os.environ.pop("MIRA_PARTITION_START", None)
    else:
        os.environ["MIRA_PARTITION_START"] = start
    with tempfile.TemporaryDirectory() as home:
        with dg.DagsterInstance.local_temp(home, overrides={"telemetry": {"enabled": False}}) as instance:
            os.chdir(HERE)
            with WorkspaceProcessContext(instance, WorkspaceFileTarget(paths=[str(HERE / "workspace.yaml")])) as ctx:
                location = ctx.create_request_context().get_code_location("g_location")
                (repo,) = location.get_repositories().values()
                (partition_set,) = [p for p in repo.get_partition_sets() if p.job_name == "daily_storage_job"]
                names = location.get_partition_names_from_repo(repo.handle, partition_set.job_name).partition_names
                return names[0]


def main() -> None:
    os.environ["MIRA_PARTITION_START"] = "not-a-day"
    module = importlib.import_module("g_defs")
    expect(True, "importing the definitions module with a bad MIRA_PARTITION_START reads nothing and succeeds")
    try:
        module.defs()
        raise SystemExit("loading should have failed")
    except ValueError as error:
        expect("MIRA_PARTITION_START" in str(error), f"loading names the variable: {error}")
    os.environ["MIRA_PARTITION_START"] = "2026-11-01"
    loaded = module.defs()
    keys = loaded.resolve_assets_def("htm_state").partitions_def.get_partition_keys()
    expect(keys[0] == "2026-11-01", "tests call the loader: partitions start at the configured day")
    expect(loaded.resolve_job_def("daily_storage_job").partitions_def.get_partition_keys()[0] == "2026-11-01",
           "the job's partitions follow")
    expect(first_partition_via_code_server("2026-11-01") == "2026-11-01",
           "the code location loaded by a code server (as the UI loads it) starts at MIRA_PARTITION_START")
    expect(first_partition_via_code_server(None) == "2026-01-01", "without the variable, the default start")


if __name__ == "__main__":
    main()


def run_through_location_runner() -> None:
    """The loader also works for runs created and executed through the code location (recon job)."""
    import dagster as dg

    from ops_lib.location_runs import LocationRunner

    os.environ["MIRA_PARTITION_START"] = "2026-11-01"
    with tempfile.TemporaryDirectory() as home:
        with dg.DagsterInstance.local_temp(home, overrides={"telemetry": {"enabled": False}}) as instance:
            os.chdir(HERE)
            runner = LocationRunner(instance, str(HERE / "workspace.yaml"))
            finished = runner.execute(runner.create_run("daily_storage_job", "2026-11-02"))
            expect(finished.status == dg.DagsterRunStatus.SUCCESS,
                   "a run created through the code location and executed here loads the @dg.definitions loader")


if __name__ == "__main__" and "--runner" in sys.argv:
    run_through_location_runner()
