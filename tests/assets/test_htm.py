"""The HTM assets, materialized in-process: a state carried from day to day in the vault, `htm_patterns`
in ChromaDB, and private memories' patterns sealed by `private_memories`.

A backfill of the three demo days runs once for the module; the day-order stories use a tiny landing of
their own (a few memories a day) so they stay cheap.
"""

import datetime as dt
import hashlib
import json

import dagster as dg
import numpy as np
import pytest

from mira_assets.definitions import build_definitions, storage_resources
from mira_assets.domain.htm import HTMState
from mira_assets.domain.htm.patterns import HTM_COLLECTION
from mira_assets.domain.htm.step_tables import private_patterns_path, public_steps_path, read_public_steps
from mira_assets.domain.landing.reader import read_landing_day
from mira_assets.domain.scoring import Memory, MemoryScorer
from mira_assets.domain.search import similar_to
from resources.chroma import ChromaStore
from resources.hosted_stores import hosted_stores
from resources.vault.htm_states import HTMStateFiles
from resources.vault.keyring import Keyring, generate_key_b64
from resources.vault.store import Vault

DAYS = ("2026-11-01", "2026-11-02", "2026-11-03")
# memory_embeddings also embeds the day's public insights, which evolution_checkpoints routes
UPSTREAM = ["memories", "consciousness", "evolution_checkpoints", "memory_embeddings"]
HTM_ASSETS = [*UPSTREAM, "htm_state", "htm_patterns", "private_thoughts", "private_memories"]


def make_root(tmp_path_factory, name, landing=None):
    root = tmp_path_factory.mktemp(name) / "mira_data"
    root.mkdir()
    if landing is not None:
        (root / "landing").symlink_to(landing, target_is_directory=True)
    key = generate_key_b64()
    return root, key


def materialize(root, key, day, instance, selection=HTM_ASSETS, raise_on_error=True, **settings):
    defs = build_definitions(storage_resources(data_root=str(root), vault_key=key, **settings))
    return dg.materialize(list(defs.assets), selection=selection, resources=defs.resources, partition_key=day,
                          instance=instance, raise_on_error=raise_on_error)


def metadata_of(result, asset):
    [event] = [m for m in result.get_asset_materialization_events() if m.asset_key == dg.AssetKey(asset)]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def vault_of(root, key) -> Vault:
    return Vault(root / "databases" / "lightning_vidmem", Keyring.load(key_b64=key), hosted=hosted_stores())


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory, demo_landing):
    root, key = make_root(tmp_path_factory, "htm", demo_landing)
    instance = dg.DagsterInstance.ephemeral()
    results = {day: materialize(root, key, day, instance) for day in DAYS}
    return root, key, instance, results


def landing_memories(landing, day):
    return sorted(read_landing_day(landing, "memories", day).records, key=lambda m: (m["timestamp"], m["memory_id"]))


def test_three_days_in_order_grow_one_state_starting_fresh(backfilled, demo_landing):
    root, key, _, results = backfilled
    total = 0
    for n, day in enumerate(DAYS):
        meta = metadata_of(results[day], "htm_state")
        total += len(landing_memories(demo_landing, day))
        assert meta["fresh_state"] is (n == 0)
        assert meta["continues"] == ("-" if n == 0 else DAYS[n - 1])
        assert meta["steps"] == len(landing_memories(demo_landing, day)) and meta["state_steps_total"] == total
        assert meta["private_memories"] == sum(m["is_private"] for m in landing_memories(demo_landing, day))
        assert 0.0 <= meta["surprise_l1_mean"] <= 1.0 and meta["segments_l1"] > 0 and meta["synapses_l3"] > 0
        assert meta["state_bytes"] > meta["sealed_bytes"] > 0 and meta["ms_per_step"] > 0
    files = HTMStateFiles(vault_of(root, key))
    assert [d.isoformat() for d in files.days()] == list(DAYS)
    assert HTMState.from_bytes(files.read(dt.date.fromisoformat(DAYS[-1]))).steps == total
    assert vault_of(root, key).verify() == []  # the states are part of the vault: verify opens each


def test_rerunning_a_day_on_the_same_previous_state_changes_no_byte(backfilled):
    root, key, instance, _ = backfilled
    files = HTMStateFiles(vault_of(root, key))
    day = dt.date.fromisoformat(DAYS[1])
    tables = root / "tables"
    watched = [files.path(day), public_steps_path(tables, DAYS[1]), private_patterns_path(tables, DAYS[1])]
    before = [sha(p) for p in watched]
    result = materialize(root, key, DAYS[1], instance, selection=["htm_state", "htm_patterns", "private_memories"])
    assert [sha(p) for p in watched] == before
    assert metadata_of(result, "htm_state")["state_file_changed"] is False
    assert metadata_of(result, "htm_patterns")["written"] == 0


def test_htm_patterns_holds_every_public_memory_with_the_seed_factors(backfilled, demo_landing, plain_dump):
    root, _, _, _ = backfilled
    dump = plain_dump(root / "databases" / "chromadb", HTM_COLLECTION)  # a bare chromadb client, no code of ours
    assert dump["metadata"]["vector_dimensions"] == 32 and dump["dims"] == [32]
    assert dump["metadata"]["embedding_model"] == "mira-htm/2048-512-128/abstraction-32"
    assert dump["configuration"]["hnsw"]["space"] == "cosine"
    public = {m["memory_id"]: (day, m) for day in DAYS for m in landing_memories(demo_landing, day)
              if not m["is_private"]}
    assert sorted(dump["ids"]) == sorted(f"htm_{i}" for i in public) and dump["count"] == len(public)
    scorer = MemoryScorer()
    for rid, document, meta in zip(dump["ids"], dump["documents"], dump["metadatas"]):
        day, memory = public[meta["memory_id"]]
        assert rid == f"htm_{memory['memory_id']}" and document == memory["content"]
        assert meta["partition"] == day and meta["timestamp"] == pytest.approx(memory["timestamp"])
        s = meta["surprise_level"]
        assert s == pytest.approx(np.mean([meta["surprise_l1"], meta["surprise_l2"], meta["surprise_l3"]]))
        assert meta["significance"] == pytest.approx(min(0.5 + 0.5 * s, 1.0))
        assert meta["technical_value"] == 0.8 and meta["confidence"] == pytest.approx(1 - s)
        scored = Memory(memory_id=rid, content=document, timestamp=meta["timestamp"],
                        significance=meta["significance"], technical_value=0.8, confidence=meta["confidence"])
        assert meta["importance_score"] == pytest.approx(scorer.calculate_base_importance(scored))
        assert 0.0 <= meta["likelihood"] <= 1.0
    # The vectors are the final representations htm_state computed for those memories.
    steps = read_public_steps(root / "tables", DAYS[0])
    store = ChromaStore(path=root / "databases" / "chromadb")
    got = store.existing(HTM_COLLECTION).get(ids=[f"htm_{steps.memory_ids[0]}"], include=["embeddings"])
    held = np.asarray(got["embeddings"][0])
    expected = steps.representations[0]
    assert np.allclose(held / np.linalg.norm(held), expected / np.linalg.norm(expected), atol=1e-5)


def test_the_demo_routine_becomes_predictable_while_novel_memories_stay_surprising(backfilled, plain_dump):
    """The demo's daily routine (the same four memories in the same order, five times a day) is learned: after
    a first day of pure surprise, its later steps are predicted; the day's topics, shuffled daily, never are.
    The learned steps get a real importance in `htm_patterns` (confidence = 1 - surprise)."""
    root, _, _, results = backfilled
    routine_later, novel = {}, {}
    for day in DAYS:
        steps = read_public_steps(root / "tables", day)
        later = [k for k, i in enumerate(steps.memory_ids) if "-routine" in i and not i.endswith("-water-plants")]
        others = [k for k, i in enumerate(steps.memory_ids) if "-routine" not in i]
        routine_later[day] = float(steps.surprise[later].mean())
        novel[day] = float(steps.surprise[others].mean())
    assert routine_later[DAYS[0]] > 0.9 and novel[DAYS[0]] > 0.9
    assert routine_later[DAYS[0]] > routine_later[DAYS[1]] > routine_later[DAYS[2]]
    assert routine_later[DAYS[2]] < 0.1 and min(novel.values()) > 0.9
    means = [metadata_of(results[day], "htm_state")["surprise_mean"] for day in DAYS]
    assert means[0] > means[1] > means[2]  # the UI's plot of surprise across days falls
    dump = plain_dump(root / "databases" / "chromadb", HTM_COLLECTION)
    learned = [m for m in dump["metadatas"] if m["partition"] == DAYS[2] and "-routine" in m["memory_id"]
               and not m["memory_id"].endswith("-water-plants")]
    assert learned and all(m["importance_score"] > 0.3 for m in learned)


def test_private_memories_patterns_go_sealed_to_the_vault_and_nowhere_else(backfilled, demo_landing):
    root, key, _, results = backfilled
    vault = vault_of(root, key)
    for day in DAYS:
        private = [m for m in landing_memories(demo_landing, day) if m["is_private"]]
        assert metadata_of(results[day], "private_memories")["htm_patterns"] == len(private) > 0
        index = json.loads((root / "databases/lightning_vidmem/private_memory" / day.replace("-", "/") /
                            "index.json").read_text())["records"]
        by_id = {e["id"]: e for e in index}
        patterns = [e for e in index if e["kind"] == "htm_pattern"]
        assert len(patterns) == len(private)
        parents = set()
        for entry in patterns:
            parent = by_id[entry["metadata"]["parent_memory"]]  # the clear link: a vault id, no content
            assert entry["metadata"] == {"type": "htm_pattern", "parent_memory": parent["id"]}
            assert parent["kind"] == "memory"
            record = vault.read_record(entry["id"])["payload"]
            assert record["memory_id"] == vault.read_record(parent["id"])["payload"]["memory_id"]
            assert [len(c) for c in record["active_columns"]] == [102, 26, 6] and len(record["abstraction"]) == 32
            parents.add(record["memory_id"])
        assert parents == {m["memory_id"] for m in private}
        # the public results table names public memories only
        assert not parents & set(read_public_steps(root / "tables", day).memory_ids)
    store = ChromaStore(path=root / "databases" / "chromadb")
    held = store.get_all(HTM_COLLECTION, include=("metadatas", "documents"))
    private_ids = {m["memory_id"] for d in DAYS for m in landing_memories(demo_landing, d) if m["is_private"]}
    private_texts = {m["content"] for d in DAYS for m in landing_memories(demo_landing, d) if m["is_private"]}
    assert not {m["memory_id"] for m in held["metadatas"]} & private_ids
    assert not set(held["documents"]) & private_texts


def test_like_finds_the_same_memory_on_other_days_first(backfilled):
    root, _, _, _ = backfilled
    store = ChromaStore(path=root / "databases" / "chromadb")
    hits = similar_to(store, "mem-20261101-rust-memory-leak", n=3)
    assert "htm_mem-20261101-rust-memory-leak" not in [h.id for h in hits]  # not itself
    assert {"htm_mem-20261102-rust-memory-leak", "htm_mem-20261103-rust-memory-leak"} <= {h.id for h in hits}
    assert [h.rank for h in hits] == [1, 2, 3] and hits[0].similarity > 0.85


def test_mira_search_like_on_htm_patterns(backfilled):
    from typer.testing import CliRunner

    from mira_assets.cli.search import app as search_app

    root, _, _, _ = backfilled
    chroma = str(root / "databases" / "chromadb")
    runner = CliRunner()
    res = runner.invoke(search_app, ["--collection", "htm_patterns", "--like", "mem-20261101-rust-memory-leak",
                                     "-n", "2", "--json", "--chroma-path", chroma])
    assert res.exit_code == 0, res.output
    hits = json.loads(res.stdout)
    assert len(hits) == 2 and all(h["metadata"]["memory_id"].endswith("rust-memory-leak") for h in hits)
    res = runner.invoke(search_app, ["memory leak", "--collection", "htm_patterns", "--chroma-path", chroma])
    assert res.exit_code == 1 and "search it with --like MEMORY_ID" in res.output
    res = runner.invoke(search_app, ["--collection", "htm_patterns", "--chroma-path", chroma])
    assert res.exit_code == 1 and "give either TEXT or --like MEMORY_ID" in res.output
    res = runner.invoke(search_app, ["--collection", "htm_patterns", "--like", "no-such-memory", "--chroma-path", chroma])
    assert res.exit_code == 1 and "'no-such-memory' has no record in htm_patterns" in res.output


# -- day order, on a tiny landing: day 1 and day 3 have memories, day 2 has none -----------------------------

def write_memories(landing, day, n):
    folder = landing / "memories" / day
    folder.mkdir(parents=True)
    base = dt.datetime.fromisoformat(day + "T08:00:00+00:00").timestamp()
    lines = [json.dumps({"memory_id": f"tiny-{day}-{k}", "content": f"note {k} of {day} about topic {k % 2}",
                         "timestamp": base + 60 * k, "is_private": k == 1}) for k in range(3)]
    (folder / "part-0.jsonl").write_text("\n".join(lines) + "\n")


@pytest.fixture
def tiny(tmp_path_factory):
    root, key = make_root(tmp_path_factory, "tiny")
    write_memories(root / "landing", DAYS[0], 3)
    write_memories(root / "landing", DAYS[2], 3)
    return root, key, dg.DagsterInstance.ephemeral()


def test_days_must_run_in_order_and_a_day_without_memories_carries_the_state_forward(tiny):
    root, key, instance = tiny
    selection = [*UPSTREAM, "htm_state"]
    materialize(root, key, DAYS[0], instance, selection)
    files = HTMStateFiles(vault_of(root, key))

    skipped = materialize(root, key, DAYS[2], instance, selection, raise_on_error=False)
    assert not skipped.success
    [failure] = [e for e in skipped.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.event_specific_data.error_display_string
    assert "2026-11-02, which is missing" in message and "in order" in message
    assert [d.isoformat() for d in files.days()] == [DAYS[0]]  # nothing written for the refused day

    empty = materialize(root, key, DAYS[1], instance, selection)
    assert metadata_of(empty, "htm_state")["steps"] == 0
    day1, day2 = (dt.date.fromisoformat(d) for d in DAYS[:2])
    assert files.read(day2) == files.read(day1)  # carried forward, byte for byte

    resumed = materialize(root, key, DAYS[2], instance, selection)
    assert metadata_of(resumed, "htm_state")["continues"] == DAYS[1]
    assert HTMState.from_bytes(files.read(dt.date.fromisoformat(DAYS[2]))).steps == 6


def test_an_htm_device_this_machine_lacks_fails_the_run_clearly(tiny):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    root, key, instance = tiny
    result = materialize(root, key, DAYS[0], instance, [*UPSTREAM, "htm_state"],
                         raise_on_error=False, htm_device="cuda")
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "sees no CUDA device" in str(failure.event_specific_data.error_display_string)
    assert not (root / "databases" / "lightning_vidmem" / "htm_state").exists()
