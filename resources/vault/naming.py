"""`vault.json`: the vault's id and its random naming secret, sealed under the active key.

Keyed names (private memory ids, codebase chunk names) derive from the naming secret, not from a master
key, so they survive key rotation. The file is created once, atomically and create-if-absent, so
concurrent first writers agree on one secret. Framework-free.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from pathlib import Path

from resources.vault import envelope, layout
from resources.vault.atomic import atomic_write, fsync_dir, temp_path
from resources.vault.errors import VaultIntegrityError, VaultKeyError
from resources.vault.kdf import hkdf
from resources.vault.keyring import Keyring
from resources.vault.records import VAULT_FORMAT, VAULT_FORMAT_VERSION, b64decode_strict

NAMING_INFO_PREFIX = b"mira-vault/v2/naming/"


class VaultNaming:
    """The naming secret of the vault at ``root`` and the keys derived from it (cached per purpose)."""

    def __init__(self, root: Path, keyring: Keyring):
        self.root = Path(root)
        self.keyring = keyring
        self._secret: bytes | None = None
        self._keys: dict[str, bytes] = {}

    @property
    def file(self) -> Path:
        return self.root / layout.VAULT_FILE

    def read_doc(self) -> dict:
        try:
            doc = json.loads(self.file.read_bytes())
            if doc.get("format") != VAULT_FORMAT or not isinstance(doc.get("naming_secret"), dict):
                raise ValueError
            return doc
        except (ValueError, json.JSONDecodeError, UnicodeDecodeError):
            raise VaultIntegrityError("not a valid vault.json", path=str(self.file)) from None

    def _doc_bytes(self, vault_id: str, secret: bytes) -> bytes:
        sealed = envelope.seal(secret, kind=layout.KIND_NAMING, record_id=vault_id, keyring=self.keyring,
                               compress=False)
        doc = {"format": VAULT_FORMAT, "format_version": VAULT_FORMAT_VERSION, "vault_id": vault_id,
               "naming_secret": {"key_id": self.keyring.active_id,
                                 "sealed": base64.b64encode(sealed).decode("ascii")}}
        return (json.dumps(doc, sort_keys=True, indent=2) + "\n").encode("ascii")

    def _unseal(self, doc: dict) -> bytes:
        p = self.file
        try:
            sealed = b64decode_strict(doc["naming_secret"].get("sealed"))
            secret = envelope.unseal(sealed, kind=layout.KIND_NAMING, record_id=str(doc.get("vault_id")),
                                     keyring=self.keyring)
        except VaultIntegrityError as e:
            raise e.at(p) from None
        except VaultKeyError as e:
            raise VaultKeyError(f"{p}: {e}") from None
        except (ValueError, binascii.Error, AttributeError):
            raise VaultIntegrityError("naming secret is not valid base64", path=str(p)) from None
        if len(secret) != 32:
            raise VaultIntegrityError("naming secret has the wrong length", path=str(p))
        return secret

    def _create(self) -> None:
        p = self.file
        self.root.mkdir(parents=True, exist_ok=True)
        data = self._doc_bytes(secrets.token_hex(16), secrets.token_bytes(32))
        tmp = temp_path(p)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, p)  # atomic create-if-absent: concurrent creators agree on one file
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        fsync_dir(self.root)

    def secret(self) -> bytes:
        """The 32-byte naming secret (made on first use)."""
        if self._secret is None:
            if not self.file.exists():
                self._create()
            self._secret = self._unseal(self.read_doc())
        return self._secret

    def verify(self) -> None:
        """Re-read and open vault.json; raises naming the file if it does not."""
        self._secret = None
        self.secret()

    def vault_id(self) -> str:
        self.secret()
        return str(self.read_doc()["vault_id"])

    def key(self, purpose: str) -> bytes:
        """32-byte key for keyed names: HKDF-SHA256 over the naming secret with info
        b"mira-vault/v2/naming/" + purpose. Survives rotation."""
        k = self._keys.get(purpose)
        if k is None:
            k = self._keys[purpose] = hkdf(self.secret(), b"\x00" * 32, NAMING_INFO_PREFIX + purpose.encode("utf-8"), 32)
        return k

    def rotate(self) -> bool:
        """Re-seal the naming secret under the active key; True when vault.json changed."""
        if not self.file.exists():
            return False
        doc = self.read_doc()
        if doc["naming_secret"].get("key_id") == self.keyring.active_id:
            return False
        return atomic_write(self.file, self._doc_bytes(str(doc["vault_id"]), self._unseal(doc)))
