"""Keyring: where keys come from, key ids, and that no key material leaks."""

from __future__ import annotations

import base64
import hashlib

import pytest

from resources.vault.envelope import VaultKeyError
from resources.vault.keyring import Keyring, generate_key_b64, key_id


def test_no_key_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("MIRA_VAULT_KEY", raising=False)
    monkeypatch.delenv("MIRA_VAULT_KEY_FILE", raising=False)
    with pytest.raises(VaultKeyError, match="no vault key configured: set MIRA_VAULT_KEY or MIRA_VAULT_KEY_FILE"):
        Keyring.from_env()
    with pytest.raises(VaultKeyError, match="no vault key configured"):
        Keyring.load()
    with pytest.raises(VaultKeyError, match="no vault key configured"):
        Keyring.from_env({"MIRA_VAULT_KEY": ""})


def test_bad_keys_rejected_without_echoing_them():
    short = base64.b64encode(b"x" * 16).decode()
    for bad in (short, "not base64 !!!", "AAAA"):
        with pytest.raises(VaultKeyError) as e:
            Keyring.load(key_b64=bad)
        assert bad not in str(e.value)
        assert "MIRA_VAULT_KEY" in str(e.value)


def test_key_id_and_generate():
    k = generate_key_b64()
    raw = base64.b64decode(k)
    assert len(raw) == 32 and generate_key_b64() != k
    assert key_id(raw) == hashlib.sha256(b"mira-vault-key-id" + raw).digest()[:8].hex()
    kr = Keyring.load(key_b64=k)
    assert kr.active_id == key_id(raw) and len(kr.active_id) == 16
    assert kr.active() == (kr.active_id, raw) and kr.get(kr.active_id) == raw
    assert k not in repr(kr) and k not in str(kr)
    with pytest.raises(VaultKeyError, match="no key with id"):
        kr.get("0" * 16)
    # urlsafe alphabet accepted too
    assert Keyring.load(key_b64=base64.urlsafe_b64encode(raw).decode()).active_id == kr.active_id


def test_key_file_and_precedence(tmp_path, monkeypatch):
    a, b, c = (generate_key_b64() for _ in range(3))
    f = tmp_path / "vault.key"
    f.write_text(f"# comment\n\n{a}   # active\n{b}\n")
    kr = Keyring.from_env({"MIRA_VAULT_KEY_FILE": str(f)})
    ids = [key_id(base64.b64decode(x)) for x in (a, b, c)]
    assert kr.active_id == ids[0] and kr.older_ids == [ids[1]]
    both = Keyring.from_env({"MIRA_VAULT_KEY": c, "MIRA_VAULT_KEY_FILE": str(f)})
    assert both.active_id == ids[2] and both.older_ids == [ids[0], ids[1]]
    monkeypatch.setenv("MIRA_VAULT_KEY_FILE", str(f))
    monkeypatch.delenv("MIRA_VAULT_KEY", raising=False)
    assert Keyring.from_env().active_id == ids[0]
    with pytest.raises(VaultKeyError, match="no vault key configured"):
        Keyring.load()  # load() takes what it is given: no look into the environment behind the caller's back


def test_key_file_errors(tmp_path):
    with pytest.raises(VaultKeyError, match="not found"):
        Keyring.load(key_file=str(tmp_path / "missing.key"))
    empty = tmp_path / "empty.key"
    empty.write_text("# nothing\n")
    with pytest.raises(VaultKeyError, match="holds no key"):
        Keyring.load(key_file=str(empty))
    bad = tmp_path / "bad.key"
    bad.write_text(generate_key_b64() + "\nAAAA\n")
    with pytest.raises(VaultKeyError, match="line 2"):
        Keyring.load(key_file=str(bad))
