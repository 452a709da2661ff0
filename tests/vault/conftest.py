"""Fixtures for the vault tests: a fresh key in MIRA_VAULT_KEY and a vault in tmp_path."""

from __future__ import annotations

import datetime as dt

import pytest

from resources.vault.keyring import Keyring
from resources.vault.store import PrivateItem, Vault

DAY = dt.date(2026, 3, 1)
# 2026-02-27T12:00:00Z: a timestamp two days before the partition, to prove paths use the partition
TS = 1772193600.0
SECRET_WORDS = ("zebra-orchid-secret", "quietly-confessed-thought")


@pytest.fixture
def keyring(vault_key) -> Keyring:
    return Keyring.from_env()


@pytest.fixture
def vault(tmp_path, keyring) -> Vault:
    return Vault(tmp_path / "databases" / "lightning_vidmem", keyring)


def make_items(n: int = 5, ts: float = TS) -> list[PrivateItem]:
    return [PrivateItem(kind="thought" if i % 2 == 0 else "breakthrough", timestamp=ts + i,
                        payload={"thought": f"{SECRET_WORDS[i % 2]} number {i} — ünïcødé ✓"},
                        metadata={"type": "test", "n": i}) for i in range(n)]


def make_conversations(n: int = 3, ts: float = TS) -> list[dict]:
    return [{"conversation_id": f"conv{i:02d}-abcdef-{i}",
             "messages": [{"role": "user", "content": f"{SECRET_WORDS[0]} hello {i}", "timestamp": ts + i},
                          {"role": "assistant", "content": f"{SECRET_WORDS[1]} hi {i}", "timestamp": ts + i + 1}],
             "context": {"topic": "test"}, "timestamp": ts + i + 1} for i in range(n)]


def tree_bytes(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


class _Helpers:
    DAY = DAY
    TS = TS
    SECRET_WORDS = SECRET_WORDS
    make_items = staticmethod(make_items)
    make_conversations = staticmethod(make_conversations)
    tree_bytes = staticmethod(tree_bytes)


@pytest.fixture
def vh() -> type[_Helpers]:
    """Helpers (test modules cannot import conftest under --import-mode=importlib)."""
    return _Helpers
