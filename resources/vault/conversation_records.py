"""Conversation backups in the vault: one sealed record per conversation under
conversation_backups/<conversation id[:8]>/conv_<conversation id>_<epoch s>.enc.

A part of `Vault` (store.py), kept apart because it is one concern: callers use the vault's methods.
Framework-free.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from resources.vault import envelope, layout
from resources.vault.atomic import AtomicBatch, atomic_write
from resources.vault.errors import VaultIntegrityError
from resources.vault.records import RecordRef, canonical_json


class ConversationRecords:
    """Writing and decoding conversation backups (a mixin of `Vault`: uses its root and seal)."""

    def _conversation_bytes(self, backup_id: str, payload: dict) -> bytes:
        return self.seal(canonical_json(payload), kind=layout.KIND_CONVERSATION, record_id=backup_id)

    def put_conversation_backups(self, conversations: Iterable[dict], day: dt.date | None = None, *,
                                 sync: str = "auto") -> list[RecordRef]:
        """Seal each conversation {conversation_id, messages, context, timestamp} to
        ``conversation_backups/<id[:8]>/conv_<id>_<epoch s>.enc``. ``day`` (the partition) is
        not part of the SPEC §5 path; the backup id carries the conversation's own time."""
        refs = []
        seen = set()
        with AtomicBatch(sync=sync) as batch:
            for conv in conversations:
                cid = conv.get("conversation_id")
                bid = layout.backup_id(cid, conv.get("timestamp"))
                rel = layout.conversation_backup_path(cid, bid)
                payload = {"conversation_id": cid, "messages": conv.get("messages", []),
                           "context": conv.get("context", {}), "timestamp": conv.get("timestamp")}
                data = self._conversation_bytes(bid, payload)
                batch.write(self.abspath(rel), data)
                if bid not in seen:
                    seen.add(bid)
                    refs.append(RecordRef(bid, layout.KIND_CONVERSATION, rel, len(data),
                                          hashlib.sha256(data).hexdigest()))
        return refs

    def put_conversation_record(self, backup_id: str, payload: dict, rel: str | None = None) -> RecordRef:
        """Write one conversation backup under an explicit (e.g. imported legacy) id."""
        rel = rel or layout.conversation_path_for_backup_id(backup_id)
        if rel is None:
            raise ValueError(f"invalid backup id {backup_id!r}: expected conv_<conversation id>_<epoch s>")
        data = self._conversation_bytes(backup_id, payload)
        atomic_write(self.abspath(rel), data)
        return RecordRef(backup_id, layout.KIND_CONVERSATION, rel, len(data), hashlib.sha256(data).hexdigest())

    def _decode_conversation(self, rel: str, raw: bytes) -> tuple[dict, bytes]:
        bid = rel.rsplit("/", 1)[-1][:-4]
        expected = layout.conversation_path_for_backup_id(bid) if layout.BACKUP_ID_RE.match(bid) else None
        if expected != rel:
            raise VaultIntegrityError("file is not where its backup id puts it", record_id=bid, path=rel)
        if raw[:4] != envelope.MAGIC and raw[:6] == b"gAAAAA":
            raise VaultIntegrityError("MIRA 1.0 record (run `mira vault import-legacy`)", record_id=bid, path=rel)
        return self._unseal_json(rel, raw, kind=layout.KIND_CONVERSATION, record_id=bid), raw
