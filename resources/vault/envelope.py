"""Vault record format v2: a versioned binary envelope around three AEAD layers.

Byte layout (see docs/vault-format.md for the full specification)::

    offset  size  field
    0       4     magic  b"MIRV"
    4       1     version = 2
    5       1     flags   (bit 0: body is a zstd frame; other bits must be 0)
    6       8     key id  (first 8 bytes of SHA-256(b"mira-vault-key-id" + master key))
    14      16    salt    (synthetic, see below)
    30      n+48  ciphertext = L3(L2(L1(body)))

Layer i (1 = AES-256-GCM, 2 = ChaCha20-Poly1305, 3 = AES-256-GCM-SIV) uses a 32-byte key
and 12-byte nonce = HKDF-SHA256(ikm=master key, salt=salt, info=LAYER_INFO[i], L=44)
(key = first 32 bytes, nonce = last 12) and associated data

    AAD_i = header(30 bytes) || u16be(len(kind)) || kind || u16be(len(record_id)) || record_id || u8(i)

so a record moved to another id/kind, or swapped with another file, fails to authenticate.

Determinism (synthetic-IV style): salt = HMAC-SHA256(siv_key, b"mira-vault/v2/salt" ||
u8(version) || u8(flags) || u16be(len(kind)) || kind || u16be(len(record_id)) || record_id ||
D(body))[:16], D = SHA-256 under 512 KiB and BLAKE3-256 from 512 KiB on, siv_key = HMAC-SHA256(master key, b"mira-vault/v2/siv-key"). The same
(body, kind, record_id, key) therefore always yields the same bytes, so re-running a
partition rewrites identical files (a no-op). What this leaks: only that two records with
the same kind, id and content under the same key are equal — which the id already says.
A different body always gives a different salt, hence fresh layer keys and nonces. The
hash is taken over the *encoded* body (after compression), so even a change of zstd
version can never reuse a (key, nonce) pair for different bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import threading

import blake3
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESGCMSIV, ChaCha20Poly1305

from resources.vault.errors import VaultError, VaultIntegrityError, VaultKeyError
from resources.vault.kdf import FastHmac, hkdf
from resources.vault.keyring import Keyring

__all__ = ["VaultError", "VaultIntegrityError", "VaultKeyError", "seal", "unseal", "parse_header", "record_key_id",
           "layer_material", "body_digest", "FastHmac", "hkdf"]

MAGIC = b"MIRV"
VERSION = 2
FLAG_ZSTD = 0x01
KNOWN_FLAGS = FLAG_ZSTD
KEY_ID_BYTES = 8
SALT_BYTES = 16
HEADER_BYTES = 4 + 1 + 1 + KEY_ID_BYTES + SALT_BYTES  # 30
TAG_BYTES = 16
LAYERS = 3
OVERHEAD = HEADER_BYTES + LAYERS * TAG_BYTES  # 78
ZSTD_LEVEL = 3
PROBE_MIN = 256 * 1024   # bodies this large get a compressibility probe first
PROBE_BYTES = 64 * 1024
LAYER_NAMES = {1: "aes-256-gcm", 2: "chacha20-poly1305", 3: "aes-256-gcm-siv"}
LAYER_INFO = {i: b"mira-vault/v2/layer-%d/%s" % (i, n.encode()) for i, n in LAYER_NAMES.items()}
LAYER_CIPHERS = {1: AESGCM, 2: ChaCha20Poly1305, 3: AESGCMSIV}
SALT_INFO = b"mira-vault/v2/salt"
MAX_FIELD = 0xFFFF


_local = threading.local()


def _zstd():
    z = getattr(_local, "zstd", None)
    if z is None:
        import zstandard

        z = (zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_content_size=True, write_checksum=False),
             zstandard.ZstdDecompressor(), zstandard.ZstdError)
        _local.zstd = z
    return z


def _compressor(level: int):
    """This thread's zstd compressor for `level` (the default level's is _zstd()'s)."""
    if level == ZSTD_LEVEL:
        return _zstd()[0]
    levels = getattr(_local, "levels", None)
    if levels is None:
        levels = _local.levels = {}
    if level not in levels:
        import zstandard

        levels[level] = zstandard.ZstdCompressor(level=level, write_content_size=True, write_checksum=False)
    return levels[level]


LARGE_BODY_MIN = 512 * 1024  # bodies this large are digested with BLAKE3
SCRATCH_MIN = 64 * 1024        # bodies from this size to SCRATCH_MAX are sealed through per-thread buffers
SCRATCH_MAX = 4 * 1024 * 1024  # (at most 3 x 4 MiB kept per sealing thread)


def _scratch(*sizes: int) -> list[memoryview]:
    """This thread's reusable buffers (grown as needed), one view of exactly each size. They only ever
    hold ciphertext of the layers, never plaintext."""
    buffers = getattr(_local, "scratch", None)
    if buffers is None:
        buffers = _local.scratch = [bytearray() for _ in range(LAYERS)]
    views = []
    for i, size in enumerate(sizes):
        if len(buffers[i]) < size:
            buffers[i] = bytearray(size)
        views.append(memoryview(buffers[i])[:size])
    return views


def body_digest(body: bytes) -> bytes:
    """The body's digest in the synthetic salt: SHA-256 under 512 KiB, BLAKE3-256 from there on.

    At 1 MiB the digest is the one cost sealing adds to the bare cascade; BLAKE3 takes about a third of
    SHA-256's CPU time there (one thread, no helper threads: a loaded machine has no spare core)."""
    if len(body) < LARGE_BODY_MIN:
        return hashlib.sha256(body).digest()
    return blake3.blake3(body).digest()


def _worth_compressing(body: bytes) -> bool:
    """Large bodies: compress a 64 KiB probe first and skip zstd when it saves < 5 %
    (random or already-compressed data). Depends only on the bytes: deterministic."""
    if len(body) < PROBE_MIN:
        return True
    return len(_zstd()[0].compress(body[:PROBE_BYTES])) < PROBE_BYTES * 0.95


def _field(value: str, what: str) -> bytes:
    b = value.encode("utf-8")
    if len(b) > MAX_FIELD:
        raise ValueError(f"{what} too long ({len(b)} bytes > {MAX_FIELD})")
    return struct.pack(">H", len(b)) + b


_INFO1 = {i: LAYER_INFO[i] + b"\x01" for i in LAYER_INFO}
_INFO2 = {i: LAYER_INFO[i] + b"\x02" for i in LAYER_INFO}


def layer_material(master: bytes, salt: bytes) -> list[tuple[bytes, bytes]]:
    """[(key, nonce)] for layers 1..3: HKDF-SHA256(ikm=master, salt=salt, info=LAYER_INFO[i], L=44)
    split 32/12; one HKDF-Extract shared, one HKDF-Expand per layer."""
    prk = FastHmac(hmac.digest(salt, master, "sha256"))
    res = []
    for i in (1, 2, 3):
        t1 = prk.digest(_INFO1[i])
        t2 = prk.digest(t1 + _INFO2[i])
        res.append((t1, t2[:12]))
    return res


def _aad_tail(kind: str, record_id: str) -> bytes:
    return _field(kind, "kind") + _field(record_id, "record id")


def parse_header(blob: bytes) -> tuple[int, int, str, bytes]:
    """(version, flags, key_id hex, salt) of a v2 record; VaultIntegrityError if malformed."""
    if len(blob) < 4 or blob[:4] != MAGIC:
        raise VaultIntegrityError("not a v2 vault record (bad magic)")
    if len(blob) < HEADER_BYTES:
        raise VaultIntegrityError(f"truncated header ({len(blob)} bytes)")
    version, flags = blob[4], blob[5]
    if version != VERSION:
        raise VaultIntegrityError(f"unsupported record version {version}")
    if flags & ~KNOWN_FLAGS:
        raise VaultIntegrityError(f"unknown flags 0x{flags:02x}")
    return version, flags, blob[6:14].hex(), blob[14:30]


def record_key_id(blob: bytes) -> str:
    """Key id of a v2 record (header only, no decryption)."""
    return parse_header(blob)[2]


def seal(plaintext: bytes, *, kind: str, record_id: str, keyring: Keyring, compress: bool = True,
         level: int = ZSTD_LEVEL, key_id: str | None = None) -> bytes:
    """Encrypt ``plaintext`` as a v2 record bound to (kind, record_id) under the active key (or the keyring's
    ``key_id``: what a record sealed under an older key looked like). Deterministic.
    ``level``: the zstd level when it compresses (readers do not need to know it)."""
    if not isinstance(plaintext, (bytes, bytearray, memoryview)):
        raise TypeError("plaintext must be bytes")
    kid, master = keyring.active() if key_id is None else (key_id, keyring.get(key_id))
    body = bytes(plaintext)
    flags = 0
    if compress and _worth_compressing(body):
        comp = _compressor(level).compress(body)
        if len(comp) < len(body):
            body, flags = comp, FLAG_ZSTD
    tail = _aad_tail(kind, record_id)
    vf = _VF[flags]
    salt = keyring.siv_hmac(kid).digest(SALT_INFO + vf + tail + body_digest(body))[:SALT_BYTES]
    header = b"".join((MAGIC, vf, keyring.key_id_bytes(kid), salt))
    aad = header + tail
    (k1, n1), (k2, n2), (k3, n3) = layer_material(master, salt)
    n = len(body)
    if SCRATCH_MIN <= n <= SCRATCH_MAX:
        # Large bodies: the inner layers go into this thread's reused buffers. A fresh 1 MiB buffer costs a
        # page fault per 4 KiB on first touch, which is most of what sealing spent over the bare cascade.
        first, second, outer = _scratch(n + TAG_BYTES, n + 2 * TAG_BYTES, HEADER_BYTES + n + LAYERS * TAG_BYTES)
        AESGCM(k1).encrypt_into(n1, body, aad + b"\x01", first)
        ChaCha20Poly1305(k2).encrypt_into(n2, first, aad + b"\x02", second)
        outer[:HEADER_BYTES] = header
        AESGCMSIV(k3).encrypt_into(n3, second, aad + b"\x03", outer[HEADER_BYTES:])
        return bytes(outer)
    inner = ChaCha20Poly1305(k2).encrypt(n2, AESGCM(k1).encrypt(n1, body, aad + b"\x01"), aad + b"\x02")
    out = bytearray(len(header) + len(inner) + TAG_BYTES)
    out[: len(header)] = header
    AESGCMSIV(k3).encrypt_into(n3, inner, aad + b"\x03", memoryview(out)[len(header):])
    return bytes(out)


_VF = {0: bytes([VERSION, 0]), FLAG_ZSTD: bytes([VERSION, FLAG_ZSTD])}


def _open_layers(blob: bytes, header: bytes, tail: bytes, master: bytes, salt: bytes, record_id: str) -> bytes:
    """Layers 3, 2, 1 of ``blob`` authenticated against ``header`` (VaultIntegrityError naming the layer)."""
    aad = header + tail
    data = bytes(blob[HEADER_BYTES:])
    mats = layer_material(master, salt)
    for i in (3, 2, 1):
        k, nonce = mats[i - 1]
        try:
            data = LAYER_CIPHERS[i](k).decrypt(nonce, data, aad + bytes([i]))
        except InvalidTag:
            raise VaultIntegrityError(
                f"authentication failed at layer {i} ({LAYER_NAMES[i]}): tampered, truncated, "
                f"wrong key, or a file moved/swapped from another record", record_id=record_id) from None
    return data


def _altered_key_id(blob: bytes, tail: bytes, keyring: Keyring, salt: bytes) -> str | None:
    """The keyring's key id under which ``blob`` authenticates once its header names that key instead, or None.

    A record whose header names a key the keyring lacks was either sealed under another key or had its key id
    altered; only in the second case does one of our keys open it with its own id put back (found by trial of
    the outer layer alone, on this failure path only)."""
    for kid in keyring.key_ids:
        header = bytes(blob[:6]) + keyring.key_id_bytes(kid) + bytes(blob[14:HEADER_BYTES])
        k3, n3 = layer_material(keyring.get(kid), salt)[2]
        try:
            AESGCMSIV(k3).decrypt(n3, bytes(blob[HEADER_BYTES:]), header + tail + b"\x03")
        except InvalidTag:
            continue
        return kid
    return None


def unseal(blob: bytes, *, kind: str, record_id: str, keyring: Keyring) -> bytes:
    """Decrypt a v2 record sealed for (kind, record_id) under any key of ``keyring``."""
    try:
        _, flags, kid, salt = parse_header(blob)
    except VaultIntegrityError as e:
        raise VaultIntegrityError(e.reason, record_id=record_id) from None
    if len(blob) < OVERHEAD:
        raise VaultIntegrityError(f"truncated ({len(blob)} bytes < {OVERHEAD})", record_id=record_id)
    tail = _aad_tail(kind, record_id)
    if kid not in keyring:
        original = _altered_key_id(blob, tail, keyring, salt)
        if original is not None:
            raise VaultIntegrityError(f"header tampered: its key id was changed to {kid} (the record authenticates "
                                      f"only under key id {original})", record_id=record_id)
        raise VaultKeyError(f"record {record_id}: sealed under key id {kid}, which is not in the keyring "
                            f"(known: {', '.join(keyring.key_ids)})")
    data = _open_layers(blob, bytes(blob[:HEADER_BYTES]), tail, keyring.get(kid), salt, record_id)
    if flags & FLAG_ZSTD:
        _, dec, zerr = _zstd()
        try:
            data = dec.decompress(data)
        except zerr:
            raise VaultIntegrityError("zstd decompression failed", record_id=record_id) from None
    return data
