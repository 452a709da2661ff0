"""`vault rotate`: re-seal every record that is not under the active key, atomically per file.

Older keys must still be in the keyring to read what they sealed. Files a hosted store keeps under the
root (codebase_copies/, htm_state/) are re-sealed by that store's rotator; MIRA 1.0 records are skipped
(import them first) and listed in `last_rotation_skipped`. A part of `Vault` (store.py); framework-free.
"""

from __future__ import annotations

import base64

from resources.vault import envelope, layout
from resources.vault.atomic import AtomicBatch
from resources.vault.records import Progress, wrapper_bytes

BATCH_SIZE = 4096


class VaultRotation:
    """`rotate` (a mixin of `Vault`)."""

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
                    legacy = b'"encryption_version":"2"' not in raw
                    if legacy:
                        self.last_rotation_skipped.append(rel)  # legacy 1.0 record: import it first
                    else:
                        rec, blob, wrapper = self._decode_private(rel, raw)
                    if not legacy and envelope.record_key_id(blob) != active:
                        flags = envelope.parse_header(blob)[1]
                        plain = self.unseal(blob, kind=layout.KIND_PRIVATE, record_id=rec["memory_id"])
                        new = self.seal(plain, kind=layout.KIND_PRIVATE, record_id=rec["memory_id"],
                                        compress=bool(flags & envelope.FLAG_ZSTD))
                        wrapper = dict(wrapper, encrypted_data=base64.b64encode(new).decode("ascii"))
                        batch.write(p, wrapper_bytes(wrapper))
                        count += 1
                elif rel.startswith(layout.CONVERSATIONS_DIR + "/") and name.endswith(".enc"):
                    raw = p.read_bytes()
                    if raw[:4] == envelope.MAGIC:
                        if envelope.record_key_id(raw) != active:
                            self._decode_conversation(rel, raw)
                            flags = envelope.parse_header(raw)[1]
                            plain = self.unseal(raw, kind=layout.KIND_CONVERSATION, record_id=name[:-4])
                            batch.write(p, self.seal(plain, kind=layout.KIND_CONVERSATION, record_id=name[:-4],
                                                     compress=bool(flags & envelope.FLAG_ZSTD)))
                            count += 1
                    else:
                        self.last_rotation_skipped.append(rel)
                elif self.hosted_store(rel) is not None:
                    count += bool(self.hosted_store(rel).rotate(self, p))
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
