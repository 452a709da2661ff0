"""Dagster wrapper around the framework-free vault: configuration in, `Vault` out."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import dagster as dg

from resources.data_root import DataLayout
from resources.vault.keyring import Keyring
from resources.vault.store import Vault

__all__ = ["VaultResource", "DataRootResource"]


class VaultResource(dg.ConfigurableResource):
    """The Lightning Vidmem vault. Keys come only through `dg.EnvVar`; no key, no run."""

    root: str = ""
    key: Optional[str] = None
    key_file: Optional[str] = None

    def vault_root(self) -> Path:
        if self.root:
            return Path(self.root)
        return DataLayout.from_env().vault

    def get_vault(self) -> Vault:
        keyring = Keyring.load(key_b64=self.key or None, key_file=self.key_file or None)
        return Vault(self.vault_root(), keyring)


class DataRootResource(dg.ConfigurableResource):
    """The project's data root (`MIRA_DATA` by default): landing, quarantine, tables, manifests."""

    root: str = ""

    def layout(self) -> DataLayout:
        return DataLayout(Path(self.root).resolve()) if self.root else DataLayout.from_env()
