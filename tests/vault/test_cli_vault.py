"""`mira vault ...` and `mira keygen` through typer's test runner."""

from __future__ import annotations

import json
import stat

import typer
from typer.testing import CliRunner

from mira_assets.cli import vault as cli
from resources.vault.keyring import Keyring

runner = CliRunner()


def _keygen_app() -> typer.Typer:
    app = typer.Typer()
    app.command()(cli.keygen)

    @app.command()
    def _unused() -> None:  # two commands so typer keeps the command name
        pass

    return app


def test_verify_show_rotate(vault, vh):
    refs = vault.put_private_memories(vh.make_items(2), vh.DAY)
    root = str(vault.root)
    r = runner.invoke(cli.app, ["verify", "--root", root])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli.app, ["show", refs[0].record_id, "--root", root])
    assert r.exit_code == 0 and json.loads(r.stdout)["memory_id"] == refs[0].record_id
    r = runner.invoke(cli.app, ["rotate", "--root", root])
    assert r.exit_code == 0 and "re-encrypted 0" in r.stdout
    bad = vault.root / refs[1].path
    bad.write_bytes(bad.read_bytes().replace(b'"encrypted_data":"', b'"encrypted_data":"AAAA'))
    r = runner.invoke(cli.app, ["verify", "--root", root])
    assert r.exit_code == 1
    assert f"BAD {refs[1].path}" in r.stdout and refs[0].path not in r.stdout


def test_errors_are_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("MIRA_VAULT_KEY", raising=False)
    monkeypatch.delenv("MIRA_VAULT_KEY_FILE", raising=False)
    r = runner.invoke(cli.app, ["verify", "--root", str(tmp_path)])
    assert r.exit_code == 1 and "no vault key configured" in r.output and "Traceback" not in r.output


def test_show_unknown_id(vault):
    r = runner.invoke(cli.app, ["show", "private_1_deadbeef", "--root", str(vault.root)])
    assert r.exit_code == 1 and "not found" in r.output


def test_show_finds_every_record_the_vault_wrote_from_1970_to_the_end_of_9999(vault, vh):
    from resources.vault.store import PrivateItem

    first, last = 0.0, 253402300799.999  # 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z
    refs = [vault.put_private_memories([PrivateItem("thought", ts, {"thought": "edge of time"})], day)[0]
            for ts, day in ((first, vh.DAY), (last, vh.DAY))]
    refs += vault.put_conversation_backups(vh.make_conversations(1, ts=last - 1))  # its last message at `last`
    for ref in refs:
        r = runner.invoke(cli.app, ["show", ref.record_id, "--root", str(vault.root)])
        assert r.exit_code == 0, r.output
    assert refs[1].record_id.startswith("private_253402300799999_")


def test_a_time_before_1970_is_refused_when_written_and_explained_when_shown(vault, vh):
    import pytest

    from resources.vault.store import PrivateItem

    with pytest.raises(ValueError, match=r"out of range \(1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z\)"):
        vault.put_private_memories([PrivateItem("thought", -0.001, {"thought": "too early"})], vh.DAY)
    with pytest.raises(ValueError, match="out of range"):
        vault.put_conversation_backups(vh.make_conversations(1, ts=-86400.0))
    r = runner.invoke(cli.app, ["show", "private_-5000_deadbeef", "--root", str(vault.root)])
    assert r.exit_code == 1 and "no record dated before 1970" in r.output


def test_keygen_file(tmp_path):
    out = tmp_path / "keys" / "vault.key"
    app = _keygen_app()
    r = runner.invoke(app, ["keygen", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    kr = Keyring.load(key_file=str(out))
    assert kr.active_id in r.output
    r = runner.invoke(app, ["keygen", "--out", str(out)])
    assert r.exit_code == 1 and "refusing" in r.output
    r = runner.invoke(app, ["keygen"])
    assert r.exit_code == 0 and Keyring.load(key_b64=r.stdout.splitlines()[0]).active_id


def test_import_legacy_cli_empty(tmp_path, vault):
    src = tmp_path / "old"
    src.mkdir()
    r = runner.invoke(cli.app, ["import-legacy", str(src), "--root", str(vault.root)])
    assert r.exit_code == 0 and "imported 0" in r.stdout
