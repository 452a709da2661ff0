"""Running the vault side of the pipeline for a day, in-process, against the real definitions."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg

from mira_assets.definitions import build_definitions, storage_assets, storage_resources
from mira_assets.partitions import daily_partitions

DAYS = ["2026-11-01", "2026-11-02", "2026-11-03"]
# private_memories also seals the day's breakthroughs (evolution_checkpoints) and private HTM patterns (htm_state).
VAULT_ASSETS = ["conversations", "conversation_backups", "private_thoughts", "memories", "consciousness",
                "evolution_checkpoints", "memory_embeddings", "htm_state", "private_memories"]


def assets_named(*names: str) -> list[dg.AssetsDefinition]:
    """The code location's assets of these names (with their checks), over the default daily partitions."""
    by_name = {asset.key.to_user_string(): asset for asset in storage_assets(daily_partitions())}
    return [by_name[name] for name in names]


def load_defs(settings: dict) -> dg.Definitions:
    """The code location's Definitions built from explicit settings (what `defs` binds to dg.EnvVars)."""
    return build_definitions(storage_resources(**settings))


def run_day(settings: dict, day: str, instance, selection=VAULT_ASSETS,
            raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    defs = load_defs(settings)
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


def error_text(result: dg.ExecuteInProcessResult) -> str:
    """Every error a run's events carry (a step's, a resource's initialization, the run's), as text."""
    errors = (getattr(event.event_specific_data, "error", None) for event in result.all_events)
    return "\n".join(error.to_string() for error in errors if error is not None)
