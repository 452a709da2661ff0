"""What the operations tests share: a MIRA data root and Dagster home as an operator sets them up, `mira`
run as a subprocess (as a user runs it), and small readers of the instance."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from operations.servers import default_signals

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MIRA = BIN / "mira"
DAYS = ["2026-11-01", "2026-11-02", "2026-11-03"]


@dataclass
class Site:
    """A data root and a Dagster home, with the environment `mira` and Dagster's processes read."""

    base: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def data(self) -> Path:
        return self.base / "mira_data"

    @property
    def home(self) -> Path:
        return self.base / "dagster_home"

    def mira(self, *args: str, timeout: float = 600, check: bool = True, **kw) -> subprocess.CompletedProcess:
        out = subprocess.run([str(MIRA), *args], env=self.env, cwd=ROOT, capture_output=True, text=True,
                             timeout=timeout, preexec_fn=default_signals, **kw)
        if check and out.returncode != 0:
            raise AssertionError(f"mira {' '.join(args)} exited {out.returncode}:\n{out.stdout[-3000:]}\n"
                                 f"{out.stderr[-3000:]}")
        return out

    def start_mira(self, *args: str, log: Path) -> subprocess.Popen:
        with open(log, "w") as out:
            return subprocess.Popen([str(MIRA), *args], env=self.env, cwd=ROOT, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=default_signals)

    def instance(self) -> dg.DagsterInstance:
        """The site's instance, opened in this process (the environment is set only for the call)."""
        saved = {key: os.environ.get(key) for key in self.env if key.startswith(("DAGSTER_", "MIRA_PG_"))}
        os.environ.update({key: self.env[key] for key in saved})
        try:
            return dg.DagsterInstance.get()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def new_site(base: Path, *, days: int = 3, profiles: tuple[str, ...] = (), extra_env: dict | None = None,
             partition_start: str = DAYS[0]) -> Site:
    """Demo landing data for ``days`` days (with day-complete markers), a vault key, and a Dagster home set up by
    `mira instance init`; the environment holds nothing of the test process's MIRA_* settings."""
    base.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MIRA_", "DAGSTER_"))}
    site = Site(base, env)
    env.update(MIRA_DATA=str(site.data), DAGSTER_HOME=str(site.home), MIRA_VAULT_KEY_FILE=str(base / "vault.key"),
               MIRA_PARTITION_START=partition_start, **(extra_env or {}))
    site.mira("keygen", "--out", str(base / "vault.key"))
    if days:
        site.mira("demo-data", "--out", str(site.data / "landing"), "--start", DAYS[0], "--days", str(days),
                  "--seed", "7")
    site.mira("instance", "init", *[arg for p in profiles for arg in ("--profile", p)])
    return site


def wait_until(condition, timeout_s: float, what: str, every_s: float = 0.1):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every_s)
    raise TimeoutError(f"{what} did not happen within {timeout_s:.0f} s")


def runs_of(instance: dg.DagsterInstance, **tags: str) -> list[dg.DagsterRun]:
    """Runs with these tags, oldest first."""
    runs = instance.get_runs(filters=dg.RunsFilter(tags=tags) if tags else None)
    return sorted(runs, key=lambda run: instance.get_run_record_by_id(run.run_id).create_timestamp)


def step_failures(instance: dg.DagsterInstance, run_id: str) -> dict[str, str]:
    """step key -> the last line of its error."""
    out = {}
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        error = record.dagster_event.step_failure_data.error
        out[record.step_key] = (error.cause or error).message.strip()
    return out


def slot_holders(instance: dg.DagsterInstance, pool: str = "chroma") -> list[tuple[str, str]]:
    info = instance.event_log_storage.get_concurrency_info(pool)
    return [(slot.run_id, slot.step_key) for slot in info.claimed_slots]


def pending_steps(instance: dg.DagsterInstance, pool: str = "chroma") -> list[tuple[str, str]]:
    info = instance.event_log_storage.get_concurrency_info(pool)
    return [(step.run_id, step.step_key) for step in info.pending_steps]
