"""Import of a MIRA 1.0 vault made by a reference implementation of SPEC §6 written here,
independently of resources/vault/legacy.py."""

from __future__ import annotations

import base64
import json
import math
import os
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


SNAPSHOT_ID = "codebase_snapshot_1766577800"
SNAPSHOT_TIME = 1766577800.75  # 2025-12-24T12:03:20Z
CODEBASE = {
    "mira/core.py": "def think():\n    return 'ünïcødé ✓'\n",
    "mira/__init__.py": "",
    "./docs//README.md": "# MIRA 1.0\r\nCRLF kept\r\n",
    "/home/user/mira/config.json": json.dumps({"k": [1, 2]}),
    "raw/latin1.bin": "caf\udce9 \udcff",  # read with surrogateescape: bytes that are not UTF-8
}
EXPECTED_FILES = {
    "mira/core.py": "def think():\n    return 'ünïcødé ✓'\n".encode(),
    "mira/__init__.py": b"",
    "docs/README.md": b"# MIRA 1.0\r\nCRLF kept\r\n",
    "home/user/mira/config.json": json.dumps({"k": [1, 2]}).encode(),
    "raw/latin1.bin": b"caf\xe9 \xff",
}


def write_legacy_snapshot(root, snapshot_id: str, data: dict, timestamp: float, meta: dict | None = None) -> None:
    """The seed's store_codebase_snapshot: codebase_copies/YYYY-MM/<id>.enc + a plain .meta."""
    enc = ReferenceTripleEncryption()
    folder = root / "codebase_copies" / "2025-12"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{snapshot_id}.enc").write_bytes(enc.encrypt(json.dumps(data), snapshot_id))
    (folder / f"{snapshot_id}.meta").write_text(json.dumps(meta or {
        "snapshot_id": snapshot_id, "timestamp": timestamp, "file_count": len(data),
        "total_size": sum(len(c) for c in data.values())}))


@pytest.fixture(scope="module")
def legacy_codebase_tree(tmp_path_factory):
    """A 1.0 vault holding one good codebase snapshot, one tampered, one whose .meta disagrees."""
    root = tmp_path_factory.mktemp("mira10_codebase")
    write_legacy_snapshot(root, SNAPSHOT_ID, CODEBASE, SNAPSHOT_TIME)
    write_legacy_snapshot(root, "codebase_snapshot_tampered", {"a.py": "x"}, SNAPSHOT_TIME)
    enc = root / "codebase_copies/2025-12/codebase_snapshot_tampered.enc"
    token = bytearray(enc.read_bytes())
    token[-5] = ord("A") if token[-5] != ord("A") else ord("B")
    enc.write_bytes(bytes(token))
    write_legacy_snapshot(root, "codebase_snapshot_miscounted", {"a.py": "x"}, SNAPSHOT_TIME,
                          meta={"snapshot_id": "codebase_snapshot_miscounted", "timestamp": SNAPSHOT_TIME,
                                "file_count": 2, "total_size": 1})
    return root


def _store_files(root):
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and p.name != ".lock"}


@pytest.fixture
def hosting_vault(vault):
    """The vault as the resource and the CLI open it: with the codebase store's files handed to it."""
    from resources.hosted_stores import hosted_stores
    from resources.vault.store import Vault

    return Vault(vault.root, vault.keyring, hosted=hosted_stores())


def test_import_legacy_codebase_snapshots_list_and_restore(legacy_codebase_tree, hosting_vault, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from mira_assets.cli.codebase import app

    vault = hosting_vault
    report = legacy.import_legacy(legacy_codebase_tree, vault)
    assert report.imported == [f"legacy_{SNAPSHOT_ID}"]
    failed = dict(report.failed)
    assert "does not decrypt" in failed["codebase_copies/2025-12/codebase_snapshot_tampered.enc"]
    assert ".meta says 2 files" in failed["codebase_copies/2025-12/codebase_snapshot_miscounted.enc"]
    assert vault.verify() == []

    monkeypatch.setenv("MIRA_DATA", str(tmp_path))  # the CLI opens $MIRA_DATA/databases/lightning_vidmem
    runner = CliRunner()
    listed = runner.invoke(app, ["list", "--json"])
    assert listed.exit_code == 0, listed.output
    (snap,) = json.loads(listed.stdout)
    assert snap["snapshot_id"] == f"legacy_{SNAPSHOT_ID}" and snap["name"] == "legacy"
    assert snap["day"] == "2025-12-24" and snap["timestamp"] == SNAPSHOT_TIME and snap["file_count"] == 5
    assert snap["capture"] == "import" and snap["legacy_snapshot_id"] == SNAPSHOT_ID
    dest = tmp_path / "restored"
    restored = runner.invoke(app, ["restore", f"legacy_{SNAPSHOT_ID}", str(dest)])
    assert restored.exit_code == 0, restored.output
    got = {p.relative_to(dest).as_posix(): p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    got = {os.fsencode(k).decode("utf-8", "surrogateescape"): v for k, v in got.items()}
    assert got == EXPECTED_FILES
    assert runner.invoke(app, ["verify", f"legacy_{SNAPSHOT_ID}"]).exit_code == 0

    # importing twice adds nothing: no file of the store changes
    before = _store_files(vault.root)
    again = legacy.import_legacy(legacy_codebase_tree, vault)
    assert again.imported == [] and again.skipped == [f"codebase_copies/2025-12/{SNAPSHOT_ID}.enc"]
    assert _store_files(vault.root) == before


def test_in_place_codebase_upgrade(legacy_codebase_tree, hosting_vault):
    import shutil

    from resources.codebase.store import CodebaseStore

    vault = hosting_vault
    shutil.copytree(legacy_codebase_tree, vault.root)
    assert f"codebase_copies/2025-12/{SNAPSHOT_ID}.enc" in {p.path for p in vault.verify()}
    report = legacy.import_legacy(vault.root, vault)
    assert report.imported == [f"legacy_{SNAPSHOT_ID}"] and len(report.failed) == 2
    assert not (vault.root / f"codebase_copies/2025-12/{SNAPSHOT_ID}.enc").exists()  # replaced by the store's snapshot
    bad = {p.path for p in vault.verify()}
    assert bad and all("tampered" in p or "miscounted" in p for p in bad)  # what failed is left as it was
    again = legacy.import_legacy(vault.root, vault)
    assert again.imported == [] and len(again.failed) == 2
    assert [s.snapshot_id for s in CodebaseStore(vault).list_snapshots("legacy")] == [f"legacy_{SNAPSHOT_ID}"]


def test_a_timestamp_past_year_9999_fails_its_record_alone(tmp_path, vault):
    """Outside a date folder the day comes from the timestamp; one past 9999-12-31 is reported, not an
    OverflowError that stops the import of every other record."""
    src = tmp_path / "mira10"
    enc = ReferenceTripleEncryption()
    (src / "private_memory/loose").mkdir(parents=True)
    for mid, ts in (("private_far_future", 1e20), ("private_fine", 1766577600.5)):
        (src / f"private_memory/loose/{mid}.json").write_text(json.dumps({
            "memory_id": mid, "encrypted_data": base64.b64encode(enc.encrypt("a thought", mid)).decode(),
            "encryption_version": "1.0", "timestamp": ts, "metadata": {}}))
    report = legacy.import_legacy(src, vault)
    assert report.imported == ["private_fine"]
    [(rel, reason)] = report.failed
    assert rel == "private_memory/loose/private_far_future.json" and reason.startswith("timestamp: ")
