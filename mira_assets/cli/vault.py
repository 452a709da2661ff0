"""`mira vault ...` (verify, show, rotate, import-legacy) and `mira keygen`.

Only light imports here (typer, the framework-free vault); the CLI must start fast.
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

from mira_assets.cli.failure import fail
from resources.data_root import DataLayout

app = typer.Typer(help="Inspect and maintain the encrypted vault (Lightning Vidmem).", no_args_is_help=True)

ROOT_HELP = "Vault root (default: $MIRA_DATA/databases/lightning_vidmem, MIRA_DATA defaults to ./mira_data)."


def beside(vault_root: Path) -> Optional[DataLayout]:
    """The data root this vault sits in, whose sealed tables and day manifests are verified and rotated with it."""
    return DataLayout.of_vault(vault_root)


def _open_vault(root: Optional[Path], *, with_hosted_stores: bool = False):
    """The vault at ``root`` (default: the data root's), keyed from the environment; with the stores it hosts
    (the codebase store) when the command walks every file under the root."""
    from resources.hosted_stores import hosted_stores
    from resources.vault.envelope import VaultError
    from resources.vault.keyring import Keyring
    from resources.vault.store import Vault

    try:
        keyring = Keyring.from_env()
    except VaultError as e:
        fail(str(e))
    return Vault(root or DataLayout.from_env().vault, keyring, hosted=hosted_stores() if with_hosted_stores else ())


@contextmanager
def _progress(desc: str):
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit="file", file=sys.stderr, disable=None, leave=False)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        bar.close()


@app.command()
def verify(root: Optional[Path] = typer.Option(None, "--root", help=ROOT_HELP)) -> None:
    """Decrypt every record and sealed table, hold each day against its manifest and index; name each bad file
    or record; exit 1 if any."""
    from resources.vault.envelope import VaultError
    from resources.vault.maintenance import verify_all

    vault = _open_vault(root, with_hosted_stores=True)
    if not vault.root.is_dir():
        fail(f"vault root {vault.root} does not exist")
    try:
        with _progress("verify") as cb:
            problems = verify_all(vault, beside(vault.root), progress=cb)
    except VaultError as e:
        fail(str(e))
    for path, reason in problems:
        typer.echo(f"BAD {path}: {reason}")
    if problems:
        typer.echo(f"{len(problems)} bad file(s) in {vault.root}", err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: every record in {vault.root} decrypts and every day matches its manifest and index")


@app.command()
def show(record_id: str = typer.Argument(..., help="Record id (private_... or conv_...) or a path under the root."),
         root: Optional[Path] = typer.Option(None, "--root", help=ROOT_HELP)) -> None:
    """Print one decrypted record as JSON (this prints secret content to stdout)."""
    from resources.vault.envelope import VaultError

    vault = _open_vault(root)
    try:
        record = vault.read_record(record_id)
    except (VaultError, ValueError) as e:
        fail(str(e))
    typer.echo(json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True))


@app.command()
def rotate(root: Optional[Path] = typer.Option(None, "--root", help=ROOT_HELP)) -> None:
    """Re-encrypt every record and sealed table to the active key (older keys must still be in the keyring)."""
    from resources.vault.envelope import VaultError
    from resources.vault.maintenance import rotate_all

    vault = _open_vault(root, with_hosted_stores=True)
    if not vault.root.is_dir():
        fail(f"vault root {vault.root} does not exist")
    try:
        with _progress("rotate") as cb:
            n, tables, rows = rotate_all(vault, beside(vault.root), progress=cb)
    except VaultError as e:
        fail(str(e))
    for rel in vault.last_rotation_skipped:
        typer.echo(f"skipped (not a v2 record this vault can rotate): {rel}", err=True)
    typer.echo(f"re-encrypted {n} record(s) and {tables} sealed table(s) to key {vault.keyring.active_id}; "
               f"{rows} manifest row(s) follow the re-sealed files")


@app.command("import-legacy")
def import_legacy_cmd(src: Path = typer.Argument(..., help="Root of a MIRA 1.0 vault (holds private_memory/ etc.)."),
                      root: Optional[Path] = typer.Option(None, "--root", help=ROOT_HELP)) -> None:
    """Import a MIRA 1.0 vault, re-encrypting each record as v2 under the same id."""
    from resources.vault.envelope import VaultError
    from resources.vault.legacy import import_legacy

    if not src.is_dir():
        fail(f"legacy vault {src} is not a directory")
    vault = _open_vault(root)
    try:
        with _progress("import") as cb:
            data = beside(vault.root)
            report = import_legacy(src, vault, progress=cb, manifests_root=data.manifests if data else None)
    except VaultError as e:
        fail(str(e))
    for rel, reason in report.failed:
        typer.echo(f"FAILED {rel}: {reason}")
    typer.echo(f"imported {len(report.imported)}, already v2 {len(report.skipped)}, failed {len(report.failed)}")
    if report.failed:
        raise typer.Exit(1)


def keygen(out: Optional[Path] = typer.Option(None, "--out", "-o",
                                              help="Write the key to this file (mode 0600) instead of stdout."),
           ) -> None:
    """Make a new random vault key (base64 of 32 bytes)."""
    import base64

    from resources.vault.keyring import generate_key_b64, key_id

    key = generate_key_b64()
    kid = key_id(base64.b64decode(key))
    if out is None:
        typer.echo(key)
        typer.echo(f"key id {kid}: export MIRA_VAULT_KEY=<the line above>", err=True)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        fail(f"{out} already exists; refusing to overwrite a key (losing it loses the vault)")
    except OSError as e:
        fail(f"cannot create {out}: {e.strerror}")
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write("# MIRA vault key file: first key = active, later keys = older (still readable).\n")
        f.write(key + "\n")
    os.chmod(out, 0o600)
    typer.echo(f"wrote new vault key {kid} to {out}; export MIRA_VAULT_KEY_FILE={out}", err=True)
