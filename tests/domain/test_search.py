"""Search on the demo data: paraphrased questions find the right memory first; filters narrow the results."""

import datetime as dt

import pytest

from mira_assets.domain.collection_records import FACTS_COLLECTION, MEMORIES_COLLECTION, fact_batch, memory_batch
from mira_assets.domain.landing.reader import read_landing_day
from mira_assets.domain.search import SearchError, build_where, search
from resources.chroma import ChromaStore
from resources.embedder import DIMENSION, MODEL_NAME

DAY = "2026-11-01"
STAMP = "20261101"

PARAPHRASES = {
    "rust-memory-leak": "reference cycle kept buffers alive and the service ran out of memory",
    "alps-hiking": "mountain walk at sunrise past a pink glacier in Switzerland",
    "sourdough": "my bread starter rose well once I used rye",
    "postgres-deadlock": "two database transactions locking rows in a different order",
    "kubernetes-crashloop": "container kept restarting because the health check fired too early",
    "astronomy-saturn": "looking at a ringed planet through a telescope",
    "tokyo-ramen": "noodle soup in a small Japanese restaurant",
    "dns-outage": "an expired domain name entry took the service down",
    "birdwatching-heron": "a wading bird waiting patiently to catch fish",
    "coffee-roasting": "roasting beans at home until the first crack",
}


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, demo_landing, embedder):
    store = ChromaStore(path=tmp_path_factory.mktemp("search") / "chroma")
    memories = read_landing_day(demo_landing, "memories", DAY).records
    facts = read_landing_day(demo_landing, "facts", DAY).records
    for name, batch in ((MEMORIES_COLLECTION, memory_batch(memories)), (FACTS_COLLECTION, fact_batch(facts))):
        store.replace_partition(name, DAY, batch.ids, embedder.encode(batch.documents), batch.documents,
                                batch.metadatas, model=MODEL_NAME, dimension=DIMENSION)
    return store, memories


@pytest.mark.parametrize("key", sorted(PARAPHRASES))
def test_paraphrase_finds_the_memory_first(indexed, embedder, key):
    store, _ = indexed
    hits = search(store, embedder, PARAPHRASES[key], n=5)
    assert hits[0].id == f"mem-{STAMP}-{key}", [h.id for h in hits]
    assert hits[0].similarity > hits[1].similarity
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]


def test_fact_search(indexed, embedder):
    store, _ = indexed
    hits = search(store, embedder, "how many bones does a grown person have", collection=FACTS_COLLECTION, n=3)
    assert hits[0].id == f"fact-{STAMP}-human-bones"
    assert hits[0].importance is None and hits[0].confidence is not None


def test_hits_carry_scores_and_similarity_is_one_minus_distance(indexed, embedder):
    store, memories = indexed
    by_id = {m["memory_id"]: m for m in memories}
    for h in search(store, embedder, "debugging production problems", n=8):
        assert h.similarity == pytest.approx(1.0 - h.distance)
        assert 0.0 <= h.importance <= 1.0 and 0.0 <= h.spark <= 1.0
        assert h.timestamp == pytest.approx(by_id[h.id]["timestamp"]) and h.partition == DAY
        assert h.date.startswith(DAY)


def test_filters(indexed, embedder):
    store, memories = indexed
    public = [m for m in memories if not m["is_private"]]
    hits = search(store, embedder, "something technical", n=50, where={"source": "manual"})
    assert hits and all(h.metadata["source"] == "manual" for h in hits)
    assert len(hits) == sum(1 for m in public if m["source"] == "manual")
    hits = search(store, embedder, "a happy moment", n=50, min_importance=0.5)
    assert hits and all(h.importance >= 0.5 for h in hits)
    assert len(hits) < len(public)
    assert search(store, embedder, "anything", n=5, since="2026-11-02") == []
    assert len(search(store, embedder, "anything", n=5, since=DAY)) == 5
    hits = search(store, embedder, "joyful", n=50, where={"tag_joy": True})
    assert hits and all(h.metadata["tag_joy"] is True for h in hits)


def test_bad_requests_fail_clearly(indexed, embedder):
    store, _ = indexed
    with pytest.raises(SearchError, match="unknown collection"):
        search(store, embedder, "x", collection="nope")
    with pytest.raises(SearchError, match="min-importance"):
        search(store, embedder, "x", collection=FACTS_COLLECTION, min_importance=0.3)
    with pytest.raises(SearchError, match="ISO date"):
        build_where(None, since="yesterday")
    assert build_where({"source": "manual"}, min_importance=0.5, since=dt.date(2026, 11, 2)) == {"$and": [
        {"source": "manual"}, {"importance_score": {"$gte": 0.5}},
        {"timestamp": {"$gte": dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc).timestamp()}}]}
