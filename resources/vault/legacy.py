"""Import of a MIRA 1.0 vault (SPEC §6): three Fernet layers with keys derived from public
constants and the record id (no secret). Read-only use: decrypt, then re-seal as v2 under
the SAME ids and relative paths.

Layer l in (content, pattern, consciousness) with (salt_value, k):
content (pi*e, 1.0), pattern (phi*gamma, 1.3), consciousness (pi*phi, 1.7);
mean = numpy.mean([0.87, 0.93, 0.76, 0.91, 0.89, 0.95, 0.94, 0.88]);
password = "MIRA:" + format(mean*salt_value, ".15f"); salt = f"{l}:{record_id}:{salt_value:.15f}";
iterations = int(100000*mean*k); key = urlsafe_b64(PBKDF2-HMAC-SHA256(password, salt, iterations, 32)).
Encrypt: content -> pattern -> consciousness (each Fernet token is the next layer's
plaintext); decrypt in reverse. Private memories: ``encrypted_data`` = base64 of the
outermost token; conversation backups: the ``.enc`` file is the outermost token.
numpy's mean is required: it differs from statistics.fmean in the last bit and the
keys depend on it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from resources.vault import envelope, layout
from resources.vault.day_manifests import manifest_frame, manifest_path, read_manifest, write_manifest
from resources.vault.ids import timestamp_problem
from resources.vault.records import READABLE_VERSIONS
from resources.vault.store import RecordRef, Vault

SIGNATURE = (0.87, 0.93, 0.76, 0.91, 0.89, 0.95, 0.94, 0.88)
GAMMA = 0.5772156649015329
PHI = (1 + math.sqrt(5)) / 2
LAYERS: tuple[tuple[str, float, float], ...] = (
    ("content", math.pi * math.e, 1.0),
    ("pattern", PHI * GAMMA, 1.3),
    ("consciousness", math.pi * PHI, 1.7),
)
LEGACY_KIND = "legacy"
IMPORTED_FROM = "mira-1.0"


def signature_mean() -> float:
    return float(np.mean(np.array(SIGNATURE, dtype=np.float64)))


def layer_keys(record_id: str) -> list[bytes]:
    """Fernet keys of the content, pattern and consciousness layers for ``record_id``."""
    mean = signature_mean()
    keys = []
    for name, salt_value, k in LAYERS:
        password = f"MIRA:{mean * salt_value:.15f}".encode("utf-8")
        salt = f"{name}:{record_id}:{salt_value:.15f}".encode("utf-8")
        kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=int(100000 * mean * k))
        keys.append(base64.urlsafe_b64encode(kdf.derive(password)))
    return keys


def legacy_decrypt(token: bytes, record_id: str) -> bytes:
    """Outermost Fernet token -> plaintext bytes; raises InvalidToken on failure."""
    data = token
    for key in reversed(layer_keys(record_id)):
        data = Fernet(key).decrypt(data)
    return data


def legacy_encrypt(plaintext: bytes, record_id: str) -> bytes:
    """For completeness/tests: the MIRA 1.0 encryption (content -> pattern -> consciousness)."""
    data = plaintext
    for key in layer_keys(record_id):
        data = Fernet(key).encrypt(data)
    return data


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)   # record ids re-sealed as v2
    skipped: list[str] = field(default_factory=list)    # relative paths already v2 / imported
    failed: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason)
    refs: list = field(default_factory=list, repr=False)  # RecordRefs of the imported files
    manifest: Path | None = None  # where the imported files were listed, if anywhere

    @property
    def ok(self) -> bool:
        return not self.failed


def _legacy_files(src: Path) -> list[tuple[str, str]]:
    out = []
    for top, suffix in ((layout.PRIVATE_DIR, ".json"), (layout.CONVERSATIONS_DIR, ".enc")):
        base = src / top
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for name in sorted(filenames):
                if name.startswith(".") or not name.endswith(suffix) or name == layout.INDEX_FILE:
                    continue
                out.append((top, (Path(dirpath) / name).relative_to(src).as_posix()))
    return out + _legacy_codebase_files(src)


def _legacy_codebase_files(src: Path) -> list[tuple[str, str]]:
    """`codebase_copies/YYYY-MM/<snapshot_id>.enc` files that are 1.0 snapshots (not this store's manifests)."""
    base = src / layout.CODEBASE_DIR
    out = []
    for month in sorted(os.listdir(base)) if base.is_dir() else []:
        if not re.fullmatch(r"\d{4}-\d{2}", month) or not (base / month).is_dir():
            continue
        for name in sorted(os.listdir(base / month)):
            if name.startswith(".") or not name.endswith(".enc"):
                continue
            with open(base / month / name, "rb") as fh:
                if fh.read(len(envelope.MAGIC)) == envelope.MAGIC:
                    continue  # a manifest of the codebase store
            out.append((layout.CODEBASE_DIR, f"{layout.CODEBASE_DIR}/{month}/{name}"))
    return out


def _kind_of(metadata: dict) -> str:
    t = metadata.get("type") if isinstance(metadata, dict) else None
    return t if isinstance(t, str) and t else LEGACY_KIND


IMPORT_MANIFEST_ASSET = "import_legacy"


def import_legacy(src: Path, vault: Vault, progress: Callable[[int, int], None] | None = None,
                  manifests_root: Path | None = None) -> ImportReport:
    """Re-seal every MIRA 1.0 record under ``src`` into ``vault`` (same ids, same relative
    paths). ``src`` may be the vault root itself (in-place upgrade). Records already in v2
    form at the destination are skipped without any PBKDF2 work, so a rerun is cheap and
    changes nothing. Each record that fails is reported (path + reason) and skipped.
    ``manifests_root``: where the pipeline keeps its day manifests; the imported files are listed
    in ``<manifests_root>/import_legacy/<today>.parquet`` like any writer's, so `verify` holds them
    against it and does not take them for orphans."""
    src = Path(src)
    report = ImportReport()
    files = _legacy_files(src)
    total = len(files)
    for n, (top, rel) in enumerate(files, start=1):
        try:
            if top == layout.PRIVATE_DIR:
                _import_private(src, rel, vault, report)
            elif top == layout.CODEBASE_DIR:
                _import_codebase(src, rel, vault, report)
            else:
                _import_conversation(src, rel, vault, report)
        except ValueError as e:
            report.failed.append((rel, str(e)))
        if progress:
            progress(n, total)
    if manifests_root is not None and report.refs:
        report.manifest = _list_imports(Path(manifests_root), report.refs)
    return report


def _list_imports(manifests_root: Path, refs: list) -> Path:
    """Merge ``refs`` into today's import manifest (a row per path, the latest write wins)."""
    path = manifest_path(manifests_root, IMPORT_MANIFEST_ASSET, dt.datetime.now(dt.timezone.utc).date())
    rows = {row.path: row for row in read_manifest(path).itertuples(index=False)}
    new_paths = {ref.path for ref in refs}
    merged = [RecordRef(r.id, r.kind, r.path, int(r.bytes), r.sha256) for r in rows.values()
              if r.path not in new_paths] + list(refs)
    write_manifest(path, manifest_frame(merged))
    return path


def _import_private(src: Path, rel: str, vault: Vault, report: ImportReport) -> None:
    try:
        doc = json.loads((src / rel).read_bytes())
        if not isinstance(doc, dict):
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        report.failed.append((rel, "not a valid JSON record"))
        return
    mid = rel.rsplit("/", 1)[-1][:-5]
    if str(doc.get("encryption_version")) in READABLE_VERSIONS or vault.current_wrapper(rel) is not None:
        report.skipped.append(rel)
        return
    day = layout.day_of_private_path(rel)
    layout.safe_part(mid, "memory id")
    if doc.get("memory_id", mid) != mid:
        report.failed.append((rel, "memory_id in the file does not match the file name"))
        return
    ts = doc.get("timestamp")
    if not isinstance(ts, (int, float)) or not math.isfinite(ts):
        report.failed.append((rel, "missing or invalid timestamp"))
        return
    problem = timestamp_problem(ts)  # before the day is derived from it (year 10000 overflows) and the decryption
    if problem:
        report.failed.append((rel, f"timestamp: {problem}"))
        return
    if day is None:
        day = dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc).date()
    try:
        token = base64.b64decode(doc.get("encrypted_data", ""), validate=True)
        plain = legacy_decrypt(token, mid)
        text = plain.decode("utf-8")
    except (binascii.Error, ValueError, TypeError):
        report.failed.append((rel, "encrypted_data is not valid base64 of a 1.0 token"))
        return
    except InvalidToken:
        report.failed.append((rel, "does not decrypt with the MIRA 1.0 scheme (corrupt or tampered)"))
        return
    except UnicodeDecodeError:
        report.failed.append((rel, "decrypted content is not UTF-8 text"))
        return
    metadata = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    report.refs.append(vault.put_private_record(mid, _kind_of(metadata), ts, {"thought": text, "legacy_version": "1.0"},
                                                metadata, day, imported_from=IMPORTED_FROM))
    report.imported.append(mid)


def _import_conversation(src: Path, rel: str, vault: Vault, report: ImportReport) -> None:
    raw = (src / rel).read_bytes()
    bid = rel.rsplit("/", 1)[-1][:-4]
    layout.safe_part(bid, "backup id")
    parts = rel.split("/")
    if len(parts) != 3:
        report.failed.append((rel, "not at conversation_backups/<prefix>/<backup_id>.enc"))
        return
    layout.safe_part(parts[1], "conversation id prefix")
    dest = vault.abspath(rel)
    if raw[:4] == envelope.MAGIC or (dest.exists() and dest.read_bytes()[:4] == envelope.MAGIC):
        report.skipped.append(rel)
        return
    try:
        plain = legacy_decrypt(raw.strip(), bid)
        payload = json.loads(plain)
        if not isinstance(payload, dict):
            raise ValueError
    except InvalidToken:
        report.failed.append((rel, "does not decrypt with the MIRA 1.0 scheme (corrupt or tampered)"))
        return
    except (ValueError, UnicodeDecodeError):
        report.failed.append((rel, "decrypted content is not a JSON object"))
        return
    report.refs.append(vault.put_conversation_record(bid, payload, rel=rel))
    report.imported.append(bid)


def _import_codebase(src: Path, rel: str, vault: Vault, report: ImportReport) -> None:
    """A 1.0 codebase snapshot (record id = snapshot id) into the codebase store as `legacy_<id>`.
    In place (``src`` is the vault root) the 1.0 files are removed once the import reads back."""
    from resources.codebase import legacy as codebase_legacy
    from resources.codebase.store import CodebaseError, CodebaseStore

    legacy_id = rel.rsplit("/", 1)[-1][: -len(".enc")]
    enc_path = src / rel
    meta_path = enc_path.with_suffix(".meta")
    in_place = src.resolve() == Path(vault.root).resolve()
    store = CodebaseStore(vault)
    sid = codebase_legacy.snapshot_id_for(legacy_id)  # ValueError: reported by the caller
    done = store.find(sid) is not None
    if done and not in_place:
        report.skipped.append(rel)
        return
    try:
        meta_bytes = meta_path.read_bytes()
    except FileNotFoundError:
        report.failed.append((rel, "its .meta is missing (the snapshot's time is unknown)"))
        return
    try:
        plain = legacy_decrypt(enc_path.read_bytes().strip(), legacy_id)
    except InvalidToken:
        report.failed.append((rel, "does not decrypt with the MIRA 1.0 scheme (corrupt or tampered)"))
        return
    try:
        if done:  # in place, after a run that stopped before removing the 1.0 files
            codebase_legacy.check_imported(store, legacy_id, plain)
            report.skipped.append(rel)
        else:
            report.imported.append(codebase_legacy.import_snapshot(store, legacy_id, plain, meta_bytes).snapshot_id)
    except CodebaseError as e:
        report.failed.append((rel, str(e)))
        return
    if in_place:
        enc_path.unlink()
        meta_path.unlink()
