"""HTM states in the vault: one sealed file per day, covered by `vault verify` and `vault rotate`."""

from __future__ import annotations

import datetime as dt

import pytest

from resources.hosted_stores import hosted_stores
from resources.vault.errors import VaultError
from resources.vault.htm_states import HTMStateFiles, state_rel
from resources.vault.keyring import Keyring, generate_key_b64
from resources.vault.store import Vault

STATE = b"safetensors bytes of an HTM state \x00\x01" * 1000
DAY = dt.date(2026, 11, 2)


@pytest.fixture
def hosted_vault(tmp_path, keyring) -> Vault:
    """A vault as the resource and the CLI open it: with the hosted stores."""
    return Vault(tmp_path / "lightning_vidmem", keyring, hosted=hosted_stores())


def test_a_state_is_sealed_under_its_month_and_day_and_reads_back(hosted_vault):
    files = HTMStateFiles(hosted_vault)
    assert files.days() == []
    assert files.write(DAY, STATE) is True
    path = hosted_vault.root / "htm_state" / "2026-11" / "2026-11-02.enc"
    assert files.path(DAY) == path and state_rel(DAY) == "htm_state/2026-11/2026-11-02.enc"
    assert b"HTM state" not in path.read_bytes()
    assert files.read(DAY) == STATE
    assert files.write(DAY, STATE) is False  # the same state: the identical file, nothing written
    files.write(dt.date(2026, 10, 31), STATE)
    assert files.days() == [dt.date(2026, 10, 31), DAY]


def test_a_state_file_copied_to_another_day_does_not_open(hosted_vault):
    files = HTMStateFiles(hosted_vault)
    files.write(DAY, STATE)
    other = dt.date(2026, 11, 3)
    files.path(other).write_bytes(files.path(DAY).read_bytes())
    with pytest.raises(VaultError, match="htm_state/2026-11/2026-11-03.enc"):
        files.read(other)
    with pytest.raises(VaultError, match="no HTM state for 2026-11-04"):
        files.read(dt.date(2026, 11, 4))


def test_verify_names_a_damaged_or_stray_state_file(hosted_vault):
    files = HTMStateFiles(hosted_vault)
    files.write(DAY, STATE)
    files.write(DAY + dt.timedelta(days=1), STATE)
    assert hosted_vault.verify() == []
    damaged = bytearray(files.path(DAY).read_bytes())
    damaged[-5] ^= 1
    files.path(DAY).write_bytes(bytes(damaged))
    (files.root / "2026-11" / "notes.txt").write_text("stray")
    problems = {p.path: p.reason for p in hosted_vault.verify()}
    assert set(problems) == {"htm_state/2026-11/2026-11-02.enc", "htm_state/2026-11/notes.txt"}
    assert "unexpected file in htm_state" in problems["htm_state/2026-11/notes.txt"]


def test_rotate_moves_states_to_the_new_key_so_the_old_one_can_be_dropped(hosted_vault):
    files = HTMStateFiles(hosted_vault)
    files.write(DAY, STATE)
    new_b64 = generate_key_b64()
    both = Keyring(Keyring.load(key_b64=new_b64).active()[1], [hosted_vault.keyring.active()[1]])
    rotated = Vault(hosted_vault.root, both, hosted=hosted_stores())
    assert rotated.rotate() == 1
    assert rotated.rotate() == 0
    only_new = Vault(hosted_vault.root, Keyring.load(key_b64=new_b64), hosted=hosted_stores())
    assert only_new.verify() == []
    assert HTMStateFiles(only_new).read(DAY) == STATE
