"""The seed's evolution-checkpoint rule (SPEC §5): where a consciousness state's insights go.

Framework-free. Per landing record of the `consciousness` stream:
- a breakthrough (`is_breakthrough`, or spark_intensity > 0.9 strictly) gives ONE private record of kind
  `breakthrough_insight` holding state_id, insights, breakthrough, consciousness_level, spark_intensity and
  timestamp, also when it has no insights; the `private_memories` asset seals it in the vault day folder;
- any other state gives one public memory per insight, shaped like a landing `memories` record (id
  `insight_<state_id>_<first 12 hex of sha256(insight)>`, significance 0.6, source `consciousness_evolution`,
  the other factors at their SPEC §1 defaults, the state's timestamp), so the memory path embeds, scores and
  stores it in `stored_memories` unchanged. The same insight twice in a day's ordinary states is one memory.
Insights are secret until routed: nothing here logs them, and the containers below keep them out of repr.

The routing is kept between assets as a table (`checkpoints_frame` / `frame_checkpoints`), one row per private
record or public memory; it holds breakthrough insights, so the `evolution_checkpoints` asset seals it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from mira_assets.domain.consciousness.state import ConsciousnessState
from mira_assets.domain.scoring import Memory
from resources.vault.records import PrivateItem

if TYPE_CHECKING:  # pandas is imported when a frame is built
    import pandas as pd

BREAKTHROUGH_KIND = "breakthrough_insight"
BREAKTHROUGH_SPARK = 0.9  # strictly above: a breakthrough even without the flag
INSIGHT_SIGNIFICANCE = 0.6
INSIGHT_SOURCE = "consciousness_evolution"
INSIGHT_ID_PREFIX = "insight_"
INSIGHT_HEX_CHARS = 12
ROUTE_PRIVATE = "breakthrough"  # a row of the checkpoints table holding one sealed-to-be PrivateItem
ROUTE_PUBLIC = "public_insight"  # a row holding one public insight memory
#: Columns of `checkpoints_frame`, in order. payload / metadata are JSON text.
CHECKPOINT_COLUMNS = ("route", "record_id", "state_id", "timestamp", "payload", "metadata")


def is_breakthrough(record: Mapping[str, Any]) -> bool:
    return bool(record.get("is_breakthrough", False)) or float(record["spark_intensity"]) > BREAKTHROUGH_SPARK


def insight_memory_id(state_id: str, insight: str) -> str:
    digest = hashlib.sha256(insight.encode("utf-8")).hexdigest()[:INSIGHT_HEX_CHARS]
    return f"{INSIGHT_ID_PREFIX}{state_id}_{digest}"


def insight_memory(state_id: str, state: ConsciousnessState, insight: str) -> dict[str, Any]:
    """A public memory record (the landing `memories` fields, in their order) for one insight."""
    memory = Memory(memory_id=insight_memory_id(state_id, insight), content=insight, timestamp=state.timestamp,
                    significance=INSIGHT_SIGNIFICANCE, source=INSIGHT_SOURCE)
    return {**asdict(memory), "is_private": False}


def breakthrough_item(state_id: str, state: ConsciousnessState, insights: list[str], flagged: bool) -> PrivateItem:
    """The private record of a breakthrough; its plain metadata (vault index) says what and how high, never what."""
    payload = {"state_id": state_id, "insights": list(insights), "breakthrough": bool(flagged),
               "consciousness_level": state.level, "spark_intensity": state.spark_intensity,
               "timestamp": state.timestamp}
    return PrivateItem(kind=BREAKTHROUGH_KIND, timestamp=state.timestamp, payload=payload,
                       metadata={"type": BREAKTHROUGH_KIND, "consciousness_level": state.level,
                                 "is_breakthrough": bool(flagged)})


@dataclass
class EvolutionCheckpoints:
    """A day's routing: private breakthrough records and public insight memories."""

    states: int  # routed from records: every state of the day; read from a table: the states that gave a row
    breakthroughs: list[PrivateItem] = field(repr=False)
    public_insights: list[dict] = field(repr=False)
    private_insights: int = 0  # insights inside the breakthrough records (a count, never the text)

    def counts(self) -> dict[str, int]:
        return {"states": self.states, "breakthroughs": len(self.breakthroughs),
                "private_insights": self.private_insights, "public_insights": len(self.public_insights)}

    def breakthrough_reasons(self) -> dict[str, int]:
        """How many breakthroughs were flagged by the runtime and how many only crossed the spark threshold."""
        flagged = sum(1 for item in self.breakthroughs if item.payload["breakthrough"])
        return {"flagged_breakthroughs": flagged, "spark_breakthroughs": len(self.breakthroughs) - flagged}


def evolution_checkpoints(records: Iterable[Mapping[str, Any]]) -> EvolutionCheckpoints:
    """Route every landing record of a day (what `frame_records("consciousness", ...)` returns)."""
    breakthroughs: dict[tuple, PrivateItem] = {}  # a repeated record is one record (the vault's id agrees)
    public: dict[str, dict] = {}
    states = private_insights = 0
    for record in records:
        states += 1
        state = ConsciousnessState.from_record(record)
        state_id = state.state_id
        insights = list(record.get("insights") or [])
        if is_breakthrough(record):
            flagged = bool(record.get("is_breakthrough", False))
            key = (state_id, tuple(insights), flagged)
            if key not in breakthroughs:
                breakthroughs[key] = breakthrough_item(state_id, state, insights, flagged)
                private_insights += len(insights)
            continue
        for insight in insights:
            memory = insight_memory(state_id, state, insight)
            public.setdefault(memory["memory_id"], memory)
    return EvolutionCheckpoints(states=states, breakthroughs=list(breakthroughs.values()),
                                public_insights=list(public.values()),
                                private_insights=private_insights)


def _json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def checkpoints_frame(checkpoints: EvolutionCheckpoints) -> "pd.DataFrame":
    """The routing as a table: one row per breakthrough record, then one per public insight memory."""
    import pandas as pd

    rows = [(ROUTE_PRIVATE, item.payload["state_id"], item.payload["state_id"], float(item.timestamp),
             _json(item.payload), _json(item.metadata)) for item in checkpoints.breakthroughs]
    rows += [(ROUTE_PUBLIC, memory["memory_id"], memory["memory_id"][len(INSIGHT_ID_PREFIX):-INSIGHT_HEX_CHARS - 1],
              float(memory["timestamp"]), _json(memory), "{}") for memory in checkpoints.public_insights]
    columns = list(zip(*rows)) if rows else [[] for _ in CHECKPOINT_COLUMNS]
    dtypes = ("str", "str", "str", "float64", "str", "str")
    return pd.DataFrame({name: pd.Series(list(values), dtype=dtype)
                         for name, values, dtype in zip(CHECKPOINT_COLUMNS, columns, dtypes)},
                        columns=list(CHECKPOINT_COLUMNS))


def frame_checkpoints(frame: "pd.DataFrame") -> EvolutionCheckpoints:
    """Inverse of `checkpoints_frame` (also after a Parquet round trip). Errors name rows, never their text."""
    missing = [c for c in CHECKPOINT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"evolution checkpoints table lacks columns: {', '.join(missing)}")
    breakthroughs: list[PrivateItem] = []
    public: list[dict] = []
    private_insights = 0
    state_ids: set[str] = set()
    for k, (route, record_id, state_id, timestamp, payload, metadata) in enumerate(
            frame[list(CHECKPOINT_COLUMNS)].itertuples(index=False)):
        state_ids.add(state_id)
        try:
            body = json.loads(payload)
            meta = json.loads(metadata)
        except (TypeError, ValueError):
            raise ValueError(f"evolution checkpoints table row {k} ({record_id}): payload or metadata is not "
                             "JSON (the table was changed after it was written)") from None
        if route == ROUTE_PRIVATE:
            breakthroughs.append(PrivateItem(kind=BREAKTHROUGH_KIND, timestamp=float(timestamp), payload=body,
                                             metadata=meta))
            private_insights += len(body.get("insights") or [])
        elif route == ROUTE_PUBLIC:
            public.append(body)
        else:
            raise ValueError(f"evolution checkpoints table row {k} ({record_id}): unknown route {route!r}")
    return EvolutionCheckpoints(states=len(state_ids), breakthroughs=breakthroughs, public_insights=public,
                                private_insights=private_insights)
