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
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping

from mira_assets.domain.consciousness.state import ConsciousnessState
from mira_assets.domain.scoring import Memory
from resources.vault.records import PrivateItem

BREAKTHROUGH_KIND = "breakthrough_insight"
BREAKTHROUGH_SPARK = 0.9  # strictly above: a breakthrough even without the flag
INSIGHT_SIGNIFICANCE = 0.6
INSIGHT_SOURCE = "consciousness_evolution"
INSIGHT_ID_PREFIX = "insight_"
INSIGHT_HEX_CHARS = 12


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

    states: int
    breakthroughs: list[PrivateItem] = field(repr=False)
    public_insights: list[dict] = field(repr=False)
    private_insights: int = 0  # insights inside the breakthrough records (a count, never the text)

    def counts(self) -> dict[str, int]:
        return {"states": self.states, "breakthroughs": len(self.breakthroughs),
                "private_insights": self.private_insights, "public_insights": len(self.public_insights)}


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
