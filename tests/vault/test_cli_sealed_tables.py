"""`mira vault verify|rotate` also cover the sealed tables beside the vault, and only those."""

from pathlib import Path

from typer.testing import CliRunner

from mira_assets.cli import vault as cli
from resources.vault.keyring import Keyring, generate_key_b64
from resources.vault.sealed_tables import seal_table
from resources.vault.store import Vault

runner = CliRunner()


def data_root_with_sealed_table(root: Path, keyring: Keyring) -> tuple[Path, Path]:
    vault = Vault(root / "databases" / "lightning_vidmem", keyring)
    vault.root.mkdir(parents=True)
    table = root / "tables" / "conversations" / "2026-11-01.parquet.enc"
    table.parent.mkdir(parents=True)
    table.write_bytes(seal_table(vault, root / "tables", table, b"PAR1 not really parquet"))
    return vault.root, table


def test_rotate_moves_sealed_tables_so_the_old_key_can_go(tmp_path, monkeypatch):
    old_key, new_key = generate_key_b64(), generate_key_b64()
    vault_root, table = data_root_with_sealed_table(tmp_path / "mira_data", Keyring.load(key_b64=old_key))
    key_file = tmp_path / "vault.key"
    key_file.write_text(f"{new_key}\n{old_key}\n")
    monkeypatch.delenv("MIRA_VAULT_KEY", raising=False)
    monkeypatch.setenv("MIRA_VAULT_KEY_FILE", str(key_file))

    result = runner.invoke(cli.app, ["rotate", "--root", str(vault_root)])
    assert result.exit_code == 0, result.output
    assert "1 sealed table(s)" in result.stdout

    key_file.write_text(f"{new_key}\n")
    result = runner.invoke(cli.app, ["verify", "--root", str(vault_root)])
    assert result.exit_code == 0, result.output


def test_verify_names_a_sealed_table_it_cannot_open(tmp_path, monkeypatch):
    vault_root, table = data_root_with_sealed_table(tmp_path / "mira_data", Keyring.load(key_b64=generate_key_b64()))
    monkeypatch.setenv("MIRA_VAULT_KEY", generate_key_b64())  # not the key the table was sealed with
    monkeypatch.delenv("MIRA_VAULT_KEY_FILE", raising=False)
    result = runner.invoke(cli.app, ["verify", "--root", str(vault_root)])
    assert result.exit_code == 1
    assert "BAD tables/conversations/2026-11-01.parquet.enc" in result.stdout


def test_a_vault_elsewhere_ignores_tables_in_the_working_directory(tmp_path, monkeypatch):
    """A demo data root in the current directory must not leak into another vault's verify."""
    data_root_with_sealed_table(tmp_path / "mira_data", Keyring.load(key_b64=generate_key_b64()))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MIRA_VAULT_KEY", generate_key_b64())
    monkeypatch.delenv("MIRA_VAULT_KEY_FILE", raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = runner.invoke(cli.app, ["verify", "--root", str(elsewhere)])
    assert result.exit_code == 0, result.output
