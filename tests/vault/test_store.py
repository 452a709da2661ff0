"""The vault as the pipeline uses it: layout, ids, reruns, verify, rotation, leaks."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os

import pytest

from resources.vault import layout
from resources.vault.envelope import VaultError, VaultIntegrityError, VaultKeyError
from resources.vault.keyring import Keyring, generate_key_b64
from resources.vault.store import HostedStore, PrivateItem, Vault


def test_private_memories_layout_ids_and_round_trip(vault, vh):
    items = vh.make_items(4)
    refs = vault.put_private_memories(items, vh.DAY)
    assert len(refs) == 4
    for ref, item in zip(refs, items):
        # path uses the PARTITION date, id uses the item's own epoch ms
        assert ref.path == f"private_memory/2026/03/01/{ref.record_id}.json"
        assert ref.record_id.startswith(f"private_{int(item.timestamp * 1000)}_")
        assert len(ref.record_id.rsplit("_", 1)[1]) == 8
        raw = (vault.root / ref.path).read_bytes()
        assert ref.bytes == len(raw)
        doc = json.loads(raw)
        assert doc["encryption_version"] == "3" and doc["memory_id"] == ref.record_id
        assert doc["metadata"] == item.metadata and doc["timestamp"] == item.timestamp
        assert base64.b64decode(doc["encrypted_data"])[:4] == b"MIRV"
        rec = vault.read_record(ref.record_id)
        assert rec["payload"] == item.payload and rec["kind"] == item.kind
        assert vault.read_record(ref.path) == rec
    index = json.loads((vault.root / "private_memory/2026/03/01/index.json").read_bytes())
    assert [e["id"] for e in index["records"]] == sorted(r.record_id for r in refs)
    assert set(index["records"][0]) == {"id", "kind", "timestamp", "metadata", "path"}
    assert vault.memory_id(items[0]) == refs[0].record_id


def test_nothing_secret_in_clear(vault, vh, vault_key):
    vault.put_private_memories(vh.make_items(6), vh.DAY)
    vault.put_conversation_backups(vh.make_conversations(3), vh.DAY)
    for rel, data in vh.tree_bytes(vault.root).items():
        for secret in (*vh.SECRET_WORDS, "hello", vault_key):
            assert secret.encode() not in data, (rel, secret)


def test_rerun_writes_identical_bytes(vault, vh, keyring):
    vault.put_private_memories(vh.make_items(5), vh.DAY)
    vault.put_conversation_backups(vh.make_conversations(3), vh.DAY)
    before = vh.tree_bytes(vault.root)
    mtimes = {p: p.stat().st_mtime_ns for p in vault.root.rglob("*") if p.is_file()}
    again = Vault(vault.root, keyring)  # a fresh process would see the same
    again.put_private_memories(vh.make_items(5), vh.DAY)
    again.put_conversation_backups(vh.make_conversations(3), vh.DAY)
    assert vh.tree_bytes(vault.root) == before
    assert {p: p.stat().st_mtime_ns for p in vault.root.rglob("*") if p.is_file()} == mtimes


def test_three_days_three_folders(vault, vh):
    for d in (1, 2, 3):
        vault.put_private_memories(vh.make_items(2, ts=vh.TS + d * 86400), dt.date(2026, 3, d))
    assert sorted(p.name for p in (vault.root / "private_memory/2026/03").iterdir()) == ["01", "02", "03"]


def test_index_merges_and_removed_records_leave_it(vault, vh):
    items = vh.make_items(4)
    refs = vault.put_private_memories(items[:2], vh.DAY)
    refs += vault.put_private_memories(items[2:], vh.DAY)
    idx = vault.root / "private_memory/2026/03/01/index.json"
    assert len(json.loads(idx.read_bytes())["records"]) == 4
    assert vault.remove_records([r.path for r in refs[1:]] + [refs[3].path]) == [r.path for r in refs[1:]]
    assert [e["id"] for e in json.loads(idx.read_bytes())["records"]] == [refs[0].record_id]
    assert len(list(idx.parent.glob("private_*.json"))) == 1
    assert vault.verify() == []


def test_conversation_backups(vault, vh):
    convs = vh.make_conversations(2)
    refs = vault.put_conversation_backups(convs, vh.DAY)
    for ref, conv in zip(refs, convs):
        cid = conv["conversation_id"]
        assert ref.record_id == f"conv_{cid}_{int(conv['timestamp'])}"
        assert ref.path == f"conversation_backups/{cid[:8]}/{ref.record_id}.enc"
        assert vault.read_record(ref.record_id) == {k: conv[k] for k in ("conversation_id", "messages",
                                                                        "context", "timestamp")}


@pytest.mark.parametrize("bad", ["../escape", "a/b", "..", ".hidden", "x\x00y", "tab\there", "", "c" * 201, "a\\b"])
def test_path_traversal_ids_rejected(vault, vh, bad):
    conv = dict(vh.make_conversations(1)[0], conversation_id=bad)
    with pytest.raises(ValueError, match="invalid conversation id"):
        vault.put_conversation_backups([conv], vh.DAY)
    assert not (vault.root / "conversation_backups").exists()


def test_read_record_rejects_outside_paths(vault, vh):
    vault.put_private_memories(vh.make_items(1), vh.DAY)
    with pytest.raises(VaultError, match="outside the vault root"):
        vault.read_record("private_memory/../../../../etc/passwd")
    with pytest.raises(ValueError, match="record id"):
        vault.read_record("..")
    with pytest.raises(VaultError, match="not found"):
        vault.read_record("private_1_deadbeef")


def _flip(path, offset):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_verify_names_each_bad_file(vault, vh, vault_key):
    prefs = vault.put_private_memories(vh.make_items(3), vh.DAY)
    crefs = vault.put_conversation_backups(vh.make_conversations(3), vh.DAY)
    assert vault.verify() == []
    # tamper: a private memory's ciphertext (decode, flip, re-encode) and a backup's last byte
    p0 = vault.root / prefs[0].path
    doc = json.loads(p0.read_bytes())
    blob = bytearray(base64.b64decode(doc["encrypted_data"]))
    blob[40] ^= 0x80
    doc["encrypted_data"] = base64.b64encode(bytes(blob)).decode()
    p0.write_text(json.dumps(doc))
    _flip(vault.root / crefs[0].path, -1)
    # truncate one, swap two others
    c1, c2 = vault.root / crefs[1].path, vault.root / crefs[2].path
    p1 = vault.root / prefs[1].path
    p1.write_bytes(p1.read_bytes()[:100])
    a, b = c1.read_bytes(), c2.read_bytes()
    c1.write_bytes(b)
    c2.write_bytes(a)
    seen = []
    problems = vault.verify(progress=lambda done, total: seen.append((done, total)))
    bad = {p.path: p.reason for p in problems}
    assert set(bad) == {prefs[0].path, prefs[1].path, crefs[0].path, crefs[1].path, crefs[2].path}
    assert "moved/swapped" in bad[crefs[1].path] and "moved/swapped" in bad[crefs[2].path]
    assert seen[-1][0] == seen[-1][1]
    for p in problems:
        for secret in (*vh.SECRET_WORDS, vault_key):
            assert secret not in str(p)
    with pytest.raises(VaultIntegrityError) as e:
        vault.read_record(crefs[0].record_id)
    assert crefs[0].path in str(e.value) and "zebra" not in str(e.value)


def test_every_flipped_byte_of_a_backup_named(vault, vh):
    ref = vault.put_conversation_backups(vh.make_conversations(1), vh.DAY)[0]
    path = vault.root / ref.path
    good = path.read_bytes()
    for i in range(0, len(good), 7):
        _flip(path, i)
        with pytest.raises(VaultError) as e:
            vault.read_record(ref.record_id)
        assert ref.path in str(e.value)
        path.write_bytes(good)


def test_verify_plugins_and_unknown_files(vault, vh):
    vault.put_private_memories(vh.make_items(1), vh.DAY)
    snap = vault.root / "codebase_copies/2026-03/snap1.enc"
    snap.parent.mkdir(parents=True)
    snap.write_bytes(b"MIRV....")
    assert [p.path for p in vault.verify()] == ["codebase_copies/2026-03/snap1.enc"]
    calls = []

    def check(v, path):
        calls.append(path.name)
        raise ValueError("chunk hash mismatch")

    hosting = Vault(vault.root, vault.keyring, hosted=[HostedStore("codebase_copies/", check, lambda v, p: False)])
    problems = hosting.verify()
    assert calls == ["snap1.enc"]
    assert problems[0].reason == "ValueError: chunk hash mismatch"
    (vault.root / "private_memory/2026/03/01/stray.txt").write_text("x")
    assert any(p.path.endswith("stray.txt") for p in vault.verify())


def test_naming_key_stable_and_sealed(vault, keyring):
    k1 = vault.naming_key("chunk-names")
    assert len(k1) == 32 and k1 != vault.naming_key("private-memory-id")
    assert Vault(vault.root, keyring).naming_key("chunk-names") == k1
    doc = json.loads((vault.root / "vault.json").read_bytes())
    assert doc["format_version"] == 2 and doc["naming_secret"]["key_id"] == keyring.active_id
    assert k1.hex() not in (vault.root / "vault.json").read_text()
    other = Vault(vault.root.parent / "other", keyring)
    assert other.naming_key("chunk-names") != k1
    with pytest.raises(VaultKeyError, match="vault.json"):
        Vault(vault.root, Keyring.load(key_b64=generate_key_b64())).naming_key("x")


def test_rotation(vault, vh, vault_key, monkeypatch):
    items = vh.make_items(4)
    prefs = vault.put_private_memories(items, vh.DAY)
    crefs = vault.put_conversation_backups(vh.make_conversations(2), vh.DAY)
    naming = vault.naming_key("chunk-names")
    new_b64 = generate_key_b64()
    both = Keyring.load(key_b64=new_b64, key_file=None)
    both = Keyring(both.active()[1], [vault.keyring.active()[1]])
    rotated = Vault(vault.root, both)
    assert rotated.rotate() == 6
    assert rotated.rotate() == 0  # idempotent
    only_new = Vault(vault.root, Keyring.load(key_b64=new_b64))
    assert only_new.verify() == []
    assert only_new.read_record(prefs[0].record_id)["payload"] == items[0].payload
    assert only_new.read_record(crefs[1].record_id)["conversation_id"] == "conv01-abcdef-1"
    assert only_new.naming_key("chunk-names") == naming
    assert only_new.memory_id(items[0]) == prefs[0].record_id  # ids survive rotation
    with pytest.raises(VaultKeyError):
        vault.read_record(prefs[0].record_id)  # the old key alone no longer reads it


def test_layout_helpers():
    assert layout.safe_part("conv_abc-123", "x") == "conv_abc-123"
    assert layout.backup_id("abc", 1772193600.9) == "conv_abc_1772193600"
    assert layout.conversation_backup_path("abcdefghij", "conv_abcdefghij_1") == \
        "conversation_backups/abcdefgh/conv_abcdefghij_1.enc"
    assert layout.private_memory_path(dt.date(2026, 1, 2), "private_1_abcdef12") == \
        "private_memory/2026/01/02/private_1_abcdef12.json"
    with pytest.raises(ValueError, match="invalid memory id"):
        layout.private_memory_path(dt.date(2026, 1, 2), "../x")
    with pytest.raises(ValueError):
        layout.epoch_ms(float("nan"))


def test_items_validated(vault, vh):
    with pytest.raises(ValueError, match="payload and metadata must be dicts"):
        vault.put_private_memories([PrivateItem("thought", vh.TS, "text", {})], vh.DAY)  # type: ignore[arg-type]
    assert os.environ.get("MIRA_VAULT_KEY")


def test_fast_json_paths_match_json_dumps(vault):
    import json as _json

    from resources.vault.records import canonical_json, wrapper_bytes

    for kind, ts, meta in (("thought", 1.5, {"b": 1, "a": "ü"}), ("ünï \"q\"", 1772193600, {}),
                           ("memory", 1772193600.123456, {"x": [1, 2.5, None]})):
        payload = {"thought": "héllo \u2028 \"x\"", "n": 1}
        for imported in (None, "mira-1.0"):
            data = vault._private_wrapper("private_1_abcdef12", kind, ts, payload, meta, imported_from=imported)
            doc = _json.loads(data)
            assert data == wrapper_bytes(doc)
            blob = base64.b64decode(doc["encrypted_data"])
            plain = vault.unseal(blob, kind="private_memory", record_id="private_1_abcdef12")
            sealed = {"kind": kind, "memory_id": "private_1_abcdef12", "metadata": meta, "payload": payload,
                      "timestamp": ts}
            assert plain == canonical_json(sealed if imported is None else dict(sealed, imported_from=imported))


def test_iter_records_matches_refs(vault, vh):
    refs = vault.put_private_memories(vh.make_items(3), vh.DAY)
    refs += vault.put_conversation_backups(vh.make_conversations(2), vh.DAY)
    assert sorted(vault.iter_records(), key=lambda r: r.path) == sorted(refs, key=lambda r: r.path)


def test_removal_touches_only_the_named_files_and_rebuild_index(vault, vh):
    items = vh.make_items(3)
    refs = vault.put_private_memories(items, vh.DAY)
    imported = vault.put_private_record("private_1772193600000_0badc0de", "legacy", vh.TS, {"thought": "old"},
                                        {}, vh.DAY, imported_from="mira-1.0")
    assert json.loads((vault.root / imported.path).read_bytes())["imported_from"] == "mira-1.0"
    vault.remove_records([r.path for r in refs[1:]])
    day = vault.root / "private_memory/2026/03/01"
    assert sorted(p.name for p in day.glob("private_*.json")) == sorted(
        [f"{vault.memory_id(items[0])}.json", "private_1772193600000_0badc0de.json"])
    index = json.loads((day / "index.json").read_bytes())
    assert len(index["records"]) == 2 and vault.verify() == []
    (day / "private_1772193600000_0badc0de.json").unlink()  # removed by someone else
    assert [p.path for p in vault.verify()] == ["private_memory/2026/03/01/index.json"]
    assert vault.rebuild_private_index(vh.DAY) is True
    assert vault.verify() == [] and vault.rebuild_private_index(vh.DAY) is False


def test_removal_refuses_paths_that_leave_the_vault_folders(vault, vh, tmp_path):
    """Removal paths come from manifests outside the vault root: a doctored one must not reach other files."""
    victim = tmp_path / "databases" / "keep.txt"
    victim.parent.mkdir(parents=True, exist_ok=True)
    victim.write_text("not the vault's")
    for bad in ("private_memory/../../keep.txt", "conversation_backups/../../keep.txt", "tables/x.parquet",
                "private_memory/2026/03/01/.hidden.json"):
        with pytest.raises(VaultError, match="not a private memory or conversation backup path"):
            vault.remove_records([bad])
    assert victim.exists()
