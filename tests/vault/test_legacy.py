"""Import of a MIRA 1.0 vault made by a reference implementation of SPEC §6 written here,
independently of resources/vault/legacy.py."""

from __future__ import annotations

import base64
import json
import math
import statistics

import numpy as np
import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from resources.vault import legacy


class ReferenceTripleEncryption:
    """SPEC §6, written from the spec text."""

    SIGNATURE = [0.87, 0.93, 0.76, 0.91, 0.89, 0.95, 0.94, 0.88]

    def __init__(self):
        phi = (1 + math.sqrt(5)) / 2
        gamma = 0.5772156649015329
        self.layers = [("content", math.pi * math.e, 1.0), ("pattern", phi * gamma, 1.3),
                       ("consciousness", math.pi * phi, 1.7)]
        self.mean = np.mean(self.SIGNATURE)

    def _fernets(self, memory_id):
        out = []
        for layer, salt_value, k in self.layers:
            password = f"MIRA:{self.mean * salt_value:.15f}"
            salt = f"{layer}:{memory_id}:{salt_value:.15f}"
            kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt.encode(),
                             iterations=int(100000 * self.mean * k))
            out.append(Fernet(base64.urlsafe_b64encode(kdf.derive(password.encode()))))
        return out

    def encrypt(self, text: str, memory_id: str) -> bytes:
        data = text.encode()
        for f in self._fernets(memory_id):  # content -> pattern -> consciousness
            data = f.encrypt(data)
        return data


@pytest.fixture(scope="module")
def legacy_tree(tmp_path_factory):
    """A 1.0 vault: 2 private memories, 1 conversation backup, 1 corrupted memory."""
    root = tmp_path_factory.mktemp("mira10")
    enc = ReferenceTripleEncryption()
    day = root / "private_memory/2025/12/24"
    day.mkdir(parents=True)
    thoughts = {"private_1766577600000_0a1b2c3d": "first secret thought — ünïcødé",
                "private_1766577601000_deadbeef": json.dumps({"sparse_columns": [1, 5, 9]})}
    for mid, text in thoughts.items():
        (day / f"{mid}.json").write_text(json.dumps({
            "memory_id": mid, "encrypted_data": base64.b64encode(enc.encrypt(text, mid)).decode(),
            "encryption_version": "1.0", "timestamp": 1766577600.5,
            "metadata": {"type": "htm_pattern"} if "sparse" in text else {"htm_surprise": 0.3}}))
    bad_id = "private_1766577602000_00000000"
    token = bytearray(enc.encrypt("will be corrupted", bad_id))
    token[-5] = ord("A") if token[-5] != ord("A") else ord("B")
    (day / f"{bad_id}.json").write_text(json.dumps({
        "memory_id": bad_id, "encrypted_data": base64.b64encode(bytes(token)).decode(),
        "encryption_version": "1.0", "timestamp": 1766577602.0, "metadata": {}}))
    conv = {"conversation_id": "legacyconv-42", "messages": [{"role": "user", "content": "old secret chat"}],
            "context": {"k": "v"}, "timestamp": 1766577700.25}
    bid = "conv_legacyconv-42_1766577700"
    cdir = root / "conversation_backups/legacyco"
    cdir.mkdir(parents=True)
    (cdir / f"{bid}.enc").write_bytes(enc.encrypt(json.dumps(conv), bid))
    return root, thoughts, bad_id, conv, bid


def test_numpy_mean_matters():
    sig = ReferenceTripleEncryption.SIGNATURE
    assert legacy.signature_mean() == float(np.mean(sig))
    assert legacy.signature_mean() != statistics.fmean(sig)  # last bit differs -> iterations differ
    assert [int(100000 * legacy.signature_mean() * k) for k in (1.0, 1.3, 1.7)] == [89124, 115862, 151512]


def test_import_legacy_vault(legacy_tree, vault):
    root, thoughts, bad_id, conv, bid = legacy_tree
    report = legacy.import_legacy(root, vault)
    assert sorted(report.imported) == sorted([*thoughts, bid])
    assert [r for r, _ in report.failed] == [f"private_memory/2025/12/24/{bad_id}.json"]
    assert "does not decrypt" in report.failed[0][1]
    for mid, text in thoughts.items():
        rec = vault.read_record(mid)
        assert rec["payload"]["thought"] == text
        assert (vault.root / f"private_memory/2025/12/24/{mid}.json").exists()  # same id, same place
    assert vault.read_record(thoughts and "private_1766577601000_deadbeef")["kind"] == "htm_pattern"
    assert vault.read_record(bid) == conv
    assert vault.verify() == []
    index = json.loads((vault.root / "private_memory/2025/12/24/index.json").read_bytes())
    assert len(index["records"]) == 2
    # rerun: nothing re-imported (and no PBKDF2 work for records already in v2)
    again = legacy.import_legacy(root, vault)
    assert again.imported == [] and len(again.skipped) == 3 and len(again.failed) == 1


def test_in_place_upgrade(legacy_tree, vault):
    import shutil

    root, thoughts, bad_id, conv, bid = legacy_tree
    shutil.copytree(root, vault.root)
    problems = {p.path for p in vault.verify()}
    assert len(problems) == 4  # every 1.0 record is flagged until imported
    report = legacy.import_legacy(vault.root, vault)
    assert len(report.imported) == 3 and len(report.failed) == 1
    assert {p.path for p in vault.verify()} == {f"private_memory/2025/12/24/{bad_id}.json"}
    assert vault.read_record(bid) == conv


def test_imported_records_are_listed_in_an_import_manifest_and_are_no_orphans(legacy_tree, vault, vh):
    """Beside a pipeline's days, imported records are held against the import's own manifest, like any writer's."""
    from resources.vault.day_writes import replace_day
    from resources.vault.manifest_checks import check_manifests

    root, thoughts, bad_id, conv, bid = legacy_tree
    manifests = vault.root.parent.parent / "manifests"
    replace_day(vault, manifests, "conversation_backups", vh.DAY,
                vault.put_conversation_backups(vh.make_conversations(2), vh.DAY))
    report = legacy.import_legacy(root, vault, manifests_root=manifests)
    assert report.manifest is not None and report.manifest.parent == manifests / "import_legacy"
    assert sorted(r.record_id for r in report.refs) == sorted([*thoughts, bid])
    assert check_manifests(vault, manifests) == []
    imported_backup = next(r for r in report.refs if r.record_id == bid)
    (vault.root / imported_backup.path).unlink()
    assert [(p.path, p.reason.split(":")[0]) for p in check_manifests(vault, manifests)] == [
        (imported_backup.path, "missing")]
