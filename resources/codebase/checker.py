"""Checking snapshots and packs (restic's checker): every manifest, tree chunk and content chunk decrypts.

`verify_snapshot` reads one snapshot's manifest and every chunk it references; `verify`
the whole store: every manifest on disk (and its .meta), every zstd dictionary, every pack
index, every chunk in every pack (authentic, name matches content, inside the pack) and
every referenced chunk indexed. Each problem names the file (relative to the vault root) and the tree paths
that use it.
"""

from __future__ import annotations

import concurrent.futures as cf
import json

from resources.codebase import dictionary as zd
from resources.codebase import manifest as mf
from resources.codebase.dictionary import DictionaryError
from resources.codebase.packs import PACK_DIR, iter_pack_ids, pack_paths
from resources.codebase.store import (INDEX_ERRORS, STORE_DIR, ChunkProblem, CodebaseIntegrityError, CodebaseStore, Problem,
                                      Progress)
from resources.vault.envelope import VaultError, VaultIntegrityError


def verify_snapshot(store: CodebaseStore, snapshot_id: str, progress: Progress | None = None) -> list[Problem]:
    """Problems with the snapshot's manifest or any chunk it references (each decrypted)."""
    store.close()
    store.index(reload=True)
    try:
        info = store.get(snapshot_id)
        header, entries = store.read_manifest(info)
    except CodebaseIntegrityError as e:
        return e.problems
    users: dict[str, list[str]] = {}
    lengths: dict[str, int] = {}
    for cname, length in mf.tree_chunks(header):
        users.setdefault(cname, []).append(f"tree of {snapshot_id}")
        lengths[cname] = length
    for e in entries:
        for cname, length in e.chunks:
            users.setdefault(cname, []).append(e.display)
            lengths[cname] = length
    try:
        return _check_chunks(store, lengths, users, progress)
    finally:
        store.close()


def _check_chunks(store: CodebaseStore, lengths: dict[str, int], users: dict[str, list[str]],
                  progress: Progress | None) -> list[Problem]:
    problems: list[Problem] = []

    def check(cname: str) -> Problem | None:
        try:
            store.read_chunk(cname, lengths[cname])
        except ChunkProblem as cp:
            return Problem(cp.problem.path, cp.problem.reason, tuple(users.get(cname, ())))
        return None

    with cf.ThreadPoolExecutor(store.workers, thread_name_prefix="mira-verify") as pool:
        for p in pool.map(check, sorted(lengths)):
            if p is not None:
                problems.append(p)
            if progress:
                progress(1)
    return problems


def verify(store: CodebaseStore, progress: Progress | None = None) -> list[Problem]:
    """Every manifest and every chunk file of the store: decrypts, matches its name, present when referenced."""
    store.close()
    store.index(reload=True)
    problems: list[Problem] = []
    referenced: dict[str, list[str]] = {}
    for enc in store.manifest_files():
        sid = enc.stem
        try:
            header, entries = store.decode_manifest_blob(enc.read_bytes(), sid, enc)
            for cname, _ in mf.tree_chunks(header):
                referenced.setdefault(cname, []).append(f"tree of {sid}")
            for e in entries:
                for cname, _ in e.chunks:
                    referenced.setdefault(cname, []).append(f"{sid}:{e.display}")
        except CodebaseIntegrityError as e:
            problems += [p for p in e.problems if "/chunks/" not in p.path]  # chunk problems come below
            if all("/chunks/" in p.path for p in e.problems):
                problems.append(Problem(store.rel(enc), "tree unreadable: " + "; ".join(str(p) for p in e.problems)))
        except OSError as e:
            problems.append(Problem(store.rel(enc), f"unreadable ({e.strerror})"))
        meta = enc.with_suffix(".meta")
        try:
            json.loads(meta.read_text("utf-8"))["snapshot_id"]
        except FileNotFoundError:
            problems.append(Problem(store.rel(meta), "meta file missing (snapshot not listed)"))
        except (ValueError, KeyError, TypeError, OSError):
            problems.append(Problem(store.rel(meta), "meta file unreadable"))
    index = store.index(reload=True)
    problems += store.index_problems
    for dict_id in zd.iter_dict_ids(store.root):
        try:
            store.dictionary(dict_id)
        except DictionaryError as e:
            problems.append(Problem(store.dict_where(dict_id), f"zstd dictionary: {e.reason}"))
    for pack_id in iter_pack_ids(store.root):
        problems += check_pack(store, pack_id, referenced)
        if progress:
            progress(1)
    problems = _merge_by_path(problems)
    for cname in sorted(set(referenced) - set(index)):
        problems.append(Problem(f"{STORE_DIR}/{PACK_DIR}: chunk {cname}", "chunk missing (no pack index lists it)",
                                tuple(referenced[cname][:5])))
    return problems


def check_pack(store: CodebaseStore, pack_id: str, users: dict[str, list[str]] | None = None) -> list[Problem]:
    """Every chunk a pack's index lists: present, authentic, matching its name."""
    pack_path = pack_paths(store.root, pack_id)[0]
    where = store.rel(pack_path)
    try:
        size, entries = store.pack_entries(pack_id)
    except INDEX_ERRORS as e:
        return [store.index_problem(pack_id, e)]
    try:
        data = pack_path.read_bytes()
    except FileNotFoundError:
        return [Problem(where, f"pack missing (its index lists {len(entries)} chunk(s))")]
    problems = []
    if len(data) != size:
        problems.append(Problem(where, f"pack is {len(data)} bytes, its index says {size}"))
    broken_dicts: dict[str, list] = {}  # dict id -> [reason, chunks needing it, tree paths]
    for name, off, length, plain_len, dict_id in entries:
        files = tuple((users or {}).get(name, ())[:5])
        blob = data[off:off + length]
        try:
            if len(blob) != length:
                raise VaultIntegrityError("truncated")
            plain = store.open_verified(blob, name, dict_id, plain_len)
            if len(plain) != plain_len:
                raise VaultIntegrityError("content does not match its name")
        except VaultError as e:
            problems.append(Problem(where, f"chunk {name} at offset {off}: {getattr(e, 'reason', type(e).__name__)}", files))
        except DictionaryError as e:
            if e.dict_id is None:
                problems.append(Problem(where, f"chunk {name} at offset {off}: {e.reason}", files))
            else:  # the dictionary itself: one problem naming its file, not one per chunk
                broken = broken_dicts.setdefault(e.dict_id, [e.reason, 0, []])
                broken[1] += 1
                broken[2] += [f for f in files if len(broken[2]) < 5]
    for dict_id, (reason, count, files) in broken_dicts.items():
        problems.append(Problem(store.dict_where(dict_id), f"zstd dictionary: {reason} "
                                                           f"({count} chunk(s) of {pack_path.name} need it)", tuple(files)))
    return problems


def _merge_by_path(problems: list[Problem]) -> list[Problem]:
    """One problem per damaged dictionary (each pack that needs it reports it too)."""
    out: list[Problem] = []
    seen: dict[str, int] = {}
    for p in problems:
        if "/" + zd.DICT_DIR + "/" not in p.path:
            out.append(p)
        elif p.path not in seen:
            seen[p.path] = len(out)
            out.append(p)
        else:
            first = out[seen[p.path]]
            out[seen[p.path]] = Problem(first.path, first.reason, (first.files + p.files)[:5])
    return out
