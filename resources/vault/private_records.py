"""Private memories in the vault: one sealed JSON wrapper per item under private_memory/YYYY/MM/DD/,
and that day's retrieval index (ids, kinds, times and plain metadata: nothing secret).

A part of `Vault` (store.py), kept apart because it is one concern: callers use the vault's methods.
Framework-free.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from resources.vault import layout
from resources.vault.atomic import AtomicBatch
from resources.vault.errors import VaultIntegrityError
from resources.vault.records import (ENCRYPTION_VERSION, INDEX_FORMAT, READABLE_VERSIONS, SEALED_PLAIN_FIELDS,
                                     VAULT_FORMAT_VERSION, PrivateItem, RecordRef, b64decode_strict, canonical_json,
                                     json_ascii, json_number, json_str, wrapper_bytes)


class PrivateRecords:
    """Writing, indexing and decoding private memories (a mixin of `Vault`: uses its root, seal and naming)."""

    def _private_wrapper(self, memory_id: str, kind: str, timestamp: float, payload: Any,
                         metadata: dict, payload_json: bytes | None = None, imported_from: str | None = None) -> bytes:
        """A v3 wrapper: its plain fields (kind, timestamp, metadata, imported_from) are sealed too, so an edit
        of one shows when the record is read."""
        if payload_json is None:
            payload_json = canonical_json(payload)
        kind_j, mid_j, ts_j = json_str(kind), json_str(memory_id), json_number(timestamp)
        imported = b'"imported_from":' + json_str(imported_from).encode("utf-8") + b"," if imported_from else b""
        # == canonical_json({["imported_from"], "kind", "memory_id", "metadata", "payload", "timestamp"})
        plain = b"".join((b"{", imported, b'"kind":', kind_j.encode("utf-8"), b',"memory_id":', mid_j.encode("utf-8"),
                          b',"metadata":', canonical_json(metadata), b',"payload":', payload_json,
                          b',"timestamp":', ts_j.encode("ascii"), b"}"))
        blob = self.seal(plain, kind=layout.KIND_PRIVATE, record_id=memory_id)
        imported = b'"imported_from":' + json_ascii(imported_from).encode("ascii") + b"," if imported_from else b""
        # == wrapper_bytes({...}) with keys in sorted order, built without re-scanning the base64
        return b"".join((b'{"encrypted_data":"', base64.b64encode(blob),
                         b'","encryption_version":"', ENCRYPTION_VERSION.encode("ascii"), b'",', imported,
                         b'"kind":', json_ascii(kind).encode("ascii"),
                         b',"memory_id":', json_ascii(memory_id).encode("ascii"),
                         b',"metadata":', wrapper_bytes(metadata),
                         b',"timestamp":', ts_j.encode("ascii"), b"}"))

    def _write_index(self, batch: AtomicBatch, day: dt.date, entries: dict[str, dict], replace: bool) -> None:
        rel = layout.private_index_path(day)
        p = self.abspath(rel)
        merged: dict[str, dict] = {}
        if not replace and p.exists():
            try:
                for e in json.loads(p.read_bytes()).get("records", []):
                    if isinstance(e, dict) and isinstance(e.get("path"), str) and self.abspath(e["path"]).exists():
                        merged[e["id"]] = e
            except (ValueError, AttributeError, KeyError, TypeError):
                merged = {}
        merged.update(entries)
        doc = {"format": INDEX_FORMAT, "format_version": VAULT_FORMAT_VERSION, "day": day.isoformat(),
               "records": [merged[k] for k in sorted(merged)]}
        batch.write(p, (json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n").encode("ascii"))

    def put_private_memories(self, items: Iterable[PrivateItem], day: dt.date, *,
                             sync: str = "auto") -> list[RecordRef]:
        """Seal each item to ``private_memory/<day>/<memory_id>.json`` and update that day's
        index. Idempotent: a rerun writes identical bytes (no-op). Writes only: removing what a day no
        longer has is the day's manifest's job (day_writes.replace_day -> Vault.remove_records), the one
        deletion policy of the vault."""
        refs: list[RecordRef] = []
        entries: dict[str, dict] = {}
        day_dir = layout.private_day_dir(day)
        abs_dir = os.path.join(os.fspath(self.root), day_dir)
        with AtomicBatch(sync=sync) as batch:
            for item in items:
                if not isinstance(item.payload, dict) or not isinstance(item.metadata, dict):
                    raise ValueError("invalid private item: payload and metadata must be dicts")
                if not isinstance(item.kind, str) or not item.kind:
                    raise ValueError("invalid private item: kind must be a non-empty string")
                pj = canonical_json(item.payload)
                mid = self._memory_id(item.kind, item.timestamp, pj)
                rel = f"{day_dir}/{mid}.json"
                data = self._private_wrapper(mid, item.kind, item.timestamp, item.payload, item.metadata, pj)
                batch.write(f"{abs_dir}/{mid}.json", data)
                if mid not in entries:
                    refs.append(RecordRef(mid, item.kind, rel, len(data), hashlib.sha256(data).hexdigest()))
                entries[mid] = {"id": mid, "kind": item.kind, "timestamp": item.timestamp,
                                "metadata": item.metadata, "path": rel}
            if entries:
                self._write_index(batch, day, entries, False)  # merge drops entries whose file is gone
        return refs

    def _forget_private_files(self, days: Iterable[dt.date]) -> None:
        """Rewrite the indexes of ``days`` without the entries whose file is gone (after a removal)."""
        with AtomicBatch() as batch:
            for day in sorted(set(days)):
                if self.abspath(layout.private_index_path(day)).exists():
                    self._write_index(batch, day, {}, False)

    def rebuild_private_index(self, day: dt.date) -> bool:
        """Rewrite the day's index from the record files actually there (reads only their
        non-secret fields). Use after removing record files by other means. True if changed."""
        day_dir = layout.private_day_dir(day)
        d = self.abspath(day_dir)
        entries: dict[str, dict] = {}
        if d.is_dir():
            for e in sorted(os.scandir(d), key=lambda e: e.name):
                name = e.name
                if not name.endswith(".json") or name == layout.INDEX_FILE or name.startswith("."):
                    continue
                try:
                    w = json.loads(Path(e.path).read_bytes())
                    mid = w["memory_id"]
                    entries[mid] = {"id": mid, "kind": w.get("kind", "legacy"), "timestamp": w.get("timestamp"),
                                    "metadata": w.get("metadata", {}), "path": f"{day_dir}/{name}"}
                except (ValueError, KeyError, TypeError, AttributeError):
                    continue  # verify reports unreadable files
        with AtomicBatch() as batch:
            self._write_index(batch, day, entries, True)
        return batch.written > 0

    def put_private_record(self, memory_id: str, kind: str, timestamp: float, payload: Any,
                           metadata: dict, day: dt.date, *, imported_from: str | None = None) -> RecordRef:
        """Write one private memory under an explicit (e.g. imported legacy) id.
        ``imported_from`` (e.g. "mira-1.0") is stored in the clear in the file."""
        rel = layout.private_memory_path(day, memory_id)
        layout.check_timestamp(timestamp)
        data = self._private_wrapper(memory_id, kind, timestamp, payload, metadata, imported_from=imported_from)
        with AtomicBatch() as batch:
            batch.write(self.abspath(rel), data)
            self._write_index(batch, day, {memory_id: {"id": memory_id, "kind": kind, "timestamp": timestamp,
                                                       "metadata": metadata, "path": rel}}, False)
        return RecordRef(memory_id, kind, rel, len(data), hashlib.sha256(data).hexdigest())

    def _decode_private(self, rel: str, raw: bytes) -> tuple[dict, bytes, dict]:
        """(record, envelope blob, wrapper) of a private memory file. Every plain field of the wrapper must equal
        its sealed copy (v3: kind, timestamp, metadata, imported_from; v2: kind and timestamp, the only ones it
        sealed), else VaultIntegrityError naming the edited fields."""
        name = rel.rsplit("/", 1)[-1]
        mid = name[:-5] if name.endswith(".json") else name
        try:
            wrapper = json.loads(raw)
            if not isinstance(wrapper, dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            raise VaultIntegrityError("not a valid JSON record wrapper", record_id=mid, path=rel) from None
        version = str(wrapper.get("encryption_version"))
        if version not in READABLE_VERSIONS:
            raise VaultIntegrityError(f"encryption_version {version!r} is not one of {', '.join(READABLE_VERSIONS)} "
                                      f"(a MIRA 1.0 record? run `mira vault import-legacy`)", record_id=mid, path=rel)
        if wrapper.get("memory_id") != mid:
            raise VaultIntegrityError("memory_id in the file does not match the file name", record_id=mid, path=rel)
        try:
            blob = b64decode_strict(wrapper.get("encrypted_data"))
        except (ValueError, binascii.Error):
            raise VaultIntegrityError("encrypted_data is not valid base64", record_id=mid, path=rel) from None
        inner = self._unseal_json(rel, blob, kind=layout.KIND_PRIVATE, record_id=mid)
        if not isinstance(inner, dict) or inner.get("memory_id") != mid:
            raise VaultIntegrityError("decrypted record does not carry this memory id", record_id=mid, path=rel)
        sealed_fields = SEALED_PLAIN_FIELDS[version]
        edited = [f for f in sealed_fields if canonical_json(wrapper.get(f)) != canonical_json(inner.get(f))]
        if edited:
            raise VaultIntegrityError(f"plain field(s) {', '.join(edited)} of the wrapper differ from the sealed copy "
                                      f"(edited after sealing)", record_id=mid, path=rel)
        rec = {"memory_id": mid, "kind": inner.get("kind"), "timestamp": inner.get("timestamp"),
               "payload": inner.get("payload"),
               "metadata": inner.get("metadata", {}) if "metadata" in sealed_fields else wrapper.get("metadata", {})}
        return rec, blob, wrapper
