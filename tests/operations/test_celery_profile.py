"""The Celery profile: one day of the toy graph runs its steps on two Celery workers over Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import psutil

from ops.helpers import ROOT, TOY, instance_home, learner_order
from ops.servers import stop_group


ORCHESTRATE = """
import os, sys
from pathlib import Path
import dagster as dg
from ops.helpers import run_day_through_location
with dg.DagsterInstance.get() as instance:
    result = run_day_through_location(instance, Path(sys.argv[1]), "toy_job", "2026-11-01")
print(result.run_id, os.getpid())
"""


def start_worker(name: str, env: dict, log: Path) -> subprocess.Popen:
    bin_dir = Path(sys.executable).parent
    with open(log, "w") as out:
        return subprocess.Popen(
            [str(bin_dir / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app",
             "-y", str(ROOT / "config" / "profiles" / "celery-worker.yaml"), "-n", name, "-l", "INFO",
             "--", "--concurrency=1"],
            cwd=TOY, env={**os.environ, **env, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(logs: list[Path], timeout_s: float = 120) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if all(log.exists() and " ready." in log.read_text() for log in logs):
            return
        time.sleep(0.5)
    raise TimeoutError("celery workers not ready: " + " | ".join(log.read_text()[-400:] for log in logs))


def test_one_day_runs_on_two_celery_workers(tmp_path, toy_dir, redis_url, monkeypatch):
    home = instance_home(tmp_path / "dagster_home")
    env = {"DAGSTER_HOME": str(home), "TOY_DIR": str(toy_dir), "MIRA_EXECUTOR": "celery",
           "MIRA_CELERY_BROKER": redis_url, "MIRA_CELERY_BACKEND": redis_url.replace("/0", "/1")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(TOY)
    dg.DagsterInstance.get().dispose()  # set the new home up once, before two workers open it at once
    logs = [tmp_path / "worker1.log", tmp_path / "worker2.log"]
    workers = [start_worker(f"w{i}@%h", env, log) for i, log in enumerate(logs, 1)]
    try:
        wait_ready(logs)
        worker_pids = {p.pid for w in workers for p in psutil.Process(w.pid).children(recursive=True)} | {w.pid for w in workers}
        # The run is orchestrated in its own process, as `mira materialize` would: the code location reads
        # MIRA_EXECUTOR when it loads, and a location loaded in this (test) process would stay loaded.
        orchestrator = subprocess.run(
            [sys.executable, "-c", ORCHESTRATE, str(TOY / "workspace.yaml")], cwd=TOY,
            env={**os.environ, **env, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
            capture_output=True, text=True, timeout=300)
        assert orchestrator.returncode == 0, orchestrator.stderr[-2000:]
        run_id, orchestrator_pid = orchestrator.stdout.split()[-2:]
        with dg.DagsterInstance.get() as instance:
            assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
            starts = instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START)
    finally:
        for worker in workers:
            stop_group(worker)
    assert learner_order(toy_dir) == ["2026-11-01"]
    step_pids = {int(line.split()[2]) for line in (toy_dir / "order.log").read_text().splitlines()}
    assert int(orchestrator_pid) not in step_pids, "no step ran in the process that orchestrated the run"
    assert step_pids <= worker_pids, "every step ran in a Celery worker's process"
    assert len(starts) == 4
