"""Quarantining bad lines: sealed for sensitive streams, rewritten atomically, removed when clean."""

from __future__ import annotations

import base64
import json
import os

import pytest

from mira_assets.domain import landing as L

SECRET = "pineapple-moon-🦄-秘密"


def _day_with_bad_lines(kit, landing_root, stream):
    kit.write_lines(landing_root, stream, [
        kit.good(stream),
        "{broken " + SECRET,
        b"\xff\xfe not utf-8 " + SECRET.encode(),
        kit.good(stream),  # a duplicate id for streams with ids, else just another good line
    ])
    return L.read_landing_day(landing_root, stream, kit.DAY)


@pytest.mark.parametrize("stream", sorted(L.SENSITIVE_STREAMS))
def test_sensitive_quarantine_is_sealed_never_plaintext(kit, landing_root, tmp_path, stream):
    day = _day_with_bad_lines(kit, landing_root, stream)
    assert len(day.quarantined) >= 2
    qroot = tmp_path / "quarantine"
    path = L.write_quarantine(qroot, day, seal=kit.seal)
    assert path == qroot / stream / "2026-11-01.jsonl"
    data = path.read_bytes()
    for needle in (SECRET, "pineapple", "broken", "not utf-8", "hello there", "quiet secret", "memory leak"):
        assert needle.encode() not in data
    entries = [json.loads(x) for x in data.decode().splitlines()]
    assert [e["line_number"] for e in entries] == [q.line_number for q in day.quarantined]
    for entry, q in zip(entries, day.quarantined):
        assert set(entry) == {"source_file", "line_number", "reason", "raw_sealed"}
        assert entry["source_file"] == q.source_file and entry["reason"] == q.reason
        assert kit.unseal(base64.b64decode(entry["raw_sealed"])) == q.raw.encode("utf-8", "surrogateescape")
    back = L.read_quarantine(path, unseal=kit.unseal)
    assert back[0]["raw"] == "{broken " + SECRET
    assert back[1]["raw"].encode("utf-8", "surrogateescape").startswith(b"\xff\xfe not utf-8")


@pytest.mark.parametrize("stream", sorted(L.SENSITIVE_STREAMS))
def test_sensitive_quarantine_without_seal_is_refused(kit, landing_root, tmp_path, stream):
    day = _day_with_bad_lines(kit, landing_root, stream)
    with pytest.raises(ValueError, match="seal"):
        L.write_quarantine(tmp_path / "q", day, seal=None)
    assert not (tmp_path / "q").exists()


@pytest.mark.parametrize("stream", sorted(set(L.STREAMS) - L.SENSITIVE_STREAMS))
def test_public_quarantine_keeps_raw_text(kit, landing_root, tmp_path, stream):
    day = _day_with_bad_lines(kit, landing_root, stream)
    path = L.write_quarantine(tmp_path / "q", day, seal=None)
    entries = L.read_quarantine(path)
    assert entries[0]["raw"] == "{broken " + SECRET
    assert "raw_b64" in json.loads(path.read_text().splitlines()[1])  # non-UTF-8 bytes kept exactly
    assert entries[1]["raw"].encode("utf-8", "surrogateescape") == b"\xff\xfe not utf-8 " + SECRET.encode()


def test_quarantine_rewrite_is_idempotent_atomic_and_removed_when_clean(kit, landing_root, tmp_path):
    day = _day_with_bad_lines(kit, landing_root, "memories")
    qroot = tmp_path / "q"
    path = L.write_quarantine(qroot, day, seal=kit.seal)
    first = path.read_bytes()
    mtime = os.stat(path).st_mtime_ns
    again = L.read_landing_day(landing_root, "memories", kit.DAY)
    assert L.write_quarantine(qroot, again, seal=kit.seal) == path
    assert path.read_bytes() == first
    assert os.stat(path).st_mtime_ns == mtime  # identical content: not rewritten
    assert sorted(p.name for p in path.parent.iterdir()) == ["2026-11-01.jsonl"]  # no temp files left
    # the runtime fixes its landing file: the next run removes the quarantine file
    kit.write_lines(landing_root, "memories", [kit.good("memories")])
    fixed = L.read_landing_day(landing_root, "memories", kit.DAY)
    assert L.write_quarantine(qroot, fixed, seal=kit.seal) is None
    assert not path.exists()
