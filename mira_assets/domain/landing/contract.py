"""The landing contract: what MIRA's runtime drops for the pipeline, and which records each stream accepts.

Every non-blank landing line either becomes one normalized record or is rejected with a reason that
names the field and the problem, never the value (values may be secret). Ids that become file names
follow the vault's rule (resources/vault/ids.py), so a record the vault would refuse is quarantined here,
not failed later. Framework-free on purpose: no dagster, torch or chromadb here. See docs/landing.md.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any, Callable

from mira_assets.domain.landing.fields import FieldChecker, RecordError
from resources.vault.ids import json_type_name as type_name
from resources.vault.layout import backup_id_problem

STREAMS: tuple[str, ...] = ("conversations", "private_thoughts", "memories", "facts", "consciousness")
# consciousness is sensitive because a breakthrough's insights go to private storage (SPEC §5).
SENSITIVE_STREAMS: frozenset[str] = frozenset({"conversations", "private_thoughts", "memories", "consciousness"})

#: The field that must be unique within one day of a stream (later duplicates are quarantined).
ID_FIELDS: dict[str, str] = {"conversations": "conversation_id", "memories": "memory_id", "facts": "id"}

MESSAGE_ROLES: frozenset[str] = frozenset({"user", "assistant", "system", "tool"})
MEMORY_FACTORS: tuple[str, ...] = (
    "significance", "relevance", "emotional_impact", "technical_value", "user_rating",
)
CONSCIOUSNESS_LEVELS: tuple[str, ...] = ("level", "emotional_resonance", "spark_intensity", "memory_coherence")
QUANTUM_DEFAULTS: dict[str, float] = {"phase": 0.0, "coherence": 0.5, "entanglement": 0.3, "superposition": 0.2}


def check_stream(stream: str) -> None:
    if stream not in STREAMS:
        raise ValueError(f"unknown landing stream {stream!r}; expected one of {', '.join(STREAMS)}")


def parse_day(text: str) -> date | None:
    """The day a name like 2026-11-01 spells, or None (also for 20261101, which Python 3.11 would accept)."""
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def as_day(day: date | str) -> date:
    if isinstance(day, datetime):
        return day.date()
    if isinstance(day, date):
        return day
    return date.fromisoformat(str(day))


def _conversation(obj: dict) -> dict:
    c = FieldChecker(obj)
    conversation_id = c.id("conversation_id")
    ok, messages_in = c._get("messages", True)
    messages: list[dict] = []
    if ok:
        if not isinstance(messages_in, list):
            c.errors.append(f"messages: must be an array, got {type_name(messages_in)}")
        elif not messages_in:
            c.errors.append("messages: empty")
        else:
            for i, msg in enumerate(messages_in):
                where = f"messages[{i}]"
                if not isinstance(msg, dict):
                    c.errors.append(f"{where}: must be an object, got {type_name(msg)}")
                    continue
                role = msg.get("role")
                if role is None:
                    c.errors.append(f"{where}.role: missing")
                elif role not in MESSAGE_ROLES:
                    c.errors.append(f"{where}.role: must be one of {', '.join(sorted(MESSAGE_ROLES))}")
                content = msg.get("content")
                if content is None:
                    c.errors.append(f"{where}.content: missing")
                elif not isinstance(content, str):
                    c.errors.append(f"{where}.content: must be a string, got {type_name(content)}")
                if msg.get("timestamp") is None:
                    c.errors.append(f"{where}.timestamp: missing")
                    ts = None
                else:
                    ts = c.timestamp(value=msg["timestamp"], have=True, label=f"{where}.timestamp")
                messages.append({"role": role, "content": content, "timestamp": ts})
    context = c.mapping("context")
    if "timestamp" in obj and obj["timestamp"] is not None:
        c.timestamp()  # validated when given; the record's timestamp is the last message's
    timestamp = messages[-1]["timestamp"] if messages else None
    if conversation_id is not None and timestamp is not None:
        problem = backup_id_problem(conversation_id, timestamp)  # the vault's name for the backup must fit too
        if problem:
            c.errors.append(f"conversation_id: {problem}")
    record = {"conversation_id": conversation_id, "messages": messages, "context": context, "timestamp": timestamp}
    return c.finish(record)


def _private_thought(obj: dict) -> dict:
    c = FieldChecker(obj)
    record = {"thought": c.text("thought"), "timestamp": c.timestamp(), "metadata": c.mapping("metadata")}
    return c.finish(record)


def _memory(obj: dict) -> dict:
    c = FieldChecker(obj)
    record: dict[str, Any] = {
        "memory_id": c.id("memory_id"),
        "content": c.text("content"),
        "timestamp": c.timestamp(),
    }
    for name in MEMORY_FACTORS:
        record[name] = c.unit(name, required=False, default=0.5)
    record["confidence"] = c.unit("confidence", required=False, default=1.0)
    record["source"] = c.text("source", required=False, default="automated")
    record["access_count"] = c.integer("access_count", default=0)
    tags = c.mapping("tags")
    if tags is not None:
        for key, value in tags.items():
            if not key.strip():
                c.errors.append("tags: empty tag name")
                break
            if not isinstance(value, bool):
                c.errors.append(f"tags: values must be booleans, got {type_name(value)}")
                break
    record["tags"] = tags
    record["spark_intensity"] = c.unit("spark_intensity", required=False, default=0.0)
    record["is_private"] = c.boolean("is_private", default=False)
    return c.finish(record)


def _fact(obj: dict) -> dict:
    c = FieldChecker(obj)
    record = {
        "id": c.id("id"),
        "content": c.text("content"),
        "source": c.text("source", required=False, default="unknown"),
        "confidence": c.unit("confidence", required=False, default=1.0),
        "timestamp": c.timestamp(),
        "tags": c.str_list("tags"),
    }
    return c.finish(record)


def _consciousness(obj: dict) -> dict:
    c = FieldChecker(obj)
    record: dict[str, Any] = {name: c.unit(name) for name in CONSCIOUSNESS_LEVELS}
    record["evolution_stage"] = c.text("evolution_stage")
    quantum = c.mapping("quantum_state")
    if quantum is not None:
        normalized = {}
        for key, default in QUANTUM_DEFAULTS.items():
            value = quantum.get(key)
            if value is None:
                normalized[key] = default
            elif key == "phase":
                normalized[key] = c.number(f"quantum_state.{key}", value=value, have=True)
            else:
                normalized[key] = c.number(f"quantum_state.{key}", value=value, have=True, lo=0.0, hi=1.0)
        quantum = normalized
    record["quantum_state"] = quantum
    record["timestamp"] = c.timestamp()
    record["insights"] = c.str_list("insights")
    record["is_breakthrough"] = c.boolean("is_breakthrough", default=False)
    return c.finish(record)


_VALIDATORS: dict[str, Callable[[dict], dict]] = {
    "conversations": _conversation,
    "private_thoughts": _private_thought,
    "memories": _memory,
    "facts": _fact,
    "consciousness": _consciousness,
}


def validate_record(stream: str, obj: Any) -> dict:
    """Normalize one decoded JSON value of ``stream``; raises :class:`RecordError` if invalid."""
    check_stream(stream)
    if not isinstance(obj, dict):
        raise RecordError([f"line: not a JSON object (got {type_name(obj)})"])
    return _VALIDATORS[stream](obj)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of float range")
    return value


def parse_line(stream: str, text: str) -> dict:
    """Decode and validate one landing line (no trailing newline); raises RecordError."""
    try:
        obj = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        # exc.msg is a fixed parser message; position only, never the document
        raise RecordError([f"line: invalid JSON ({exc.msg}; column {exc.colno})"]) from None
    except (ValueError, RecursionError) as exc:
        msg = str(exc) if isinstance(exc, ValueError) and str(exc).startswith(("non-standard", "number out")) \
            else "unparseable"
        raise RecordError([f"line: invalid JSON ({msg})"]) from None
    return validate_record(stream, obj)

