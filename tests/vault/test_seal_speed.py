"""Sealing 1 MiB costs about what the bare three-layer cascade costs (the README's goal is >= 0.8x).

Measured by CPU time, the two taking turns over many rounds in the same process, so a shared, loaded
machine slows both alike. The full figures come from tests/benchmarks/bench_vault.py."""

from __future__ import annotations

import os
import statistics
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESGCMSIV, ChaCha20Poly1305

from resources.vault.envelope import seal
from resources.vault.keyring import Keyring


def test_sealing_a_mebibyte_of_random_data_keeps_pace_with_the_bare_cascade():
    keyring = Keyring(os.urandom(32))
    data = os.urandom(1 << 20)
    ciphers = (AESGCM(os.urandom(32)), ChaCha20Poly1305(os.urandom(32)), AESGCMSIV(os.urandom(32)))

    def bare():
        out = data
        for cipher in ciphers:
            out = cipher.encrypt(os.urandom(12), out, None)

    def vault_seal():
        seal(data, kind="conversation_backup", record_id="conv_big_1", keyring=keyring)

    cpu: dict[str, list[float]] = {"bare": [], "seal": []}
    for _ in range(15):
        for name, fn in (("bare", bare), ("seal", vault_seal)):
            started = time.process_time()
            for _ in range(3):
                fn()
            cpu[name].append(time.process_time() - started)
    ratio = statistics.median(cpu["bare"]) / statistics.median(cpu["seal"])
    assert ratio >= 0.8, f"Vault.seal runs at {ratio:.2f}x the bare cascade (CPU time, 1 MiB random)"
