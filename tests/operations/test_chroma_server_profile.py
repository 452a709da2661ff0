"""With a Chroma server (MIRA_CHROMA_HOST) the `chroma` pool may be raised: two days written at the same time by two
runs in two processes lose nothing."""

from __future__ import annotations

import chromadb
import dagster as dg
import pytest

from mira_assets.domain.landing.reader import read_landing_day
from operations.helpers import DAYS, new_site, runs_of
from operations.servers import chroma_server

SELECTION = "group:facts or group:consciousness"


@pytest.mark.slow
def test_two_days_written_at_once_through_a_chroma_server_lose_nothing(tmp_path):
    with chroma_server(tmp_path / "chroma", tmp_path / "chroma.log") as port:
        site = new_site(tmp_path / "site", days=2, extra_env={"MIRA_CHROMA_HOST": "127.0.0.1",
                                                              "MIRA_CHROMA_PORT": str(port)})
        with site.instance() as instance:
            instance.event_log_storage.set_concurrency_slots("chroma", 2)  # README: "Running beyond one machine"
        # One `mira backfill` per day, at once: each drives its own backfill and executes its run itself.
        processes = [site.start_mira("backfill", "--start", day, "--end", day, "--select", SELECTION, "--wait",
                                     log=tmp_path / f"{day}.log") for day in DAYS[:2]]
        codes = [process.wait(600) for process in processes]
        assert codes == [0, 0], [(tmp_path / f"{day}.log").read_text()[-2000:] for day in DAYS[:2]]

        client = chromadb.HttpClient(host="127.0.0.1", port=port,
                                     settings=chromadb.Settings(anonymized_telemetry=False))
        facts = set(client.get_collection("identified_facts").get(include=[])["ids"])
        states = client.get_collection("consciousness_states").get(include=["metadatas"])

    landing = site.data / "landing"
    expected_facts = {f["id"] for day in DAYS[:2] for f in read_landing_day(landing, "facts", day).records}
    assert facts == expected_facts, "every fact of both days is in the server's collection"
    assert sorted({m["partition"] for m in states["metadatas"]}) == DAYS[:2]

    with site.instance() as instance:
        written = [r.asset_materialization.metadata["records"].value for r in instance.fetch_materializations(
            dg.AssetKey("consciousness_states"), limit=10).records]
        assert len(states["ids"]) == sum(written) > 0
        runs = runs_of(instance, **{"mira/launched_by": "mira backfill"})
        windows = [(instance.get_run_record_by_id(r.run_id).start_time,
                    instance.get_run_record_by_id(r.run_id).end_time) for r in runs]
    assert len(runs) == 2 and {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
    (a_start, a_end), (b_start, b_end) = windows
    print(f"run windows overlap by {min(a_end, b_end) - max(a_start, b_start):.1f} s")
    assert max(a_start, b_start) < min(a_end, b_end), "the two days' runs ran at the same time"
