"""What the vault stores and reports, and the exact JSON its record files hold.

Record files must be byte-identical on every rerun (that is what makes a rerun a no-op), so their JSON is
canonical: sorted keys, no whitespace; the wrapper of a private memory is ASCII. Framework-free.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _enc_str
from json.encoder import encode_basestring_ascii as _enc_ascii
from typing import Any

ENCRYPTION_VERSION = "3"  # of a private memory's wrapper: "3" seals its plain fields too (docs/vault-format.md 4.2)
READABLE_VERSIONS = ("2", "3")
#: The wrapper's plain fields that each version also sealed, and a reader compares with the sealed copy.
SEALED_PLAIN_FIELDS = {"2": ("kind", "timestamp"), "3": ("imported_from", "kind", "metadata", "timestamp")}
VAULT_FORMAT = "mira-vault"
VAULT_FORMAT_VERSION = 2
INDEX_FORMAT = "mira-vault-private-index"

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
    """One private item of a day. ``kind`` is open: any non-empty string ("thought", "memory",
    "breakthrough_insight", "htm_pattern", ...); it is stored in the clear (and sealed) and names nothing secret."""

    kind: str
    timestamp: float       # epoch seconds (UTC); its epoch ms goes into the memory id
    payload: dict = field(repr=False)  # secret: sealed (never in a repr, a log line or an exception)
    metadata: dict = field(default_factory=dict)  # NOT secret: stored in clear + in the index


@dataclass(frozen=True)
class VerifyProblem:
    path: str                 # relative to the vault root
    reason: str
    record_id: str | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def canonical_json(obj: Any) -> bytes:
    """Deterministic UTF-8 JSON: sorted keys, no whitespace."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def wrapper_bytes(wrapper: dict) -> bytes:
    """A private memory's file: canonical ASCII JSON."""
    return json.dumps(wrapper, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def json_str(s: str) -> str:
    if type(s) is not str:
        return json.dumps(s, ensure_ascii=False)
    return _enc_str(s)


def json_ascii(s: str) -> str:
    if type(s) is not str:
        return json.dumps(s, ensure_ascii=True)
    return _enc_ascii(s)


def json_number(x: Any) -> str:
    if type(x) is float and math.isfinite(x):
        return float.__repr__(x)
    if type(x) is int:
        return int.__repr__(x)
    return json.dumps(x)


def b64decode_strict(s: Any) -> bytes:
    if not isinstance(s, str):
        raise ValueError("encrypted_data is not a string")
    return base64.b64decode(s, validate=True)
