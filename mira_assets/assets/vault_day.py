"""What a vault-writing asset reports: manifest, UI metadata and its integrity check."""


import time
from datetime import date
from typing import Sequence

import dagster as dg

from mira_assets.assets.checks import partitioned_check_spec
from resources.data_root import DataLayout
from resources.vault.day_writes import replace_day, verify_day
from resources.vault.store import RecordRef, Vault

INTEGRITY_CHECK = "records_decrypt_and_match_manifest"


def integrity_check_spec(asset: str, partitions: dg.PartitionsDefinition) -> dg.AssetCheckSpec:
    return partitioned_check_spec(
        INTEGRITY_CHECK, asset, partitions,
        description="Every record of the partition is on disk, matches the manifest's sha256 and decrypts.",
    )


def vault_day_result(
    *,
    asset: str,
    vault: Vault,
    layout: DataLayout,
    day: date,
    refs: Sequence[RecordRef],
    plaintext_bytes: int,
    started: float,
    extra_metadata: dict | None = None,
) -> dg.MaterializeResult:
    """Write the day's manifest, verify every record, and describe it for the UI (never content)."""
    written = time.perf_counter()
    day_write = replace_day(vault, layout.manifests, asset, day, refs)
    problems = verify_day(vault, day_write.manifest)
    stored = day_write.stored_bytes
    metadata = {
        "records": len(refs),
        "stored_bytes": stored,
        "plaintext_bytes": plaintext_bytes,
        "compression_ratio": round(plaintext_bytes / stored, 3) if stored else 0.0,
        "removed_stale_files": len(day_write.removed),
        "write_s": round(written - started, 3),
        "verify_s": round(time.perf_counter() - written, 3),
        "manifest": dg.MetadataValue.path(str(day_write.manifest_file)),
        "key_id": vault.keyring.active_id,
        **(extra_metadata or {}),
    }
    check = dg.AssetCheckResult(
        check_name=INTEGRITY_CHECK,
        passed=not problems,
        metadata={"records_checked": len(day_write.manifest), "problems": len(problems)},
        description="; ".join(problems[:10]) or None,
    )
    return dg.MaterializeResult(metadata=metadata, check_results=[check])
