"""`mira vault verify` against a day written the way the vault assets write it (files, index, manifest): it names
every file or record that is missing, edited, unlisted or orphaned, and says ok only when nothing is."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mira_assets.cli import vault as cli
from resources.data_root import DataLayout
from resources.vault.day_writes import replace_day
from resources.vault.keyring import Keyring
from resources.vault.records import wrapper_bytes
from resources.vault.store import Vault

runner = CliRunner()
FIXTURE = Path(__file__).with_name("fixtures") / "v2_vault"
FIXTURE_KEY = bytes(range(32))  # the public, test-only key the v2 fixture was written with
FIXTURE_ID = "private_1772193600500_7e58d7cc"


@pytest.fixture
def day(tmp_path, keyring, vh):
    """A data root whose vault holds one day of private memories and conversation backups, with their
    manifests, exactly as the vault assets leave it."""
    data = DataLayout(tmp_path / "mira_data")
    vault = Vault(data.vault, keyring)
    private = vault.put_private_memories(vh.make_items(3), vh.DAY)
    backups = vault.put_conversation_backups(vh.make_conversations(3), vh.DAY)
    replace_day(vault, data.manifests, "private_memories", vh.DAY, private)
    replace_day(vault, data.manifests, "conversation_backups", vh.DAY, backups)
    return data, vault, private, backups


def verify_cli(vault: Vault):
    result = runner.invoke(cli.app, ["verify", "--root", str(vault.root)])
    return result.exit_code, result.stdout


def test_a_day_as_written_verifies_ok(day):
    _, vault, _, _ = day
    assert verify_cli(vault) == (0, f"ok: every record in {vault.root} decrypts and every day matches its manifest "
                                    f"and index\n")


def test_a_deleted_backup_that_its_manifest_lists_is_named(day):
    _, vault, _, backups = day
    (vault.root / backups[1].path).unlink()
    code, out = verify_cli(vault)
    assert code == 1
    assert f"BAD {backups[1].path}: missing: manifests/conversation_backups/2026-03-01.parquet lists it" in out
    assert backups[0].path not in out and backups[2].path not in out


@pytest.mark.parametrize("field, value", [("timestamp", 1.0), ("kind", "memory"), ("metadata", {"type": "public"})])
def test_an_edited_plain_field_of_a_private_memory_is_named(day, field, value):
    """The wrapper's plain fields are sealed too (format 3): an edit shows even when the index is edited alike."""
    _, vault, private, _ = day
    target = vault.root / private[0].path
    wrapper = json.loads(target.read_bytes())
    target.write_bytes(wrapper_bytes(dict(wrapper, **{field: value})))
    index = target.parent / "index.json"
    doc = json.loads(index.read_bytes())
    for entry in doc["records"]:
        if entry["id"] == private[0].record_id:
            entry[field] = value
    index.write_text(json.dumps(doc))
    code, out = verify_cli(vault)
    assert code == 1
    assert (f"BAD {private[0].path}: plain field(s) {field} of the wrapper differ from the sealed copy "
            f"(edited after sealing)") in out
    assert f"BAD {private[0].path}: differs from what manifests/private_memories/2026-03-01.parquet recorded" in out


def test_an_entry_dropped_from_the_day_index_is_named(day):
    _, vault, private, _ = day
    index = vault.root / private[0].path.rsplit("/", 1)[0] / "index.json"
    doc = json.loads(index.read_bytes())
    doc["records"] = [e for e in doc["records"] if e["id"] != private[2].record_id]
    index.write_text(json.dumps(doc))
    code, out = verify_cli(vault)
    assert code == 1
    assert f"does not list {private[2].record_id} (file {private[2].path})" in out


def test_an_orphan_a_crashed_run_leaves_is_named_until_the_day_is_rerun(day, vh):
    """Files are written before the manifest: a run killed in between leaves files no manifest lists."""
    data, vault, _, backups = day
    extra = vault.put_conversation_backups(vh.make_conversations(4), vh.DAY)  # then the run dies
    orphan = next(ref for ref in extra if ref.path not in {b.path for b in backups})
    code, out = verify_cli(vault)
    assert code == 1 and f"BAD {orphan.path}: no manifest lists it: left by an interrupted run" in out
    replace_day(vault, data.manifests, "conversation_backups", vh.DAY, extra)  # the rerun of the day
    assert verify_cli(vault)[0] == 0


def test_a_rotation_moves_the_manifests_along_even_when_interrupted(day, vh):
    from resources.vault.maintenance import rotate_all, verify_all

    data, vault, _, _ = day
    new_key = Keyring.load(key_b64=base64.b64encode(bytes(32 * [7])).decode())
    both = Vault(vault.root, Keyring(new_key.active()[1], [vault.keyring.active()[1]]))
    assert both.rotate() == 6  # files only: what a rotation killed before its manifest step leaves
    problems = verify_all(both, data)
    assert len(problems) == 6 and all("differs from what manifests/" in reason for _, reason in problems)
    assert rotate_all(both, data) == (0, 0, 6)  # the rerun re-seals nothing and brings the manifests along
    assert verify_all(both, data) == []
    # an authentic record of other content under a listed name is no rotation of the recorded one: still named
    conversation = vh.make_conversations(1)[0]
    conversation["messages"][0]["content"] = "an older version of the conversation"
    [replaced] = both.put_conversation_backups([conversation])
    assert rotate_all(both, data) == (0, 0, 0)
    assert [path for path, _ in verify_all(both, data)] == [replaced.path]


def test_a_record_written_in_the_old_format_2_still_reads_and_verifies(tmp_path):
    root = tmp_path / "vault"
    shutil.copytree(FIXTURE, root)
    vault = Vault(root, Keyring(FIXTURE_KEY))
    record = vault.read_record(FIXTURE_ID)
    assert record["payload"] == {"thought": "written by the v2 code"} and record["kind"] == "thought"
    assert record["timestamp"] == 1772193600.5 and record["metadata"] == {"n": 1, "type": "private_thought"}
    assert json.loads(next(root.rglob(f"{FIXTURE_ID}.json")).read_bytes())["encryption_version"] == "2"
    assert vault.verify() == []
    # format 2 sealed kind and timestamp already: an edit of them shows there too
    target = next(root.rglob(f"{FIXTURE_ID}.json"))
    target.write_bytes(wrapper_bytes(dict(json.loads(target.read_bytes()), timestamp=1.0)))
    assert [p.reason for p in vault.verify() if p.path.endswith(f"{FIXTURE_ID}.json")] == [
        "plain field(s) timestamp of the wrapper differ from the sealed copy (edited after sealing)"]
