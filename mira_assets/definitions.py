"""The code location: every asset, check, job, schedule and resource of mira-storage.

Dagster loads `defs` (a `@dg.definitions` function) when the code location starts, not when this module is
imported. Configuration reaches the resources only as `dg.EnvVar`s: Dagster resolves their values when a run
starts and the UI shows their names, never a key. `dg.EnvVar` has no default, so `defs` binds a setting to its
variable only when the variable is set and otherwise leaves the resource's default (a data root of
`./mira_data`, an embedded Chroma, the CPU). Tests and scripts build the same Definitions from explicit
settings: `build_definitions(storage_resources(data_root=..., vault_key=...))`.

Settings (environment variable: resource field):
    MIRA_DATA             data_root.root (every other resource takes its paths from it)
    MIRA_VAULT_KEY        vault.key          MIRA_VAULT_KEY_FILE   vault.key_file
    MIRA_CHROMA_HOST      chroma.host        MIRA_CHROMA_PORT      chroma.port
    MIRA_EMBEDDER_DEVICE  embedder.device    MIRA_CODEBASES        codebases.codebases_json
    MIRA_HTM_DEVICE       htm.device
Read by the loader itself (they shape the definitions, not a resource):
    MIRA_PARTITION_START  the first partition day (mira_assets/partitions.py)
    MIRA_EXECUTOR         in_process (default) or celery (mira_assets/operations/executor.py)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Optional, Sequence

import dagster as dg

from jobs.codebase_restore import restore_codebase_job
from jobs.catch_up import catch_up_sensor
from jobs.daily import daily_storage_job, nightly_storage_schedule
from jobs.vault_maintenance import import_legacy_vault_job, rotate_vault_key_job, verify_vault_job
from mira_assets.assets import (codebase, consciousness, conversations, evolution, facts, htm, memories,
                                 private_memory)
from mira_assets.io_managers import ParquetTableIOManager, SealedParquetTableIOManager
from mira_assets.operations.executor import executor_for, interruptible_in_process_executor
from mira_assets.partitions import daily_partitions, partition_start
from resources.chroma_resource import ChromaResource
from resources.codebase_resource import CodebaseEntry, CodebasesResource
from resources.data_root_resource import DEFAULT_ROOT, DataRootResource
from resources.embedder_resource import EmbedderResource
from resources.htm_resource import HTMResource
from resources.vault_resource import VaultResource

ASSET_MODULES = [conversations, private_memory, memories, facts, consciousness, evolution, htm, codebase]
MAINTENANCE_JOBS = [verify_vault_job, rotate_vault_key_job, import_legacy_vault_job, restore_codebase_job]
Setting = Any  # a plain value or a dg.EnvVar


def storage_resources(
    *,
    data_root: Setting = DEFAULT_ROOT,
    vault_key: Optional[Setting] = None,
    vault_key_file: Optional[Setting] = None,
    chroma_host: Optional[Setting] = None,
    chroma_port: Setting = 8000,
    embedder_device: Setting = "cpu",
    htm_device: Setting = "cpu",
    codebases: Sequence[Mapping[str, Any]] = (),
    codebases_json: Optional[Setting] = None,
) -> dict[str, Any]:
    """Every resource the assets and jobs need, all taking their paths from one `DataRootResource`."""
    root = DataRootResource(root=data_root)
    vault = VaultResource(data_root=root, key=vault_key, key_file=vault_key_file)
    return {
        "data_root": root,
        "vault": vault,
        "io_manager": ParquetTableIOManager(data_root=root),
        "private_io_manager": SealedParquetTableIOManager(data_root=root, vault=vault),
        "chroma": ChromaResource(data_root=root, host=chroma_host, port=chroma_port),
        "codebases": CodebasesResource(codebases=[CodebaseEntry(**dict(c)) for c in codebases],
                                       codebases_json=codebases_json),
        "embedder": EmbedderResource(device=embedder_device),
        "htm": HTMResource(device=htm_device),
    }


def resources_from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """`storage_resources` with each setting whose variable is set in ``environ`` bound to its `dg.EnvVar`."""

    def env(name: str, as_int: bool = False) -> dict[str, Any]:
        return {} if not environ.get(name) else {"value": dg.EnvVar.int(name) if as_int else dg.EnvVar(name)}

    settings = {
        "data_root": env("MIRA_DATA"),
        "vault_key": env("MIRA_VAULT_KEY"),
        "vault_key_file": env("MIRA_VAULT_KEY_FILE"),
        "chroma_host": env("MIRA_CHROMA_HOST"),
        "chroma_port": env("MIRA_CHROMA_PORT", as_int=True),
        "embedder_device": env("MIRA_EMBEDDER_DEVICE"),
        "htm_device": env("MIRA_HTM_DEVICE"),
        "codebases_json": env("MIRA_CODEBASES"),
    }
    return storage_resources(**{name: bound["value"] for name, bound in settings.items() if bound})


def storage_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    """Every asset (with its checks) of every group, over ``partitions``."""
    return [asset for module in ASSET_MODULES for asset in module.build_assets(partitions)]


def build_definitions(resources: Mapping[str, Any], partitions: Optional[dg.PartitionsDefinition] = None,
                      executor: Optional[dg.ExecutorDefinition] = None) -> dg.Definitions:
    """The code location's assets, checks, jobs, schedule and sensor with the given resources, over
    ``partitions`` (default: daily from 2026-01-01), run by ``executor`` (default: in process, interruptible)."""
    partitions = partitions or daily_partitions()
    daily_job = daily_storage_job(partitions)
    return dg.Definitions(
        assets=storage_assets(partitions),
        jobs=[daily_job, *MAINTENANCE_JOBS],
        schedules=[nightly_storage_schedule(daily_job)],
        sensors=[catch_up_sensor()],
        resources=dict(resources),
        executor=executor or interruptible_in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(resources_from_environment(os.environ),
                             partitions=daily_partitions(partition_start(os.environ)),
                             executor=executor_for(os.environ))
