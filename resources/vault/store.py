"""The vault ("Lightning Vidmem"): private memories and conversation backups as v2 records.

`Vault` is the one object callers use; its concerns live in their own modules: vault.json and keyed names
(naming.py), private memories (private_records.py), conversation backups (conversation_records.py),
verify (checker.py), rotate (rotation.py), ids and paths (ids.py, layout.py), the record format
(envelope.py; docs/vault-format.md). Framework-free (no dagster).

Other stores keep files under the vault root (the codebase store under ``codebase_copies/``). They are
passed to the vault explicitly as `HostedStore`s, so `verify` and `rotate` cover their files too.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resources.vault import envelope, layout
from resources.vault.checker import VaultChecker
from resources.vault.conversation_records import ConversationRecords
from resources.vault.errors import VaultError, VaultIntegrityError, VaultKeyError
from resources.vault.ids import TIMESTAMP_RANGE_TEXT, id_problem
from resources.vault.kdf import FastHmac
from resources.vault.keyring import Keyring
from resources.vault.naming import VaultNaming
from resources.vault.private_records import PrivateRecords
from resources.vault.records import PrivateItem, RecordRef, VerifyProblem, canonical_json

__all__ = ["HostedStore", "PrivateItem", "RecordRef", "Vault", "VaultError", "VerifyProblem"]
from resources.vault.rotation import VaultRotation

MEMORY_ID_PURPOSE = "private-memory-id"


@dataclass(frozen=True)
class HostedStore:
    """A store that keeps files under the vault root, below ``prefix`` (e.g. "codebase_copies/").

    ``verify(vault, absolute_path)`` raises (message = reason, never secrets) when the file is bad;
    ``rotate(vault, absolute_path) -> bool`` re-seals it under the active key (atomically, idempotently)
    and says whether it changed anything."""

    prefix: str
    verify: Callable[["Vault", Path], Any]
    rotate: Callable[["Vault", Path], bool]


class Vault(PrivateRecords, ConversationRecords, VaultChecker, VaultRotation):
    """A vault rooted at ``root`` (…/databases/lightning_vidmem), sealing under ``keyring``; ``hosted``: the
    stores that keep files under the root, whose files `verify` and `rotate` hand to them."""

    def __init__(self, root: Path, keyring: Keyring, hosted: Sequence[HostedStore] = ()):
        self.root = Path(root)
        self.keyring = keyring
        self.hosted = tuple(hosted)
        self.naming = VaultNaming(self.root, keyring)
        self._id_hmac: FastHmac | None = None
        self.last_rotation_skipped: list[str] = []

    def __repr__(self) -> str:
        return f"Vault(root={str(self.root)!r}, keyring={self.keyring!r})"

    # -- primitives ---------------------------------------------------------------------
    def seal(self, plaintext: bytes, *, kind: str, record_id: str, compress: bool = True,
             level: int = envelope.ZSTD_LEVEL, key_id: str | None = None) -> bytes:
        return envelope.seal(plaintext, kind=kind, record_id=record_id, keyring=self.keyring, compress=compress,
                             level=level, key_id=key_id)

    def unseal(self, blob: bytes, *, kind: str, record_id: str) -> bytes:
        return envelope.unseal(blob, kind=kind, record_id=record_id, keyring=self.keyring)

    def abspath(self, rel: str) -> Path:
        return self.root / rel

    def relpath(self, path: Path | str) -> str:
        p = Path(path)
        try:
            return p.relative_to(self.root).as_posix()
        except ValueError:
            return p.as_posix()

    def hosted_store(self, rel: str) -> HostedStore | None:
        """The hosted store whose prefix (the longest) covers ``rel``, if any."""
        matches = [h for h in self.hosted if rel.startswith(h.prefix)]
        return max(matches, key=lambda h: len(h.prefix)) if matches else None

    def check_keyring(self) -> None:
        """Raise VaultKeyError, naming the vault and the key ids tried (never a key), when this keyring cannot
        open the vault's vault.json; nothing to check (and nothing written) when the vault does not exist yet."""
        if not self.naming.file.exists():
            return
        try:
            self.naming.verify()
        except VaultError as e:
            if isinstance(e, VaultIntegrityError):
                why = f"{layout.VAULT_FILE} does not open: {e.reason}"
            else:
                sealed_under = self.naming.read_doc()["naming_secret"].get("key_id")
                why = f"its {layout.VAULT_FILE} is sealed under key id {sealed_under}"
            raise VaultKeyError(
                f"the configured vault key(s) cannot open the vault at {self.root}: tried key id(s) "
                f"{', '.join(self.keyring.key_ids)}, but {why}. Set MIRA_VAULT_KEY or MIRA_VAULT_KEY_FILE to this "
                f"vault's key; nothing was written") from None

    # -- names ------------------------------------------------------------------------------
    def vault_id(self) -> str:
        return self.naming.vault_id()

    def naming_key(self, purpose: str) -> bytes:
        """32-byte key for keyed names (memory ids, chunk names); survives rotation (naming.py)."""
        return self.naming.key(purpose)

    def memory_id(self, item: PrivateItem) -> str:
        """``private_<epoch ms>_<first 8 hex of HMAC(naming_key, kind || 0x00 || canonical payload)>``."""
        return self._memory_id(item.kind, item.timestamp, canonical_json(item.payload))

    def _memory_id(self, kind: str, timestamp: float, payload_json: bytes) -> str:
        h = self._id_hmac
        if h is None:
            h = self._id_hmac = FastHmac(self.naming_key(MEMORY_ID_PURPOSE))
        mac = h.digest(kind.encode("utf-8") + b"\x00" + payload_json)
        return f"private_{layout.epoch_ms(timestamp)}_{mac[:4].hex()}"  # digits + hex: path-safe

    # -- removal ----------------------------------------------------------------------------
    def remove_records(self, rels: Iterable[str]) -> list[str]:
        """Delete record files (relative paths; already gone is fine) and drop them from their day's index.
        The vault's one deletion path: callers decide what goes from a day's manifest (day_writes.replace_day),
        never by looking at what lies in a folder, so imported records and files no run accounts for stay (and
        `verify` names the latter). Returns the paths that were there."""
        removed: list[str] = []
        days = []
        for rel in rels:
            if not (rel.startswith(layout.PRIVATE_DIR + "/") or rel.startswith(layout.CONVERSATIONS_DIR + "/")) \
                    or any(id_problem(part) for part in rel.split("/")):
                raise VaultError(f"{rel}: not a private memory or conversation backup path")
            try:
                os.unlink(self.abspath(rel))
                removed.append(rel)
            except FileNotFoundError:
                pass
            day = layout.day_of_private_path(rel)
            if day is not None:
                days.append(day)
        self._forget_private_files(days)
        return removed

    # -- readers --------------------------------------------------------------------------
    def locate(self, record_id: str) -> str:
        """Relative path of a record id (private_… or conv_…, or an imported record's own id); VaultError if
        not found. A memory id names its time, so its day folder (a day either side: the partition may differ
        from the item's UTC day) is looked at first, then every day."""
        layout.safe_part(record_id, "record id")
        m = layout.MEMORY_ID_RE.match(record_id)
        base = layout.day_of_epoch_ms(int(m.group(1))) if m else None
        if base is not None:
            for delta in (0, -1, 1):
                try:
                    rel = layout.private_memory_path(base + dt.timedelta(days=delta), record_id)
                except OverflowError:  # the day after 9999-12-31
                    continue
                if self.abspath(rel).is_file():
                    return rel
        if layout.BACKUP_ID_RE.match(record_id):
            rel = layout.conversation_path_for_backup_id(record_id)
            if rel and self.abspath(rel).is_file():
                return rel
        if f"{record_id}.json" != layout.INDEX_FILE:
            for p in sorted((self.root / layout.PRIVATE_DIR).glob(f"*/*/*/{glob.escape(record_id)}.json")):
                return self.relpath(p)
        if record_id.startswith("private_-"):
            raise VaultError(f"record {record_id} not found in {self.root}: the vault writes no record dated "
                             f"before 1970 (accepted timestamps: {TIMESTAMP_RANGE_TEXT})")
        raise VaultError(f"record {record_id} not found in {self.root}")

    def read_record(self, path_or_id: str | Path) -> dict:
        """Decrypted record. Private memory: {memory_id, kind, timestamp, payload, metadata};
        conversation backup: {conversation_id, messages, context, timestamp}."""
        s = str(path_or_id)
        if isinstance(path_or_id, Path) or "/" in s or os.sep in s:
            p = Path(path_or_id)
            p = (p if p.is_absolute() else self.root / p).resolve()
            try:
                rel = p.relative_to(self.root.resolve()).as_posix()
            except ValueError:
                raise VaultError(f"{path_or_id}: path is outside the vault root {self.root}") from None
        else:
            rel = self.locate(s)
        return self._read_rel(rel)

    def _read_rel(self, rel: str) -> dict:
        p = self.abspath(rel)
        try:
            raw = p.read_bytes()
        except FileNotFoundError:
            raise VaultError(f"{rel}: no such record file") from None
        if rel.startswith(layout.PRIVATE_DIR + "/"):
            return self._decode_private(rel, raw)[0]
        if rel.startswith(layout.CONVERSATIONS_DIR + "/") and rel.endswith(".enc"):
            return self._decode_conversation(rel, raw)[0]
        raise VaultError(f"{rel}: not a private memory or conversation backup")

    def unseal_at(self, rel: str, blob: bytes, *, kind: str, record_id: str) -> bytes:
        """`unseal` the file ``rel`` holds; every error names the file, never the content."""
        try:
            return self.unseal(blob, kind=kind, record_id=record_id)
        except VaultIntegrityError as e:
            raise e.at(rel) from None
        except VaultKeyError as e:
            raise VaultKeyError(f"{rel}: {e}") from None

    def _unseal_json(self, rel: str, blob: bytes, *, kind: str, record_id: str) -> Any:
        """Open a sealed JSON record; every error names the file, never the content."""
        plain = self.unseal_at(rel, blob, kind=kind, record_id=record_id)
        try:
            return json.loads(plain)
        except (ValueError, UnicodeDecodeError):
            raise VaultIntegrityError("decrypted payload is not JSON", record_id=record_id, path=rel) from None

    def _walk(self, top: str) -> list[str]:
        out = []
        base = self.root / top
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                out.append(self.relpath(Path(dirpath) / name))
        return out

    def _record_files(self) -> list[str]:
        files = [r for r in self._walk(layout.PRIVATE_DIR)]
        files += self._walk(layout.CONVERSATIONS_DIR)
        return files

    def iter_records(self) -> Iterator[RecordRef]:
        """Every private memory and conversation backup file, as RecordRef (no decryption)."""
        for rel in self._record_files():
            name = rel.rsplit("/", 1)[-1]
            if rel.startswith(layout.PRIVATE_DIR + "/"):
                if name == layout.INDEX_FILE or not name.endswith(".json"):
                    continue
                raw = self.abspath(rel).read_bytes()
                try:
                    kind = str(json.loads(raw).get("kind", "private_memory"))
                except (ValueError, AttributeError):
                    kind = "private_memory"
                yield RecordRef(name[:-5], kind, rel, len(raw), hashlib.sha256(raw).hexdigest())
            elif name.endswith(".enc"):
                raw = self.abspath(rel).read_bytes()
                yield RecordRef(name[:-4], layout.KIND_CONVERSATION, rel, len(raw), hashlib.sha256(raw).hexdigest())

    # -- verify ---------------------------------------------------------------------------
