"""`vault verify`: decrypt every file under the vault root and name each one that fails, and why.

Private memories (their plain fields against the sealed copy), their day indexes (against the day's files),
conversation backups and vault.json are checked here; files that a hosted store keeps under the root (the
codebase store's `codebase_copies/`, the HTM states' `htm_state/`) by that store's verifier.
Nothing is repaired. A part of `Vault` (store.py); framework-free.
"""

from __future__ import annotations

import json
import os

from resources.vault import layout
from resources.vault.errors import VaultError, VaultIntegrityError
from resources.vault.records import READABLE_VERSIONS, Progress, VerifyProblem, canonical_json

INDEXED_FIELDS = ("kind", "timestamp", "metadata")


class VaultChecker:
    """`verify` (a mixin of `Vault`)."""

    def _check_index(self, rel: str) -> list[VerifyProblem]:
        """The day's index against the day's files: every entry has its file and the file's (authenticated)
        kind, timestamp and metadata; every record file has an entry. One problem per record, naming it."""
        try:
            doc = json.loads(self.abspath(rel).read_bytes())
            records = doc["records"]
            if not isinstance(records, list):
                raise ValueError
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return [VerifyProblem(rel, "index is not valid JSON of the index format")]
        day_dir = rel.rsplit("/", 1)[0]
        problems: list[VerifyProblem] = []
        listed: set[str] = set()
        for entry in records:
            rid = entry.get("id") if isinstance(entry, dict) else None
            path = entry.get("path") if isinstance(entry, dict) else None
            if not isinstance(rid, str) or path != f"{day_dir}/{rid}.json":
                problems.append(VerifyProblem(rel, f"entry {rid!r} does not name a record of this day", rid))
                continue
            listed.add(rid)
            try:
                wrapper = json.loads(self.abspath(path).read_bytes())
            except FileNotFoundError:
                problems.append(VerifyProblem(rel, f"lists {rid}, whose file {path} is missing", rid))
                continue
            except (ValueError, UnicodeDecodeError):
                continue  # the file itself is reported by its own check
            differ = [f for f in INDEXED_FIELDS if not isinstance(wrapper, dict)
                      or canonical_json(entry.get(f)) != canonical_json(wrapper.get(f))]
            if differ:
                problems.append(VerifyProblem(rel, f"entry of {rid}: {', '.join(differ)} differ(s) from the record", rid))
        for name in sorted(os.listdir(self.abspath(day_dir))):
            if name.endswith(".json") and name != layout.INDEX_FILE and not name.startswith(".") \
                    and name[:-5] not in listed and self.current_wrapper(f"{day_dir}/{name}") is not None:
                problems.append(VerifyProblem(rel, f"does not list {name[:-5]} (file {day_dir}/{name})", name[:-5]))
        return problems

    def current_wrapper(self, rel: str) -> dict | None:
        """The wrapper of the private record file ``rel`` when it is of a readable version, else None (no such
        file, not a JSON object, or a MIRA 1.0 file awaiting import, which is reported on its own)."""
        try:
            wrapper = json.loads(self.abspath(rel).read_bytes())
            return wrapper if str(wrapper.get("encryption_version")) in READABLE_VERSIONS else None
        except (OSError, ValueError, AttributeError):
            return None

    def _hosted_files(self) -> list[str]:
        """Every file below codebase_copies/ and below each hosted store's prefix."""
        tops = sorted({layout.CODEBASE_DIR, *(h.prefix.rstrip("/") for h in self.hosted)})
        return [rel for top in tops for rel in self._walk(top)]

    def verify(self, progress: Progress | None = None) -> list[VerifyProblem]:
        """Decrypt every record under the vault and hold each day's index against its files; a list of
        problems, each naming its file (and record). A day folder's files against the day's manifest, which
        lives outside the vault root, are checked by manifest_checks.py."""
        problems: list[VerifyProblem] = []
        files: list[str] = []
        if self.naming.file.exists():
            files.append(layout.VAULT_FILE)
        files += self._record_files()
        files += self._hosted_files()
        total = len(files)
        for n, rel in enumerate(files, start=1):
            try:
                if rel.rsplit("/", 1)[-1] == layout.INDEX_FILE and rel.startswith(layout.PRIVATE_DIR + "/"):
                    problems += self._check_index(rel)
                else:
                    self._verify_one(rel)
            except VaultIntegrityError as e:
                problems.append(VerifyProblem(rel, e.reason, e.record_id))
            except VaultError as e:
                problems.append(VerifyProblem(rel, str(e).removeprefix(f"{rel}: ")))
            except Exception as e:  # a hosted store's verifier's error, or an unreadable file
                problems.append(VerifyProblem(rel, f"{type(e).__name__}: {e}"))
            if progress:
                progress(n, total)
        return problems

    def _verify_one(self, rel: str) -> None:
        name = rel.rsplit("/", 1)[-1]
        if rel == layout.VAULT_FILE:
            self.naming.verify()
        elif rel.startswith(layout.PRIVATE_DIR + "/"):
            if name.endswith(".json"):
                self._decode_private(rel, self.abspath(rel).read_bytes())
            else:
                raise VaultIntegrityError("unexpected file in private_memory", path=rel)
        elif rel.startswith(layout.CONVERSATIONS_DIR + "/"):
            if not name.endswith(".enc"):
                raise VaultIntegrityError("unexpected file in conversation_backups", path=rel)
            self._decode_conversation(rel, self.abspath(rel).read_bytes())
        else:
            hosted = self.hosted_store(rel)
            if hosted is not None:
                hosted.verify(self, self.abspath(rel))
            elif name.endswith(".enc"):
                raise VaultError(f"no hosted store verifies {rel.split('/', 1)[0]}/ (pass it to the Vault: "
                                 f"Vault(root, keyring, hosted=[...]))")
