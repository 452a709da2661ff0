"""Tables sealed by the vault: how they are named, opened, verified and moved to a new key.

The private IO manager keeps tables that hold secret text as `<tables>/<asset>/<day>.parquet.enc`,
each a vault record of kind "table" whose id is that path without the suffix, so a file moved to
another asset or day fails to open. Rotation and verification must cover them too, or dropping
an old key would strand them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Optional

from resources.vault.envelope import VaultError
from resources.vault.store import Vault

SEALED_SUFFIX = ".parquet.enc"
TABLE_KIND = "table"


def table_record_id(tables_root: Path, path: Path) -> str:
    relative = path.relative_to(tables_root).as_posix()
    return relative[: -len(SEALED_SUFFIX)]


def seal_table(vault: Vault, tables_root: Path, path: Path, parquet: bytes) -> bytes:
    return vault.seal(parquet, kind=TABLE_KIND, record_id=table_record_id(tables_root, path))


def unseal_table(vault: Vault, tables_root: Path, path: Path, blob: bytes) -> bytes:
    return vault.unseal(blob, kind=TABLE_KIND, record_id=table_record_id(tables_root, path))


def sealed_tables(tables_root: Optional[Path]) -> Iterator[Path]:
    """Every sealed table below tables_root (none when there is no tables root)."""
    if tables_root is None or not tables_root.exists():
        return iter(())
    return iter(sorted(tables_root.rglob(f"*{SEALED_SUFFIX}")))


def reseal_tables(vault: Vault, tables_root: Optional[Path]) -> int:
    """Re-encrypt every sealed table not under the active key; returns how many were rewritten."""
    return sum(vault.reseal_file(path, kind=TABLE_KIND, record_id=table_record_id(tables_root, path))
               for path in sealed_tables(tables_root))


def verify_tables(vault: Vault, tables_root: Optional[Path]) -> list[tuple[str, str]]:
    """(path, reason) for each sealed table that does not open."""
    problems = []
    for path in sealed_tables(tables_root):
        try:
            unseal_table(vault, tables_root, path, path.read_bytes())
        except VaultError as error:
            problems.append((str(path.relative_to(tables_root)), str(error)))
    return problems
