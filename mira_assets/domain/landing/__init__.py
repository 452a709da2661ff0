"""MIRA's landing folder: the contract each stream's records meet, the day reader, the quarantine, typed tables.

Framework-free. Import what you need from here (`from mira_assets.domain.landing import read_landing_day`).
"""

from mira_assets.domain.landing.contract import (CONSCIOUSNESS_LEVELS, ID_FIELDS, MEMORY_FACTORS, MESSAGE_ROLES,
                                                 QUANTUM_DEFAULTS, SENSITIVE_STREAMS, STREAMS, parse_line,
                                                 validate_record)
from mira_assets.domain.landing.fields import RecordError, parse_timestamp, path_safe_problem
from mira_assets.domain.landing.frames import FRAME_COLUMNS, JSON_COLUMNS, frame_records, records_frame
from mira_assets.domain.landing.quarantine import quarantine_bytes, quarantine_path, read_quarantine, write_quarantine
from mira_assets.domain.landing.reader import LandingDay, QuarantinedLine, landing_day_path, read_landing_day

__all__ = [
    "CONSCIOUSNESS_LEVELS", "FRAME_COLUMNS", "ID_FIELDS", "JSON_COLUMNS", "MEMORY_FACTORS", "MESSAGE_ROLES",
    "QUANTUM_DEFAULTS", "SENSITIVE_STREAMS", "STREAMS", "LandingDay", "QuarantinedLine", "RecordError",
    "frame_records", "landing_day_path", "parse_line", "parse_timestamp", "path_safe_problem",
    "quarantine_bytes", "quarantine_path", "read_landing_day", "read_quarantine", "records_frame",
    "validate_record", "write_quarantine",
]
