"""The quarantine: a day's rejected landing lines with their reasons, sealed where the stream is sensitive.

``<quarantine_root>/<stream>/<YYYY-MM-DD>.jsonl``, rewritten atomically on every run of the day and removed
when the day is clean. Framework-free: the seal/unseal functions come from the caller (the vault's).
"""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path
from typing import Any, Callable

from mira_assets.domain.landing.contract import SENSITIVE_STREAMS, as_day, check_stream
from mira_assets.domain.landing.reader import LandingDay
from resources.vault.atomic import atomic_write


def quarantine_path(quarantine_root: Path, stream: str, day: date | str) -> Path:
    """``<quarantine_root>/<stream>/<YYYY-MM-DD>.jsonl``."""
    check_stream(stream)
    return Path(quarantine_root) / stream / f"{as_day(day).isoformat()}.jsonl"


def quarantine_bytes(day: LandingDay, seal: Callable[[bytes], bytes] | None) -> bytes:
    """The quarantine file's content for ``day`` (b"" when nothing is quarantined)."""
    sensitive = day.stream in SENSITIVE_STREAMS
    if sensitive and seal is None and day.quarantined:
        raise ValueError(f"quarantine of sensitive stream {day.stream} needs a seal function")
    lines = []
    for q in day.quarantined:
        raw_bytes = q.raw.encode("utf-8", errors="surrogateescape")
        entry: dict[str, Any] = {"source_file": q.source_file, "line_number": q.line_number, "reason": q.reason}
        if q.omitted_bytes:
            entry["raw_omitted_bytes"] = q.omitted_bytes  # too long to keep: the landing file still holds it
        elif sensitive:
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
    as ``raw_b64``; a line over the length limit only as ``raw_omitted_bytes`` (its length). Rerunning with a deterministic ``seal`` rewrites identical bytes (a no-op).
    """
    check_stream(day.stream)
    if day.stream in SENSITIVE_STREAMS and seal is None:
        raise ValueError(f"quarantine of sensitive stream {day.stream} needs a seal function")
    path = quarantine_path(quarantine_root, day.stream, day.day)
    if not day.quarantined:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        return None
    atomic_write(path, quarantine_bytes(day, seal))
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
