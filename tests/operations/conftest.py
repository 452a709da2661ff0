"""Fixtures of the operations tests: real servers on loopback, started and stopped by the test."""

from __future__ import annotations

import pytest

from operations.servers import postgres_server, redis_server


@pytest.fixture
def postgres():
    with postgres_server() as server:
        yield server


@pytest.fixture
def redis_url():
    with redis_server() as url:
        yield url
