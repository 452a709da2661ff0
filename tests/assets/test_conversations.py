"""A day of conversations with ids the vault would refuse: the reader quarantines them with their reasons,
`conversation_backups` stores the good conversations and its check passes."""

from __future__ import annotations

import json

import dagster as dg

from mira_assets.definitions import storage_resources
from mira_assets.domain.landing import read_quarantine
from pipeline.helpers import assets_named
from resources.vault.keyring import Keyring, generate_key_b64
from resources.vault.store import Vault

DAY = "2026-11-05"
REFUSED = {
    "x" * 190: "its backup name conv_<id>_<epoch s> is longer than 200 bytes",
    ".hidden-conversation": "starts with '.'",
    "conv\u200b-zero-width": "contains an invisible or format character (U+200B)",
    "会" * 90: "longer than 200 bytes (270 bytes in UTF-8)",
}


def conversation(conversation_id: str) -> dict:
    return {"conversation_id": conversation_id, "context": {"channel": "cli"},
            "messages": [{"role": "user", "content": f"hello from {conversation_id[:12]}",
                          "timestamp": "2026-11-05T09:00:00Z"},
                         {"role": "assistant", "content": "hi", "timestamp": "2026-11-05T09:00:04Z"}]}


def test_ids_the_vault_would_refuse_are_quarantined_and_the_good_conversations_are_backed_up(tmp_path):
    root = tmp_path / "mira_data"
    landing = root / "landing" / "conversations" / DAY
    landing.mkdir(parents=True)
    ids = ["good-morning", *REFUSED, "good-evening"]
    landing.joinpath("part-000.jsonl").write_text(
        "".join(json.dumps(conversation(i), ensure_ascii=False) + "\n" for i in ids), encoding="utf-8")
    key = generate_key_b64()

    result = dg.materialize(assets_named("conversations", "conversation_backups"), partition_key=DAY,
                            resources=storage_resources(data_root=str(root), vault_key=key),
                            instance=dg.DagsterInstance.ephemeral())

    assert result.success
    reader = result.asset_materializations_for_node("conversations")[0].metadata
    assert reader["records"].value == 2 and reader["quarantined"].value == len(REFUSED)
    entries = read_quarantine(root / "quarantine" / "conversations" / f"{DAY}.jsonl")
    assert [e["line_number"] for e in entries] == [2, 3, 4, 5]
    for entry, (bad_id, reason) in zip(entries, REFUSED.items()):
        assert entry["reason"].startswith(f"conversation_id: {reason}") and bad_id not in entry["reason"]
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks == {"quarantine_is_empty": False, "records_decrypt_and_match_manifest": True}
    vault = Vault(root / "databases" / "lightning_vidmem", Keyring.load(key))
    stored = sorted(vault.read_record(ref.path)["conversation_id"] for ref in vault.iter_records())
    assert stored == ["good-evening", "good-morning"]


def test_timestamps_outside_1970_to_9999_are_quarantined_and_the_rest_of_the_day_is_stored(tmp_path):
    """A message at 1e200 s, a private thought at 1e250 s and one before 1970: each quarantined with its reason,
    every other conversation and thought stored (they used to fail the whole day with `File name too long`)."""
    from pipeline.helpers import run_day

    root = tmp_path / "mira_data"
    far = conversation("far-future")
    far["messages"][0]["timestamp"] = 1e200
    late = conversation("late-message")
    late["messages"][-1]["timestamp"] = 1e200
    lines = [conversation("good-morning"), far, late, conversation("good-evening")]
    (root / "landing" / "conversations" / DAY).mkdir(parents=True)
    (root / "landing" / "conversations" / DAY / "part-000.jsonl").write_text(
        "".join(json.dumps(c) + "\n" for c in lines), encoding="utf-8")
    thoughts = [{"thought": "a thought at 1e250", "timestamp": 1e250},
                {"thought": "a thought in 1969", "timestamp": "1969-07-20T20:17:40Z"},
                {"thought": "an ordinary thought", "timestamp": "2026-11-05T10:00:00Z"}]
    (root / "landing" / "private_thoughts" / DAY).mkdir(parents=True)
    (root / "landing" / "private_thoughts" / DAY / "part-000.jsonl").write_text(
        "".join(json.dumps(t) + "\n" for t in thoughts), encoding="utf-8")
    key = generate_key_b64()

    result = run_day({"data_root": str(root), "vault_key": key}, DAY, dg.DagsterInstance.ephemeral())

    assert result.success
    out_of_range = "out of range (1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z)"
    reasons = [e["reason"] for e in read_quarantine(root / "quarantine" / "conversations" / f"{DAY}.jsonl")]
    assert reasons == [f"messages[0].timestamp: {out_of_range}", f"messages[1].timestamp: {out_of_range}"]
    reasons = [e["reason"] for e in read_quarantine(root / "quarantine" / "private_thoughts" / f"{DAY}.jsonl")]
    assert reasons == [f"timestamp: {out_of_range}"] * 2
    vault = Vault(root / "databases" / "lightning_vidmem", Keyring.load(key))
    records = [vault.read_record(ref.path) for ref in vault.iter_records()]
    assert sorted(r["conversation_id"] for r in records if "conversation_id" in r) == ["good-evening", "good-morning"]
    assert [r["payload"]["thought"] for r in records if "payload" in r] == ["an ordinary thought"]
