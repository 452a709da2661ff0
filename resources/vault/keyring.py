"""Vault master keys: one active key that seals, older keys that stay readable.

Keys come from configuration only (never a built-in default): the Dagster resource's `dg.EnvVar`s or,
for the CLI, the environment:

- ``MIRA_VAULT_KEY``: base64 of 32 random bytes (the active key);
- ``MIRA_VAULT_KEY_FILE``: a text file, one base64 key per line, ``#`` starts a comment,
  blank lines ignored. The first key is the active key, later keys are older ones kept
  readable (for rotation). If both are set, ``MIRA_VAULT_KEY`` is active and *every* key
  of the file is an older key.

A key id is the first 8 bytes of SHA-256(b"mira-vault-key-id" + key), as 16 hex chars; it
is written into each record header so the right key is found without trial decryption.
Nothing here ever puts key material into a message or ``repr``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping
from pathlib import Path

from resources.vault.errors import VaultKeyError
from resources.vault.kdf import FastHmac

KEY_BYTES = 32
KEY_ID_PREFIX = b"mira-vault-key-id"
ENV_KEY = "MIRA_VAULT_KEY"
ENV_KEY_FILE = "MIRA_VAULT_KEY_FILE"
NO_KEY_MESSAGE = "no vault key configured: set MIRA_VAULT_KEY or MIRA_VAULT_KEY_FILE"
SIV_KEY_INFO = b"mira-vault/v2/siv-key"


def key_id(key: bytes) -> str:
    """16 hex chars identifying ``key`` (first 8 bytes of SHA-256(b"mira-vault-key-id" + key))."""
    return hashlib.sha256(KEY_ID_PREFIX + key).digest()[:8].hex()


def generate_key_b64() -> str:
    """A fresh random 32-byte master key, standard base64 (what MIRA_VAULT_KEY holds)."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def decode_key(text: str, where: str) -> bytes:
    """Decode one base64 key (standard or urlsafe alphabet); ``where`` names its source in errors."""
    s = "".join(text.split())
    if not s:
        raise VaultKeyError(f"{where}: empty key")
    try:
        if "-" in s or "_" in s:
            raw = base64.urlsafe_b64decode(s)
        else:
            raw = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        raise VaultKeyError(f"{where}: not valid base64") from None
    if len(raw) != KEY_BYTES:
        raise VaultKeyError(f"{where}: key must be {KEY_BYTES} bytes, got {len(raw)}") from None
    return raw


def read_key_file(path: str | os.PathLike) -> list[bytes]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise VaultKeyError(f"vault key file not found: {p}") from None
    except OSError as e:
        raise VaultKeyError(f"vault key file {p} unreadable: {e.strerror}") from None
    keys = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line:
            keys.append(decode_key(line, f"vault key file {p} line {n}"))
    if not keys:
        raise VaultKeyError(f"vault key file {p} holds no key")
    return keys


class Keyring:
    """Active key + older keys (32 bytes each), addressed by key id."""

    def __init__(self, active: bytes, older: list[bytes] | tuple[bytes, ...] = ()):
        if len(active) != KEY_BYTES or any(len(k) != KEY_BYTES for k in older):
            raise VaultKeyError(f"vault keys must be {KEY_BYTES} bytes")
        self._keys: dict[str, bytes] = {}
        self.active_id: str = key_id(active)
        self._keys[self.active_id] = active
        for k in older:
            self._keys.setdefault(key_id(k), k)
        self._siv: dict[str, bytes] = {}
        self._siv_hmac: dict = {}
        self._kid_bytes: dict[str, bytes] = {}

    # -- construction -------------------------------------------------------------------
    @classmethod
    def load(cls, key_b64: str | None = None, key_file: str | None = None) -> "Keyring":
        """Keyring from an explicit key and/or key file; with neither, VaultKeyError(NO_KEY_MESSAGE).

        There is no default key and no look into the environment behind the caller's back: the
        Dagster resource passes what its `dg.EnvVar`s resolve to, the CLI calls ``from_env``.
        """
        return cls._build(key_b64 or None, key_file or None)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "Keyring":
        """Keyring from MIRA_VAULT_KEY / MIRA_VAULT_KEY_FILE of ``environ`` (the CLI's way to configure)."""
        return cls._build(environ.get(ENV_KEY) or None, environ.get(ENV_KEY_FILE) or None)

    @classmethod
    def _build(cls, key_b64: str | None, key_file: str | None) -> "Keyring":
        if not key_b64 and not key_file:
            raise VaultKeyError(NO_KEY_MESSAGE)
        file_keys = read_key_file(key_file) if key_file else []
        if key_b64:
            return cls(decode_key(key_b64, ENV_KEY), file_keys)
        return cls(file_keys[0], file_keys[1:])

    # -- access -------------------------------------------------------------------------
    def active(self) -> tuple[str, bytes]:
        return self.active_id, self._keys[self.active_id]

    def get(self, key_id: str) -> bytes:
        try:
            return self._keys[key_id]
        except KeyError:
            raise VaultKeyError(f"no key with id {key_id} in the keyring "
                                f"(known: {', '.join(self.key_ids)})") from None

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    @property
    def key_ids(self) -> list[str]:
        """Active id first, then older ids."""
        return list(self._keys)

    @property
    def older_ids(self) -> list[str]:
        return [k for k in self._keys if k != self.active_id]

    def siv_key(self, key_id: str) -> bytes:
        """HMAC-SHA256(master, b"mira-vault/v2/siv-key"): keys the synthetic per-record salt."""
        k = self._siv.get(key_id)
        if k is None:
            k = hmac.digest(self.get(key_id), SIV_KEY_INFO, "sha256")
            self._siv[key_id] = k
        return k

    def key_id_bytes(self, key_id: str) -> bytes:
        b = self._kid_bytes.get(key_id)
        if b is None:
            b = self._kid_bytes[key_id] = bytes.fromhex(key_id)
        return b

    def siv_hmac(self, key_id: str):
        """Cached FastHmac keyed with ``siv_key(key_id)``."""
        h = self._siv_hmac.get(key_id)
        if h is None:
            h = self._siv_hmac[key_id] = FastHmac(self.siv_key(key_id))
        return h

    def __repr__(self) -> str:  # never key material
        return f"Keyring(active_id={self.active_id!r}, older_ids={self.older_ids!r})"

    __str__ = __repr__
