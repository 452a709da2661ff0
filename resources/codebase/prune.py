"""Forget and prune (restic's `forget`/`prune`): drop snapshots by policy, then the chunks no one uses.

`forget` removes the .enc/.meta of snapshots the keep policy (`policy.py`) does not keep.
`prune` (exclusive lock: no snapshot is being written) reads every manifest on disk; if any
is unreadable it refuses and deletes nothing. Packs whose chunks are all in use stay, packs
with none in use go, mixed packs are repacked (the chunks in use copied, each one
authenticated, into new packs made durable before the old pack is deleted). A zstd
dictionary goes when no chunk left in the store needs it and no snapshot names it (the
next snapshot of that codebase would use it).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

from resources.codebase import dictionary as zd
from resources.codebase import manifest as mf
from resources.codebase.dictionary import DictionaryError
from resources.codebase.packs import PackWriter, iter_pack_ids, pack_paths, remove_pack
from resources.codebase.policy import apply_policy
from resources.codebase.store import (CodebaseError, CodebaseIntegrityError, CodebaseStore, Problem, Progress,
                                      SnapshotInfo)
from resources.vault.envelope import VaultError
from resources.vault.atomic import sweep_stale_temps


@dataclass
class PruneResult:
    deleted_chunks: int = 0
    deleted_bytes: int = 0
    kept_chunks: int = 0
    removed_temps: int = 0
    deleted_dicts: int = 0


def forget(store: CodebaseStore, *, keep_daily: int = 0, keep_weekly: int = 0, keep_monthly: int = 0,
           keep_last: int = 0, name: str | None = None,
           dry_run: bool = False) -> tuple[list[SnapshotInfo], list[SnapshotInfo]]:
    """Drop snapshots the policy does not keep (per codebase name). Returns (kept, removed)."""
    if keep_daily + keep_weekly + keep_monthly + keep_last <= 0:
        raise CodebaseError("refusing to forget every snapshot: give at least one --keep-* above 0")
    with store.lock(exclusive=True):
        snaps = store.list_snapshots(name)
        keep_ids = apply_policy(snaps, keep_daily=keep_daily, keep_weekly=keep_weekly,
                                keep_monthly=keep_monthly, keep_last=keep_last)
        kept = [s for s in snaps if s.snapshot_id in keep_ids]
        removed = [s for s in snaps if s.snapshot_id not in keep_ids]
        if not dry_run:
            for s in removed:
                for p in (s.meta_path, s.enc_path):
                    with contextlib.suppress(FileNotFoundError):
                        p.unlink()
    return kept, removed


def _referenced_chunks(store: CodebaseStore) -> set[str]:
    """Every chunk any manifest on disk uses; CodebaseIntegrityError if one cannot be read."""
    referenced: set[str] = set()
    bad = []
    for enc in store.manifest_files():
        try:
            header, entries = store.decode_manifest_blob(enc.read_bytes(), enc.stem, enc)
            referenced.update(c for c, _ in mf.tree_chunks(header))
            for e in entries:
                referenced.update(c for c, _ in e.chunks)
        except CodebaseIntegrityError as e:
            bad += e.problems
        except OSError as e:
            bad.append(Problem(store.rel(enc), f"unreadable ({e.strerror})"))
    if bad:
        raise CodebaseIntegrityError("prune refused (cannot tell which chunks are in use)", bad)
    return referenced


def prune(store: CodebaseStore, progress: Progress | None = None, dry_run: bool = False) -> PruneResult:
    """Delete chunks that no manifest on disk references. Aborts if any manifest is unreadable."""
    result = PruneResult()
    store.close()
    with store.lock(exclusive=True):
        store.index(reload=True)
        referenced = _referenced_chunks(store)
        index = store.index()
        if store.index_problems:
            raise CodebaseIntegrityError("prune refused (a pack index is unreadable)", store.index_problems)
        writer = PackWriter(store.root, store.vault, store.namer, sync=store.sync)
        drop: list[str] = []
        for pack_id in list(iter_pack_ids(store.root)):
            _, entries = store.pack_entries(pack_id)
            used = [e for e in entries if e[0] in referenced and index[e[0]].pack == pack_id]
            result.kept_chunks += len(used)
            unused = [e for e in entries if e not in used]
            result.deleted_chunks += len(unused)
            result.deleted_bytes += sum(e[2] for e in unused)
            if not unused:
                continue
            if used and not dry_run:  # repack the chunks still in use, checking each one
                pack_path = pack_paths(store.root, pack_id)[0]
                data = pack_path.read_bytes()
                for name, off, length, plain_len, dict_id in used:
                    blob = data[off:off + length]
                    try:
                        store.open_verified(blob, name, dict_id, plain_len)
                    except (VaultError, DictionaryError) as e:
                        reason = getattr(e, "reason", type(e).__name__)  # a VaultKeyError has no reason
                        raise CodebaseIntegrityError("prune refused", [Problem(store.rel(pack_path), f"chunk {name}: {reason}")]) from None
                    writer.add(name, blob, plain_len, dict_id)
            drop.append(pack_id)
            if progress:
                progress(1)
        if not dry_run:
            writer.flush()  # the new packs are durable before any old one goes
            for pack_id in drop:
                remove_pack(store.root, pack_id)
            result.removed_temps += _remove_leftovers(store)
            result.deleted_dicts = _remove_unused_dicts(store)  # reloads the index the new packs changed
    return result


def _remove_unused_dicts(store: CodebaseStore) -> int:
    """Delete dictionaries no indexed chunk needs and no snapshot's .meta names. Returns how many."""
    needed = {loc.dict_id for loc in store.index(reload=True).values() if loc.dict_id}
    needed |= {s.meta.get("dict") for s in store.list_snapshots()}
    removed = 0
    for dict_id in list(zd.iter_dict_ids(store.root)):
        if dict_id not in needed:
            with contextlib.suppress(FileNotFoundError):
                zd.dict_path(store.root, dict_id).unlink()
                removed += 1
    return removed


def _remove_leftovers(store: CodebaseStore) -> int:
    """Packs without an index and stale temps, left by interrupted runs. Returns the temps removed."""
    indexed = set(iter_pack_ids(store.root))
    for pack_id in list(iter_pack_ids(store.root, ".pack")):
        if pack_id not in indexed:
            remove_pack(store.root, pack_id)
    removed = 0
    if store.pack_root.is_dir():
        removed += sweep_stale_temps(store.pack_root)
        for sub in os.listdir(store.pack_root):
            if (store.pack_root / sub).is_dir():
                removed += sweep_stale_temps(store.pack_root / sub)
    return removed
