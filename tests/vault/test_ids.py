"""One id rule for every id that becomes a file name: bytes, not characters; nothing hidden or invisible;
and an id at the limit really fits on disk, temp names included."""

from __future__ import annotations

import pytest

from resources.vault import layout
from resources.vault.atomic import AtomicBatch, atomic_write
from resources.vault.ids import MAX_ID_BYTES, NAME_MAX_BYTES, check_id, id_problem


@pytest.mark.parametrize("good", ["conv-1", "mem-20261101-rust-memory-leak", "日本語-ok", "a b", "x" * MAX_ID_BYTES,
                                  "é" * (MAX_ID_BYTES // 2)])
def test_ids_that_make_good_file_names_pass(good):
    assert id_problem(good) is None and check_id(good, "id") == good


@pytest.mark.parametrize("bad, reason", [
    ("", "empty"),
    (None, "must be a string, got null"),
    (7, "must be a string, got number"),
    ("a/b", "contains a path separator"),
    ("a\\b", "contains a path separator"),
    ("..", "contains '..'"),
    (".hidden", "starts with '.'"),
    ("a\x00b", "contains a control character (U+0000)"),
    ("zero\u200bwidth", "contains an invisible or format character (U+200B)"),
    ("right\u202eto-left", "contains an invisible or format character (U+202E)"),
    ("line\u2028break", "U+2028"),
    ("private\ue000use", "U+E000"),
    ("lone\ud800surrogate", "U+D800"),
    ("x" * (MAX_ID_BYTES + 1), f"longer than {MAX_ID_BYTES} bytes ({MAX_ID_BYTES + 1} bytes in UTF-8)"),
    ("会" * 90, f"longer than {MAX_ID_BYTES} bytes (270 bytes in UTF-8)"),
])
def test_each_broken_rule_is_named_and_the_id_never_is(bad, reason):
    problem = id_problem(bad)
    assert problem is not None and reason in problem
    with pytest.raises(ValueError, match="invalid conversation id") as error:
        check_id(bad, "conversation id")
    if isinstance(bad, str) and len(bad) > 3:
        assert bad not in str(error.value)


def test_room_reserved_for_what_a_caller_adds():
    assert id_problem("x" * 180, reserved_bytes=24) is not None
    assert id_problem("x" * 176, reserved_bytes=24) is None


@pytest.mark.parametrize("unit", ["x", "é", "会"])
def test_an_id_at_the_limit_fits_on_disk_with_the_vaults_extension_and_temp_names(tmp_path, unit):
    longest = unit * (MAX_ID_BYTES // len(unit.encode("utf-8")))
    name = f"{longest}.json"
    assert len(name.encode("utf-8")) <= NAME_MAX_BYTES
    assert atomic_write(tmp_path / "single" / name, b"one file")
    with AtomicBatch(sync="none") as batch:  # a new folder: staged under a hidden name, renamed at commit
        for other in ("a", "b"):
            batch.write(tmp_path / "batch" / f"{longest[:-1]}{other}.json", b"in a batch")
    with AtomicBatch(sync="none") as batch:  # an existing folder: temps beside the final names
        batch.write(tmp_path / "batch" / name, b"rewritten")
    assert (tmp_path / "single" / name).read_bytes() == b"one file"
    assert (tmp_path / "batch" / name).read_bytes() == b"rewritten"
    assert len(list((tmp_path / "batch").iterdir())) == 3


def test_the_vault_and_landing_share_the_backup_name_rule(vault, vh):
    conversation = vh.make_conversations(1)[0]
    stamp = int(conversation["timestamp"])
    longest = "z" * (MAX_ID_BYTES - len(f"conv__{stamp}"))
    assert layout.backup_id_problem(longest, conversation["timestamp"]) is None
    (ref,) = vault.put_conversation_backups([dict(conversation, conversation_id=longest)], vh.DAY)
    assert vault.read_record(ref.record_id)["conversation_id"] == longest
    too_long = longest + "z"
    assert "longer than 200 bytes" in layout.backup_id_problem(too_long, conversation["timestamp"])
    with pytest.raises(ValueError, match="invalid backup id"):
        vault.put_conversation_backups([dict(conversation, conversation_id=too_long)], vh.DAY)


def test_no_invisible_character_slips_past_the_printable_fast_path():
    import sys
    import unicodedata

    from resources.vault.ids import INVISIBLE_CATEGORIES

    slipping = [hex(cp) for cp in range(sys.maxunicode + 1)
                if chr(cp).isprintable() and unicodedata.category(chr(cp)) in INVISIBLE_CATEGORIES]
    assert slipping == []
