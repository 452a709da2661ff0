"""The same store code against a Chroma server, the configuration for parallel runs."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from resources.chroma import ChromaStore

CHROMA = Path(sys.executable).with_name("chroma")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    executable = str(CHROMA) if CHROMA.exists() else shutil.which("chroma")
    if executable is None:
        pytest.fail("the `chroma` server executable that ships with chromadb is missing")
    port = free_port()
    log = open(tmp_path / "chroma.log", "wb")
    process = subprocess.Popen(
        [executable, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"chroma server exited: {(tmp_path / 'chroma.log').read_text()[-2000:]}")
                time.sleep(0.2)
        else:
            pytest.fail("chroma server did not start within 60 s")
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_replace_partition_and_query_through_a_chroma_server(chroma_server):
    store = ChromaStore(host="127.0.0.1", port=chroma_server)
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(3, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = ["m-1", "m-2", "m-3"]
    stats = store.replace_partition(
        "stored_memories", "2026-11-01", ids, vectors, ["alpha", "beta", "gamma"],
        [{"importance_score": 0.5}] * 3, model="all-MiniLM-L6-v2", dimension=384,
    )
    assert stats.added == 3
    hits = store.query("stored_memories", vectors[1], n=1)
    assert hits["ids"][0] == ["m-2"]
    assert hits["distances"][0][0] == pytest.approx(0.0, abs=1e-5)

    again = store.replace_partition(
        "stored_memories", "2026-11-01", ids[:2], vectors[:2], ["alpha", "beta"],
        [{"importance_score": 0.5}] * 2, model="all-MiniLM-L6-v2", dimension=384,
    )
    assert again.deleted == 1
    assert sorted(store.get_partition("stored_memories", "2026-11-01")["ids"]) == ["m-1", "m-2"]
