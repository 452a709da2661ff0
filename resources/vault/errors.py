"""The vault's errors. Messages name files, records and reasons, never secrets."""

from __future__ import annotations


class VaultError(Exception):
    """Base of all vault errors. Messages name files/records and reasons, never secrets."""


class VaultKeyError(VaultError):
    """No key configured, malformed key, or a record sealed under a key not in the keyring."""


class VaultIntegrityError(VaultError):
    """A record failed to parse, authenticate or decode. ``path``/``record_id`` name it."""

    def __init__(self, reason: str, *, record_id: str | None = None, path: str | None = None):
        self.reason = reason
        self.record_id = record_id
        self.path = path
        where = []
        if path:
            where.append(str(path))
        if record_id:
            where.append(f"record {record_id}")
        super().__init__(f"{' '.join(where) or 'vault record'}: {reason}")

    def at(self, path) -> "VaultIntegrityError":
        """The same error, now naming the file."""
        return VaultIntegrityError(self.reason, record_id=self.record_id, path=str(path))
