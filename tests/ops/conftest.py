"""Fixtures of the server-backed ops tests: a toy code location's data folder and real servers on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops.servers import postgres_server, redis_server


@pytest.fixture
def toy_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "toy"
    folder.mkdir()
    monkeypatch.setenv("TOY_DIR", str(folder))
    return folder


@pytest.fixture
def postgres():
    with postgres_server() as server:
        yield server


@pytest.fixture
def redis_url():
    with redis_server() as url:
        yield url
