"""Fixtures every test folder shares."""

import pytest

from resources.vault.keyring import generate_key_b64


@pytest.fixture
def vault_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh vault key in MIRA_VAULT_KEY and no key file, as an operator configures one."""
    key = generate_key_b64()
    monkeypatch.setenv("MIRA_VAULT_KEY", key)
    monkeypatch.delenv("MIRA_VAULT_KEY_FILE", raising=False)
    return key
