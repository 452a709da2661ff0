"""Vault maintenance from the UI: verify names bad files, rotation leaves only the new key needed."""

import base64
import json

import pandas as pd

from pipeline.helpers import DAYS, load_defs, run_day
from resources.vault.keyring import generate_key_b64


def run_job(settings: dict, name: str, instance, run_config=None):
    return load_defs(settings).resolve_job_def(name).execute_in_process(
        instance=instance, run_config=run_config, raise_on_error=False
    )


def failure_text(result) -> str:
    return "\n".join(
        str(event.step_failure_data.user_failure_data.metadata)
        + event.step_failure_data.error.to_string()
        for event in result.all_events
        if event.is_step_failure and event.step_failure_data.user_failure_data
    )


def test_verify_job_passes_then_names_a_tampered_file(mira_data, settings, instance):
    run_day(settings, DAYS[0], instance)
    assert run_job(settings, "verify_vault_job", instance).success

    manifest = pd.read_parquet(mira_data / "manifests" / "private_memories" / f"{DAYS[0]}.parquet")
    victim = manifest["path"].iloc[0]
    file = mira_data / "databases" / "lightning_vidmem" / victim
    document = json.loads(file.read_text())
    sealed = bytearray(base64.b64decode(document["encrypted_data"]))
    sealed[len(sealed) // 2] ^= 0x40
    document["encrypted_data"] = base64.b64encode(bytes(sealed)).decode()
    file.write_text(json.dumps(document))

    result = run_job(settings, "verify_vault_job", instance)
    assert not result.success
    assert victim in failure_text(result)


def test_rotation_job_moves_every_record_to_the_new_key(mira_data, settings, instance, tmp_path):
    run_day(settings, DAYS[0], instance)
    old_key = settings["vault_key"]
    new_key = generate_key_b64()
    key_file = tmp_path / "vault.key"
    key_file.write_text(f"{new_key}\n{old_key}\n")
    settings = {**settings, "vault_key": None, "vault_key_file": str(key_file)}
    assert run_job(settings, "rotate_vault_key_job", instance).success

    key_file.write_text(f"{new_key}\n")  # the old key is gone for good
    assert run_job(settings, "verify_vault_job", instance).success
    # Downstream assets still open the sealed tables the readers wrote before the rotation.
    assert run_day(settings, DAYS[0], instance, selection=["conversation_backups", "private_memories"]).success
