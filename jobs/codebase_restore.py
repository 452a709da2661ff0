"""Restore a codebase snapshot into a folder, from the UI."""


import dagster as dg

from mira_assets.markdown import problems_table
from resources.vault_resource import VaultResource


class CodebaseRestoreConfig(dg.Config):
    snapshot_id: str
    """Snapshot to restore (see `mira codebase list`)."""
    dest: str
    """Destination folder; must be empty unless `force`."""
    force: bool = False
    """Write into a non-empty folder (files at the same paths are replaced)."""


@dg.op(description="Restore a codebase snapshot byte-exact into a folder, verifying every chunk.")
def restore_codebase_snapshot(context: dg.OpExecutionContext, config: CodebaseRestoreConfig, vault: VaultResource) -> None:
    from resources.codebase.restorer import restore
    from resources.codebase.store import CodebaseError, CodebaseStore

    store = CodebaseStore(vault.get_vault())
    try:
        result = restore(store, config.snapshot_id, config.dest, force=config.force)
    except CodebaseError as e:
        problems = getattr(e, "problems", [])
        raise dg.Failure(
            description=str(e),
            metadata={"bad_files": dg.MetadataValue.md(problems_table((p.path, p.reason) for p in problems))}
            if problems else {},
        ) from None
    context.add_output_metadata({"snapshot_id": config.snapshot_id, "dest": config.dest, "files": result.files,
                                 "dirs": result.dirs, "links": result.links, "bytes": result.bytes})


@dg.job(description="Restore a codebase snapshot (run config: snapshot_id, dest, force).")
def restore_codebase_job():
    restore_codebase_snapshot()
