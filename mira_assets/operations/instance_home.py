"""Opening the Dagster instance at DAGSTER_HOME, setting a brand-new home up exactly once.

Dagster creates its databases (runs, event logs, schedules) on the first open of a home; two processes doing
that at the same moment race ("table runs already exists", issue 9). The first open therefore happens under a
file lock in the home, writes the project's instance configuration when the home has none, touches every
storage so that it exists, and leaves a marker: later opens (every mira command, the code server, run
workers) pay nothing. Dagster's own processes (`dagster dev`, the daemon, Celery workers) do not take the lock:
open the home once with `mira instance init` (`make instance`) before starting them.

The instance configuration is `config/dagster.yaml` with the named profiles of `config/profiles/` merged over
it (`postgres`): a mapping merges key by key, anything else replaces.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import dagster as dg
import yaml
from filelock import FileLock

from resources.vault.atomic import atomic_write

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
LOCK_NAME = ".instance-setup.lock"
DONE_NAME = ".instance-setup.done"
CONFIG_NAME = "dagster.yaml"
PROFILES_HEADER = "# written by `mira instance init` from config/dagster.yaml; profiles: "


class InstanceHomeError(RuntimeError):
    """DAGSTER_HOME is missing or names something that cannot hold a Dagster home."""


def merge(base: Mapping, overlay: Mapping) -> dict:
    out = dict(base)
    for key, value in overlay.items():
        both = isinstance(value, Mapping) and isinstance(out.get(key), Mapping)
        out[key] = merge(out[key], value) if both else value
    return out


def instance_config(profiles: Sequence[str] = (), extra: Mapping | None = None) -> dict:
    """config/dagster.yaml with the named profiles (config/profiles/<name>.yaml) and ``extra`` merged over it."""
    config = yaml.safe_load((CONFIG_DIR / CONFIG_NAME).read_text())
    for profile in profiles:
        path = CONFIG_DIR / "profiles" / f"{profile}.yaml"
        if not path.is_file():
            known = sorted(p.stem for p in (CONFIG_DIR / "profiles").glob("*.yaml"))
            raise InstanceHomeError(f"no instance profile {profile!r}: known profiles are {', '.join(known)}")
        config = merge(config, yaml.safe_load(path.read_text()) or {})
    return merge(config, extra or {})


def write_instance_yaml(home: Path, profiles: Sequence[str] = (), extra: Mapping | None = None) -> Path:
    """Write the home's dagster.yaml (atomically) from the project's configuration and profiles; its first line
    names the profiles, so that writing it again keeps them (`profiles_of`)."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    path = home / CONFIG_NAME
    header = f"{PROFILES_HEADER}{' '.join(profiles)}\n"
    atomic_write(path, (header + yaml.safe_dump(instance_config(profiles, extra), sort_keys=False)).encode())
    return path


def profiles_of(home: Path) -> list[str] | None:
    """The profiles the home's dagster.yaml was written with, or None when mira did not write it."""
    path = Path(home) / CONFIG_NAME
    first = path.read_text().split("\n", 1)[0] if path.is_file() else ""
    return first[len(PROFILES_HEADER):].split() if first.startswith(PROFILES_HEADER) else None


def dagster_home(environ: Mapping[str, str] | None = None) -> Path:
    value = (os.environ if environ is None else environ).get("DAGSTER_HOME")
    if not value:
        raise InstanceHomeError("DAGSTER_HOME is not set: point it at the Dagster home folder "
                                "(`make instance` or `mira instance init` sets one up)")
    home = Path(value)
    if home.exists() and not home.is_dir():
        raise InstanceHomeError(f"DAGSTER_HOME={home} is not a folder")
    return home


def open_instance(timeout_s: float = 300) -> dg.DagsterInstance:
    """The instance at DAGSTER_HOME; the first caller on a new home sets it up while the others wait."""
    home = dagster_home()
    if (home / DONE_NAME).exists():
        return dg.DagsterInstance.get()
    home.mkdir(parents=True, exist_ok=True)
    with FileLock(str(home / LOCK_NAME), timeout=timeout_s):
        if not (home / CONFIG_NAME).exists():
            write_instance_yaml(home)
        instance = dg.DagsterInstance.get()
        if not (home / DONE_NAME).exists():
            # Storages are created lazily: touch each while holding the lock.
            instance.get_runs(limit=1)
            instance.event_log_storage.get_concurrency_keys()
            if instance.schedule_storage is not None:
                instance.schedule_storage.all_instigator_state()
            atomic_write(home / DONE_NAME, b"")
        return instance
