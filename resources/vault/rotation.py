"""`vault rotate`: re-seal every record that is not under the active key, atomically per file.

Older keys must still be in the keyring to read what they sealed. Files a hosted store keeps under the
root (codebase_copies/, htm_state/) are re-sealed by that store's rotator; MIRA 1.0 records are skipped
(import them first) and listed in `last_rotation_skipped`. A part of `Vault` (store.py); framework-free.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from pathlib import Path

from resources.vault import envelope, layout
from resources.vault.atomic import AtomicBatch, atomic_write
from resources.vault.records import READABLE_VERSIONS, Progress, b64decode_strict, wrapper_bytes

BATCH_SIZE = 4096


@dataclass(frozen=True)
class OpenedRecord:
    """A record file's content and how it was sealed: `sealed_under(key_id)` gives its file's bytes under a key."""

    vault: "VaultRotation"
    kind: str
    record_id: str
    plain: bytes = field(repr=False)
    compress: bool
    wrapper: dict | None  # a private memory's JSON wrapper; None for a conversation backup

    def sealed_under(self, key_id: str) -> bytes:
        new = self.vault.seal(self.plain, kind=self.kind, record_id=self.record_id, compress=self.compress,
                              key_id=key_id)
        if self.wrapper is None:
            return new
        return wrapper_bytes(dict(self.wrapper, encrypted_data=base64.b64encode(new).decode("ascii")))


class VaultRotation:
    """`rotate` (a mixin of `Vault`)."""

    def record_key_id(self, rel: str, raw: bytes) -> str:
        """The key id a private memory or conversation backup file is sealed under (header only)."""
        if rel.startswith(layout.CONVERSATIONS_DIR + "/"):
            return envelope.record_key_id(raw)
        try:
            return envelope.record_key_id(b64decode_strict(json.loads(raw)["encrypted_data"]))
        except (ValueError, KeyError, TypeError, binascii.Error, envelope.VaultIntegrityError):
            return envelope.record_key_id(self._decode_private(rel, raw)[1])  # raises, naming the file

    def sealed_under(self, rel: str, raw: bytes, key_id: str) -> bytes:
        """The bytes the private memory or conversation backup file ``rel`` (now ``raw``, authenticated here)
        holds when sealed under the keyring's ``key_id``, content and compression unchanged. Sealing is
        deterministic, so this is also what the file was before a rotation moved it to another key."""
        return self.opened_record(rel, raw).sealed_under(key_id)

    def opened_record(self, rel: str, raw: bytes) -> "OpenedRecord":
        """The file ``rel`` (now ``raw``) authenticated and opened once, to be sealed again under any key."""
        if rel.startswith(layout.CONVERSATIONS_DIR + "/"):
            record_id, kind, wrapper = rel.rsplit("/", 1)[-1][:-4], layout.KIND_CONVERSATION, None
            self._decode_conversation(rel, raw)
            blob = raw
        else:
            rec, blob, wrapper = self._decode_private(rel, raw)
            record_id, kind = rec["memory_id"], layout.KIND_PRIVATE
        compress = bool(envelope.parse_header(blob)[1] & envelope.FLAG_ZSTD)
        return OpenedRecord(self, kind, record_id, self.unseal(blob, kind=kind, record_id=record_id), compress, wrapper)

    def reseal_file(self, path: Path, *, kind: str, record_id: str) -> bool:
        """Re-seal one sealed file (a table, an HTM state, a codebase manifest...) under the active key,
        atomically; False when it already is."""
        blob = Path(path).read_bytes()
        if envelope.record_key_id(blob) == self.keyring.active_id:
            return False
        return atomic_write(Path(path), self.seal(self.unseal(blob, kind=kind, record_id=record_id), kind=kind,
                                                  record_id=record_id))

    def rotate(self, progress: Progress | None = None) -> int:
        """Re-seal every record not under the active key (atomic per file, idempotent).
        Returns how many records were re-encrypted; files no rotator handles are listed in
        ``last_rotation_skipped``. Errors (undecryptable record) abort with VaultError."""
        self.last_rotation_skipped = []
        active = self.keyring.active_id
        count = 0
        self.naming.rotate()
        files = self._record_files() + self._hosted_files()
        total = len(files)
        batch = AtomicBatch()
        try:
            for n, rel in enumerate(files, start=1):
                name = rel.rsplit("/", 1)[-1]
                p = self.abspath(rel)
                if rel.startswith(layout.PRIVATE_DIR + "/") and name.endswith(".json") and name != layout.INDEX_FILE:
                    raw = p.read_bytes()
                    if not any(b'"encryption_version":"%s"' % v.encode() in raw for v in READABLE_VERSIONS):
                        self.last_rotation_skipped.append(rel)  # legacy 1.0 record: import it first
                    elif self.record_key_id(rel, raw) != active:
                        batch.write(p, self.sealed_under(rel, raw, active))
                        count += 1
                elif rel.startswith(layout.CONVERSATIONS_DIR + "/") and name.endswith(".enc"):
                    raw = p.read_bytes()
                    if raw[:4] != envelope.MAGIC:
                        self.last_rotation_skipped.append(rel)
                    elif envelope.record_key_id(raw) != active:
                        batch.write(p, self.sealed_under(rel, raw, active))
                        count += 1
                elif (hosted := self.hosted_store(rel)) is not None:
                    count += bool(hosted.rotate(self, p))
                elif rel.startswith(layout.CODEBASE_DIR + "/") and name.endswith(".enc"):
                    self.last_rotation_skipped.append(rel)
                if batch.pending >= BATCH_SIZE:
                    batch.commit()
                    batch = AtomicBatch()
                if progress:
                    progress(n, total)
            batch.commit()
        except BaseException:
            batch.abort()
            raise
        return count
