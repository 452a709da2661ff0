"""No private thought, conversation text, private memory (its content, its id) or breakthrough insight appears
anywhere the pipeline writes outside landing: tables (plain, embedding, HTM), ChromaDB (stored_memories,
htm_patterns, ...), manifests, quarantine, the Dagster instance (event log: logs, metadata, errors)."""

from __future__ import annotations

import base64
import io
import json
import os
from pathlib import Path

import pyarrow.parquet as pq

from mira_assets.definitions import defs
from pipeline.helpers import DAYS


def landing_objects(landing: Path, stream: str):
    """Every JSON object in the stream's landing files, malformed lines skipped."""
    for file in (landing / stream).rglob("*.jsonl"):
        for line in file.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                yield record


def strings(values) -> list[str]:
    return [v for v in values if isinstance(v, str)]


def breakthrough_insights(landing: Path) -> set[str]:
    """The insights of every breakthrough state (flagged, or spark above 0.9), malformed lines included."""
    texts: set[str] = set()
    for record in landing_objects(landing, "consciousness"):
        spark = record.get("spark_intensity")
        if record.get("is_breakthrough") is True or (isinstance(spark, (int, float)) and spark > 0.9):
            texts.update(strings(record.get("insights") or []))
    return texts


def secret_texts(landing: Path) -> set[str]:
    """Every private thought, conversation message, private memory (content and id: the HTM tables and
    htm_patterns must not name them either) and breakthrough insight (long enough to be unmistakable)."""
    texts: set[str] = breakthrough_insights(landing)
    for record in landing_objects(landing, "private_thoughts"):
        texts.update(strings([record.get("thought")]))
    for record in landing_objects(landing, "conversations"):
        messages = [m for m in record.get("messages") or [] if isinstance(m, dict)]
        texts.update(strings(m.get("content") for m in messages))
    for record in landing_objects(landing, "memories"):
        if record.get("is_private") is True:
            texts.update(strings([record.get("content"), record.get("memory_id")]))
    return {t for t in texts if len(t) >= 12}


def readable_strings(file: Path) -> bytes:
    """The file's bytes, plus its decoded cells when it is Parquet (compression hides plain text)."""
    data = file.read_bytes()
    if file.suffix == ".parquet":
        table = pq.read_table(io.BytesIO(data))
        data += json.dumps(table.to_pylist(), default=str, ensure_ascii=False).encode()
    return data


def test_no_secret_text_or_key_anywhere_the_daily_job_writes(mira_data, instance, tmp_path, monkeypatch, vault_key):
    codebase = tmp_path / "codebase"
    codebase.mkdir()
    (codebase / "main.py").write_text("print('hello')\n")
    # Configured as an operator does: the code location binds these variables to dg.EnvVars.
    monkeypatch.setenv("MIRA_DATA", str(mira_data))
    monkeypatch.setenv("MIRA_CODEBASES", json.dumps([{"name": "demo", "path": str(codebase)}]))
    job = defs().resolve_job_def("daily_storage_job")
    for day in DAYS:
        result = job.execute_in_process(partition_key=day, instance=instance)
        assert result.success
    assert (mira_data / "databases" / "chromadb").is_dir()
    # HTM ran on every memory, private ones included: its clear tables are among the files searched below.
    assert sorted(p.name for p in (mira_data / "tables" / "htm_state").glob("*.parquet")) == \
        [f"{day}.parquet" for day in DAYS]
    # the breakthroughs were routed (sealed records in the vault), so their absence elsewhere means something
    indexes = (mira_data / "databases" / "lightning_vidmem" / "private_memory").rglob("index.json")
    kinds = [e["kind"] for index in indexes for e in json.loads(index.read_text())["records"]]
    assert kinds.count("breakthrough_insight") >= 2 * len(DAYS)
    assert len(list((mira_data / "tables" / "consciousness_vectors").glob("*.parquet"))) == len(DAYS)
    secrets = secret_texts(mira_data / "landing")
    assert len(secrets) > 50
    assert len(breakthrough_insights(mira_data / "landing") & secrets) >= 3  # every demo day has breakthroughs
    key_b64 = os.environ["MIRA_VAULT_KEY"]
    secrets |= {key_b64, base64.b64decode(key_b64).hex()}
    searched = [
        mira_data / "databases",
        mira_data / "manifests",
        mira_data / "tables",
        mira_data / "quarantine",
        tmp_path / "dagster_home",
    ]
    files = [f for root in searched for f in root.rglob("*") if f.is_file()]
    assert len(files) > 20
    leaks = []
    for file in files:
        data = readable_strings(file)
        if base64.b64decode(key_b64) in data:
            leaks.append((str(file), "raw vault key"))
        for secret in secrets:
            encoded = secret.encode()
            if encoded in data or json.dumps(secret)[1:-1].encode() in data:
                leaks.append((str(file), secret[:20]))
                break
    assert leaks == []
