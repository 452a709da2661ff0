"""Vault manifests: one Parquet table per asset and day listing what the vault holds for it.

A manifest is the asset's answer to "which files did this day write?": it lets a rerun remove
files that the day no longer produces, and lets checks prove every file is present and intact.
It holds ids, relative paths, sizes and ciphertext digests only, never content.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from resources.parquet import parquet_bytes
from resources.vault.atomic import atomic_write

MANIFEST_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("kind", pa.string()),
        ("path", pa.string()),
        ("bytes", pa.int64()),
        ("sha256", pa.string()),
    ]
)


def manifest_path(manifests_root: Path, asset: str, day: date) -> Path:
    return manifests_root / asset / f"{day.isoformat()}.parquet"


def manifest_frame(refs: Iterable) -> pd.DataFrame:
    """RecordRefs -> manifest table, sorted by id so reruns write identical bytes."""
    rows = sorted(
        ({"id": r.record_id, "kind": r.kind, "path": r.path, "bytes": int(r.bytes), "sha256": r.sha256} for r in refs),
        key=lambda row: row["id"],
    )
    return pd.DataFrame(rows, columns=MANIFEST_SCHEMA.names).astype({"bytes": "int64"})


def write_manifest(path: Path, frame: pd.DataFrame) -> bool:
    """Atomically (re)write a manifest; False when the identical manifest was already there."""
    return atomic_write(path, parquet_bytes(frame, schema=MANIFEST_SCHEMA))


def read_manifest(path: Path) -> pd.DataFrame:
    """The stored manifest, or an empty one when the day has never been written."""
    if not path.exists():
        return pd.DataFrame(columns=MANIFEST_SCHEMA.names).astype({"bytes": "int64"})
    return pq.read_table(path, schema=MANIFEST_SCHEMA).to_pandas()


def stale_paths(previous: pd.DataFrame, current: pd.DataFrame) -> list[str]:
    """Paths the previous run of the day wrote that this run no longer produces."""
    return sorted(set(previous["path"]) - set(current["path"]))
