"""Reading a landing day: bad lines are quarantined with line numbers, the rest goes on; files in order."""

from __future__ import annotations

import json
from datetime import date

from mira_assets.domain import landing as L

SECRET = "pineapple-moon-🦄-秘密"


def test_bad_lines_are_quarantined_with_line_numbers_and_the_rest_continue(kit, landing_root):
    lines = [
        kit.good("private_thoughts", thought="first " + SECRET),
        "",  # blank lines are skipped but still counted for line numbers
        "{not json " + SECRET,
        kit.good("private_thoughts", thought="second"),
        kit.good("private_thoughts", thought=SECRET, timestamp="whenever"),
        "   ",
        kit.good("private_thoughts", thought="third"),
    ]
    kit.write_lines(landing_root, "private_thoughts", lines)
    day = L.read_landing_day(landing_root, "private_thoughts", kit.DAY)
    assert [r["thought"] for r in day.records] == ["first " + SECRET, "second", "third"]
    assert [(q.line_number, q.reason.split(":")[0]) for q in day.quarantined] == [(3, "line"), (5, "timestamp")]
    assert all(q.source_file == "private_thoughts/2026-11-01/part-000.jsonl" for q in day.quarantined)
    assert day.lines_read == 5 == len(day.records) + len(day.quarantined)
    assert day.files == ["private_thoughts/2026-11-01/part-000.jsonl"]
    assert SECRET not in repr(day.quarantined[0])  # raw is kept out of repr


def test_files_read_in_sorted_order_non_jsonl_and_hidden_ignored(kit, landing_root):
    kit.write_lines(landing_root, "facts", [kit.good("facts", id="b")], name="part-010.jsonl")
    kit.write_lines(landing_root, "facts", [kit.good("facts", id="a")], name="part-002.jsonl")
    kit.write_lines(landing_root, "facts", [kit.good("facts", id="z")], name="notes.txt")
    kit.write_lines(landing_root, "facts", [kit.good("facts", id="y")], name=".part-003.jsonl.tmp")
    kit.write_lines(landing_root, "facts", [kit.good("facts", id="c")], name="other-day.jsonl", day=date(2026, 11, 2))
    day = L.read_landing_day(landing_root, "facts", "2026-11-01")
    assert [r["id"] for r in day.records] == ["a", "b"]
    assert day.files == ["facts/2026-11-01/part-002.jsonl", "facts/2026-11-01/part-010.jsonl"]


def test_crlf_and_bom_are_tolerated(kit, landing_root):
    folder = L.landing_day_path(landing_root, "facts", kit.DAY)
    folder.mkdir(parents=True)
    a, b = (json.dumps(kit.good("facts", id=i)).encode() for i in ("a", "b"))
    (folder / "part-000.jsonl").write_bytes(b"\xef\xbb\xbf" + a + b"\r\n" + b + b"\r\n")
    assert [r["id"] for r in L.read_landing_day(landing_root, "facts", kit.DAY).records] == ["a", "b"]


def test_missing_day_is_an_empty_day(landing_root, tmp_path):
    day = L.read_landing_day(landing_root, "memories", date(2026, 1, 1))
    assert (day.records, day.quarantined, day.files, day.lines_read) == ([], [], [], 0)
    assert L.write_quarantine(tmp_path / "q", day, seal=lambda b: b) is None
    assert not (tmp_path / "q").exists()


def test_layout_helpers(tmp_path):
    assert L.landing_day_path(tmp_path, "memories", date(2026, 11, 1)) == tmp_path / "memories" / "2026-11-01"
    assert L.quarantine_path(tmp_path, "facts", "2026-11-01") == tmp_path / "facts" / "2026-11-01.jsonl"


def test_a_20_mb_line_is_quarantined_by_its_length_without_being_held_in_memory(kit, landing_root, tmp_path):
    """The limit is MAX_LINE_BYTES (4 MiB); the reader streams, so a day with a 20 MB line costs a few limits'
    worth of memory (not the file's size, twice over) and no time, the lines around it are read as usual, and the quarantine keeps the
    line's length (the landing file still holds the line)."""
    import time
    import tracemalloc

    from mira_assets.domain.landing.reader import MAX_LINE_BYTES

    folder = landing_root / "conversations" / kit.DAY.isoformat()
    folder.mkdir(parents=True)
    big = 20_000_000
    good = [kit.good("conversations", conversation_id=f"c{i}") for i in (1, 2)]
    with open(folder / "part-000.jsonl", "w", encoding="utf-8") as f:
        f.write(json.dumps(good[0]) + "\r\n")
        head = '{"conversation_id": "huge", "messages": [{"role": "user", "timestamp": 1793527200, "content": "'
        f.write(head + "x" * (big - len(head) - 4) + '"}]}' + "\r\n")
        f.write(json.dumps(good[1]) + "\n")
    tracemalloc.start()
    started = time.process_time()
    day = L.read_landing_day(landing_root, "conversations", kit.DAY)
    seconds = time.process_time() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert [r["conversation_id"] for r in day.records] == ["c1", "c2"]
    [q] = day.quarantined
    assert (q.line_number, q.reason) == (2, f"line: longer than {MAX_LINE_BYTES} bytes ({big + 1} bytes)")
    assert q.raw == "" and q.omitted_bytes == big + 1  # the "\r" of the line end counts: it is not "\r\n" split
    assert peak < 3 * MAX_LINE_BYTES, f"peak {peak / 1e6:.1f} MB while reading a day with a 20 MB line"
    assert seconds < 2.0
    entry = json.loads(L.quarantine_bytes(day, seal=lambda raw: b"sealed:" + raw).decode())
    assert entry["raw_omitted_bytes"] == big + 1 and "raw_sealed" not in entry and "raw" not in entry


def test_a_line_of_exactly_the_limit_is_read_and_one_byte_more_is_not(kit, landing_root, monkeypatch):
    from mira_assets.domain.landing import reader

    monkeypatch.setattr(reader, "MAX_LINE_BYTES", 64)
    folder = landing_root / "facts" / kit.DAY.isoformat()
    folder.mkdir(parents=True)
    exact = b'{"id": "f1", "content": "' + b"a" * 30 + b'", "timestamp": 1793527200}'
    exact = exact.replace(b"a" * 30, b"a" * (30 + 64 - len(exact)))
    assert len(exact) == 64
    over = exact.replace(b'"f1"', b'"f22"')
    (folder / "part-000.jsonl").write_bytes(b"\xef\xbb\xbf" + exact + b"\r\n" + over + b"\r\n" + over + b"\n" + exact)
    lines = list(reader.iter_lines(folder / "part-000.jsonl", limit=64))
    assert [(n, line is not None, size) for n, line, size in lines] == [(1, True, 64), (2, False, 66), (3, False, 65),
                                                                         (4, True, 64)]
