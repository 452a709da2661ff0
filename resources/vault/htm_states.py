"""HTM states in the vault: one sealed file per day, `htm_state/YYYY-MM/YYYY-MM-DD.enc`.

The bytes are whatever the HTM engine saved (safetensors, `mira_assets.domain.htm.HTMState.to_bytes`); this
store only names, seals, lists and opens them. Each file is a vault record of kind "htm_state" whose id is
its day, so a file copied to another day fails to open. Writes are atomic, and the same state always gives
the same file bytes (the envelope is deterministic), so a rerun that computes the same state is a no-op.
`VAULT_HOSTED` hands these files to `mira vault verify` and `mira vault rotate`. Framework-free.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from resources.vault.atomic import atomic_write
from resources.vault.errors import VaultError, VaultIntegrityError
from resources.vault.store import HostedStore, Vault

STATE_DIR = "htm_state"
STATE_KIND = "htm_state"
_FILE_RE = re.compile(r"^(\d{4})-(\d{2})/(\d{4})-(\d{2})-(\d{2})\.enc$")


def state_rel(day: dt.date) -> str:
    """The state file of `day`, relative to the vault root."""
    return f"{STATE_DIR}/{day.year:04d}-{day.month:02d}/{day.isoformat()}.enc"


def _day_of(rel_to_state_dir: str) -> dt.date | None:
    """The day a file below htm_state/ holds, or None when its name is not a state file's."""
    m = _FILE_RE.match(rel_to_state_dir)
    if not m or m.group(1, 2) != m.group(3, 4):
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(4)), int(m.group(5)))
    except ValueError:
        return None


class HTMStateFiles:
    """The HTM state files of one vault."""

    def __init__(self, vault: Vault):
        self.vault = vault
        self.root = Path(vault.root) / STATE_DIR

    def path(self, day: dt.date) -> Path:
        return Path(self.vault.root) / state_rel(day)

    def days(self) -> list[dt.date]:
        """Every day that has a state file, in order."""
        if not self.root.is_dir():
            return []
        found = {_day_of(p.relative_to(self.root).as_posix()) for p in self.root.glob("*/*.enc")}
        return sorted(d for d in found if d is not None)

    def read(self, day: dt.date) -> bytes:
        """The state bytes of `day`; VaultError naming the file when it is missing or does not open."""
        rel = state_rel(day)
        try:
            blob = self.path(day).read_bytes()
        except FileNotFoundError:
            raise VaultError(f"{rel}: no HTM state for {day.isoformat()}") from None
        return self.vault.unseal_at(rel, blob, kind=STATE_KIND, record_id=day.isoformat())

    def write(self, day: dt.date, state: bytes) -> bool:
        """Seal and write the state of `day` atomically; False when the identical file was already there."""
        return atomic_write(self.path(day), self.vault.seal(state, kind=STATE_KIND, record_id=day.isoformat()))


def _file_day(vault: Vault, path: Path) -> dt.date:
    day = _day_of(Path(path).relative_to(Path(vault.root) / STATE_DIR).as_posix())
    if day is None:
        raise VaultIntegrityError("unexpected file in htm_state (expected YYYY-MM/YYYY-MM-DD.enc)")
    return day


def verify_file(vault: Vault, path: Path) -> None:
    """Raise (reason only) when a file under htm_state/ is not a state file that opens under its day."""
    day = _file_day(vault, path)
    vault.unseal(Path(path).read_bytes(), kind=STATE_KIND, record_id=day.isoformat())


def rotate_file(vault: Vault, path: Path) -> bool:
    """Re-seal a state file under the active key; False when it already is."""
    return vault.reseal_file(path, kind=STATE_KIND, record_id=_file_day(vault, path).isoformat())


# The vault hands its files under htm_state/ to these (passed explicitly: resources/hosted_stores.py).
VAULT_HOSTED = HostedStore(STATE_DIR + "/", verify_file, rotate_file)
