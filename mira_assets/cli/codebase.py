"""`mira codebase ...`: snapshot, list, restore, diff and forget codebase snapshots.

Starts fast: imports only the framework-free store (no dagster, torch or chromadb).
The vault lives at $MIRA_DATA/databases/lightning_vidmem; its key comes from
MIRA_VAULT_KEY or MIRA_VAULT_KEY_FILE.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Iterator, List, Optional

import typer

from resources.data_root import DataLayout

app = typer.Typer(help="Deduplicated, encrypted snapshots of codebases: snapshot, list, restore, diff, forget.",
                  no_args_is_help=True)


def _store(**options):
    from resources.codebase.store import CodebaseStore
    from resources.vault.keyring import Keyring
    from resources.vault.store import Vault

    return CodebaseStore(Vault(DataLayout.from_env().vault, Keyring.from_env()), **options)


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """One clear line and exit code 1 for the errors a person can act on; no traceback."""
    from resources.codebase.store import CodebaseError
    from resources.vault.envelope import VaultError

    try:
        yield
    except (CodebaseError, VaultError, OSError, ValueError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None


@contextlib.contextmanager
def _bar(desc: str, unit: str = "B", total: Optional[int] = None):
    """A tqdm bar on a terminal; elsewhere (cron, pipes) no bar and no tqdm import (~40 ms)."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, unit_scale=unit == "B", unit_divisor=1024 if unit == "B" else 1000,
               file=sys.stderr, leave=False, disable=None, mininterval=0.2)
    try:
        yield bar.update
    finally:
        bar.close()


def _human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


@app.command()
def snapshot(
    path: Path = typer.Argument(..., help="Folder to snapshot."),
    name: Optional[str] = typer.Option(None, "--name", help="Codebase name (default: the folder's name)."),
    exclude: List[str] = typer.Option([], "--exclude", help="Extra gitignore-style pattern to leave out (repeatable)."),
    zstd_level: int = typer.Option(3, "--zstd-level", min=1, max=19,
                                   help="Compression of new chunks: 3 is fast; 6 stores source ~7 % smaller for ~2.8x the zstd time."),
) -> None:
    """Take a new snapshot of PATH now (files selected like git: .gitignore rules, no .git/)."""
    with _errors():
        from resources.codebase import archiver

        store = _store(zstd_level=zstd_level)
        with _bar("snapshot") as update:
            res = archiver.snapshot(store, path, name=name, excludes=exclude, progress=update)
        m = res.info.meta
        typer.echo(f"{res.info.snapshot_id}  {m['file_count']} files, {_human(m['total_size'])}, "
                   f"added {_human(m['new_bytes'])} ({m['new_chunks']} new chunks) in {m['duration_s']:.2f} s")


@app.command("list")
def list_(
    name: Optional[str] = typer.Option(None, "--name", help="Only this codebase."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of objects."),
) -> None:
    """List snapshots, newest last."""
    with _errors():
        snaps = _store().list_snapshots(name)
        if as_json:
            typer.echo(json.dumps([s.meta for s in snaps], indent=1, sort_keys=True))
            return
        for s in snaps:
            when = dt.datetime.fromtimestamp(s.timestamp, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
            typer.echo(f"{s.snapshot_id}  {s.name}  day {s.day}  taken {when}Z  {s.file_count} files  "
                       f"{_human(s.total_size)}")
        if not snaps:
            typer.echo("no snapshots", err=True)


@app.command()
def restore(
    snapshot_id: str = typer.Argument(..., help="Snapshot to restore."),
    dest: Path = typer.Argument(..., help="Destination folder (must be empty unless --force)."),
    force: bool = typer.Option(False, "--force", help="Write into a non-empty folder (overwrites same paths)."),
) -> None:
    """Restore a snapshot byte-exact (content, modes, symlinks, empty folders), verifying every chunk."""
    with _errors():
        from resources.codebase.restorer import restore as restore_snapshot

        store = _store()
        info = store.get(snapshot_id)
        with _bar("restore", total=info.total_size) as update:
            res = restore_snapshot(store, snapshot_id, dest, force=force, progress=update)
        typer.echo(f"restored {snapshot_id} to {dest}: {res.files} files, {res.dirs} folders, {res.links} links, "
                   f"{_human(res.bytes)}")


@app.command()
def diff(id1: str = typer.Argument(...), id2: str = typer.Argument(...)) -> None:
    """Paths that differ from ID1 to ID2: A added, D removed, M content, T type, P permissions."""
    with _errors():
        from resources.codebase.diff import diff as diff_snapshots

        items = diff_snapshots(_store(), id1, id2)
        for item in items:
            typer.echo(f"{item.status} {item.path}")
        typer.echo(f"{len(items)} change(s)", err=True)


@app.command()
def verify(snapshot_id: Optional[str] = typer.Argument(None, help="One snapshot (default: the whole store).")) -> None:
    """Decrypt and check a snapshot (or every manifest and chunk); names each bad file, exit 1 if any."""
    with _errors():
        from resources.codebase import checker

        store = _store()
        with _bar("verify", unit="chunk") as update:
            problems = checker.verify_snapshot(store, snapshot_id, update) if snapshot_id else checker.verify(store, update)
        for p in problems:
            typer.echo(f"BAD {p}", err=True)
        if problems:
            raise typer.Exit(1)
        typer.echo("ok")


@app.command()
def forget(
    keep_daily: int = typer.Option(0, "--keep-daily", help="Keep the newest snapshot of each of the last N days."),
    keep_weekly: int = typer.Option(0, "--keep-weekly", help="... of each of the last N ISO weeks."),
    keep_monthly: int = typer.Option(0, "--keep-monthly", help="... of each of the last N months."),
    keep_last: int = typer.Option(0, "--keep-last", help="Keep the N newest snapshots."),
    name: Optional[str] = typer.Option(None, "--name", help="Only this codebase."),
    prune: bool = typer.Option(False, "--prune", help="Then delete chunks no snapshot references."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only say what would be removed."),
) -> None:
    """Drop snapshots outside the keep policy (per codebase) and, with --prune, unused chunks."""
    with _errors():
        from resources.codebase import prune as pruner

        store = _store()
        kept, removed = pruner.forget(store, keep_daily=keep_daily, keep_weekly=keep_weekly, keep_monthly=keep_monthly,
                                     keep_last=keep_last, name=name, dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        for s in removed:
            typer.echo(f"{verb} {s.snapshot_id}")
        typer.echo(f"kept {len(kept)}, {verb} {len(removed)} snapshot(s)")
        if prune:
            with _bar("prune", unit="chunk") as update:
                res = pruner.prune(store, update, dry_run=dry_run)
            typer.echo(f"prune: {verb} {res.deleted_chunks} unused chunk(s) ({_human(res.deleted_bytes)}), "
                       f"{res.kept_chunks} in use")


if __name__ == "__main__":  # python -m mira_assets.cli.codebase
    app()
