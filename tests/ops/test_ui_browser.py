"""The Dagster UI in a real browser (Debian's Chromium driven by Playwright) against `dagster dev`.

Prototype on the toy code location: two days are materialized through the code location, then the
browser checks the asset graph, a partitioned asset's partitions, a check's per-day results, and that the
job's page lists the runs. Screenshots land in the test's temp folder.
"""

from __future__ import annotations

import re

import dagster as dg
import pytest

from ops.helpers import TOY, instance_home, run_day_through_location
from ops.servers import CHROMIUM, dagster_dev, require

BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
DAYS = ["2026-11-01", "2026-11-02"]


@pytest.fixture
def browser():
    require(CHROMIUM, "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.mark.slow
def test_the_ui_shows_assets_partitions_checks_and_job_runs(tmp_path, toy_dir, browser, monkeypatch):
    home = instance_home(tmp_path / "dagster_home")
    env = {"DAGSTER_HOME": str(home), "TOY_DIR": str(toy_dir)}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(TOY)
    with dg.DagsterInstance.get() as instance:
        run_ids = [run_day_through_location(instance, TOY / "workspace.yaml", "toy_job", day).run_id for day in DAYS]
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with dagster_dev(TOY / "workspace.yaml", env, tmp_path / "dagster-dev.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(60_000)

        page.goto(f"{url}/asset-groups")
        for asset in ("landing", "learner", "patterns", "collection"):
            page.get_by_text(asset, exact=True).first.wait_for()
        page.screenshot(path=shots / "asset-graph.png")

        page.goto(f"{url}/assets/learner?view=partitions")
        page.get_by_text(re.compile(r"2 materialized|Materialized.*2", re.I)).first.wait_for()
        page.screenshot(path=shots / "learner-partitions.png")

        page.goto(f"{url}/assets/learner?view=checks")
        page.get_by_text("state_is_sane").first.wait_for()
        page.screenshot(path=shots / "learner-checks.png")

        page.goto(f"{url}/locations/toy/jobs/toy_job/runs")
        for run_id in run_ids:
            page.get_by_text(run_id[:8]).first.wait_for()
        page.screenshot(path=shots / "job-runs.png")

        page.goto(f"{url}/overview/timeline")
        page.get_by_text("toy_job").first.wait_for()
        page.screenshot(path=shots / "overview-timeline.png")
    print(f"screenshots in {shots}")
