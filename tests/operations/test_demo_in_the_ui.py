"""The demo, as a user sees it in the Dagster UI: `mira materialize` runs are the job's runs, and the UI in a real
browser (Debian's Chromium driven by Playwright) shows the graph, the days, the metadata and each day's checks.

One demo instance (three days materialized by `mira materialize`, as `make demo` does) and one `dagster dev` on
it serve the module. Screenshots land in the demo's temp folder (printed).
"""

from __future__ import annotations

import json
import urllib.request

import dagster as dg
import pytest

from operations.helpers import DAYS, ROOT, new_site, runs_of
from operations.servers import CHROMIUM, dagster_dev, require

BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
ASSETS = ["codebase_snapshots", "consciousness", "consciousness_states", "consciousness_vectors",
          "conversation_backups", "conversations", "evolution_checkpoints", "fact_embeddings", "facts",
          "htm_patterns", "htm_state", "identified_facts", "memories", "memory_embeddings", "private_memories",
          "private_thoughts", "stored_memories"]
GROUPS = ["codebase", "consciousness", "conversations", "evolution", "facts", "htm", "memories", "private_memory"]
JOB = {"repositoryLocationName": "mira_storage", "repositoryName": "__repository__",
       "pipelineName": "daily_storage_job"}
JOB_RUNS = """
query ($job: PipelineSelector!) {
  pipelineOrError(params: $job) {
    __typename
    ... on Pipeline { pipelineSnapshotId runs { runId status pipelineSnapshotId
                      repositoryOrigin { repositoryLocationName repositoryName } } }
  }
  assetNodes(assetKeys: [{path: ["stored_memories"]}]) { partitionKeys }
}
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`make demo`'s steps: demo data, `mira instance init`, `mira materialize` of its three days."""
    site = new_site(tmp_path_factory.mktemp("demo"), days=3)
    materialized = site.mira("materialize", "--start", DAYS[0], "--days", "3")
    return site, materialized.stdout


@pytest.fixture(scope="module")
def ui(demo):
    site, _ = demo
    with dagster_dev(ROOT / "workspace.yaml", site.env, site.base / "dagster-dev.log") as url:
        yield url


def graphql(url: str, query: str, variables: dict) -> dict:
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(f"{url}/graphql", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.load(response)
    assert "errors" not in answer, answer["errors"]
    return answer["data"]


def test_mira_materialize_runs_are_the_jobs_runs_one_day_after_the_other(demo, ui):
    site, stdout = demo
    assert [line.split(":")[0] for line in stdout.splitlines() if ": ok, run " in line] == DAYS
    with site.instance() as instance:
        runs = runs_of(instance, **{"mira/launched_by": "mira materialize"})
        records = [instance.get_run_record_by_id(run.run_id) for run in runs]
    assert [run.tags["dagster/partition"] for run in runs] == DAYS
    for earlier, later in zip(records, records[1:]):
        assert earlier.end_time <= later.create_timestamp.timestamp(), "a day starts after the day before ended"

    data = graphql(ui, JOB_RUNS, {"job": JOB})
    job = data["pipelineOrError"]
    assert job["__typename"] == "Pipeline"
    listed = {run["runId"]: run for run in job["runs"]}
    assert set(listed) == {run.run_id for run in runs}, "the job's page lists every demo run"
    for run in listed.values():
        assert run["status"] == "SUCCESS"
        assert run["repositoryOrigin"] == {"repositoryLocationName": "mira_storage", "repositoryName": "__repository__"}
        assert run["pipelineSnapshotId"] == job["pipelineSnapshotId"], "Re-execute runs the same job version"
    # the code server that dagster dev started read MIRA_PARTITION_START when it loaded the location
    assert data["assetNodes"][0]["partitionKeys"][0] == DAYS[0]


@pytest.fixture
def page(ui):
    require(CHROMIUM, "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(60_000)
        yield page
        browser.close()


def shows(label: str, name: str) -> bool:
    """A node's label is the asset's name, or its start and end around an ellipsis when the name is long."""
    head, _, tail = label.partition("\u2026")
    return label == name or (bool(_) and name.startswith(head) and name.endswith(tail) and len(name) > len(label))


def expand_all_groups(page) -> None:
    """The graph's context menu -> Expand all groups (after Dagster's newsletter prompt of a first visit)."""
    for _ in range(5):
        page.wait_for_timeout(1000)
        skip = page.get_by_role("button", name="Skip")
        if skip.count() and skip.first.is_visible():
            skip.first.click()
        page.mouse.click(1000, 250, button="right")
        item = visible(page, "Expand all groups", exact=False)
        try:
            item.wait_for(timeout=3000)
        except Exception:  # the menu did not open (the graph was still laying out): try again
            page.keyboard.press("Escape")
            continue
        item.click()
        return
    raise AssertionError("the asset graph's context menu never offered 'Expand all groups'")


def visible(page, text: str, exact: bool = True):
    return page.get_by_text(text, exact=exact).locator("visible=true").first


def test_the_ui_shows_the_graph_the_demo_days_their_metadata_and_each_days_checks(demo, ui, page):
    site, _ = demo
    shots = site.base / "screenshots"
    shots.mkdir(exist_ok=True)
    print(f"screenshots in {shots}")
    with site.instance() as instance:
        latest = instance.get_latest_materialization_event(dg.AssetKey("stored_memories")).asset_materialization
        run_ids = [run.run_id for run in runs_of(instance, **{"mira/launched_by": "mira materialize"})]
    records = latest.metadata["records"].value

    # Asset graph: every group, and every asset once the groups are expanded (right-click menu).
    page.goto(f"{ui}/asset-groups")
    for group in GROUPS:
        visible(page, group).wait_for()
    expand_all_groups(page)
    for _ in range(4):  # every group in view
        page.locator("[aria-label=zoom_out]").locator("visible=true").first.click()
    labels = page.evaluate("() => Array.from(document.querySelectorAll('[class*=assetName]'), e => e.textContent)")
    for name in ASSETS:
        assert sum(shows(label, name) for label in labels) == 1, f"{name} is not in the graph: {labels}"
    page.screenshot(path=shots / "asset-graph.png")

    # stored_memories: the demo days are materialized.
    page.goto(f"{ui}/assets/stored_memories?view=partitions")
    visible(page, "Materialized (3)").wait_for()
    page.screenshot(path=shots / "stored-memories-partitions.png")

    # A materialization's metadata shows its counts.
    page.goto(f"{ui}/assets/stored_memories?view=events")
    visible(page, f"Partition {DAYS[-1]} materialized in run", exact=False).wait_for()
    for key in ("records", "written", "unchanged", "deleted"):
        visible(page, key).wait_for()
    visible(page, str(records)).wait_for()
    page.screenshot(path=shots / "stored-memories-metadata.png")

    # Each day's check result: the collection check passed for the three days ...
    page.goto(f"{ui}/assets/stored_memories?view=checks")
    visible(page, "collection_holds_exactly_partition_ids").click()
    page.get_by_text("Partitions", exact=True).locator("visible=true").last.click()  # the check's tab
    visible(page, "Passed (3)").wait_for()
    page.screenshot(path=shots / "stored-memories-check-partitions.png")
    # ... and the quarantine check warns every day, saying why on the demo.
    page.goto(f"{ui}/assets/memories?view=checks")
    visible(page, "Execution history").click()
    for day in DAYS:
        visible(page, f"2 line(s) of memories {day} are in quarantine (expected on the demo", exact=False).wait_for()
    page.screenshot(path=shots / "memories-quarantine-check-history.png")

    # The job's page lists the demo runs; the Overview timeline shows them under the location.
    page.goto(f"{ui}/locations/mira_storage/jobs/daily_storage_job/runs")
    for run_id in run_ids:
        visible(page, run_id[:8]).wait_for()
    page.screenshot(path=shots / "job-runs.png")
    page.goto(f"{ui}/overview/timeline")
    visible(page, "daily_storage_job").wait_for()
    page.screenshot(path=shots / "overview-timeline.png")
