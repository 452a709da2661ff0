"""A brand-new Dagster home is set up once, even when several processes open it at the same instant
(issue 9: "table runs already exists"), and `mira instance init` writes its configuration from profiles."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import yaml

from mira_assets.operations.instance_home import (InstanceHomeError, instance_config, open_instance, profiles_of,
                                                  write_instance_yaml)

OPEN_AT = """
import sys, time
start = float(sys.argv[1])
from mira_assets.operations.instance_home import open_instance
time.sleep(max(0.0, start - time.time()))
instance = open_instance()
print(len(instance.get_runs()), instance.event_log_storage.get_concurrency_keys())
"""


@pytest.mark.parametrize("trial", [1, 2])
def test_processes_opening_a_new_home_at_the_same_instant_all_succeed(tmp_path, trial):
    home = tmp_path / "dagster_home"
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    start = time.time() + 6  # every process has imported dagster by then; they open the home together
    processes = [subprocess.Popen([sys.executable, "-c", OPEN_AT, str(start)], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [(p.wait(120), *p.communicate()) for p in processes]
    assert [code for code, _, _ in results] == [0, 0, 0, 0], "\n".join(err[-1500:] for _, _, err in results)
    assert (home / "dagster.yaml").exists(), "the first opener wrote the project's instance configuration"
    assert yaml.safe_load((home / "dagster.yaml").read_text())["telemetry"] == {"enabled": False}


def test_a_missing_dagster_home_is_named(monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with pytest.raises(InstanceHomeError, match="DAGSTER_HOME is not set"):
        open_instance()


def test_profiles_merge_over_the_project_configuration():
    config = instance_config(["postgres"])
    assert config["telemetry"] == {"enabled": False}
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert config["storage"]["postgres"]["postgres_db"]["hostname"] == {"env": "MIRA_PG_HOST"}
    with pytest.raises(InstanceHomeError, match="no instance profile 'mysql': known profiles are postgres"):
        instance_config(["mysql"])


def test_the_home_remembers_the_profiles_it_was_written_with(tmp_path):
    assert profiles_of(tmp_path) is None
    write_instance_yaml(tmp_path, ["postgres"])
    assert profiles_of(tmp_path) == ["postgres"]
    assert yaml.safe_load((tmp_path / "dagster.yaml").read_text())["storage"]["postgres"]
    write_instance_yaml(tmp_path)
    assert profiles_of(tmp_path) == []


def test_mira_instance_init_writes_the_home_and_names_its_storage(tmp_path):
    home = tmp_path / "home"
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), "mira"), "instance", "init"],
                         env={**os.environ, "DAGSTER_HOME": str(home)}, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert f"Dagster instance at {home} (SqliteRunStorage; profiles: none)" in out.stdout
    written = yaml.safe_load((home / "dagster.yaml").read_text())
    assert written["run_launcher"]["class"] == "LocalRunLauncher"
    assert written["run_monitoring"]["free_slots_after_run_end_seconds"] == 60
