"""Reading one stream's day of landing files: every non-blank line becomes a record or a quarantined line.

Layout: ``<landing_root>/<stream>/<YYYY-MM-DD>/*.jsonl`` -- files read in sorted filename order, UTF-8,
one JSON object per line, blank lines ignored. A quarantined line keeps its 1-based line number and the
reason. Files are streamed line by line and a line longer than MAX_LINE_BYTES is quarantined without being
held in memory (only its length is kept), so reading a day needs memory for its good records, not for its
largest file. Framework-free.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from mira_assets.domain.landing.contract import ID_FIELDS, as_day, check_stream, parse_day, parse_line
from mira_assets.domain.landing.fields import RecordError

#: The longest landing line accepted, in bytes (without its line end): 4 MiB, room for a conversation of
#: thousands of messages. A longer line is quarantined ("line: longer than ...") and its text is not kept.
MAX_LINE_BYTES = 4 * 1024 * 1024
_SKIP_CHUNK = 1 << 20


@dataclass(frozen=True)
class QuarantinedLine:
    stream: str
    source_file: str  # relative to the landing root, POSIX separators
    line_number: int  # 1-based, counting blank lines too
    reason: str  # "field: problem"; never contains the value
    raw: str = field(repr=False)  # raw line text (undecodable bytes kept via surrogateescape); never print for sensitive streams
    omitted_bytes: int = 0  # > 0: the line was too long to keep; raw is "" and this is its length in bytes


@dataclass
class LandingDay:
    stream: str
    day: date
    records: list[dict] = field(repr=False)  # may hold secret text: never in repr/logs
    quarantined: list[QuarantinedLine]
    files: list[str]
    lines_read: int  # non-blank lines: len(records) + len(quarantined)


def landing_day_path(root: Path, stream: str, day: date | str) -> Path:
    """``<root>/<stream>/<YYYY-MM-DD>``: the folder holding one day of one stream."""
    check_stream(stream)
    return Path(root) / stream / as_day(day).isoformat()


def stream_days(root: Path, stream: str) -> list[date]:
    """The days of one stream that have at least one landing file, in order."""
    check_stream(stream)
    folder = Path(root) / stream
    days = []
    for day_folder in folder.iterdir() if folder.is_dir() else ():
        day = parse_day(day_folder.name)
        if day is not None and _day_files(day_folder):
            days.append(day)
    return sorted(days)


def _day_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        (p for p in folder.iterdir() if p.suffix == ".jsonl" and not p.name.startswith(".") and p.is_file()),
        key=lambda p: p.name,
    )


def iter_lines(path: Path, limit: int = MAX_LINE_BYTES) -> Iterator[tuple[int, bytes | None, int]]:
    """(1-based line number, the line's bytes without its line end or None when longer than ``limit``, its
    length in bytes) for every line of ``path``; a UTF-8 BOM at the start is dropped. Reads at most
    ``limit`` + 2 bytes at a time: an over-long line is skipped, never held whole."""
    with open(path, "rb") as f:
        if f.read(3) != b"\xef\xbb\xbf":
            f.seek(0)
        number = 0
        while True:
            chunk = f.readline(limit + 2)  # room for "\r\n" after a line of exactly `limit` bytes
            if not chunk:
                return
            number += 1
            if not chunk.endswith(b"\n") and len(chunk) >= limit + 2:
                size = len(chunk)
                while True:  # the rest of an over-long line, counted and dropped
                    more = f.readline(_SKIP_CHUNK)
                    size += len(more)
                    if not more or more.endswith(b"\n"):
                        break
                yield number, None, size - (1 if more.endswith(b"\n") else 0)
                continue
            line = chunk[:-1] if chunk.endswith(b"\n") else chunk
            if line.endswith(b"\r"):
                line = line[:-1]
            yield number, (line if len(line) <= limit else None), len(line)


def read_landing_day(landing_root: Path, stream: str, day: date | str) -> LandingDay:
    """Read and validate every ``*.jsonl`` of one stream's day (missing folder -> empty day)."""
    check_stream(stream)
    the_day = as_day(day)
    landing_root = Path(landing_root)
    folder = landing_day_path(landing_root, stream, the_day)
    result = LandingDay(stream=stream, day=the_day, records=[], quarantined=[], files=[], lines_read=0)
    id_field = ID_FIELDS.get(stream)
    seen: dict[str, tuple[str, int]] = {}
    for path in _day_files(folder):
        rel = path.relative_to(landing_root).as_posix()
        result.files.append(rel)
        for number, raw_bytes, size in iter_lines(path):
            if raw_bytes is None:
                result.lines_read += 1
                result.quarantined.append(QuarantinedLine(
                    stream, rel, number, f"line: longer than {MAX_LINE_BYTES} bytes ({size} bytes)", "",
                    omitted_bytes=size))
                continue
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
            del raw_bytes
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
