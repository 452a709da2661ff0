"""Every day's vault files against the day's manifest: what `vault verify` adds to decrypting each file.

A manifest (`<data root>/manifests/<asset>/<YYYY-MM-DD>.parquet`, day_manifests.py) lists what one writer wrote
for one day: the vault assets for their partitions, `import-legacy` for the day it ran. Against them, verify
names each file that is missing, that differs from what was written (edited, replaced, rolled back to an older
authentic version), and each record file that no manifest lists (an orphan: a run interrupted between writing
its files and its manifest, or a file put there by hand). Without a manifests folder (a vault used without the
pipeline) there is nothing to hold the files against and nothing is reported here.

A key rotation re-seals files, so their digests move on: `reconcile_rotated` brings the manifests along, row by
row, only where the file now is exactly the recorded file re-sealed under the active key (sealing is
deterministic, so that is checkable), never by trusting whatever is on disk. Framework-free.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Optional

from resources.vault import layout
from resources.vault.day_manifests import read_manifest, write_manifest
from resources.vault.errors import VaultError
from resources.vault.records import VerifyProblem
from resources.vault.store import Vault


def manifest_files(manifests_root: Optional[Path]) -> list[Path]:
    if manifests_root is None or not manifests_root.is_dir():
        return []
    return sorted(manifests_root.glob("*/*.parquet"))


def _named(manifests_root: Path, file: Path) -> str:
    return f"{manifests_root.name}/{file.relative_to(manifests_root).as_posix()}"


def _digest(path: Path) -> tuple[int, str] | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return len(data), hashlib.sha256(data).hexdigest()


def check_manifests(vault: Vault, manifests_root: Optional[Path]) -> list[VerifyProblem]:
    """Problems of every manifest's rows (missing, differing file) and every record file no manifest lists."""
    files = manifest_files(manifests_root)
    if not files:
        return []
    problems: list[VerifyProblem] = []
    listed: set[str] = set()
    for file in files:
        where = _named(manifests_root, file)
        try:
            manifest = read_manifest(file)
        except Exception as error:  # pyarrow's errors: a damaged or foreign file
            problems.append(VerifyProblem(where, f"not a readable manifest ({type(error).__name__})"))
            continue
        for row in manifest.itertuples(index=False):
            listed.add(row.path)
            now = _digest(vault.root / row.path)
            if now is None:
                problems.append(VerifyProblem(row.path, f"missing: {where} lists it", row.id))
            elif now != (int(row.bytes), row.sha256):
                problems.append(VerifyProblem(
                    row.path, f"differs from what {where} recorded ({int(row.bytes)} bytes, sha256 "
                              f"{row.sha256[:16]}…): edited, replaced or rolled back since it was written", row.id))
    for rel in vault._record_files():
        name = rel.rsplit("/", 1)[-1]
        if rel in listed or name == layout.INDEX_FILE or not name.endswith((".json", ".enc")):
            continue
        if rel.startswith(layout.PRIVATE_DIR + "/") and not _pipeline_record(vault, rel):
            continue
        problems.append(VerifyProblem(rel, "no manifest lists it: left by an interrupted run (re-materialize its "
                                           "day to settle it) or put there by hand"))
    return problems


def _pipeline_record(vault: Vault, rel: str) -> bool:
    """A current private record not marked as imported (a MIRA 1.0 file awaiting import is reported apart)."""
    wrapper = vault.current_wrapper(rel)
    return wrapper is not None and "imported_from" not in wrapper


def reconcile_rotated(vault: Vault, manifests_root: Optional[Path]) -> int:
    """Update the manifest rows of files a rotation re-sealed; returns how many rows changed.

    A row moves on only when its file, authenticated, re-sealed under one of the keyring's older keys gives back
    exactly the recorded bytes. Safe to run any time (an interrupted rotation's rerun catches up on it)."""
    older = vault.keyring.older_ids
    updated = 0
    for file in manifest_files(manifests_root):
        manifest = read_manifest(file)
        changed = False
        for i, row in enumerate(manifest.itertuples(index=False)):
            path = vault.root / row.path
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                continue
            now = (len(raw), hashlib.sha256(raw).hexdigest())
            if now == (int(row.bytes), row.sha256):
                continue
            try:
                if vault.record_key_id(row.path, raw) != vault.keyring.active_id:
                    continue
                opened = vault.opened_record(row.path, raw)  # decrypted once, sealed under each older key
                was = any(hashlib.sha256(opened.sealed_under(kid)).hexdigest() == row.sha256 for kid in older)
            except (VaultError, ValueError):
                continue  # not a record this vault opens: verify reports it
            if was:
                manifest.loc[i, ["bytes", "sha256"]] = [now[0], now[1]]
                changed = True
                updated += 1
        if changed:
            write_manifest(file, manifest.astype({"bytes": "int64"}))
    return updated
