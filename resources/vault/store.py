"""The vault ("Lightning Vidmem"): private memories and conversation backups as v2 records.

Framework-free (no dagster). See docs/vault-format.md for the on-disk format.

Plug-ins: other stores that keep files under the vault root (helper C's codebase store
under ``codebase_copies/``) register how to verify and rotate their files::

    from resources.vault.store import register_verifier, register_rotator
    register_verifier("codebase_copies/", lambda vault, path: ...)  # raise on a bad file
    register_rotator("codebase_copies/", lambda vault, path: ...)   # return True if re-sealed

``verify``/``rotate`` import the modules in ``PLUGIN_MODULES`` first (missing ones are
skipped), so registering at import time of such a module is enough.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import importlib
import json
import math
import os
from json.encoder import encode_basestring as _enc_str
from json.encoder import encode_basestring_ascii as _enc_ascii
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resources.vault import envelope, layout
from resources.vault.atomic import AtomicBatch, atomic_write, fsync_dir, is_temp_name, temp_path
from resources.vault.envelope import VaultError, VaultIntegrityError, VaultKeyError
from resources.vault.kdf import FastHmac, hkdf
from resources.vault.keyring import Keyring

ENCRYPTION_VERSION = "2"
VAULT_FORMAT = "mira-vault"
VAULT_FORMAT_VERSION = 2
INDEX_FORMAT = "mira-vault-private-index"
NAMING_INFO_PREFIX = b"mira-vault/v2/naming/"
MEMORY_ID_PURPOSE = "private-memory-id"
PLUGIN_MODULES: tuple[str, ...] = ("resources.codebase.store",)
BATCH_SIZE = 4096

Progress = Callable[[int, int], None]  # progress(done, total)


@dataclass(frozen=True)
class RecordRef:
    record_id: str
    kind: str      # private memories: the item kind ("thought", ...); backups: "conversation_backup"
    path: str      # relative to the vault root, "/"-separated
    bytes: int     # size of the file on disk
    sha256: str    # hex SHA-256 of the file on disk (the ciphertext wrapper)


@dataclass(frozen=True)
class PrivateItem:
    kind: str              # "thought" | "memory" | "breakthrough" | "htm_pattern" | ...
    timestamp: float       # epoch seconds (UTC); its epoch ms goes into the memory id
    payload: dict          # secret: sealed
    metadata: dict = field(default_factory=dict)  # NOT secret: stored in clear + in the index


@dataclass(frozen=True)
class VerifyProblem:
    path: str                 # relative to the vault root
    reason: str
    record_id: str | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


# -- plug-in registry (verifiers/rotators for files other stores keep under the root) ----
_VERIFIERS: dict[str, Callable[["Vault", Path], Any]] = {}
_ROTATORS: dict[str, Callable[["Vault", Path], bool]] = {}


def register_verifier(prefix: str, fn: Callable[["Vault", Path], Any]) -> None:
    """``fn(vault, absolute_path)`` is called for every non-temp file whose path relative to
    the vault root starts with ``prefix`` (e.g. "codebase_copies/"); it raises (any
    exception; message = reason, never secrets) if the file is bad."""
    _VERIFIERS[prefix] = fn


def register_rotator(prefix: str, fn: Callable[["Vault", Path], bool]) -> None:
    """``fn(vault, absolute_path) -> bool`` re-seals the file under the active key
    (atomically, idempotently) and says whether it changed anything."""
    _ROTATORS[prefix] = fn


def load_plugins() -> None:
    for name in PLUGIN_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name and not name.startswith(e.name) and e.name != name:
                raise


def _match(registry: dict, rel: str):
    best = None
    for prefix in registry:
        if rel.startswith(prefix) and (best is None or len(prefix) > len(best)):
            best = prefix
    return registry[best] if best is not None else None


def canonical_json(obj: Any) -> bytes:
    """Deterministic UTF-8 JSON: sorted keys, no whitespace."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _wrapper_bytes(wrapper: dict) -> bytes:
    return json.dumps(wrapper, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _json_str(s: str) -> str:
    if type(s) is not str:
        return json.dumps(s, ensure_ascii=False)
    return _enc_str(s)


def _json_ascii(s: str) -> str:
    if type(s) is not str:
        return json.dumps(s, ensure_ascii=True)
    return _enc_ascii(s)


def _json_number(x: Any) -> str:
    if type(x) is float and math.isfinite(x):
        return float.__repr__(x)
    if type(x) is int:
        return int.__repr__(x)
    return json.dumps(x)


def _b64decode_strict(s: Any) -> bytes:
    if not isinstance(s, str):
        raise ValueError("encrypted_data is not a string")
    return base64.b64decode(s, validate=True)


class Vault:
    """A vault rooted at ``root`` (…/databases/lightning_vidmem), sealing under ``keyring``."""

    def __init__(self, root: Path, keyring: Keyring):
        self.root = Path(root)
        self.keyring = keyring
        self._naming_secret: bytes | None = None
        self._naming_keys: dict[str, bytes] = {}
        self._id_hmac: FastHmac | None = None
        self.last_rotation_skipped: list[str] = []

    def __repr__(self) -> str:
        return f"Vault(root={str(self.root)!r}, keyring={self.keyring!r})"

    # -- primitives ---------------------------------------------------------------------
    def seal(self, plaintext: bytes, *, kind: str, record_id: str, compress: bool = True) -> bytes:
        return envelope.seal(plaintext, kind=kind, record_id=record_id, keyring=self.keyring, compress=compress)

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

    # -- vault.json and the naming secret -----------------------------------------------
    def _vault_file(self) -> Path:
        return self.root / layout.VAULT_FILE

    def _read_vault_file(self) -> dict:
        p = self._vault_file()
        try:
            doc = json.loads(p.read_bytes())
            if doc.get("format") != VAULT_FORMAT or not isinstance(doc.get("naming_secret"), dict):
                raise ValueError
            return doc
        except (ValueError, json.JSONDecodeError, UnicodeDecodeError):
            raise VaultIntegrityError("not a valid vault.json", path=str(p)) from None

    def _vault_doc(self, vault_id: str, secret: bytes) -> bytes:
        sealed = self.seal(secret, kind=layout.KIND_NAMING, record_id=vault_id, compress=False)
        doc = {"format": VAULT_FORMAT, "format_version": VAULT_FORMAT_VERSION, "vault_id": vault_id,
               "naming_secret": {"key_id": self.keyring.active_id,
                                 "sealed": base64.b64encode(sealed).decode("ascii")}}
        return (json.dumps(doc, sort_keys=True, indent=2) + "\n").encode("ascii")

    def _unseal_naming(self, doc: dict) -> bytes:
        p = self._vault_file()
        try:
            sealed = _b64decode_strict(doc["naming_secret"].get("sealed"))
            secret = self.unseal(sealed, kind=layout.KIND_NAMING, record_id=str(doc.get("vault_id")))
        except VaultIntegrityError as e:
            raise e.at(p) from None
        except VaultKeyError as e:
            raise VaultKeyError(f"{p}: {e}") from None
        except (ValueError, binascii.Error, AttributeError):
            raise VaultIntegrityError("naming secret is not valid base64", path=str(p)) from None
        if len(secret) != 32:
            raise VaultIntegrityError("naming secret has the wrong length", path=str(p))
        return secret

    def _naming(self) -> bytes:
        if self._naming_secret is not None:
            return self._naming_secret
        p = self._vault_file()
        if not p.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            vault_id = secrets.token_hex(16)
            data = self._vault_doc(vault_id, secrets.token_bytes(32))
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
        self._naming_secret = self._unseal_naming(self._read_vault_file())
        return self._naming_secret

    def vault_id(self) -> str:
        self._naming()
        return str(self._read_vault_file()["vault_id"])

    def naming_key(self, purpose: str) -> bytes:
        """32-byte key for keyed names (memory ids, chunk names): HKDF-SHA256 over the vault's
        random naming secret with info b"mira-vault/v2/naming/" + purpose. Survives rotation."""
        k = self._naming_keys.get(purpose)
        if k is None:
            k = hkdf(self._naming(), b"\x00" * 32, NAMING_INFO_PREFIX + purpose.encode("utf-8"), 32)
            self._naming_keys[purpose] = k
        return k

    def memory_id(self, item: PrivateItem) -> str:
        """``private_<epoch ms>_<first 8 hex of HMAC(naming_key, kind || 0x00 || canonical payload)>``."""
        return self._memory_id(item.kind, item.timestamp, canonical_json(item.payload))

    def _memory_id(self, kind: str, timestamp: float, payload_json: bytes) -> str:
        h = self._id_hmac
        if h is None:
            h = self._id_hmac = FastHmac(self.naming_key(MEMORY_ID_PURPOSE))
        mac = h.digest(kind.encode("utf-8") + b"\x00" + payload_json)
        return f"private_{layout.epoch_ms(timestamp)}_{mac[:4].hex()}"  # digits + hex: path-safe

    # -- writers --------------------------------------------------------------------------
    def _private_wrapper(self, memory_id: str, kind: str, timestamp: float, payload: Any,
                         metadata: dict, payload_json: bytes | None = None) -> bytes:
        if payload_json is None:
            payload_json = canonical_json(payload)
        # == canonical_json({"kind", "memory_id", "payload", "timestamp"}) (keys already sorted)
        kind_j, mid_j, ts_j = _json_str(kind), _json_str(memory_id), _json_number(timestamp)
        plain = b"".join((b'{"kind":', kind_j.encode("utf-8"), b',"memory_id":', mid_j.encode("utf-8"),
                          b',"payload":', payload_json, b',"timestamp":', ts_j.encode("ascii"), b"}"))
        blob = self.seal(plain, kind=layout.KIND_PRIVATE, record_id=memory_id)
        # == _wrapper_bytes({...}) with keys in sorted order, built without re-scanning the base64
        return b"".join((b'{"encrypted_data":"', base64.b64encode(blob),
                         b'","encryption_version":"', ENCRYPTION_VERSION.encode("ascii"),
                         b'","kind":', _json_ascii(kind).encode("ascii"),
                         b',"memory_id":', _json_ascii(memory_id).encode("ascii"),
                         b',"metadata":', _wrapper_bytes(metadata),
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
                             replace: bool = False, sync: str = "auto") -> list[RecordRef]:
        """Seal each item to ``private_memory/<day>/<memory_id>.json`` and update that day's
        index. Idempotent: a rerun writes identical bytes (no-op). ``replace=True`` also
        removes that day's records not in ``items`` (makes the day equal to this call),
        except records imported from MIRA 1.0 (``imported_from`` in their file), and the
        index then lists exactly the day's files."""
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
            if replace:
                self._remove_others(day_dir, set(entries))
            if entries or replace:
                self._write_index(batch, day, entries, False)  # merge drops entries whose file is gone
        return refs

    def _remove_others(self, day_dir: str, keep: set[str]) -> None:
        d = self.abspath(day_dir)
        if not d.is_dir():
            return
        for e in os.scandir(d):
            if (e.name.endswith(".json") and e.name != layout.INDEX_FILE and not is_temp_name(e.name)
                    and e.name[:-5] not in keep and layout.MEMORY_ID_RE.match(e.name[:-5])):
                try:
                    with open(e.path, "rb") as f:
                        if b'"imported_from"' in f.read():
                            continue  # an imported MIRA 1.0 record: not this pipeline's to remove
                except FileNotFoundError:
                    continue
                os.unlink(e.path)

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
        data = self._private_wrapper(memory_id, kind, timestamp, payload, metadata)
        if imported_from:
            data = _wrapper_bytes(dict(json.loads(data), imported_from=imported_from))
        with AtomicBatch() as batch:
            batch.write(self.abspath(rel), data)
            self._write_index(batch, day, {memory_id: {"id": memory_id, "kind": kind, "timestamp": timestamp,
                                                       "metadata": metadata, "path": rel}}, False)
        return RecordRef(memory_id, kind, rel, len(data), hashlib.sha256(data).hexdigest())

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

    # -- readers --------------------------------------------------------------------------
    def locate(self, record_id: str) -> str:
        """Relative path of a record id (private_… or conv_…); VaultError if not found."""
        layout.safe_part(record_id, "record id")
        m = layout.MEMORY_ID_RE.match(record_id)
        if m:
            base = dt.datetime.fromtimestamp(int(m.group(1)) / 1000, tz=dt.timezone.utc).date()
            for delta in (0, -1, 1):
                rel = layout.private_memory_path(base + dt.timedelta(days=delta), record_id)
                if self.abspath(rel).is_file():
                    return rel
            for p in sorted((self.root / layout.PRIVATE_DIR).glob(f"*/*/*/{record_id}.json")):
                return self.relpath(p)
        elif layout.BACKUP_ID_RE.match(record_id):
            rel = layout.conversation_path_for_backup_id(record_id)
            if rel and self.abspath(rel).is_file():
                return rel
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

    def _decode_private(self, rel: str, raw: bytes) -> tuple[dict, bytes, dict]:
        """(record, envelope blob, wrapper) of a private memory file."""
        name = rel.rsplit("/", 1)[-1]
        mid = name[:-5] if name.endswith(".json") else name
        try:
            wrapper = json.loads(raw)
            if not isinstance(wrapper, dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            raise VaultIntegrityError("not a valid JSON record wrapper", record_id=mid, path=rel) from None
        version = str(wrapper.get("encryption_version"))
        if version != ENCRYPTION_VERSION:
            raise VaultIntegrityError(f"encryption_version {version!r} is not {ENCRYPTION_VERSION!r} "
                                      f"(a MIRA 1.0 record? run `mira vault import-legacy`)", record_id=mid, path=rel)
        if wrapper.get("memory_id") != mid:
            raise VaultIntegrityError("memory_id in the file does not match the file name", record_id=mid, path=rel)
        try:
            blob = _b64decode_strict(wrapper.get("encrypted_data"))
        except (ValueError, binascii.Error):
            raise VaultIntegrityError("encrypted_data is not valid base64", record_id=mid, path=rel) from None
        inner = self._unseal_json(rel, blob, kind=layout.KIND_PRIVATE, record_id=mid)
        if not isinstance(inner, dict) or inner.get("memory_id") != mid:
            raise VaultIntegrityError("decrypted record does not carry this memory id", record_id=mid, path=rel)
        rec = {"memory_id": mid, "kind": inner.get("kind"), "timestamp": inner.get("timestamp"),
               "payload": inner.get("payload"), "metadata": wrapper.get("metadata", {})}
        return rec, blob, wrapper

    def _decode_conversation(self, rel: str, raw: bytes) -> tuple[dict, bytes]:
        bid = rel.rsplit("/", 1)[-1][:-4]
        expected = layout.conversation_path_for_backup_id(bid) if layout.BACKUP_ID_RE.match(bid) else None
        if expected != rel:
            raise VaultIntegrityError("file is not where its backup id puts it", record_id=bid, path=rel)
        if raw[:4] != envelope.MAGIC and raw[:6] == b"gAAAAA":
            raise VaultIntegrityError("MIRA 1.0 record (run `mira vault import-legacy`)", record_id=bid, path=rel)
        return self._unseal_json(rel, raw, kind=layout.KIND_CONVERSATION, record_id=bid), raw

    def _unseal_json(self, rel: str, blob: bytes, *, kind: str, record_id: str) -> Any:
        """Open a sealed JSON record; every error names the file, never the content."""
        try:
            plain = self.unseal(blob, kind=kind, record_id=record_id)
        except VaultIntegrityError as e:
            raise e.at(rel) from None
        except VaultKeyError as e:
            raise VaultKeyError(f"{rel}: {e}") from None
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
    def _check_index(self, rel: str) -> None:
        try:
            doc = json.loads(self.abspath(rel).read_bytes())
            records = doc["records"]
            if not isinstance(records, list):
                raise ValueError
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise VaultIntegrityError("index is not valid JSON of the index format", path=rel) from None
        missing = [e.get("id") for e in records
                   if not isinstance(e, dict) or not isinstance(e.get("path"), str)
                   or not self.abspath(e["path"]).is_file()]
        if missing:
            raise VaultIntegrityError(f"index lists {len(missing)} record(s) with no file, e.g. {missing[0]}", path=rel)

    def verify(self, progress: Progress | None = None) -> list[VerifyProblem]:
        """Decrypt every record under the vault; a list of problems, each naming its file."""
        load_plugins()
        problems: list[VerifyProblem] = []
        files: list[str] = []
        if self._vault_file().exists():
            files.append(layout.VAULT_FILE)
        files += self._record_files()
        files += self._walk(layout.CODEBASE_DIR)
        total = len(files)
        for n, rel in enumerate(files, start=1):
            try:
                self._verify_one(rel)
            except VaultIntegrityError as e:
                problems.append(VerifyProblem(rel, e.reason, e.record_id))
            except VaultError as e:
                problems.append(VerifyProblem(rel, str(e).removeprefix(f"{rel}: ")))
            except Exception as e:  # a plug-in verifier's error, or an unreadable file
                problems.append(VerifyProblem(rel, f"{type(e).__name__}: {e}"))
            if progress:
                progress(n, total)
        return problems

    def _verify_one(self, rel: str) -> None:
        name = rel.rsplit("/", 1)[-1]
        if rel == layout.VAULT_FILE:
            self._naming_secret = None
            self._naming()
        elif rel.startswith(layout.PRIVATE_DIR + "/"):
            if name == layout.INDEX_FILE:
                self._check_index(rel)
            elif name.endswith(".json"):
                self._decode_private(rel, self.abspath(rel).read_bytes())
            else:
                raise VaultIntegrityError("unexpected file in private_memory", path=rel)
        elif rel.startswith(layout.CONVERSATIONS_DIR + "/"):
            if not name.endswith(".enc"):
                raise VaultIntegrityError("unexpected file in conversation_backups", path=rel)
            self._decode_conversation(rel, self.abspath(rel).read_bytes())
        else:
            fn = _match(_VERIFIERS, rel)
            if fn is not None:
                fn(self, self.abspath(rel))
            elif name.endswith(".enc"):
                raise VaultError(f"no verifier registered for {rel.split('/', 1)[0]}/ (its store's module "
                                 f"is not loaded)")

    # -- rotate ---------------------------------------------------------------------------
    def rotate(self, progress: Progress | None = None) -> int:
        """Re-seal every record not under the active key (atomic per file, idempotent).
        Returns how many records were re-encrypted; files no rotator handles are listed in
        ``last_rotation_skipped``. Errors (undecryptable record) abort with VaultError."""
        load_plugins()
        self.last_rotation_skipped = []
        active = self.keyring.active_id
        count = 0
        if self._vault_file().exists():
            doc = self._read_vault_file()
            if doc["naming_secret"].get("key_id") != active:
                secret = self._unseal_naming(doc)
                atomic_write(self._vault_file(), self._vault_doc(str(doc["vault_id"]), secret))
        files = self._record_files() + self._walk(layout.CODEBASE_DIR)
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
                        batch.write(p, _wrapper_bytes(wrapper))
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
                elif rel.startswith(layout.CODEBASE_DIR + "/"):
                    fn = _match(_ROTATORS, rel)
                    if fn is not None:
                        count += bool(fn(self, p))
                    elif name.endswith(".enc"):
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
