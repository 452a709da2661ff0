"""Shared set-up for the ops prototypes: a temp MIRA_DATA with demo landing data, a vault key, and a
temp DAGSTER_HOME holding config/dagster.yaml. Run every prototype from the worktree root:

    .venv/bin/python scratch/<name>.py

They print what they observed and exit non-zero when an expectation fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAYS = ["2026-11-01", "2026-11-02", "2026-11-03"]


def fresh_env(days: int = 3, keep: str | None = None, yaml_extra: str = "") -> Path:
    """Creates the folders and sets MIRA_DATA, DAGSTER_HOME and MIRA_VAULT_KEY_FILE in os.environ."""
    base = Path(keep or tempfile.mkdtemp(prefix="mira-ops-"))
    if keep and base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True, exist_ok=True)
    home = base / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((ROOT / "config" / "dagster.yaml").read_text() + yaml_extra)
    data = base / "mira_data"
    from mira_assets.demo_data import generate_demo_data
    from resources.vault.keyring import generate_key_b64

    generate_demo_data(data / "landing", start=date.fromisoformat(DAYS[0]), days=days, seed=7)
    key = base / "vault.key"
    key.write_text(generate_key_b64())
    os.environ.update(MIRA_DATA=str(data), DAGSTER_HOME=str(home), MIRA_VAULT_KEY_FILE=str(key))
    os.environ.pop("MIRA_VAULT_KEY", None)
    os.chdir(ROOT)
    return base


def expect(condition: bool, what: str) -> None:
    print(("  ok   " if condition else "  FAIL ") + what, flush=True)
    if not condition:
        raise SystemExit(1)


class Timer:
    def __init__(self, label: str):
        self.label = label

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        print(f"  [{self.label}: {self.seconds:.1f} s]", flush=True)


def mira(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / ".venv/bin/mira"), *args], **kw)


def python() -> str:
    return sys.executable
