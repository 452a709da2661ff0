"""The user's story for the vault side: a day in, encrypted backups out, reruns change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipeline.helpers import DAYS, check_results, error_text, run_day, tree_digest


def vault_root(mira_data: Path) -> Path:
    return mira_data / "databases" / "lightning_vidmem"


def test_backfill_of_three_days_writes_three_date_folders(mira_data, settings, instance):
    for day in DAYS:
        result = run_day(settings, day, instance)
        assert result.success

    private = vault_root(mira_data) / "private_memory"
    assert sorted(str(p.relative_to(private)) for p in private.glob("*/*/*") if p.is_dir()) == [
        "2026/11/01",
        "2026/11/02",
        "2026/11/03",
    ]
    for day in DAYS:
        manifest = pd.read_parquet(mira_data / "manifests" / "conversation_backups" / f"{day}.parquet")
        assert len(manifest) > 0
        assert all((vault_root(mira_data) / path).is_file() for path in manifest["path"])
        assert all(Path(path).parts[0] == "conversation_backups" for path in manifest["path"])
        private_manifest = pd.read_parquet(mira_data / "manifests" / "private_memories" / f"{day}.parquet")
        yyyy, mm, dd = day.split("-")
        assert all(Path(path).parts[1:4] == (yyyy, mm, dd) for path in private_manifest["path"])


def test_materializing_a_day_twice_leaves_the_tree_byte_identical(mira_data, settings, instance):
    run_day(settings, DAYS[0], instance)
    watched = ["databases", "manifests", "tables", "quarantine"]
    before = {name: tree_digest(mira_data / name) for name in watched}
    run_day(settings, DAYS[0], instance)
    after = {name: tree_digest(mira_data / name) for name in watched}
    assert before == after
    assert before["databases"], "the run wrote nothing"


def test_checks_pass_and_quarantine_is_reported(mira_data, settings, instance):
    result = run_day(settings, DAYS[0], instance)
    checks = check_results(result)
    assert checks["conversation_backups:records_decrypt_and_match_manifest"] is True
    assert checks["private_memories:records_decrypt_and_match_manifest"] is True
    # The demo data carries malformed lines on purpose: the check warns, the good lines go on.
    assert checks["conversations:quarantine_is_empty"] is False
    materialization = result.asset_materializations_for_node("conversations")[0]
    assert materialization.metadata["quarantined"].value >= 1
    assert materialization.metadata["records"].value >= 1
    quarantine = mira_data / "quarantine" / "conversations" / f"{DAYS[0]}.jsonl"
    entries = [json.loads(line) for line in quarantine.read_text().splitlines()]
    assert all(entry["line_number"] >= 1 and entry["reason"] for entry in entries)
    assert all("raw" not in entry and entry["raw_sealed"] for entry in entries)


def test_a_changed_day_replaces_its_records_and_removes_stale_files(mira_data, settings, instance):
    run_day(settings, DAYS[0], instance)
    manifest_file = mira_data / "manifests" / "conversation_backups" / f"{DAYS[0]}.parquet"
    before = pd.read_parquet(manifest_file)
    landing = next((mira_data / "landing" / "conversations" / DAYS[0]).glob("*.jsonl"))
    lines = landing.read_text(encoding="utf-8").splitlines()
    good = [i for i, line in enumerate(lines) if line.strip().startswith("{") and '"conversation_id"' in line]
    dropped = json.loads(lines[good[0]])["conversation_id"]
    del lines[good[0]]
    landing.write_text("\n".join(lines) + "\n", encoding="utf-8")

    run_day(settings, DAYS[0], instance)
    after = pd.read_parquet(manifest_file)
    assert len(after) == len(before) - 1
    gone = set(before["path"]) - set(after["path"])
    assert len(gone) == 1 and dropped in next(iter(gone))
    assert not (vault_root(mira_data) / next(iter(gone))).exists()


def test_a_tampered_backup_fails_the_integrity_check_naming_the_file(mira_data, settings, instance):
    from resources.vault.day_writes import verify_day
    from resources.vault.keyring import Keyring
    from resources.vault.store import Vault

    run_day(settings, DAYS[0], instance)
    manifest = pd.read_parquet(mira_data / "manifests" / "conversation_backups" / f"{DAYS[0]}.parquet")
    victim = vault_root(mira_data) / manifest["path"].iloc[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    problems = verify_day(Vault(vault_root(mira_data), Keyring.load(settings["vault_key"])), manifest)
    assert len(problems) == 1 and manifest["path"].iloc[0] in problems[0]


def test_no_key_no_run(mira_data, settings, instance):
    result = run_day({**settings, "vault_key": None}, DAYS[0], instance, raise_on_error=False)
    assert not result.success  # the vault resource refuses to start: no step runs
    assert "no vault key configured: set MIRA_VAULT_KEY or MIRA_VAULT_KEY_FILE" in error_text(result)
