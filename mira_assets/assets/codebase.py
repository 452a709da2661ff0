"""Codebase snapshots: each configured codebase, once a day, deduplicated and encrypted in the vault."""


import time

import dagster as dg

from mira_assets.partitions import daily_partitions
from resources.codebase.store import CodebaseStore, DiffItem, SnapshotInfo
from resources.codebase_resource import CodebasesResource
from resources.vault_resource import VaultResource

CHECK_NAME = "snapshot_decrypts"
MAX_CHANGED_ROWS = 25


def snapshot_id_for(name: str, day: str) -> str:
    """The id of a codebase's snapshot for one partition day (a rerun replaces it)."""
    return f"{name}_{day}"


def _previous(store: CodebaseStore, name: str, day: str) -> SnapshotInfo | None:
    earlier = [s for s in store.list_snapshots(name) if s.day < day]
    return earlier[-1] if earlier else None


def _changed_table(rows: list[tuple[str, DiffItem]], total: int) -> str:
    if not rows:
        return "no changes since the previous snapshot"
    lines = ["| codebase | change | path |", "|---|---|---|"]
    label = {"A": "added", "D": "removed", "M": "modified", "T": "type changed", "P": "mode changed"}
    for name, item in rows[:MAX_CHANGED_ROWS]:
        path = item.path.replace("|", "\\|")
        lines.append(f"| {name} | {label[item.status]} | `{path}` |")
    if total > MAX_CHANGED_ROWS:
        lines.append(f"\n…and {total - MAX_CHANGED_ROWS} more")
    return "\n".join(lines)


@dg.asset(
    partitions_def=daily_partitions,
    group_name="codebase",
    kinds={"vault"},
    check_specs=[dg.AssetCheckSpec(CHECK_NAME, asset="codebase_snapshots",
                                   description="The day's manifests and every chunk they reference exist and decrypt.")],
)
def codebase_snapshots(
    context: dg.AssetExecutionContext, vault: VaultResource, codebases: CodebasesResource
) -> dg.MaterializeResult:
    """One deduplicated, encrypted snapshot per configured codebase for the partition day.

    Re-running a day on an unchanged tree writes nothing; on a changed tree it replaces
    that day's snapshot. Metadata: dedup_ratio = share of the tree's bytes already in
    the store; compression_ratio = plaintext / stored bytes of the chunks it uses.
    """
    started = time.perf_counter()
    day = context.partition_key
    store = CodebaseStore(vault.get_vault())
    totals = {"files": 0, "bytes": 0, "new_bytes": 0, "new_plain": 0, "stored": 0, "unique": 0, "chunk_stored": 0}
    rows, changed, n_changed, ids, unchanged = [], [], 0, [], 0
    for spec in codebases.get_codebases():
        sid = snapshot_id_for(spec.name, day)
        prev = _previous(store, spec.name, day)
        res = store.snapshot(spec.path, name=spec.name, snapshot_id=sid, day=day, excludes=spec.excludes)
        m = res.info.meta
        ids.append(sid)
        unchanged += res.unchanged
        new_bytes = 0 if res.unchanged else m["new_bytes"]
        new_plain = 0 if res.unchanged else m["new_plain_bytes"]
        totals["files"] += m["file_count"]
        totals["bytes"] += m["total_size"]
        totals["new_bytes"] += new_bytes
        totals["new_plain"] += new_plain
        totals["stored"] += m["stored_bytes"]
        totals["unique"] += m["unique_size"]
        totals["chunk_stored"] += m["stored_bytes"] - m["manifest_bytes"]
        diff = store.diff(prev.snapshot_id, sid) if prev else []
        n_changed += len(diff)
        changed += [(spec.name, d) for d in diff]
        rows.append(f"| {spec.name} | `{sid}` | {m['file_count']} | {m['total_size']} | {new_bytes} | "
                    f"{len(diff) if prev else 'first'} | {'unchanged' if res.unchanged else 'written'} |")
        context.log.info(f"codebase {spec.name}: snapshot {sid} "
                         f"({'unchanged' if res.unchanged else 'written'}, {m['file_count']} files)")

    problems = []
    checked = 0
    for sid in ids:
        problems += store.verify_snapshot(sid)
        checked += 1
    table = "\n".join(["| codebase | snapshot | files | bytes | new bytes | changed paths | state |",
                       "|---|---|---|---|---|---|---|", *rows])
    bad = "\n".join(f"| `{p.path}` | {p.reason} |" for p in problems[:50])
    return dg.MaterializeResult(
        metadata={
            "snapshots": dg.MetadataValue.md(table),
            "snapshot_ids": ", ".join(ids),
            "files": totals["files"],
            "bytes": totals["bytes"],
            "new_bytes": totals["new_bytes"],
            "stored_bytes": totals["stored"],
            "dedup_ratio": round(1 - totals["new_plain"] / totals["bytes"], 4) if totals["bytes"] else 1.0,
            "compression_ratio": round(totals["unique"] / totals["chunk_stored"], 3) if totals["chunk_stored"] else 1.0,
            "unchanged_snapshots": unchanged,
            "changed_paths_count": n_changed,
            "changed_paths": dg.MetadataValue.md(_changed_table(changed, n_changed)),
            "duration_s": round(time.perf_counter() - started, 3),
        },
        check_results=[dg.AssetCheckResult(
            check_name=CHECK_NAME,
            passed=not problems,
            metadata={"snapshots_checked": checked, "bad_files": len(problems),
                      **({"problems": dg.MetadataValue.md("| file | problem |\n|---|---|\n" + bad)} if problems else {})},
        )],
    )
