"""Reading one stream's day of landing files: every non-blank line becomes a record or a quarantined line.

Layout: ``<landing_root>/<stream>/<YYYY-MM-DD>/*.jsonl`` -- files read in sorted filename order, UTF-8,
one JSON object per line, blank lines ignored. A quarantined line keeps its 1-based line number and the
reason. Framework-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from mira_assets.domain.landing.contract import ID_FIELDS, as_day, check_stream, parse_line
from mira_assets.domain.landing.fields import RecordError


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


def landing_day_path(root: Path, stream: str, day: date | str) -> Path:
    """``<root>/<stream>/<YYYY-MM-DD>``: the folder holding one day of one stream."""
    check_stream(stream)
    return Path(root) / stream / as_day(day).isoformat()


def _day_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        (p for p in folder.iterdir() if p.suffix == ".jsonl" and not p.name.startswith(".") and p.is_file()),
        key=lambda p: p.name,
    )


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
