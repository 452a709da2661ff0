"""Where records live under the vault root (SPEC §5, with the partition's date), and ids.

    private_memory/YYYY/MM/DD/<memory_id>.json     one private memory (JSON wrapper)
    private_memory/YYYY/MM/DD/index.json           that day's retrieval index (nothing secret)
    conversation_backups/<conversation_id[:8]>/<backup_id>.enc
    codebase_copies/...                            helper C's snapshot store
    vault.json                                     vault id, format version, sealed naming secret

Every path part derived from data goes through ``safe_part``: the one id rule of ``ids.py``.
"""

from __future__ import annotations

import datetime as dt
import re

from resources.vault.ids import check_id, id_problem, timestamp_problem

PRIVATE_DIR = "private_memory"
CONVERSATIONS_DIR = "conversation_backups"
CODEBASE_DIR = "codebase_copies"
VAULT_FILE = "vault.json"
INDEX_FILE = "index.json"

KIND_PRIVATE = "private_memory"          # envelope kind of a private memory
KIND_CONVERSATION = "conversation_backup"  # envelope kind of a conversation backup
KIND_NAMING = "vault_naming_secret"      # envelope kind of the sealed naming secret

MEMORY_ID_RE = re.compile(r"^private_(\d+)_([0-9a-f]{8})$")
BACKUP_ID_RE = re.compile(r"^conv_(.+)_(-?\d+)$")


def safe_part(value: str, what: str) -> str:
    """``value`` if it is valid as ONE path component (the project's id rule, ids.py), else ValueError
    naming ``what`` and the rule it breaks."""
    return check_id(value, what)


def day_parts(day: dt.date) -> tuple[str, str, str]:
    if not isinstance(day, dt.date):
        raise ValueError(f"invalid day: expected a date, got {type(day).__name__}")
    return f"{day.year:04d}", f"{day.month:02d}", f"{day.day:02d}"


def private_day_dir(day: dt.date) -> str:
    return "/".join((PRIVATE_DIR, *day_parts(day)))


def private_memory_path(day: dt.date, memory_id: str) -> str:
    return f"{private_day_dir(day)}/{safe_part(memory_id, 'memory id')}.json"


def private_index_path(day: dt.date) -> str:
    return f"{private_day_dir(day)}/{INDEX_FILE}"


def check_timestamp(timestamp: float, what: str = "timestamp") -> float:
    """``timestamp`` when it is in the accepted range (ids.py), else ValueError naming the range."""
    problem = timestamp_problem(timestamp)
    if problem:
        raise ValueError(f"invalid {what}: {problem}")
    return timestamp


def epoch_ms(timestamp: float) -> int:
    """Epoch milliseconds (floor) of an accepted timestamp: a non-negative integer of at most 15 digits."""
    return int(check_timestamp(timestamp) * 1000)


def day_of_epoch_ms(ms: int) -> dt.date | None:
    """The UTC date of epoch milliseconds, or None when no date can name it."""
    try:
        return (dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(milliseconds=ms)).date()
    except OverflowError:
        return None


def memory_id(timestamp: float, digest8: str) -> str:
    """``private_<epoch ms of the item timestamp>_<8 hex>``."""
    return safe_part(f"private_{epoch_ms(timestamp)}_{digest8}", "memory id")


def backup_id(conversation_id: str, timestamp: float) -> str:
    """``conv_<conversation_id>_<epoch s of the conversation timestamp>``."""
    safe_part(conversation_id, "conversation id")
    check_timestamp(timestamp, "timestamp of a conversation")
    return safe_part(f"conv_{conversation_id}_{int(timestamp)}", "backup id")


def backup_id_problem(conversation_id: str, timestamp: float) -> str | None:
    """Why the vault could not back up a conversation with this id and timestamp, or None: the same
    rule ``backup_id`` enforces, so the landing contract quarantines what the vault would refuse."""
    problem = id_problem(conversation_id)
    if problem:
        return problem
    problem = timestamp_problem(timestamp)
    if problem:
        return f"timestamp for its backup name: {problem}"
    problem = id_problem(f"conv_{conversation_id}_{int(timestamp)}")
    return f"its backup name conv_<id>_<epoch s> is {problem}" if problem else None


def conversation_backup_path(conversation_id: str, backup_id_: str) -> str:
    prefix = safe_part(safe_part(conversation_id, "conversation id")[:8], "conversation id prefix")
    return f"{CONVERSATIONS_DIR}/{prefix}/{safe_part(backup_id_, 'backup id')}.enc"


def conversation_path_for_backup_id(backup_id_: str) -> str | None:
    m = BACKUP_ID_RE.match(backup_id_)
    if not m:
        return None
    return conversation_backup_path(m.group(1), backup_id_)


def day_of_private_path(rel: str) -> dt.date | None:
    """The date folder of ``private_memory/YYYY/MM/DD/...``, or None."""
    parts = rel.split("/")
    if len(parts) < 5 or parts[0] != PRIVATE_DIR:
        return None
    try:
        return dt.date(int(parts[1]), int(parts[2]), int(parts[3]))
    except ValueError:
        return None
