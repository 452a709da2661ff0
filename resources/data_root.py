"""Where each kind of project data lives under `MIRA_DATA`: one place that knows the layout."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional


def default_data_root() -> Path:
    """`MIRA_DATA`, or `./mira_data` when unset: the CLI's default. The Dagster code location gets its root
    from `DataRootResource` instead (data_root_resource.py)."""
    return Path(os.environ.get("MIRA_DATA", "mira_data")).resolve()


@dataclass(frozen=True)
class DataLayout:
    root: Path

    @classmethod
    def from_env(cls) -> "DataLayout":
        """The layout under `default_data_root()` (for the CLI)."""
        return cls(default_data_root())

    @classmethod
    def of_vault(cls, vault_root: Path) -> Optional["DataLayout"]:
        """The data root a vault sits in, when it sits at `<root>/databases/lightning_vidmem`."""
        vault_root = Path(vault_root).resolve()
        if vault_root.name == "lightning_vidmem" and vault_root.parent.name == "databases":
            return cls(vault_root.parent.parent)
        return None

    @property
    def vault(self) -> Path:
        return self.root / "databases" / "lightning_vidmem"

    @property
    def chromadb(self) -> Path:
        return self.root / "databases" / "chromadb"

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def tables(self) -> Path:
        return self.root / "tables"

    @property
    def manifests(self) -> Path:
        return self.root / "manifests"
