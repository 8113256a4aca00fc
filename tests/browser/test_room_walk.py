"""A round of the workshop game walked as the room plays it: two players, a facilitator and the
projector, in real browsers on the room server (``python -m sim game serve``).

Red's marketing half plays on a phone (390 × 844), blue's sales half on a laptop. Both read
their brief, guess their company's revenue for the quarter (predict, then reveal) and submit;
the facilitator locks the round and processes it from the console (confirming), opens presenter
mode from the console's button and reveals the leaderboard, then the guesses beside the results.
Along the way the pages are checked for what a player must never see (a lever's dotted key),
for the team's colour (red is drawn in the palette's red beside its name and on the projector),
and for each state: the round locked, processed, and each guess beside its result. Screenshots
of every step go to ``test-output/browser/<test>/``.
"""

from __future__ import annotations

import re

import pytest

from sim.game import Game
from sim.game.rules import ALL_LEVERS
from sim.views.palette import team_color
from tests.browser.test_room_game import (
    PHONE,
    TIMEOUT_MS,
    Watched,
    _body,
    _click_console_button,
    _expect,
    _open_first_round_now,
    _process,
    _room_people,
)

pytestmark = pytest.mark.browser
PROJECTOR = {"width": 1280, "height": 720}
KEYS = (*ALL_LEVERS, "incentives.shared_kpi_weight")
"""Every lever key a player's page could leak (the model's dotted names)."""


def rgb(colour: str) -> str:
    """A ``#RRGGBB`` colour as the browser's computed style writes it."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def style_of(locator, prop: str) -> str:
    """One computed style property of the first element ``locator`` finds."""
    return locator.first.evaluate(f"e => getComputedStyle(e).{prop}")


def assert_no_keys(watched: Watched, step: str) -> None:
    """The player's page names its levers in words: no dotted key anywhere in its text."""
    text = _body(watched.page)
    leaked = [key for key in KEYS if key in text]
    assert not leaked, f"{watched.name}'s page shows lever keys {leaked} ({step})"
    assert "Traceback" not in text


def assert_fits_the_phone(watched: Watched) -> None:
    width = watched.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the phone page is {width} px wide: it scrolls sideways"


def guess(watched: Watched, amount: str) -> None:
    """Type a guess and post it."""
    field = watched.page.get_by_placeholder("e.g. 1.2m")
    field.fill(amount)
    field.press("Enter")
    watched.page.locator(".widget-button", has_text="Post guess").click()


def test_two_players_guess_and_the_projector_reveals_guesses_and_results(chromium, room,
                                                                         output_dir):
    expect = _expect()
    game = room.game()
    boss, phone, laptop = _room_people(chromium)
    try:
        # the facilitator's console carries the presenter links, with the console's key
        console = boss.page
        boss.open(room.console_link(), room)
        boss.shows("Facilitator:", room)
        presenter = console.locator("a.leadflow-presenter-link",
                                    has_text="Presenter mode (projector)")
        expect(presenter).to_have_attribute("href", game.presenter_link(room.console_base))
        expect(console.locator("a.leadflow-presenter-link", has_text="1920×1080")).to_have_attribute(
            "href", game.presenter_link(room.console_base, "1080"))
        _open_first_round_now(console)
        expect(console.get_by_text(re.compile(r"Opened Q1 Silos"))).to_be_visible(
            timeout=TIMEOUT_MS)

        # both players open their links and read their brief, in words and in their colours
        red, blue = phone.page, laptop.page
        phone.open(room.link("red", "marketing"), room)
        laptop.open(room.link("blue", "sales"), room)
        for watched, team, role in ((phone, "red", "marketing"), (laptop, "blue", "sales")):
            watched.shows(f"Team {team} · {role.capitalize()}", room)
            watched.shows(f"You play {role}", room)
            badge = watched.page.locator(".leadflow-team-badge")
            assert style_of(badge, "borderLeftColor") == rgb(team_color(team)), team
            watched.shows("Your guess: the company's revenue this quarter, in €", room)
            assert_no_keys(watched, "brief")
        assert rgb(team_color("red")) == "rgb(213, 94, 0)"  # the palette's red (vermillion)
        red.screenshot(path=output_dir / "1-red-phone-brief.png", full_page=True)
        blue.screenshot(path=output_dir / "1-blue-laptop-brief.png", full_page=True)
        assert_fits_the_phone(phone)

        # predict: a bad guess is refused with one line, then each team posts its own
        guess(phone, "lots")
        expect(red.get_by_text("Not posted: 'lots' is not an amount")).to_be_visible()
        guess(phone, "350k")
        expect(red.get_by_text("Your team's guess: €350,000")).to_be_visible()
        guess(laptop, "1.2m")
        expect(blue.get_by_text("Your team's guess: €1,200,000")).to_be_visible()
        red.screenshot(path=output_dir / "2-red-phone-guessed.png", full_page=True)

        # move a lever each, and submit
        red.locator(".noUi-handle").first.focus()
        for _ in range(5):
            red.keyboard.press("ArrowRight")  # MQL bar 0.45 -> 0.50
        expect(red.get_by_text("Not submitted yet: MQL bar = 0.5")).to_be_visible()
        blue.locator("select").first.select_option(label="cherry pick")
        expect(blue.get_by_text("Which leads reps call first = cherry pick")).to_be_visible()
        for watched in (phone, laptop):
            assert_no_keys(watched, "levers moved")
            watched.page.locator(".widget-button", has_text="Submit choices").click()
            expect(watched.page.get_by_text("Submitted at")).to_be_visible(timeout=TIMEOUT_MS)
        red.screenshot(path=output_dir / "3-red-phone-submitted.png", full_page=True)
        assert_fits_the_phone(phone)

        # the facilitator locks the round: the players' pages say so, and take no more guesses
        _click_console_button(console, "Lock round")
        expect(console.get_by_text(re.compile(r"Locked Q1 Silos"))).to_be_visible(
            timeout=TIMEOUT_MS)
        for watched in (phone, laptop):
            expect(watched.page.get_by_text(re.compile(r"round 1 of 4\) · locked"))).to_be_visible(
                timeout=60_000)
            expect(watched.page.get_by_text("is locked: your choices are in")).to_be_visible()
            expect(watched.page.locator(".widget-button", has_text="Post guess")).to_be_disabled()
        red.screenshot(path=output_dir / "4-red-phone-locked.png", full_page=True)

        # ... and processes it, confirming; the console's debrief sets each guess beside its result
        _process(console, output_dir / "5-console-process-question.png")
        results = Game(room.folder).round_results(0).set_index("team")["revenue"]
        console.get_by_role("tab", name="Guesses vs results").click()
        guesses = console.locator("table.leadflow-guesses")
        expect(guesses).to_contain_text("€350,000", timeout=TIMEOUT_MS)
        expect(guesses).to_contain_text("€1,200,000")
        expect(guesses).to_contain_text(f"€{results['red']:,.0f}")
        console.screenshot(path=output_dir / "6-console-guesses.png", full_page=True)

        # the team pages pick up the results: processed, and their own guess beside the result
        for watched, own, other in ((phone, "€350,000", "€1,200,000"),
                                    (laptop, "€1,200,000", "€350,000")):
            page = watched.page
            expect(page.get_by_text(re.compile(r"round 1 of 4\) · processed"))).to_be_visible(
                timeout=60_000)
            expect(page.get_by_text("Your guess vs the result")).to_be_visible()
            recap = page.locator("table", has_text="your guess")
            expect(recap).to_contain_text(own)
            assert other not in _body(page)  # another team's guess is the projector's to show
            assert_no_keys(watched, "results")
        # a silo quarter: the company's revenue is the projector's to reveal, not the page's
        expect(red.locator("table", has_text="your guess")).to_contain_text("on the projector")
        assert f"€{results['red']:,.0f}" not in _body(red)
        red.screenshot(path=output_dir / "7-red-phone-results.png", full_page=True)
        blue.screenshot(path=output_dir / "7-blue-laptop-results.png", full_page=True)
        assert_fits_the_phone(phone)

        # presenter mode from the console's button: the reveal, then the guesses
        with boss.context.expect_page() as opened:
            presenter.click()
        screen = opened.value
        screen.set_viewport_size(PROJECTOR)
        screen.on("pageerror", lambda exc: boss.problems.append(f"presenter page error: {exc}"))
        assert screen.url == game.presenter_link(room.console_base)
        expect(screen.get_by_text("Reveal next place")).to_be_visible(timeout=TIMEOUT_MS)
        screen.screenshot(path=output_dir / "8-presenter-hidden.png")
        screen.locator(".widget-button:visible", has_text="Reveal all").click()
        board = screen.locator("table")
        expect(board).to_contain_text("red", timeout=TIMEOUT_MS)
        expect(board).to_contain_text("blue")
        swatch = board.locator("tr", has_text="red").locator("span")
        assert style_of(swatch, "color") == rgb(team_color("red"))
        screen.screenshot(path=output_dir / "9-presenter-leaderboard.png")
        screen.locator(".widget-button[title='Next']").click()
        expect(screen.get_by_text(re.compile(r"Guesses vs results · Q1 Silos"))).to_be_visible()
        table = screen.locator("table.leadflow-guesses")
        expect(table).to_contain_text("€350 k")
        expect(table).to_contain_text("€1.20 m")
        assert style_of(table.locator("tr", has_text="red").locator("span"), "color") == \
            rgb(team_color("red"))
        screen.screenshot(path=output_dir / "10-presenter-guesses.png")

        for watched in (boss, phone, laptop):
            watched.assert_clean(room)
    finally:
        for watched in (boss, phone, laptop):
            watched.close()
