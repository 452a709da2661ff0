"""`vault verify`: decrypt every file under the vault root and name each one that fails, and why.

Private memories, their day indexes, conversation backups and vault.json are checked here; files that a
hosted store keeps under the root (the codebase store's `codebase_copies/`, the HTM states' `htm_state/`)
by that store's verifier.
Nothing is repaired. A part of `Vault` (store.py); framework-free.
"""

from __future__ import annotations

import json

from resources.vault import layout
from resources.vault.errors import VaultError, VaultIntegrityError
from resources.vault.records import Progress, VerifyProblem


class VaultChecker:
    """`verify` (a mixin of `Vault`)."""

    def _check_index(self, rel: str) -> None:
        try:
            doc = json.loads(self.abspath(rel).read_bytes())
            records = doc["records"]
            if not isinstance(records, list):
                raise ValueError
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise VaultIntegrityError("index is not valid JSON of the index format", path=rel) from None
        missing = [e.get("id") for e in records
                   if not isinstance(e, dict) or not isinstance(e.get("path"), str)
                   or not self.abspath(e["path"]).is_file()]
        if missing:
            raise VaultIntegrityError(f"index lists {len(missing)} record(s) with no file, e.g. {missing[0]}", path=rel)

    def _hosted_files(self) -> list[str]:
        """Every file below codebase_copies/ and below each hosted store's prefix."""
        tops = sorted({layout.CODEBASE_DIR, *(h.prefix.rstrip("/") for h in self.hosted)})
        return [rel for top in tops for rel in self._walk(top)]

    def verify(self, progress: Progress | None = None) -> list[VerifyProblem]:
        """Decrypt every record under the vault; a list of problems, each naming its file."""
        problems: list[VerifyProblem] = []
        files: list[str] = []
        if self.naming.file.exists():
            files.append(layout.VAULT_FILE)
        files += self._record_files()
        files += self._hosted_files()
        total = len(files)
        for n, rel in enumerate(files, start=1):
            try:
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
            if name == layout.INDEX_FILE:
                self._check_index(rel)
            elif name.endswith(".json"):
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
