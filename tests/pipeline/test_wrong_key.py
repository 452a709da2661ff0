"""The user's story: an operator starts the nightly job with the wrong vault key. The run fails at once, saying
which vault and which key ids, and leaves the data root exactly as it was: no quarantine, table, backup,
manifest or Chroma file sealed under a key the vault does not know."""

from __future__ import annotations

from pathlib import Path

from pipeline.helpers import DAYS, error_text, load_defs, run_day, tree_digest
from resources.vault.keyring import Keyring, generate_key_b64


def test_a_wrong_key_on_an_existing_vault_fails_the_run_before_anything_is_written(mira_data: Path, settings,
                                                                                  instance):
    assert run_day(settings, DAYS[0], instance).success  # the vault exists, under the right key
    before = tree_digest(mira_data)

    wrong_key = generate_key_b64()
    defs = load_defs({**settings, "vault_key": wrong_key})
    result = defs.resolve_job_def("daily_storage_job").execute_in_process(
        partition_key=DAYS[1], instance=instance, raise_on_error=False)

    assert not result.success
    assert tree_digest(mira_data) == before  # nothing new under the vault, tables, quarantine, manifests, Chroma
    assert not (mira_data / "databases" / "chromadb").exists()
    messages = error_text(result)
    vault_root = mira_data / "databases" / "lightning_vidmem"
    assert f"cannot open the vault at {vault_root}" in messages
    assert Keyring.load(key_b64=wrong_key).active_id in messages  # the key id tried
    assert Keyring.load(key_b64=settings["vault_key"]).active_id in messages  # the key id vault.json needs
    assert wrong_key not in messages and settings["vault_key"] not in messages


def test_a_vault_that_does_not_exist_yet_is_created_by_the_first_run(mira_data: Path, settings, instance):
    assert not (mira_data / "databases").exists()
    assert run_day(settings, DAYS[0], instance).success
    assert (mira_data / "databases" / "lightning_vidmem" / "vault.json").is_file()
