"""Replace one day of vault records and prove what is on disk matches the day's manifest.

A day's rerun may produce fewer or different records (a conversation grew, a line was fixed
in landing): the files the previous run wrote and this one does not are removed, so the vault
holds exactly what the day's landing data says. Framework-free: the assets call it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Sequence

import pandas as pd

from resources.vault.day_manifests import manifest_frame, manifest_path, read_manifest, stale_paths, write_manifest
from resources.vault.store import RecordRef, Vault


@dataclass(frozen=True)
class DayWrite:
    manifest: pd.DataFrame
    manifest_file: Path
    removed: list[str]

    @property
    def stored_bytes(self) -> int:
        return int(self.manifest["bytes"].sum()) if len(self.manifest) else 0


def replace_day(vault: Vault, manifests_root: Path, asset: str, day: date, refs: Sequence[RecordRef]) -> DayWrite:
    """Record this run's refs as the day's manifest, removing files only the previous run wrote.

    The vault's one deletion policy: a day loses exactly the files its previous manifest listed and this run
    did not write, whatever else lies in its folders (an imported record, a file no run accounts for: `vault
    verify` names those). Files are written before this is called and removed before the manifest moves on,
    so a crash leaves either the old manifest (naming files that may be gone: the rerun handles that) or
    files no manifest lists yet (named by verify, listed by the rerun)."""
    path = manifest_path(manifests_root, asset, day)
    current = manifest_frame(refs)
    removed = stale_paths(read_manifest(path), current)
    vault.remove_records(removed)
    write_manifest(path, current)
    return DayWrite(manifest=current, manifest_file=path, removed=removed)


def verify_day(vault: Vault, manifest: pd.DataFrame) -> list[str]:
    """Problems with the day's records: missing, changed since written, or not decrypting."""
    problems: list[str] = []
    for row in manifest.itertuples(index=False):
        file = vault.root / row.path
        if not file.exists():
            problems.append(f"{row.path}: missing")
            continue
        if hashlib.sha256(file.read_bytes()).hexdigest() != row.sha256:
            problems.append(f"{row.path}: ciphertext differs from the manifest")
            continue
        try:
            vault.read_record(file)
        except Exception as error:  # the vault's errors name the file and reason, never content
            problems.append(f"{row.path}: {error}")
    return problems
