"""Fixtures for the landing contract tests: tiny landing roots written line by line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

DAY = date(2026, 11, 1)
TS = "2026-11-01T10:00:00Z"


def seal_reverse(data: bytes) -> bytes:
    """A stand-in for the vault's seal: deterministic and obviously not plaintext-preserving."""
    return bytes(b ^ 0x5A for b in data[::-1])


def unseal_reverse(blob: bytes) -> bytes:
    return bytes(b ^ 0x5A for b in blob)[::-1]


def good(stream: str, **overrides) -> dict:
    """A minimal valid record of each stream."""
    base = {
        "conversations": {
            "conversation_id": "conv-1",
            "messages": [
                {"role": "user", "content": "hello there", "timestamp": TS},
                {"role": "assistant", "content": "hi! 👋", "timestamp": "2026-11-01T10:00:05Z"},
            ],
            "context": {"channel": "cli"},
        },
        "private_thoughts": {"thought": "a quiet secret thought", "timestamp": TS, "metadata": {"kind": "reflection"}},
        "memories": {"memory_id": "mem-1", "content": "debugging a memory leak", "timestamp": TS},
        "facts": {"id": "fact-1", "content": "Water boils at 100 C.", "source": "textbook", "confidence": 0.9,
                  "timestamp": TS, "tags": ["physics"]},
        "consciousness": {"level": 0.5, "emotional_resonance": 0.4, "spark_intensity": 0.3,
                          "memory_coherence": 0.6, "evolution_stage": "developing", "timestamp": TS},
    }[stream]
    rec = json.loads(json.dumps(base))
    for key, value in overrides.items():
        if value is DROP:
            rec.pop(key, None)
        else:
            rec[key] = value
    return rec


class _Drop:
    def __repr__(self) -> str:
        return "DROP"


DROP = _Drop()


def write_lines(root: Path, stream: str, lines: list, day: date = DAY, name: str = "part-000.jsonl") -> Path:
    """Write `lines` (dicts are JSON-encoded, str/bytes written as is) into one landing file."""
    folder = root / stream / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    chunks = []
    for line in lines:
        if isinstance(line, dict):
            line = json.dumps(line, ensure_ascii=False)
        if isinstance(line, str):
            line = line.encode("utf-8")
        chunks.append(line + b"\n")
    path = folder / name
    path.write_bytes(b"".join(chunks))
    return path


@pytest.fixture
def landing_root(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    root.mkdir()
    return root


@pytest.fixture
def kit():
    """Helpers for the tests (pytest's importlib mode can't import conftest as a module)."""
    from types import SimpleNamespace

    return SimpleNamespace(DAY=DAY, TS=TS, DROP=DROP, good=good, write_lines=write_lines,
                           seal=seal_reverse, unseal=unseal_reverse)
