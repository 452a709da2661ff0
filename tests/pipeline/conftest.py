"""A project data root with three days of demo landing data, and the settings that point the pipeline at it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from mira_assets.domain.demo_data import generate_demo_data
from pipeline.helpers import DAYS


@pytest.fixture
def mira_data(tmp_path: Path) -> Path:
    root = tmp_path / "mira_data"
    generate_demo_data(root / "landing", start=date.fromisoformat(DAYS[0]), days=len(DAYS), seed=11)
    return root


@pytest.fixture
def settings(mira_data: Path, vault_key: str) -> dict:
    """What an operator configures, given explicitly: the data root and the vault key."""
    return {"data_root": str(mira_data), "vault_key": vault_key}


@pytest.fixture
def instance(tmp_path: Path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.DagsterInstance.local_temp(tempdir=str(home), overrides={"telemetry": {"enabled": False}}) as temp_instance:
        yield temp_instance
