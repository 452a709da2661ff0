"""Semantic search over the ChromaDB collections, similar consciousness states, and the persistence-ranked view
of stored memories.

Framework-free. Similarity = 1 − cosine distance (the collections are in cosine space, so this is the cosine
similarity of the normalized vectors). The store and embedder are passed in: `resources.chroma.ChromaStore`
and `resources.embedder.Embedder` (anything with `.query(...)` / `.encode([...])` works).

`search` embeds a text (stored_memories, identified_facts); `similar_to` starts from a stored record's own
vector instead, which is the only way into `htm_patterns`: its 32-d HTM patterns are not text embeddings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace
from typing import Any, Mapping, Optional, Sequence

import numpy as np

from mira_assets.domain.collection_records import FACTS_COLLECTION, MEMORIES_COLLECTION, memory_from_chroma
from mira_assets.domain.consciousness.similar import SimilarState, SimilarStateError, find_similar_states
from mira_assets.domain.consciousness.state import ConsciousnessState, parse_state
from mira_assets.domain.htm.patterns import HTM_COLLECTION, PATTERN_ID_PREFIX, pattern_id
from mira_assets.domain.landing import RecordError
from mira_assets.domain.scoring import MemoryPersistence, PersistenceScore

COLLECTIONS = (MEMORIES_COLLECTION, FACTS_COLLECTION, HTM_COLLECTION)
TEXT_COLLECTIONS = (MEMORIES_COLLECTION, FACTS_COLLECTION)  # embedded with MiniLM: searchable by text
SCORED_COLLECTIONS = (MEMORIES_COLLECTION, HTM_COLLECTION)  # records carry importance_score


class SearchError(ValueError):
    """A search request that cannot be answered (unknown collection, bad filter)."""


@dataclass(frozen=True)
class SearchHit:
    rank: int
    id: str
    document: str
    similarity: float
    distance: float
    importance: Optional[float]  # importance_score (memories) or None
    spark: Optional[float]  # spark_intensity (memories) or None
    confidence: Optional[float]
    timestamp: Optional[float]
    partition: Optional[str]
    metadata: dict[str, Any]

    @property
    def date(self) -> str:
        if self.timestamp is None:
            return self.partition or ""
        return dt.datetime.fromtimestamp(self.timestamp, dt.timezone.utc).strftime("%Y-%m-%d %H:%M")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["date"] = self.date
        return d


def _since_epoch(since: dt.date | dt.datetime | str) -> float:
    if isinstance(since, str):
        try:
            since = dt.datetime.fromisoformat(since) if "T" in since or " " in since else dt.date.fromisoformat(since)
        except ValueError as exc:
            raise SearchError(f"--since: not an ISO date: {since!r}") from exc
    if isinstance(since, dt.datetime):
        when = since if since.tzinfo else since.replace(tzinfo=dt.timezone.utc)
    else:
        when = dt.datetime(since.year, since.month, since.day, tzinfo=dt.timezone.utc)
    return when.timestamp()


def build_where(where: Optional[dict], *, collection: str = MEMORIES_COLLECTION,
                min_importance: Optional[float] = None,
                since: dt.date | dt.datetime | str | None = None) -> Optional[dict]:
    """Combine a Chroma `where` filter with the convenience filters (all must hold)."""
    clauses: list[dict] = []
    if where:
        if not isinstance(where, dict):
            raise SearchError("--where must be a JSON object (a Chroma where filter)")
        clauses.append(where)
    if min_importance is not None:
        if collection not in SCORED_COLLECTIONS:
            raise SearchError(f"--min-importance applies to {' and '.join(SCORED_COLLECTIONS)} only "
                              f"(facts have no importance score)")
        clauses.append({"importance_score": {"$gte": float(min_importance)}})
    if since is not None:
        clauses.append({"timestamp": {"$gte": _since_epoch(since)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _check_request(collection: str, n: int) -> None:
    if collection not in COLLECTIONS:
        raise SearchError(f"unknown collection {collection!r}: use one of {', '.join(COLLECTIONS)}")
    if n < 1:
        raise SearchError("n must be at least 1")


def check_text_search(collection: str, n: int = 1) -> None:
    """SearchError unless `collection` can be searched by text (its vectors are text embeddings)."""
    _check_request(collection, n)
    if collection not in TEXT_COLLECTIONS:
        raise SearchError(f"{collection} holds HTM patterns, not text embeddings: search it with --like MEMORY_ID")


def search(store, embedder, text: str, collection: str = MEMORIES_COLLECTION, n: int = 10,
           where: Optional[dict] = None, min_importance: Optional[float] = None,
           since: dt.date | dt.datetime | str | None = None) -> list[SearchHit]:
    """The `n` records of `collection` closest in meaning to `text`, best first, after the filters."""
    check_text_search(collection, n)
    if not text.strip():
        raise SearchError("the query text is empty")
    clause = build_where(where, collection=collection, min_importance=min_importance, since=since)
    vector = embedder.encode([text])[0]
    return _hits(store.query(collection, vector, n=n, where=clause))


def record_id_for(collection: str, memory_id: str) -> str:
    """The id of a memory's record in `collection` (`htm_<memory_id>` in htm_patterns)."""
    if collection == HTM_COLLECTION and not memory_id.startswith(PATTERN_ID_PREFIX):
        return pattern_id(memory_id)
    return memory_id


def similar_to(store, memory_id: str, collection: str = HTM_COLLECTION, n: int = 10, where: Optional[dict] = None,
               min_importance: Optional[float] = None,
               since: dt.date | dt.datetime | str | None = None) -> list[SearchHit]:
    """The `n` records of `collection` whose vector is closest to that of `memory_id`'s record, best first,
    after the filters; the record itself is left out. In `htm_patterns`: the memories whose HTM pattern is
    closest to that memory's."""
    _check_request(collection, n)
    clause = build_where(where, collection=collection, min_importance=min_importance, since=since)
    if store.existing(collection) is None:
        raise SearchError(f"collection {collection!r} does not exist in {store.describe()}: materialize it first")
    own_id = record_id_for(collection, memory_id)
    got = store.get_ids(collection, [own_id], include=("embeddings",))
    if not got["ids"]:
        why = " (private memories have no HTM pattern there)" if collection == HTM_COLLECTION else ""
        raise SearchError(f"{memory_id!r} has no record in {collection}{why}")
    vector = np.asarray(got["embeddings"][0], dtype=np.float32)
    hits = [h for h in _hits(store.query(collection, vector, n=n + 1, where=clause)) if h.id != own_id][:n]
    return [replace(h, rank=k + 1) for k, h in enumerate(hits)]


def _hits(result: dict) -> list[SearchHit]:
    hits: list[SearchHit] = []
    ids = result["ids"][0] if result.get("ids") else []
    for k, rid in enumerate(ids):
        meta = dict(result["metadatas"][0][k] or {})
        distance = float(result["distances"][0][k])
        hits.append(SearchHit(
            rank=k + 1, id=rid, document=result["documents"][0][k] or "", similarity=1.0 - distance,
            distance=distance, importance=_opt(meta.get("importance_score")), spark=_opt(meta.get("spark_intensity")),
            confidence=_opt(meta.get("confidence")), timestamp=_opt(meta.get("timestamp")),
            partition=meta.get("partition"), metadata=meta))
    return hits


#: A `--state` without a timestamp is encoded as at this epoch second (the timestamp only seeds the noise of
#: the evolution dimensions, at most 0.01·(1 − coherence) each), so the same query gives the same answer.
QUERY_TIMESTAMP = 0.0


def similar_states(store, state: Optional[Mapping[str, Any] | ConsciousnessState] = None, *,
                   state_id: Optional[str] = None, n: int = 5) -> list[SimilarState]:
    """The `n` states of `consciousness_states` most similar to `state` (its fields, as in the landing
    contract) or to the stored state `state_id`, within ±0.2 of its consciousness level, best first; each with
    its similarity, resonance and consciousness distance (SPEC §2). `.to_dict()` gives the JSON rows."""
    try:
        if state is not None and not isinstance(state, ConsciousnessState):
            state = parse_state(state, default_timestamp=QUERY_TIMESTAMP)
        return find_similar_states(store, state, state_id=state_id, n=n)
    except (RecordError, SimilarStateError) as exc:
        raise SearchError(f"similar states: {exc}") from None


def _opt(value: Any) -> Optional[float]:
    return None if value is None else float(value)


@dataclass(frozen=True)
class RankedMemory:
    id: str
    document: str
    partition: Optional[str]
    score: PersistenceScore


def rank_by_persistence(store, now: Optional[float] = None, threshold: float = 0.7,
                        collection: str = MEMORIES_COLLECTION) -> list[RankedMemory]:
    """Every memory of the collection with its persistence score at `now` (SPEC §1), highest first."""
    persistence = MemoryPersistence(threshold=threshold)
    got = store.get_all(collection, include=("metadatas", "documents"))
    ranked = []
    for rid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"]):
        memory = memory_from_chroma(rid, doc, meta or {})
        ranked.append(RankedMemory(rid, doc or "", (meta or {}).get("partition"), persistence.score(memory, now)))
    ranked.sort(key=lambda r: (-r.score.persistence, r.id))
    return ranked


def forget_candidates(ranked: Sequence[RankedMemory], below: float) -> list[RankedMemory]:
    """Memories whose persistence is below `below` (they should not persist)."""
    return [r for r in ranked if r.score.persistence < below]
