"""`mira`: the command line for people who run MIRA's storage.

Sub-commands import their heavy dependencies (dagster, torch, chromadb) only when they run,
so `mira --help` and the vault and codebase commands start fast.
"""

from __future__ import annotations

import typer

from mira_assets.cli import backfill, codebase, consciousness, demo, htm, memories, operations, pipeline, search, vault

app = typer.Typer(help="MIRA storage: vault, codebase snapshots, memory search, demo data.", no_args_is_help=True)
app.add_typer(vault.app, name="vault")
app.add_typer(codebase.app, name="codebase")
app.add_typer(memories.app, name="memories")
app.add_typer(htm.app, name="htm")
app.add_typer(consciousness.app, name="consciousness")
app.add_typer(operations.app, name="instance")
app.command("keygen")(vault.keygen)
app.command("demo-data")(demo.demo_data)
app.command("demo-codebase")(demo.demo_codebase)
app.command("search")(search.search)
app.command("materialize")(pipeline.materialize)
app.command("backfill")(backfill.backfill)


def main() -> None:
    app()
