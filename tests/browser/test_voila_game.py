"""The workshop game in real browsers: two teams play through the Voilà team page at once and
the facilitator console processes the round and ranks both.

The team page and the console are served by Voilà as ``make game`` serves them, on a game folder
in the test's temporary folder. Each player has a browser context of its own (as two people on
two laptops) and opens its team's link with ``?team=…&role=…``. Screenshots go to
``test-output/browser/<test>/``.
"""

from __future__ import annotations

import pytest
import yaml

from sim.game import Game
from tests.servers import NOTEBOOKS, notebook_code_lines

TEAM_PAGE = NOTEBOOKS / "game" / "team.ipynb"
CONSOLE = NOTEBOOKS / "game" / "facilitator.ipynb"
TIMEOUT_MS = 120_000

pytestmark = pytest.mark.browser


def test_two_teams_play_a_round_and_the_console_ranks_them(chromium, voila_server, tmp_path,
                                                           output_dir):
    from playwright.sync_api import expect

    folder = tmp_path / "game"
    game = Game.create(folder, teams=["red", "blue"], practice=False, weeks_per_round=4)
    game.open_round()
    env = {"LEADFLOW_GAME_DIR": str(folder)}
    teams = voila_server(TEAM_PAGE, env=env)
    console = voila_server(CONSOLE, env=env)

    players = {}
    for team, role in (("red", "marketing"), ("blue", "sales")):
        context = chromium.new_context(viewport={"width": 1100, "height": 1100})
        context.set_default_timeout(30_000)
        page = context.new_page()
        page.goto(teams.url("/", team=team, role=role), timeout=TIMEOUT_MS)
        players[team] = (context, page)
    try:
        for team, role in (("red", "marketing"), ("blue", "sales")):
            page = players[team][1]
            expect(page.get_by_text(f"Team {team} · {role.capitalize()}")).to_be_visible(
                timeout=TIMEOUT_MS)
            expect(page.get_by_text("round 1 of 4")).to_be_visible()
            text = page.locator("body").inner_text()
            assert not [line for line in notebook_code_lines(TEAM_PAGE) if line in text]
            assert "Traceback" not in text
        red, blue = players["red"][1], players["blue"][1]
        # silos: each half sees only its own levers
        assert red.get_by_text("MQL bar").count() == 1 and red.get_by_text("cold-calling").count() == 0
        assert blue.get_by_text("Which leads reps call first").count() == 1
        assert blue.get_by_text("MQL bar").count() == 0

        red.locator(".noUi-handle").first.focus()
        for _ in range(5):
            red.keyboard.press("ArrowRight")  # MQL bar 0.45 -> 0.50
        expect(red.locator(".widget-readout").first).to_have_text("0.50")
        # the page names what Submit would post once the kernel has it (slider updates are
        # sent in batches and a click could otherwise overtake them)
        expect(red.get_by_text("Not submitted yet: scoring.mql_threshold = 0.5")).to_be_visible()
        blue.locator("select").first.select_option("cherry_pick")
        expect(blue.get_by_text("sales.prioritisation = cherry_pick")).to_be_visible()
        # both press Submit at once
        red.get_by_role("button", name="Submit choices").click(no_wait_after=True)
        blue.get_by_role("button", name="Submit choices").click(no_wait_after=True)
        for team, (_, page) in players.items():
            expect(page.get_by_text("Submitted at")).to_be_visible(timeout=TIMEOUT_MS)
            page.screenshot(path=output_dir / f"1-{team}-submitted.png", full_page=True)

        red_env = yaml.safe_load((folder / "rounds" / "00" / "red.marketing.yaml").read_text())
        blue_env = yaml.safe_load((folder / "rounds" / "00" / "blue.sales.yaml").read_text())
        assert red_env["choices"]["scoring.mql_threshold"] == pytest.approx(0.50)
        assert blue_env["choices"]["sales.prioritisation"] == "cherry_pick"

        boss = chromium.new_context(viewport={"width": 1280, "height": 1600})
        page = boss.new_page()
        try:
            page.goto(console.url("/"), timeout=TIMEOUT_MS)
            expect(page.get_by_text("Facilitator:")).to_be_visible(timeout=TIMEOUT_MS)
            envelopes = page.locator("table", has_text="marketing")
            expect(envelopes.first).to_be_visible()
            page.get_by_role("button", name="Process round").click()
            expect(page.get_by_text("Processed Q1 Silos.")).to_be_visible(timeout=TIMEOUT_MS)
            board = page.locator("table", has_text="revenue to date")
            expect(board).to_be_visible(timeout=TIMEOUT_MS)
            ranked = [row.locator("td").nth(1).text_content()
                      for row in board.locator("tbody tr").all()]
            assert sorted(ranked) == ["blue", "red"]
            chart = page.locator("img.widget-image").first
            page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                   arg=chart.element_handle())
            page.screenshot(path=output_dir / "2-console.png", full_page=True)
            assert "Traceback" not in page.locator("body").inner_text()
        finally:
            boss.close()

        # the team pages pick up the results by themselves (they re-read the folder)
        expect(red.get_by_text("Your results")).to_be_visible(timeout=60_000)
        expect(red.get_by_text("MQLs delivered")).to_be_visible()
        assert red.get_by_text("Bookings").count() == 0  # the other half's KPI stays hidden
        red.screenshot(path=output_dir / "3-red-results.png", full_page=True)
    finally:
        for context, _ in players.values():
            context.close()

    results = Game(folder).round_results(0)
    assert set(results["team"]) == {"red", "blue", "reference"}
    assert not results.set_index("team").loc["red", "auto_marketing"]
    assert results.set_index("team").loc["red", "auto_sales"]
