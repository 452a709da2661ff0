"""The landing contract: what MIRA's runtime drops for the pipeline, and how each line is judged.

Layout: ``<landing_root>/<stream>/<YYYY-MM-DD>/*.jsonl`` -- files read in sorted filename
order, UTF-8, one JSON object per line, blank lines ignored. Every non-blank line either
becomes one normalized record or one :class:`QuarantinedLine` with its 1-based line number
and a reason that names the field and the problem, never the value (values may be secret).

Framework-free on purpose: no dagster, torch or chromadb here. See docs/landing.md.
"""

from __future__ import annotations

import base64
import json
import math
import os
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # pandas is imported when a frame is built: `mira demo-data` starts without it
    import pandas as pd

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
MAX_ID_LENGTH = 200
MAX_INT = 2**63 - 1  # int64 column

# Frame layout: column -> kind ("float" | "int" | "bool" | "str" | "json"), in record order.
_SCHEMAS: dict[str, dict[str, str]] = {
    "conversations": {"conversation_id": "str", "messages": "json", "context": "json", "timestamp": "float"},
    "private_thoughts": {"thought": "str", "timestamp": "float", "metadata": "json"},
    "memories": {
        "memory_id": "str", "content": "str", "timestamp": "float",
        "significance": "float", "relevance": "float", "emotional_impact": "float",
        "technical_value": "float", "user_rating": "float", "confidence": "float",
        "source": "str", "access_count": "int", "tags": "json", "spark_intensity": "float",
        "is_private": "bool",
    },
    "facts": {
        "id": "str", "content": "str", "source": "str", "confidence": "float",
        "timestamp": "float", "tags": "json",
    },
    "consciousness": {
        "level": "float", "emotional_resonance": "float", "spark_intensity": "float",
        "memory_coherence": "float", "evolution_stage": "str", "quantum_state": "json",
        "timestamp": "float", "insights": "json", "is_breakthrough": "bool",
    },
}
_DTYPES = {"float": "float64", "int": "int64", "bool": "bool", "str": "str", "json": "str"}

#: Column names of ``records_frame(stream, ...)``, per stream, in order.
FRAME_COLUMNS: dict[str, tuple[str, ...]] = {s: tuple(cols) for s, cols in _SCHEMAS.items()}
#: Columns holding JSON text (nested values) per stream.
JSON_COLUMNS: dict[str, tuple[str, ...]] = {
    s: tuple(c for c, k in cols.items() if k == "json") for s, cols in _SCHEMAS.items()
}


@dataclass(frozen=True)
class QuarantinedLine:
    stream: str
    source_file: str  # relative to the landing root, POSIX separators
    line_number: int  # 1-based, counting blank lines too
    reason: str  # "field: problem"; never contains the value
    raw: str = field(repr=False)  # raw line text (undecodable bytes kept via surrogateescape); never print for sensitive streams


@dataclass
class LandingDay:
    stream: str
    day: date
    records: list[dict] = field(repr=False)  # may hold secret text: never in repr/logs
    quarantined: list[QuarantinedLine]
    files: list[str]
    lines_read: int  # non-blank lines: len(records) + len(quarantined)


class RecordError(ValueError):
    """A landing record is invalid; ``reasons`` name fields and problems, never values."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("; ".join(self.reasons))


# --------------------------------------------------------------------------- helpers


def _check_stream(stream: str) -> None:
    if stream not in STREAMS:
        raise ValueError(f"unknown landing stream {stream!r}; expected one of {', '.join(STREAMS)}")


def _as_day(day: date | str) -> date:
    if isinstance(day, datetime):
        return day.date()
    if isinstance(day, date):
        return day
    return date.fromisoformat(str(day))


def landing_day_path(root: Path, stream: str, day: date | str) -> Path:
    """``<root>/<stream>/<YYYY-MM-DD>``: the folder holding one day of one stream."""
    _check_stream(stream)
    return Path(root) / stream / _as_day(day).isoformat()


def quarantine_path(quarantine_root: Path, stream: str, day: date | str) -> Path:
    """``<quarantine_root>/<stream>/<YYYY-MM-DD>.jsonl``."""
    _check_stream(stream)
    return Path(quarantine_root) / stream / f"{_as_day(day).isoformat()}.jsonl"


def path_safe_problem(value: Any) -> str | None:
    """Why ``value`` can't be a path part / record id, or None when it is safe."""
    if not isinstance(value, str):
        return f"must be a string, got {_type_name(value)}"
    if value == "":
        return "empty"
    if len(value) > MAX_ID_LENGTH:
        return f"longer than {MAX_ID_LENGTH} characters"
    if "/" in value or "\\" in value:
        return "contains a path separator"
    if ".." in value or value == ".":
        return "contains '..' or is '.'"
    if any(ord(ch) < 32 or ord(ch) == 127 or unicodedata.category(ch) == "Cc" for ch in value):
        return "contains a control character"
    return None


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_timestamp(value: Any) -> float:
    """ISO-8601 string (offset or Z; naive = UTC) or epoch seconds -> float epoch seconds UTC.

    Raises ValueError with a message that doesn't contain the value.
    """
    if _is_number(value):
        try:
            ts = float(value)
        except OverflowError:
            raise ValueError("not a finite number") from None
        if not math.isfinite(ts):
            raise ValueError("not a finite number")
        return ts
    if isinstance(value, str):
        text = value.strip()
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("not an ISO-8601 timestamp or epoch seconds") from None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return dt.timestamp()
    raise ValueError(f"must be an ISO-8601 string or epoch seconds, got {_type_name(value)}")


class _Checker:
    """Collects field problems for one record."""

    def __init__(self, obj: dict):
        self.obj = obj
        self.errors: list[str] = []

    def _get(self, name: str, required: bool) -> tuple[bool, Any]:
        value = self.obj.get(name)
        if value is None:
            if required:
                self.errors.append(f"{name}: missing" if name not in self.obj else f"{name}: null")
            return False, None
        return True, value

    def id(self, name: str) -> str | None:
        ok, value = self._get(name, True)
        if not ok:
            return None
        problem = path_safe_problem(value)
        if problem:
            self.errors.append(f"{name}: {problem}")
            return None
        return value

    def text(self, name: str, *, required: bool = True, default: str | None = None,
             allow_empty: bool = False) -> str | None:
        ok, value = self._get(name, required)
        if not ok:
            return default
        if not isinstance(value, str):
            self.errors.append(f"{name}: must be a string, got {_type_name(value)}")
            return None
        if not allow_empty and not value.strip():
            self.errors.append(f"{name}: empty")
            return None
        return value

    def unit(self, name: str, *, required: bool = True, default: float | None = None) -> float | None:
        return self.number(name, required=required, default=default, lo=0.0, hi=1.0)

    def number(self, name: str, *, required: bool = True, default: float | None = None,
               lo: float | None = None, hi: float | None = None, value: Any = None,
               have: bool = False) -> float | None:
        if not have:
            ok, value = self._get(name, required)
            if not ok:
                return default
        if not _is_number(value):
            self.errors.append(f"{name}: must be a number, got {_type_name(value)}")
            return None
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            self.errors.append(f"{name}: not a finite number")
            return None
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            self.errors.append(f"{name}: out of range [{_fmt(lo)}, {_fmt(hi)}]")
            return None
        return number

    def integer(self, name: str, *, default: int, lo: int = 0) -> int | None:
        ok, value = self._get(name, False)
        if not ok:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors.append(f"{name}: must be an integer, got {_type_name(value)}")
            return None
        if value < lo:
            self.errors.append(f"{name}: must be >= {lo}")
            return None
        if value > MAX_INT:
            self.errors.append(f"{name}: too large (max 2**63-1)")
            return None
        return value

    def boolean(self, name: str, *, default: bool) -> bool | None:
        ok, value = self._get(name, False)
        if not ok:
            return default
        if not isinstance(value, bool):
            self.errors.append(f"{name}: must be a boolean, got {_type_name(value)}")
            return None
        return value

    def timestamp(self, name: str = "timestamp", *, value: Any = None, have: bool = False,
                  label: str | None = None) -> float | None:
        label = label or name
        if not have:
            ok, value = self._get(name, True)
            if not ok:
                return None
        try:
            return parse_timestamp(value)
        except ValueError as exc:
            self.errors.append(f"{label}: {exc}")
            return None

    def mapping(self, name: str, *, default: dict | None = None) -> dict | None:
        ok, value = self._get(name, False)
        if not ok:
            return dict(default or {})
        if not isinstance(value, dict):
            self.errors.append(f"{name}: must be an object, got {_type_name(value)}")
            return None
        return value

    def str_list(self, name: str) -> list[str] | None:
        ok, value = self._get(name, False)
        if not ok:
            return []
        if not isinstance(value, list):
            self.errors.append(f"{name}: must be an array of strings, got {_type_name(value)}")
            return None
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.errors.append(f"{name}[{i}]: must be a string, got {_type_name(item)}")
                return None
            if not item.strip():
                self.errors.append(f"{name}[{i}]: empty")
                return None
        return list(value)

    def finish(self, record: dict) -> dict:
        if self.errors:
            raise RecordError(self.errors)
        return record


def _fmt(bound: float | None) -> str:
    if bound is None:
        return "-inf"
    return f"{bound:g}"


# --------------------------------------------------------------------------- per-stream validation


def _conversation(obj: dict) -> dict:
    c = _Checker(obj)
    conversation_id = c.id("conversation_id")
    ok, messages_in = c._get("messages", True)
    messages: list[dict] = []
    if ok:
        if not isinstance(messages_in, list):
            c.errors.append(f"messages: must be an array, got {_type_name(messages_in)}")
        elif not messages_in:
            c.errors.append("messages: empty")
        else:
            for i, msg in enumerate(messages_in):
                where = f"messages[{i}]"
                if not isinstance(msg, dict):
                    c.errors.append(f"{where}: must be an object, got {_type_name(msg)}")
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
                    c.errors.append(f"{where}.content: must be a string, got {_type_name(content)}")
                if msg.get("timestamp") is None:
                    c.errors.append(f"{where}.timestamp: missing")
                    ts = None
                else:
                    ts = c.timestamp(value=msg["timestamp"], have=True, label=f"{where}.timestamp")
                messages.append({"role": role, "content": content, "timestamp": ts})
    context = c.mapping("context")
    if "timestamp" in obj and obj["timestamp"] is not None:
        c.timestamp()  # validated when given; the record's timestamp is the last message's
    record = {
        "conversation_id": conversation_id,
        "messages": messages,
        "context": context,
        "timestamp": messages[-1]["timestamp"] if messages else None,
    }
    return c.finish(record)


def _private_thought(obj: dict) -> dict:
    c = _Checker(obj)
    record = {"thought": c.text("thought"), "timestamp": c.timestamp(), "metadata": c.mapping("metadata")}
    return c.finish(record)


def _memory(obj: dict) -> dict:
    c = _Checker(obj)
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
                c.errors.append(f"tags: values must be booleans, got {_type_name(value)}")
                break
    record["tags"] = tags
    record["spark_intensity"] = c.unit("spark_intensity", required=False, default=0.0)
    record["is_private"] = c.boolean("is_private", default=False)
    return c.finish(record)


def _fact(obj: dict) -> dict:
    c = _Checker(obj)
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
    c = _Checker(obj)
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
    _check_stream(stream)
    if not isinstance(obj, dict):
        raise RecordError([f"line: not a JSON object (got {_type_name(obj)})"])
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


# --------------------------------------------------------------------------- reading


def _day_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        (p for p in folder.iterdir() if p.suffix == ".jsonl" and not p.name.startswith(".") and p.is_file()),
        key=lambda p: p.name,
    )


def read_landing_day(landing_root: Path, stream: str, day: date | str) -> LandingDay:
    """Read and validate every ``*.jsonl`` of one stream's day (missing folder -> empty day)."""
    _check_stream(stream)
    the_day = _as_day(day)
    landing_root = Path(landing_root)
    folder = landing_day_path(landing_root, stream, the_day)
    result = LandingDay(stream=stream, day=the_day, records=[], quarantined=[], files=[], lines_read=0)
    id_field = ID_FIELDS.get(stream)
    seen: dict[str, tuple[str, int]] = {}
    for path in _day_files(folder):
        rel = path.relative_to(landing_root).as_posix()
        result.files.append(rel)
        data = path.read_bytes()
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        for number, raw_bytes in enumerate(data.split(b"\n"), start=1):
            if raw_bytes.endswith(b"\r"):
                raw_bytes = raw_bytes[:-1]
            if not raw_bytes.strip():
                continue
            result.lines_read += 1
            try:
                text = raw_bytes.decode("utf-8")
            except UnicodeDecodeError:
                result.quarantined.append(QuarantinedLine(
                    stream, rel, number, "line: not valid UTF-8",
                    raw_bytes.decode("utf-8", errors="surrogateescape")))
                continue
            try:
                record = parse_line(stream, text)
            except RecordError as exc:
                result.quarantined.append(QuarantinedLine(stream, rel, number, str(exc), text))
                continue
            if id_field is not None:
                key = record[id_field]
                if key in seen:
                    first_file, first_line = seen[key]
                    where = f"line {first_line}" if first_file == rel else f"{first_file} line {first_line}"
                    result.quarantined.append(QuarantinedLine(
                        stream, rel, number, f"{id_field}: duplicate within the day (first at {where})", text))
                    continue
                seen[key] = (rel, number)
            result.records.append(record)
    return result


# --------------------------------------------------------------------------- frames


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def records_frame(stream: str, records: list[dict]) -> pd.DataFrame:
    """Typed table of normalized records; nested fields become JSON text columns of the same name."""
    import pandas as pd

    _check_stream(stream)
    schema = _SCHEMAS[stream]
    columns: dict[str, pd.Series] = {}
    for name, kind in schema.items():
        values = [r[name] for r in records]
        if kind == "json":
            values = [_json_text(v) for v in values]
        columns[name] = pd.Series(values, dtype=_DTYPES[kind])
    return pd.DataFrame(columns, columns=list(schema))


def frame_records(stream: str, df: pd.DataFrame) -> list[dict]:
    """Inverse of :func:`records_frame`: plain Python record dicts (JSON columns decoded)."""
    _check_stream(stream)
    schema = _SCHEMAS[stream]
    missing = [c for c in schema if c not in df.columns]
    if missing:
        raise ValueError(f"{stream} frame lacks columns: {', '.join(missing)}")
    convert: dict[str, Callable[[Any], Any]] = {
        "float": float, "int": int, "bool": bool, "str": str, "json": json.loads,
    }
    cols = {name: [convert[kind](v) for v in df[name].tolist()] for name, kind in schema.items()}
    return [{name: cols[name][i] for name in schema} for i in range(len(df))]


# --------------------------------------------------------------------------- quarantine


def _atomic_write(path: Path, data: bytes) -> None:
    try:
        from resources.vault.atomic import atomic_write  # helper A's: temp + fsync + rename + dir fsync
    except ImportError:
        atomic_write = _local_atomic_write
    atomic_write(path, data)


def _local_atomic_write(path: Path, data: bytes) -> bool:
    path = Path(path)
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return True


def quarantine_bytes(day: LandingDay, seal: Callable[[bytes], bytes] | None) -> bytes:
    """The quarantine file's content for ``day`` (b"" when nothing is quarantined)."""
    sensitive = day.stream in SENSITIVE_STREAMS
    if sensitive and seal is None and day.quarantined:
        raise ValueError(f"quarantine of sensitive stream {day.stream} needs a seal function")
    lines = []
    for q in day.quarantined:
        raw_bytes = q.raw.encode("utf-8", errors="surrogateescape")
        entry: dict[str, Any] = {"source_file": q.source_file, "line_number": q.line_number, "reason": q.reason}
        if sensitive:
            entry["raw_sealed"] = base64.b64encode(seal(raw_bytes)).decode("ascii")
        else:
            try:
                entry["raw"] = raw_bytes.decode("utf-8")
            except UnicodeDecodeError:
                entry["raw_b64"] = base64.b64encode(raw_bytes).decode("ascii")
        lines.append(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
    return "".join(lines).encode("utf-8")


def write_quarantine(quarantine_root: Path, day: LandingDay,
                     seal: Callable[[bytes], bytes] | None) -> Path | None:
    """Atomically (re)write ``quarantine/<stream>/<date>.jsonl``; remove it and return None when empty.

    Each line: ``{source_file, line_number, reason, raw}`` -- for SENSITIVE_STREAMS ``raw_sealed``
    (base64 of ``seal(raw bytes)``) instead of ``raw``; a non-sensitive line that isn't UTF-8 is kept
    as ``raw_b64``. Rerunning with a deterministic ``seal`` rewrites identical bytes (a no-op).
    """
    _check_stream(day.stream)
    if day.stream in SENSITIVE_STREAMS and seal is None:
        raise ValueError(f"quarantine of sensitive stream {day.stream} needs a seal function")
    path = quarantine_path(quarantine_root, day.stream, day.day)
    if not day.quarantined:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        return None
    _atomic_write(path, quarantine_bytes(day, seal))
    return path


def read_quarantine(path: Path, unseal: Callable[[bytes], bytes] | None = None) -> list[dict]:
    """Entries of a quarantine file; with ``unseal`` the sealed raw lines come back as ``raw`` text."""
    entries = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        if unseal is not None and "raw_sealed" in entry:
            raw = unseal(base64.b64decode(entry["raw_sealed"]))
            entry["raw"] = raw.decode("utf-8", errors="surrogateescape")
        if "raw_b64" in entry and "raw" not in entry:
            entry["raw"] = base64.b64decode(entry["raw_b64"]).decode("utf-8", errors="surrogateescape")
        entries.append(entry)
    return entries
