"""A day of conversations with ids the vault would refuse: the reader quarantines them with their reasons,
`conversation_backups` stores the good conversations and its check passes."""

from __future__ import annotations

import json

import dagster as dg

from mira_assets.assets.conversations import conversation_backups, conversations
from mira_assets.definitions import storage_resources
from mira_assets.domain.landing import read_quarantine
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

    result = dg.materialize([conversations, conversation_backups], partition_key=DAY,
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
