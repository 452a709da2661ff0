"""Fixtures every test folder shares: a vault key, three days of demo landing data, the embedding model,
and a plain chromadb reader that runs none of our code."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from resources.vault.keyring import generate_key_b64

DAYS = ("2026-11-01", "2026-11-02", "2026-11-03")
DEMO_SEED = 7


@pytest.fixture
def vault_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh vault key in MIRA_VAULT_KEY and no key file, as an operator configures one."""
    key = generate_key_b64()
    monkeypatch.setenv("MIRA_VAULT_KEY", key)
    monkeypatch.delenv("MIRA_VAULT_KEY_FILE", raising=False)
    return key


@pytest.fixture(scope="session")
def embedder():
    """The real all-MiniLM-L6-v2, loaded once per test session (the same cached instance the resource uses)."""
    from resources.embedder import cached_embedder

    return cached_embedder("cpu", 64)


@pytest.fixture(scope="session")
def demo_landing(tmp_path_factory) -> Path:
    """Three days of demo landing data (read-only: copy it or link a data root's landing to it)."""
    from mira_assets.domain.demo_data import generate_demo_data

    root = tmp_path_factory.mktemp("demo") / "landing"
    generate_demo_data(root, start=date.fromisoformat(DAYS[0]), days=len(DAYS), seed=DEMO_SEED)
    return root


def plain_chroma_dump(path: Path, collection: str) -> dict:
    """Open the collection with a bare chromadb client in a fresh interpreter (none of our code) and dump it."""
    script = (
        "import json, sys, chromadb\n"
        "c = chromadb.PersistentClient(path=sys.argv[1])\n"
        "col = c.get_collection(sys.argv[2])\n"
        "r = col.get(include=['documents', 'metadatas', 'embeddings'])\n"
        "print(json.dumps({'count': col.count(), 'metadata': col.metadata, 'configuration': col.configuration,\n"
        "  'ids': r['ids'], 'documents': r['documents'], 'metadatas': r['metadatas'],\n"
        "  'dims': sorted({len(e) for e in r['embeddings']})}, default=str))\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(path), collection], capture_output=True, text=True,
                         timeout=120, cwd="/")
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def plain_dump():
    return plain_chroma_dump
