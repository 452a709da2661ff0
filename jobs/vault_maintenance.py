"""Vault maintenance for the UI: verify, rotate the key, import a MIRA 1.0 vault."""


import dagster as dg

from mira_assets.markdown import problems_table
from resources.data_root_resource import DataRootResource
from resources.vault.maintenance import rotate_all, verify_all
from resources.vault_resource import VaultResource


@dg.op(description="Decrypt every record and sealed table, hold every day's files against its manifest and index; "
                   "fail naming each bad file or record.")
def verify_vault(context: dg.OpExecutionContext, vault: VaultResource, data_root: DataRootResource) -> None:
    the_vault = vault.get_vault()
    problems = verify_all(the_vault, data_root.layout())
    if problems:
        raise dg.Failure(
            description=f"{len(problems)} vault file(s) failed verification",
            metadata={"bad_files": dg.MetadataValue.md(problems_table(problems))},
        )
    context.log.info("every vault file and sealed table decrypts and authenticates; every day matches its manifest")


@dg.op(description="Re-encrypt every record and sealed table to the active key (older keys stay readable until removed).")
def rotate_vault_key(context: dg.OpExecutionContext, vault: VaultResource, data_root: DataRootResource) -> None:
    the_vault = vault.get_vault()
    rewritten, tables, rows = rotate_all(the_vault, data_root.layout())
    context.log.info(f"re-encrypted {rewritten} record(s) and {tables} sealed table(s) to key "
                     f"{the_vault.keyring.active_id}; {rows} manifest row(s) follow the re-sealed files")


class LegacyImportConfig(dg.Config):
    source: str
    """Root of the MIRA 1.0 vault (the folder holding private_memory/ and conversation_backups/)."""


@dg.op(description="Import a MIRA 1.0 vault and re-encrypt it under the same ids with the real key.")
def import_legacy_vault(context: dg.OpExecutionContext, config: LegacyImportConfig, vault: VaultResource,
                        data_root: DataRootResource) -> None:
    from pathlib import Path

    from resources.vault.legacy import import_legacy

    report = import_legacy(Path(config.source), vault.get_vault(), manifests_root=data_root.layout().manifests)
    context.log.info(f"imported {len(report.imported)}, already present {len(report.skipped)}, failed {len(report.failed)}")
    if report.failed:
        raise dg.Failure(
            description=f"{len(report.failed)} legacy record(s) failed to decrypt; the rest were imported",
            metadata={"failures": dg.MetadataValue.md(problems_table(report.failed))},
        )


@dg.job(description="Decrypt and authenticate every file in the vault; check every day against its manifest.")
def verify_vault_job():
    verify_vault()


@dg.job(description="Re-encrypt every vault record to the active key.")
def rotate_vault_key_job():
    rotate_vault_key()


@dg.job(description="Import a MIRA 1.0 vault, re-encrypting it with the configured key.")
def import_legacy_vault_job():
    import_legacy_vault()
