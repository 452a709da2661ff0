"""How one field of a landing record is judged: type, range, timestamps, ids.

A reason names the field and the problem, never the value (values may be secret). Framework-free.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from resources.vault.ids import TIMESTAMP_RANGE_TEXT, id_problem, timestamp_problem
from resources.vault.ids import json_type_name as type_name

MAX_INT = 2**63 - 1  # int64 column
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class RecordError(ValueError):
    """A landing record is invalid; ``reasons`` name fields and problems, never values."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("; ".join(self.reasons))


def path_safe_problem(value: Any) -> str | None:
    """Why ``value`` can't be an id that becomes a file name (the vault's rule), or None when it is safe."""
    return id_problem(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_timestamp(value: Any) -> float:
    """ISO-8601 string (offset or Z; naive = UTC) or epoch seconds -> float epoch seconds UTC, within the
    accepted range (1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z: timestamps become parts of vault ids).

    Raises ValueError with a message that doesn't contain the value.
    """
    if _is_number(value):
        try:
            ts = float(value)
        except OverflowError:
            raise ValueError(f"out of range ({TIMESTAMP_RANGE_TEXT})") from None
    elif isinstance(value, str):
        text = value.strip()
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("not an ISO-8601 timestamp or epoch seconds") from None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        ts = (dt - EPOCH).total_seconds()
    else:
        raise ValueError(f"must be an ISO-8601 string or epoch seconds, got {type_name(value)}")
    problem = timestamp_problem(ts)
    if problem:
        raise ValueError(problem)
    return ts


class FieldChecker:
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
        problem = id_problem(value)
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
            self.errors.append(f"{name}: must be a string, got {type_name(value)}")
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
            self.errors.append(f"{name}: must be a number, got {type_name(value)}")
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
            self.errors.append(f"{name}: must be an integer, got {type_name(value)}")
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
            self.errors.append(f"{name}: must be a boolean, got {type_name(value)}")
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
            self.errors.append(f"{name}: must be an object, got {type_name(value)}")
            return None
        return value

    def str_list(self, name: str) -> list[str] | None:
        ok, value = self._get(name, False)
        if not ok:
            return []
        if not isinstance(value, list):
            self.errors.append(f"{name}: must be an array of strings, got {type_name(value)}")
            return None
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.errors.append(f"{name}[{i}]: must be a string, got {type_name(item)}")
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

