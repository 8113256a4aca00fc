"""The workshop game in real browsers, served as ``make game`` serves it: one room server
(``python -m sim game serve``) with the players' door and the facilitator's console door.

Two teams play a round at once: one player on a phone joins by typing the join code on the start
page, the other opens the team's link on a laptop; both submit, the facilitator opens the
console link, locks and processes the round, and the leaderboard ranks both teams. A wrong link
gets one neutral message that names no team, and the console refuses a page whose address is not
the loopback one (what a DNS-rebinding page would be). Each player has a browser context of its
own (cookies, storage), as two people on two devices. Screenshots go to
``test-output/browser/<test>/``; every response of 400 or more and every page error is kept, so
that a missing stylesheet or script (an asset the server does not have, or does not let through)
fails the test with its address.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from sim.game import Game
from tests.browser.chromium import CHROMIUM_ARGS, find_chromium
from tests.servers import GameServer

TIMEOUT_MS = 120_000
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1100, "height": 1100}
TEAMS = ("red", "blue")
REBOUND_NAME = "rebound.test"
"""A name the rebinding test's browser resolves to 127.0.0.1, as a rebinding page's name would."""

pytestmark = pytest.mark.browser


class Watched:
    """A browser context and page whose failed responses and page errors are kept."""

    def __init__(self, browser, name: str, viewport: dict[str, int]):
        self.name = name
        self.context = browser.new_context(viewport=viewport)
        self.context.set_default_timeout(30_000)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("response", self._response)
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status} {response.request.method} {response.url}")

    def assert_clean(self, server: GameServer, expected: tuple[str, ...] = ()) -> None:
        """No response of 400 or more (but those whose address contains one of ``expected``)
        and no script error on the page."""
        unexpected = [p for p in self.problems if not any(e in p for e in expected)]
        assert not unexpected, (f"{self.name}'s page had failed requests or errors (a 404 on a "
                                f"static path is an asset the server lacks or blocks): "
                                f"{unexpected}\n{server.describe()}")

    def open(self, url: str, server: GameServer) -> None:
        """Go to ``url`` and check, once it has loaded, that its stylesheets and scripts came:
        a page without them stays blank, and the failure names what is missing."""
        self.page.goto(url, timeout=TIMEOUT_MS)
        self.assert_clean(server)

    def shows(self, text: str, server: GameServer, timeout: float = TIMEOUT_MS) -> None:
        """Wait until the page shows ``text``; the failure lists the page's failed requests."""
        try:
            _expect()(self.page.get_by_text(text)).to_be_visible(timeout=timeout)
        except AssertionError as exc:
            raise AssertionError(f"{self.name}'s page does not show {text!r}; its failed "
                                 f"requests and errors: {self.problems}\n"
                                 f"{server.describe()}") from exc

    def close(self) -> None:
        self.context.close()


def _expect():
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)  # a busy two-core machine may take seconds per answer
    return expect


def _body(page) -> str:
    return page.locator("body").inner_text()


def _names_a_team(text: str) -> bool:
    return any(re.search(rf"\b{team}\b", text, re.IGNORECASE) for team in TEAMS)


def _click_console_button(page, name: str) -> None:
    """Click the console's visible button ``name`` (waiting until it is enabled)."""
    page.locator(".widget-button:visible", has_text=name).first.click()


def _room_people(chromium) -> tuple[Watched, Watched, Watched]:
    """The facilitator on a laptop, red's player on a phone and blue's on a laptop, each with a
    browser context of its own (as three people on three devices)."""
    return (Watched(chromium, "console", {"width": 1280, "height": 1400}),
            Watched(chromium, "red (phone)", PHONE), Watched(chromium, "blue (laptop)", LAPTOP))


def _open_first_round_now(page) -> None:
    """Open the first round with no countdown (a slow machine must not lock it early)."""
    countdown = page.locator(".widget-text", has_text="countdown").locator("input")
    countdown.fill("0")
    countdown.press("Enter")
    _click_console_button(page, "Open next round")


def _process(page, question_shot: Path) -> None:
    """Press Process round, and Confirm if the console asks for it (it works with or without
    a confirmation step); the question's screenshot goes to ``question_shot``."""
    expect = _expect()
    _click_console_button(page, "Process round")
    done = page.get_by_text(re.compile(r"Processed Q1 Silos"))
    confirm = page.locator(".widget-button:visible", has_text=re.compile(r"^\s*Confirm"))
    expect(done.or_(confirm).first).to_be_visible(timeout=TIMEOUT_MS)
    if not done.is_visible():
        page.screenshot(path=question_shot)
        confirm.first.click()
    expect(done).to_be_visible(timeout=TIMEOUT_MS)
    expect(confirm).to_have_count(0)  # the question is gone once the round is processed


def test_two_teams_play_a_round_and_the_console_ranks_them(chromium, room, output_dir):
    expect = _expect()
    folder = room.folder

    # the facilitator opens the console link and the first round
    boss, phone, laptop = _room_people(chromium)
    try:
        console = boss.page
        boss.open(room.console_link(), room)
        boss.shows("Facilitator:", room)
        _open_first_round_now(console)
        expect(console.get_by_text(re.compile(r"Opened Q1 Silos"))).to_be_visible(
            timeout=TIMEOUT_MS)

        # red's marketing half types its join code on the start page, on a phone
        red = phone.page
        red.goto(room.url("/"), timeout=TIMEOUT_MS)
        expect(red.get_by_role("heading", name="Join your team")).to_be_visible()
        red.screenshot(path=output_dir / "1-join-page-phone.png", full_page=True)
        code = room.code("red", "marketing")
        red.get_by_label("Join code").fill(f"{code[:3].lower()} {code[3:].lower()}")
        red.get_by_role("button", name="Join").click()
        expect(red).to_have_url(re.compile(r"/play\?key="), timeout=TIMEOUT_MS)
        red.wait_for_load_state("load")
        phone.assert_clean(room)
        # blue's sales half opens its link on a laptop
        blue = laptop.page
        laptop.open(room.link("blue", "sales"), room)

        for watched, team, role in ((phone, "red", "marketing"), (laptop, "blue", "sales")):
            watched.shows(f"Team {team} · {role.capitalize()}", room)
            watched.shows("round 1 of 4", room)
            assert "Traceback" not in _body(watched.page)
        # silos: each half sees only its own levers (each named in its brief and by its slider)
        assert red.get_by_text("MQL bar").count() >= 1
        assert red.get_by_text("cold-calling").count() == 0
        assert blue.get_by_text("Which leads reps call first").count() >= 1
        assert blue.get_by_text("MQL bar").count() == 0
        watched_brief = red.get_by_text("Your brief")
        assert watched_brief.count() == 1 and red.get_by_text("You play marketing").count() == 1
        red.screenshot(path=output_dir / "2-red-phone-before-submit.png", full_page=True)
        width = red.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the phone page is {width} px wide: it scrolls sideways"

        red.locator(".noUi-handle").first.focus()
        for _ in range(5):
            red.keyboard.press("ArrowRight")  # MQL bar 0.45 -> 0.50
        expect(red.locator(".widget-readout").first).to_have_text("0.50")
        # the page names what Submit would post once the server has it (slider updates are
        # sent in batches and a click could otherwise overtake them)
        expect(red.get_by_text("Not submitted yet: MQL bar = 0.5")).to_be_visible()
        blue.locator("select").first.select_option(label="cherry pick")
        expect(blue.get_by_text("Which leads reps call first = cherry pick")).to_be_visible()
        # both press Submit at once
        red.locator(".widget-button", has_text="Submit choices").click(no_wait_after=True)
        blue.locator(".widget-button", has_text="Submit choices").click(no_wait_after=True)
        for page in (red, blue):
            expect(page.get_by_text("Submitted at")).to_be_visible(timeout=TIMEOUT_MS)
        red.screenshot(path=output_dir / "3-red-phone-submitted.png", full_page=True)
        blue.screenshot(path=output_dir / "3-blue-laptop-submitted.png", full_page=True)

        red_env = yaml.safe_load((folder / "rounds" / "00" / "red.marketing.yaml").read_text())
        blue_env = yaml.safe_load((folder / "rounds" / "00" / "blue.sales.yaml").read_text())
        assert red_env["choices"]["scoring.mql_threshold"] == pytest.approx(0.50)
        assert blue_env["choices"]["sales.prioritisation"] == "cherry_pick"

        # the console sees both envelopes (by its own refresh), locks and processes the round
        envelopes = console.locator("table", has_text="marketing").first
        expect(envelopes).to_be_visible()
        _click_console_button(console, "Lock round")
        expect(console.get_by_text(re.compile(r"Locked Q1 Silos"))).to_be_visible(
            timeout=TIMEOUT_MS)
        _process(console, output_dir / "4-console-process-question.png")
        board = console.locator("table", has_text="revenue to date")
        expect(board).to_be_visible(timeout=TIMEOUT_MS)
        ranked = [row.locator("td").nth(1).text_content()
                  for row in board.locator("tbody tr").all()]
        assert sorted(ranked) == ["blue", "red"]
        chart = console.locator("img.widget-image").first
        console.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                  arg=chart.element_handle())
        console.screenshot(path=output_dir / "5-console.png", full_page=True)
        assert "Traceback" not in _body(console)

        # the team pages pick up the results by themselves (they re-read the folder)
        expect(red.get_by_text("Your results")).to_be_visible(timeout=60_000)
        expect(red.get_by_role("columnheader", name="MQLs delivered")).to_be_visible()
        assert red.get_by_text("Bookings").count() == 0  # the other half's KPI stays hidden
        red.screenshot(path=output_dir / "6-red-phone-results.png", full_page=True)

        for watched in (boss, phone, laptop):
            watched.assert_clean(room)
    finally:
        for watched in (boss, phone, laptop):
            watched.close()

    results = Game(folder).round_results(0)
    assert set(results["team"]) == {"red", "blue", "reference"}
    table = results.set_index("team")
    assert not table.loc["red", "auto_marketing"] and table.loc["red", "auto_sales"]
    assert not table.loc["blue", "auto_sales"] and table.loc["blue", "auto_marketing"]


def test_a_wrong_link_or_code_gets_a_neutral_message(chromium, room, output_dir):
    expect = _expect()
    visitor = Watched(chromium, "visitor", PHONE)
    try:
        page = visitor.page
        real = room.link("red", "marketing")
        wrong = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
        response = page.goto(wrong, timeout=TIMEOUT_MS)
        assert response is not None and response.status == 403
        expect(page.get_by_text("not valid for this game")).to_be_visible()
        text = _body(page)
        assert not _names_a_team(text), text
        assert "Traceback" not in text
        page.screenshot(path=output_dir / "1-wrong-link.png", full_page=True)

        # the page offers the join form; a wrong code gets the same message
        page.get_by_label("Join code").fill("ZZZZZZ")
        page.get_by_role("button", name="Join").click()
        expect(page.get_by_text("not valid for this game")).to_be_visible()
        assert not _names_a_team(_body(page))
        assert "/play" not in page.url
        page.screenshot(path=output_dir / "2-wrong-code.png", full_page=True)
        # the refusals are the only failed requests: no asset is missing from these pages
        visitor.assert_clean(room, expected=("/play?key=", "/join"))
    finally:
        visitor.close()


def test_the_console_refuses_a_page_that_is_not_on_the_loopback_address(chromium, room,
                                                                        output_dir):
    """A browser whose name for the facilitator's machine is not 127.0.0.1 (a DNS-rebinding
    page resolves its own name to the loopback address) is refused, even with the console's
    key; the same browser on 127.0.0.1 gets the console."""
    rules = f"--host-resolver-rules=MAP {REBOUND_NAME} 127.0.0.1"
    browser = chromium.browser_type.launch(executable_path=find_chromium(), headless=True,
                                           args=[*CHROMIUM_ARGS, rules], timeout=60_000)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        rebound = room.console_link().replace("127.0.0.1", REBOUND_NAME, 1)
        assert REBOUND_NAME in rebound
        response = page.goto(rebound, timeout=TIMEOUT_MS)
        assert response is not None and response.status == 421
        text = _body(page)
        assert "Facilitator:" not in text and not _names_a_team(text), text
        page.screenshot(path=output_dir / "1-console-refused.png", full_page=True)

        # the same browser, key and port on the loopback address: the console's page (whose
        # widgets the first test drives)
        response = page.goto(room.console_link(), timeout=TIMEOUT_MS)
        assert response is not None and response.status == 200
        assert "answers only on its own address" not in response.text()
    finally:
        browser.close()
