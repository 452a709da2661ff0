"""Dagster wrapper around the framework-free vault: configuration in, `Vault` out."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import dagster as dg

from resources.data_root_resource import DataRootResource
from resources.hosted_stores import hosted_stores
from resources.vault.keyring import Keyring
from resources.vault.store import Vault


class VaultResource(dg.ConfigurableResource):
    """The Lightning Vidmem vault at `<data root>/databases/lightning_vidmem` (or `root`).

    Keys come only through configuration, in the code location from `dg.EnvVar("MIRA_VAULT_KEY")` and/or
    `dg.EnvVar("MIRA_VAULT_KEY_FILE")`: no key configured, or keys that cannot open the vault's `vault.json`,
    no run (nothing is read behind Dagster's back)."""

    data_root: DataRootResource
    root: str = ""
    key: Optional[str] = None
    key_file: Optional[str] = None

    def vault_root(self) -> Path:
        return Path(self.root) if self.root else self.data_root.layout().vault

    def get_vault(self) -> Vault:
        keyring = Keyring.load(key_b64=self.key or None, key_file=self.key_file or None)
        return Vault(self.vault_root(), keyring, hosted=hosted_stores())

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """A run starts only with keys that open this vault: checked before any step writes a file (a wrong key
        would otherwise seal quarantines, tables and backups no one can read with the vault's real key). A vault
        that does not exist yet is created by the first write, as always."""
        self.get_vault().check_keyring()
