"""The code location: every asset, check, job, schedule and resource of mira-storage."""

from __future__ import annotations

import os

import dagster as dg

from jobs.codebase_restore import restore_codebase_job
from jobs.daily import daily_storage_job, nightly_storage_schedule
from jobs.vault_maintenance import import_legacy_vault_job, rotate_vault_key_job, verify_vault_job
from mira_assets.assets import codebase, consciousness, conversations, facts, memories, private_memory
from mira_assets.io_managers import ParquetTableIOManager, SealedParquetTableIOManager
from resources.chroma_resource import ChromaResource
from resources.codebase_resource import CodebasesResource
from resources.embedder_resource import EmbedderResource
from resources.vault_resource import DataRootResource, VaultResource


def _env_or_none(name: str):
    """Secrets and paths reach resources only as EnvVars, and only when they are set."""
    return dg.EnvVar(name) if os.environ.get(name) else None


def build_resources() -> dict:
    vault = VaultResource(key=_env_or_none("MIRA_VAULT_KEY"), key_file=_env_or_none("MIRA_VAULT_KEY_FILE"))
    data_root = DataRootResource(root=_env_or_none("MIRA_DATA") or "")
    return {
        "vault": vault,
        "data_root": data_root,
        "io_manager": ParquetTableIOManager(root=data_root.root),
        "private_io_manager": SealedParquetTableIOManager(root=data_root.root, vault=vault),
        "chroma": ChromaResource(
            host=_env_or_none("MIRA_CHROMA_HOST"), port=int(os.environ.get("MIRA_CHROMA_PORT", "8000"))
        ),
        "codebases": CodebasesResource(),
        "embedder": EmbedderResource(device=_env_or_none("MIRA_EMBEDDER_DEVICE") or "cpu"),
    }


ASSET_MODULES = [conversations, private_memory, memories, facts, consciousness, codebase]

defs = dg.Definitions(
    assets=dg.load_assets_from_modules(ASSET_MODULES),
    jobs=[daily_storage_job, verify_vault_job, rotate_vault_key_job, import_legacy_vault_job, restore_codebase_job],
    schedules=[nightly_storage_schedule],
    resources=build_resources(),
)
