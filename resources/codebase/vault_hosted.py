"""How `mira vault verify` and `mira vault rotate` handle the files under codebase_copies/.

They walk every file under the vault root and hand the ones under `codebase_copies/` to
`verify_file` (raise VaultIntegrityError naming the reason) and `rotate_file` (re-seal
under the active key; True if anything changed): `VAULT_HOSTED`, given to the vault by
`resources/hosted_stores.py`.
"""

from __future__ import annotations

import json
from pathlib import Path

from resources.codebase import manifest as mf
from resources.codebase.checker import check_pack
from resources.codebase.dictionary import CHUNK_DICT_KIND, DICT_DIR, DICT_KIND, DictionaryError
from resources.codebase.packs import PACK_DIR, PACK_KIND, PackWriter, pack_paths, remove_pack
from resources.codebase.store import (CHUNK_KIND, MANIFEST_KIND, MONTH_RE, STORE_DIR, CodebaseIntegrityError,
                                      CodebaseStore)
from resources.vault.envelope import VaultIntegrityError, record_key_id
from resources.vault.store import HostedStore


def _classify(vault, path: Path) -> tuple[str, str]:
    """("pack"|"index"|"dict"|"manifest"|"meta"|"other", id) of a file under codebase_copies/."""
    rel = Path(path).relative_to(Path(vault.root) / STORE_DIR).parts
    if len(rel) == 2 and rel[0] == DICT_DIR and rel[1].endswith(".dict"):
        return "dict", rel[1][:-5]
    if len(rel) == 3 and rel[0] == PACK_DIR and rel[2][:2] == rel[1]:
        if rel[2].endswith(".pack"):
            return "pack", rel[2][:-5]
        if rel[2].endswith(".idx"):
            return "index", rel[2][:-4]
    if len(rel) == 2 and MONTH_RE.match(rel[0]):
        if rel[1].endswith(".enc"):
            return "manifest", rel[1][:-4]
        if rel[1].endswith(".meta"):
            return "meta", rel[1][:-5]
    return "other", ""


def verify_file(vault, path: Path) -> None:
    """Raise VaultIntegrityError (reason only) if one file of the codebase store is bad."""
    what, rid = _classify(vault, path)
    store = CodebaseStore(vault)
    if what == "pack":
        if not pack_paths(store.root, rid)[1].exists():
            return  # no index: left by an interrupted run, unused; prune removes it
        problems = [p for p in check_pack(store, rid)  # a damaged dictionary is named when its own file is checked
                    if p.path == store.rel(path) or (p.path.endswith(".dict") and not (store.vault_root / p.path).exists())]
        if problems:
            raise VaultIntegrityError("; ".join(p.reason if p.path == store.rel(path) else f"{p.path}: {p.reason}"
                                                for p in problems[:3])
                                      + (f"; and {len(problems) - 3} more" if len(problems) > 3 else ""))
    elif what == "index":
        size, entries = store.pack_entries(rid)
        pack = pack_paths(store.root, rid)[0]
        if not pack.exists():
            raise VaultIntegrityError(f"its pack {pack.name} is missing ({len(entries)} chunk(s))")
        if pack.stat().st_size != size:
            raise VaultIntegrityError(f"its pack is {pack.stat().st_size} bytes, the index says {size}")
    elif what == "dict":
        try:
            store.dictionary(rid)
        except DictionaryError as e:
            raise VaultIntegrityError(f"zstd dictionary: {e.reason}") from None
    elif what == "manifest":
        vault.unseal(Path(path).read_bytes(), kind=MANIFEST_KIND, record_id=rid)  # raises naming the reason
        try:
            header, entries = store.decode_manifest_blob(Path(path).read_bytes(), rid, Path(path))
        except CodebaseIntegrityError as e:
            raise VaultIntegrityError("; ".join(str(p) for p in e.problems[:3])) from None
        index = store.index()
        missing = [n for n in mf.unique_chunks(entries) if n not in index]
        if missing:
            raise VaultIntegrityError(f"manifest references {len(missing)} missing chunk(s), e.g. {missing[0]}")
    elif what == "meta":
        try:
            meta = json.loads(Path(path).read_text("utf-8"))
            if meta["snapshot_id"] != rid:
                raise ValueError
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise VaultIntegrityError("snapshot .meta is not valid JSON naming this snapshot") from None
        if not Path(path).with_suffix(".enc").exists():
            raise VaultIntegrityError("snapshot .meta has no manifest (.enc)")
    else:
        raise VaultIntegrityError("unexpected file in codebase_copies")


def rotate_file(vault, path: Path) -> bool:
    """Re-seal a manifest, pack index, dictionary or pack under the active key; True if anything changed."""
    what, rid = _classify(vault, path)
    path = Path(path)
    if not path.exists():
        return False  # a pack rotated a moment ago took its index with it
    active = vault.keyring.active_id
    if what in ("manifest", "index", "dict"):
        kind = {"manifest": MANIFEST_KIND, "index": PACK_KIND, "dict": DICT_KIND}[what]
        return vault.reseal_file(path, kind=kind, record_id=rid)
    if what == "pack":
        store = CodebaseStore(vault)
        if not pack_paths(store.root, rid)[1].exists():
            return False
        _, entries = store.pack_entries(rid)
        data = path.read_bytes()
        if all(record_key_id(data[o:o + ln]) == active for _, o, ln, _, _ in entries):
            return False
        with store.lock(exclusive=True):
            writer = PackWriter(store.root, vault, store.namer, sync=store.sync)
            for name, off, length, plain_len, dict_id in entries:
                blob = data[off:off + length]
                if dict_id is None:
                    blob = store.seal_chunk(vault.unseal(blob, kind=CHUNK_KIND, record_id=name), name)[0]
                else:  # the zstd frame stays as it is: only its sealing changes
                    frame = vault.unseal(blob, kind=CHUNK_DICT_KIND, record_id=name)
                    blob = vault.seal(frame, kind=CHUNK_DICT_KIND, record_id=name, compress=False)
                writer.add(name, blob, plain_len, dict_id)
            writer.flush()
            remove_pack(store.root, rid)
        return True
    return False


# The vault hands its files under codebase_copies/ to these (passed explicitly: resources/hosted_stores.py).
VAULT_HOSTED = HostedStore(STORE_DIR + "/", verify_file, rotate_file)
