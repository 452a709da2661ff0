"""The one rule for ids that become file or folder names, used by landing, the vault and the codebase store.

A file name holds at most 255 bytes (NAME_MAX of ext4, XFS, btrfs, ZFS, APFS), counted in UTF-8, not in
characters: 90 CJK characters are 270 bytes. Around an id the vault adds an extension (`.json`, `.enc`,
`.meta`: at most MAX_EXTENSION_BYTES) and, while a file is written, the atomic writer's temp-name decoration
(at most TEMP_NAME_EXTRA_BYTES). So an id, and every name the vault builds from one (a backup id
`conv_<conversation id>_<epoch s>`, a snapshot id `<codebase>_<day>`), holds at most MAX_ID_BYTES.

Beyond its length, an id must not change meaning on a filesystem or hide from a reader: no path separator,
no `..`, no leading `.` (readers and verify skip hidden names), and no control, format or otherwise
invisible character (U+200B ZERO WIDTH SPACE looks like nothing yet makes a different file).

Problems name the rule and at most a code point, never the id itself: ids may carry private words.

Timestamps become parts of ids too (a memory id carries epoch milliseconds, a backup id epoch seconds), so the
one accepted range lives here as well: from 1970-01-01T00:00:00Z (ids hold non-negative decimal numbers) to
9999-12-31T23:59:59.999Z (the last instant a date, and so `mira vault show`, can name); at most 15 digits of
epoch milliseconds. Landing quarantines a record with a timestamp outside it; the vault refuses to write one.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from resources.vault.atomic import TEMP_NAME_EXTRA_BYTES

NAME_MAX_BYTES = 255
MAX_EXTENSION_BYTES = 6
MAX_ID_BYTES = 200
# Control (Cc), format (Cf: zero-width, bidi marks), line/paragraph separators, private use, surrogates and
# unassigned code points: none of them shows as a visible character in a file listing.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})

assert MAX_ID_BYTES + MAX_EXTENSION_BYTES + TEMP_NAME_EXTRA_BYTES <= NAME_MAX_BYTES


TIMESTAMP_MIN = 0.0                # 1970-01-01T00:00:00Z, inclusive
TIMESTAMP_END = 253402300800.0     # 10000-01-01T00:00:00Z, exclusive
TIMESTAMP_RANGE_TEXT = "1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z"


def timestamp_problem(value: Any) -> str | None:
    """Why ``value`` (epoch seconds) cannot be a record's timestamp, or None when it can."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number of epoch seconds, got {json_type_name(value)}"
    try:
        seconds = float(value)
    except OverflowError:
        return f"out of range ({TIMESTAMP_RANGE_TEXT})"
    if not math.isfinite(seconds):
        return "not a finite number"
    if not TIMESTAMP_MIN <= seconds < TIMESTAMP_END:
        return f"out of range ({TIMESTAMP_RANGE_TEXT})"
    return None


def json_type_name(value: Any) -> str:
    """The JSON name of a decoded value's type ("null", "boolean", "number", "string", "array", "object")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def id_problem(value: Any, *, reserved_bytes: int = 0) -> str | None:
    """Why ``value`` cannot be an id that becomes a file name, or None when it can.

    ``reserved_bytes``: what the caller will add around the id in the names it builds from it (e.g. 24 for
    a codebase name that becomes ``<name>_<YYYYmmddTHHMMSSZ>_<6 hex>``).
    """
    if not isinstance(value, str):
        return f"must be a string, got {json_type_name(value)}"
    if value == "":
        return "empty"
    if "/" in value or "\\" in value:
        return "contains a path separator"
    if ".." in value or value == ".":
        return "contains '..' or is '.'"
    if value.startswith("."):
        return "starts with '.' (a hidden file name)"
    if not value.isprintable():  # every INVISIBLE_CATEGORIES character makes str.isprintable() False
        for ch in value:
            category = unicodedata.category(ch)
            if category in INVISIBLE_CATEGORIES:
                what = "a control character" if category == "Cc" else "an invisible or format character"
                return f"contains {what} (U+{ord(ch):04X})"
    limit = MAX_ID_BYTES - reserved_bytes
    size = len(value.encode("utf-8"))
    if size > limit:
        return f"longer than {limit} bytes ({size} bytes in UTF-8)"
    return None


def check_id(value: Any, what: str, *, reserved_bytes: int = 0) -> str:
    """``value`` when it is a valid id, else ValueError("invalid <what>: <problem>")."""
    problem = id_problem(value, reserved_bytes=reserved_bytes)
    if problem:
        raise ValueError(f"invalid {what}: {problem}")
    return value
