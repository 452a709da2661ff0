"""Codebase snapshots: each configured codebase, once a day, deduplicated and encrypted in the vault."""


import time

import dagster as dg

from mira_assets.assets.checks import partitioned_check_spec
from mira_assets.markdown import problems_table
from resources.codebase import checker
from resources.codebase.daily import KEPT, NOT_CAPTURED, UNCHANGED, WRITTEN, snapshot_day
from resources.codebase.diff import DiffItem, diff
from resources.codebase.store import CodebaseStore, SnapshotInfo
from resources.codebase_resource import CodebasesResource
from resources.vault_resource import VaultResource

CHECK_NAME = "snapshot_decrypts"
MAX_CHANGED_ROWS = 25


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


def build_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    @dg.asset(
        partitions_def=partitions,
        group_name="codebase",
        kinds={"vault"},
        check_specs=[partitioned_check_spec(
            CHECK_NAME, "codebase_snapshots", partitions,
            description="The day's manifests and every chunk they reference exist and decrypt.")],
    )
    def codebase_snapshots(
        context: dg.AssetExecutionContext, vault: VaultResource, codebases: CodebasesResource
    ) -> dg.MaterializeResult:
        """One deduplicated, encrypted snapshot per configured codebase for the partition day.

        History is never rewritten (docs/codebase.md, "Which tree a day gets"): a past day of a
        git working tree is the tree of its last commit that day; a plain folder can stand only
        for today and yesterday (other days: not captured); a past day's snapshot is never
        replaced. Metadata: dedup_ratio = share of the tree's bytes already in the store;
        compression_ratio = plaintext / stored bytes of the chunks it uses.
        """
        started = time.perf_counter()
        day = context.partition_key
        now = codebases.now()
        store = CodebaseStore(vault.get_vault(), zstd_level=codebases.zstd_level)
        totals = {"files": 0, "bytes": 0, "new_bytes": 0, "new_plain": 0, "stored": 0, "unique": 0, "chunk_stored": 0}
        states = {WRITTEN: 0, UNCHANGED: 0, KEPT: 0, NOT_CAPTURED: 0}
        rows, changed, n_changed, ids = [], [], 0, []
        for spec in codebases.get_codebases():
            prev = _previous(store, spec.name, day)
            out = snapshot_day(store, spec, day, now=now)
            states[out.state] += 1
            commit = f"`{out.commit[:12]}`" if out.commit else "-"
            context.log.info(f"codebase {spec.name}: snapshot {out.snapshot_id}: {out.reason}")
            if out.info is None:
                rows.append(f"| {spec.name} | `{out.snapshot_id}` | - | - | 0 | - | {commit} | "
                            f"{out.state}: {out.reason} |")
                continue
            m = out.info.meta
            ids.append(out.snapshot_id)
            new_bytes = m["new_bytes"] if out.state == WRITTEN else 0
            new_plain = m["new_plain_bytes"] if out.state == WRITTEN else 0
            totals["files"] += m["file_count"]
            totals["bytes"] += m["total_size"]
            totals["new_bytes"] += new_bytes
            totals["new_plain"] += new_plain
            totals["stored"] += m["stored_bytes"]
            totals["unique"] += m["unique_size"]
            totals["chunk_stored"] += m["stored_bytes"] - m["manifest_bytes"]
            changes = diff(store, prev.snapshot_id, out.snapshot_id) if prev else []
            n_changed += len(changes)
            changed += [(spec.name, d) for d in changes]
            rows.append(f"| {spec.name} | `{out.snapshot_id}` | {m['file_count']} | {m['total_size']} | {new_bytes} | "
                        f"{len(changes) if prev else 'first'} | {commit} | {out.state} |")

        problems = []
        for sid in ids:
            problems += checker.verify_snapshot(store, sid)
        table = "\n".join(["| codebase | snapshot | files | bytes | new bytes | changed paths | commit | state |",
                           "|---|---|---|---|---|---|---|---|", *rows])
        return dg.MaterializeResult(
            metadata={
                "snapshots": dg.MetadataValue.md(table),
                "snapshot_ids": ", ".join(ids),
                "files": totals["files"],
                "bytes": totals["bytes"],
                "new_bytes": totals["new_bytes"],
                "stored_bytes": totals["stored"],
                "dedup_ratio": round(1 - totals["new_plain"] / totals["bytes"], 4) if totals["bytes"] else 1.0,
                "compression_ratio": (round(totals["unique"] / totals["chunk_stored"], 3)
                                      if totals["chunk_stored"] else 1.0),
                "written_snapshots": states[WRITTEN],
                "unchanged_snapshots": states[UNCHANGED],
                "kept_snapshots": states[KEPT],
                "not_captured": states[NOT_CAPTURED],
                "changed_paths_count": n_changed,
                "changed_paths": dg.MetadataValue.md(_changed_table(changed, n_changed)),
                "duration_s": round(time.perf_counter() - started, 3),
            },
            check_results=[dg.AssetCheckResult(
                check_name=CHECK_NAME,
                passed=not problems,
                metadata={"snapshots_checked": len(ids), "bad_files": len(problems),
                          "not_captured": states[NOT_CAPTURED],
                          **({"problems": dg.MetadataValue.md(
                              problems_table(((p.path, p.reason) for p in problems), limit=50))} if problems else {})},
            )],
        )

    return [codebase_snapshots]
