"""Presenter mode in a real browser at projector sizes: the room server's ``/present`` page on
the console door, after a processed round, at 1280×720 and 1920×1080.

The facilitator reveals the leaderboard one place at a time, steps to the teams' guesses against
the results and on to a chart; screenshots of each step go to ``test-output/browser/<test>/``
(what the room would see).
"""

from __future__ import annotations

import pytest

from tests.browser.test_room_game import TIMEOUT_MS, Watched, _expect

pytestmark = pytest.mark.browser
SIZES = {"720": {"width": 1280, "height": 720}, "1080": {"width": 1920, "height": 1080}}


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_projector_reveals_the_leaderboard_then_shows_a_chart(chromium, played_room,
                                                                  output_dir, size):
    expect = _expect()
    viewport = SIZES[size]
    screen = Watched(chromium, f"presenter {size}", viewport)
    try:
        page = screen.page
        link = played_room.console_link().replace("/console?", "/present?") + f"&size={size}"
        screen.open(link, played_room)
        screen.shows("Reveal next place", played_room)
        page.screenshot(path=output_dir / f"presenter-{size}-hidden.png")
        assert "red" not in page.locator("table").inner_text()
        for _ in range(2):
            page.locator(".widget-button:visible", has_text="Reveal next place").click()
        expect(page.locator("table")).to_contain_text("red", timeout=TIMEOUT_MS)
        expect(page.locator("table")).to_contain_text("blue")
        page.screenshot(path=output_dir / f"presenter-{size}-revealed.png")
        # next, every team's guess of its revenue beside the result (nobody guessed here)
        page.locator(".widget-button[title='Next']").click()
        guesses = page.locator("table.leadflow-guesses")
        expect(guesses).to_contain_text("no guess", timeout=TIMEOUT_MS)
        expect(page.get_by_text("No team guessed this quarter's revenue.")).to_be_visible()
        page.screenshot(path=output_dir / f"presenter-{size}-guesses.png")
        page.locator(".widget-button[title='Next']").click()
        page.wait_for_function(  # the chart has arrived and been decoded, not a broken image
            "() => [...document.querySelectorAll('img')].some(i => i.offsetParent && "
            "i.complete && i.naturalWidth > 100)", timeout=TIMEOUT_MS)
        box = page.locator("img:visible").first.bounding_box()
        assert box["width"] >= 0.6 * viewport["width"], box
        assert box["x"] + box["width"] <= viewport["width"] + 1, box
        page.screenshot(path=output_dir / f"presenter-{size}-chart.png")
        screen.assert_clean(played_room)
    finally:
        screen.close()
