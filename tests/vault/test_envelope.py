"""Record format v2: round trip, determinism, tamper/truncate/swap/wrong key, and an
independent reader written from docs/vault-format.md."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct

import pytest
import zstandard
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESGCMSIV, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from resources.vault import envelope, kdf
from resources.vault.envelope import VaultError, VaultIntegrityError, VaultKeyError, seal, unseal
from resources.vault.keyring import Keyring, generate_key_b64

PLAIN = ("a private thought: zebra-orchid-secret " * 20).encode()


def test_round_trip_compressed_and_raw(keyring):
    for data, compress in ((PLAIN, True), (PLAIN, False), (b"", True), (os.urandom(3000), True)):
        blob = seal(data, kind="k", record_id="r1", keyring=keyring, compress=compress)
        assert blob[:4] == b"MIRV" and blob[4] == 2
        assert unseal(blob, kind="k", record_id="r1", keyring=keyring) == data
    assert seal(PLAIN, kind="k", record_id="r1", keyring=keyring)[5] == envelope.FLAG_ZSTD
    assert seal(PLAIN, kind="k", record_id="r1", keyring=keyring, compress=False)[5] == 0
    # incompressible data is stored raw even when compression is asked for
    assert seal(os.urandom(3000), kind="k", record_id="r1", keyring=keyring)[5] == 0


def test_deterministic_and_distinct(keyring):
    a = seal(PLAIN, kind="k", record_id="r1", keyring=keyring)
    assert a == seal(PLAIN, kind="k", record_id="r1", keyring=keyring)
    assert a != seal(PLAIN + b".", kind="k", record_id="r1", keyring=keyring)
    assert a[14:30] != seal(PLAIN, kind="k", record_id="r2", keyring=keyring)[14:30]  # salt differs per id
    other = Keyring(base64.b64decode(generate_key_b64()))
    assert a[6:] != seal(PLAIN, kind="k", record_id="r1", keyring=other)[6:]


def test_every_flipped_byte_is_detected(keyring):
    blob = seal(b"short secret zebra-orchid-secret", kind="k", record_id="r1", keyring=keyring)
    for i in range(len(blob)):
        bad = bytearray(blob)
        bad[i] ^= 0x01
        with pytest.raises(VaultError) as e:
            unseal(bytes(bad), kind="k", record_id="r1", keyring=keyring)
        assert "r1" in str(e.value)
        assert "zebra" not in str(e.value)


def test_a_flipped_key_id_byte_is_reported_as_tampering_not_as_an_unknown_key(keyring):
    """Flipping a key-id bit makes the header name a key nobody has; the record still authenticates under our
    key once its own id is put back, so the reader says the header was tampered with."""
    blob = seal(PLAIN, kind="k", record_id="r1", keyring=keyring)
    for i in range(6, 14):
        bad = bytearray(blob)
        bad[i] ^= 0x40
        with pytest.raises(VaultIntegrityError, match="header tampered: its key id was changed") as e:
            unseal(bytes(bad), kind="k", record_id="r1", keyring=keyring)
        assert keyring.active_id in str(e.value) and "r1" in str(e.value)
    # a record really sealed under a key we do not hold is still "not in the keyring"
    stranger = seal(PLAIN, kind="k", record_id="r1", keyring=Keyring(os.urandom(32)))
    with pytest.raises(VaultKeyError, match="not in the keyring"):
        unseal(stranger, kind="k", record_id="r1", keyring=keyring)


@pytest.mark.parametrize("cut", [0, 3, 10, 29, 30, 50, 77, -1])
def test_truncated(keyring, cut):
    blob = seal(PLAIN, kind="k", record_id="r1", keyring=keyring)
    with pytest.raises(VaultIntegrityError):
        unseal(blob[:cut], kind="k", record_id="r1", keyring=keyring)


def test_wrong_key(keyring, vault_key):
    blob = seal(PLAIN, kind="k", record_id="r1", keyring=keyring)
    other_b64 = generate_key_b64()
    other = Keyring.load(key_b64=other_b64)
    with pytest.raises(VaultKeyError) as e:
        unseal(blob, kind="k", record_id="r1", keyring=other)
    assert keyring.active_id in str(e.value) and "r1" in str(e.value)
    for secret in (vault_key, other_b64, "zebra"):
        assert secret not in str(e.value)
    # a header forged to name the other key still fails authentication
    forged = blob[:6] + bytes.fromhex(other.active_id) + blob[14:]
    with pytest.raises(VaultIntegrityError, match="authentication failed"):
        unseal(forged, kind="k", record_id="r1", keyring=other)


def test_moved_or_swapped_record_fails(keyring):
    blob = seal(PLAIN, kind="private_memory", record_id="private_1_aaaaaaaa", keyring=keyring)
    with pytest.raises(VaultIntegrityError, match="moved/swapped"):
        unseal(blob, kind="private_memory", record_id="private_1_bbbbbbbb", keyring=keyring)
    with pytest.raises(VaultIntegrityError):
        unseal(blob, kind="conversation_backup", record_id="private_1_aaaaaaaa", keyring=keyring)


def test_old_keys_stay_readable():
    k_old, k_new = (base64.b64decode(generate_key_b64()) for _ in range(2))
    blob = seal(PLAIN, kind="k", record_id="r", keyring=Keyring(k_old))
    both = Keyring(k_new, [k_old])
    assert unseal(blob, kind="k", record_id="r", keyring=both) == PLAIN
    assert envelope.record_key_id(seal(PLAIN, kind="k", record_id="r", keyring=both)) == both.active_id


def test_helpers_match_reference_primitives():
    for n in (0, 16, 32, 64, 100):
        k, m = os.urandom(n), os.urandom(50)
        assert envelope.FastHmac(k).digest(m) == hmac.digest(k, m, "sha256")
    master, salt = os.urandom(32), os.urandom(16)
    for i, (k, nonce) in enumerate(envelope.layer_material(master, salt), start=1):
        ref = HKDF(hashes.SHA256(), 44, salt, envelope.LAYER_INFO[i]).derive(master)
        assert k + nonce == ref
    assert kdf.hkdf(master, b"\x00" * 32, b"x", 32) == HKDF(hashes.SHA256(), 32, None, b"x").derive(master)


def _doc_reader(blob: bytes, kind: str, record_id: str, master: bytes) -> bytes:
    """Independent reader written from docs/vault-format.md, using only `cryptography`/`zstandard`."""
    assert blob[:4] == b"MIRV" and blob[4] == 2
    flags, key_id, salt = blob[5], blob[6:14], blob[14:30]
    assert key_id == hashlib.sha256(b"mira-vault-key-id" + master).digest()[:8]
    header = blob[:30]
    k8, r8 = kind.encode(), record_id.encode()
    aad = header + struct.pack(">H", len(k8)) + k8 + struct.pack(">H", len(r8)) + r8
    layers = {1: (AESGCM, b"mira-vault/v2/layer-1/aes-256-gcm"),
              2: (ChaCha20Poly1305, b"mira-vault/v2/layer-2/chacha20-poly1305"),
              3: (AESGCMSIV, b"mira-vault/v2/layer-3/aes-256-gcm-siv")}
    data = blob[30:]
    for i in (3, 2, 1):
        cls, info = layers[i]
        okm = HKDF(hashes.SHA256(), 44, salt, info).derive(master)
        data = cls(okm[:32]).decrypt(okm[32:], data, aad + bytes([i]))
    if flags & 1:
        data = zstandard.ZstdDecompressor().decompress(data)
    # the salt is the documented synthetic IV
    siv_key = hmac.digest(master, b"mira-vault/v2/siv-key", "sha256")
    enc_body = zstandard.ZstdCompressor(level=3).compress(data) if flags & 1 else data
    msg = (b"mira-vault/v2/salt" + bytes([2, flags]) + struct.pack(">H", len(k8)) + k8
           + struct.pack(">H", len(r8)) + r8 + _doc_digest(enc_body))
    assert hmac.digest(siv_key, msg, "sha256")[:16] == salt
    return data


def _doc_digest(body: bytes) -> bytes:
    """D(body) of docs/vault-format.md 3.3: SHA-256 under 512 KiB, BLAKE3-256 from 512 KiB on."""
    import blake3

    return hashlib.sha256(body).digest() if len(body) < 512 * 1024 else blake3.blake3(body).digest()


def test_documented_format_reader_agrees(keyring):
    master = keyring.active()[1]
    for compress in (True, False):
        blob = seal(PLAIN, kind="private_memory", record_id="private_1_abcdef12", keyring=keyring, compress=compress)
        assert len(blob) >= 78
        assert _doc_reader(blob, "private_memory", "private_1_abcdef12", master) == PLAIN


def test_large_bodies_seal_deterministically_and_any_change_moves_the_salt():
    """Bodies over the large-body threshold take the BLAKE3 digest path, which the documented reader recomputes."""
    import os as _os

    from resources.vault import envelope as _envelope
    from resources.vault.keyring import Keyring as _Keyring

    keyring = _Keyring(_os.urandom(32))
    body = _os.urandom(_envelope.LARGE_BODY_MIN + 12345)
    first = _envelope.seal(body, kind="k", record_id="r", keyring=keyring)
    assert _envelope.seal(body, kind="k", record_id="r", keyring=keyring) == first
    changed = bytearray(body)
    changed[-1] ^= 1
    other = _envelope.seal(bytes(changed), kind="k", record_id="r", keyring=keyring)
    assert _envelope.parse_header(other)[3] != _envelope.parse_header(first)[3]
    assert _envelope.unseal(first, kind="k", record_id="r", keyring=keyring) == body
    assert _doc_reader(first, "k", "r", keyring.active()[1]) == body


def test_large_bodies_sealed_one_after_another_on_one_thread_do_not_mix():
    """Bodies from 64 KiB to 4 MiB go through the thread's reused buffers: alternating sizes and contents
    must give each record exactly its own bytes, readable by the documented reader."""
    keyring = Keyring(os.urandom(32))
    bodies = [os.urandom(70 * 1024), os.urandom(1 << 20), os.urandom(70 * 1024), os.urandom(envelope.SCRATCH_MAX),
              os.urandom(envelope.SCRATCH_MAX + 1)]
    blobs = [seal(b, kind="k", record_id=f"r{i}", keyring=keyring) for i, b in enumerate(bodies)]
    again = [seal(b, kind="k", record_id=f"r{i}", keyring=keyring) for i, b in reversed(list(enumerate(bodies)))]
    assert blobs == list(reversed(again))
    for i, (body, blob) in enumerate(zip(bodies, blobs)):
        assert len(blob) == len(body) + envelope.OVERHEAD
        assert _doc_reader(blob, "k", f"r{i}", keyring.active()[1]) == body
