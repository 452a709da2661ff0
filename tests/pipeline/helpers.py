"""Running the vault side of the pipeline for a day, in-process, against the real definitions."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg

DAYS = ["2026-11-01", "2026-11-02", "2026-11-03"]
VAULT_ASSETS = ["conversations", "conversation_backups", "private_thoughts", "memories", "private_memories"]


def load_defs():
    """Definitions built after the test set MIRA_DATA and the key, as a code location would."""
    import importlib

    import mira_assets.definitions as module

    return importlib.reload(module).defs


def run_day(day: str, instance, selection=VAULT_ASSETS, raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    defs = load_defs()
    assets = list(defs.assets)
    return dg.materialize(
        assets,
        selection=selection,
        resources=defs.resources,
        partition_key=day,
        instance=instance,
        raise_on_error=raise_on_error,
    )


def tree_digest(root: Path) -> dict[str, str]:
    """relative path -> sha256 of every file below root."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}": evaluation.passed
        for evaluation in result.get_asset_check_evaluations()
    }
