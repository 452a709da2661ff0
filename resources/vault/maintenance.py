"""Verify and rotate the whole vault: its own files, and what the pipeline keeps beside it under the data root
(the sealed tables, the day manifests), so no file sealed under a key, or written for a day, escapes either.

The CLI (`mira vault verify|rotate`) and the maintenance jobs call these; framework-free.
"""

from __future__ import annotations

from typing import Optional

from resources.data_root import DataLayout
from resources.vault.manifest_checks import check_manifests, reconcile_rotated
from resources.vault.records import Progress
from resources.vault.sealed_tables import reseal_tables, verify_tables
from resources.vault.store import Vault


def verify_all(vault: Vault, beside: Optional[DataLayout], progress: Progress | None = None) -> list[tuple[str, str]]:
    """(path, reason) for every vault file that fails to open or to match its day's index, every file that
    does not match its day's manifest or that no manifest lists, and every sealed table that fails to open.
    ``beside``: the data root the vault sits in (None: a vault on its own, its files only)."""
    problems = [(p.path, p.reason) for p in vault.verify(progress=progress)]
    if beside is not None:
        problems += [(p.path, p.reason) for p in check_manifests(vault, beside.manifests)]
        problems += [(f"{beside.tables.name}/{path}", reason) for path, reason in verify_tables(vault, beside.tables)]
    return problems


def rotate_all(vault: Vault, beside: Optional[DataLayout], progress: Progress | None = None) -> tuple[int, int, int]:
    """Move every vault record and sealed table to the active key, and the day manifests along with the files
    they list: (records, tables, manifest rows) rewritten. A rerun finishes an interrupted rotation."""
    records = vault.rotate(progress=progress)
    if beside is None:
        return records, 0, 0
    return records, reseal_tables(vault, beside.tables), reconcile_rotated(vault, beside.manifests)
