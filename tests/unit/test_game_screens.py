"""Unit tests of the game's screens: the team page, join form, facilitator console and solo play,
driven headless through their methods as the buttons would call them."""

from __future__ import annotations

import html
import re
from pathlib import Path

import ipywidgets as w
import pytest

from sim.game import REFERENCE, Game, GameError
from sim.game.console import FacilitatorScreen, NewGameForm
from sim.game.display import Notice
from sim.game.rules import ALL_LEVERS
from sim.game.solo import SoloScreen
from sim.game.team_screen import JoinScreen, TeamScreen, player_help
from sim.views.palette import team_color

pytestmark = pytest.mark.usefixtures("agg_backend")

PNG = b"\x89PNG"
LEVERS_IN_PLAY = (*ALL_LEVERS, "incentives.shared_kpi_weight")


def new_game(folder: Path, **options) -> Game:
    options.setdefault("weeks_per_round", 2)
    options.setdefault("teams", ["red", "blue"])
    options.setdefault("luck_reps", 2)  # the fewest a game gets by default: the fastest
    return Game.create(folder / "game", **options)


def table_rows(text: str) -> list[list[str]]:
    """The cells of the first HTML table in ``text``, header row first."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", text, flags=re.S)
    return [[html.unescape(c.strip()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row,
                                                        flags=re.S)] for row in rows]


def number(text: str) -> float | None:
    """A number as a screen shows it (thousands separators allowed), or None."""
    cleaned = text.replace(",", "").replace("\u202f", "").strip()
    try:
        return float(cleaned)
    except ValueError:
        return None


def page(screen) -> str:
    """Every piece of HTML and every label a screen shows."""
    stack, out = [screen.widget], []
    while stack:
        node = stack.pop()
        if isinstance(node, w.HTML | w.Label):
            out.append(node.value)
        stack.extend(getattr(node, "children", ()))
    return "\n".join(out)


# --------------------------------------------------------------------------- team page
def _link_query(game, team, role):
    return f"key={game.key_for(team, role)}"


def test_link_opens_the_team_page_with_own_levers(tmp_path):
    game = new_game(tmp_path)
    game.open_round()
    screen = TeamScreen.from_request(game.folder, _link_query(game, "red", "sales"))
    assert isinstance(screen, TeamScreen)
    assert (screen.team, screen.role, screen.round_index) == ("red", "sales", 0)
    assert list(screen.controls) == ["sales.prioritisation", "sales.prospecting_share",
                                     "sales.cold_calling"]
    assert not screen.submit_button.disabled
    assert "Practice" in screen.round_label.value and "open" in screen.round_label.value
    assert "Team red" in screen.header.value and "Sales" in screen.header.value


def test_join_code_opens_the_team_page(tmp_path):
    game = new_game(tmp_path)
    code = game.code_for("blue", "marketing")
    screen = TeamScreen.from_request(game.folder, f"code={code.lower()}")
    assert isinstance(screen, TeamScreen)
    assert (screen.team, screen.role) == ("blue", "marketing")


def test_query_string_comes_from_the_environment(tmp_path, monkeypatch):
    game = new_game(tmp_path)
    monkeypatch.setenv("QUERY_STRING", _link_query(game, "blue", "sales"))
    screen = TeamScreen.from_request(game.folder)
    assert isinstance(screen, TeamScreen) and screen.team == "blue"


@pytest.mark.parametrize("query", ["team=blue&role=sales", "team=red&role=marketing&key=",
                                   "key=blue/sales", "key=not-a-key&team=blue&role=sales"])
def test_a_team_and_role_in_the_address_are_not_a_pass(tmp_path, query):
    """Anyone can type ?team=blue&role=sales: only the link's secret key opens a team page."""
    game = new_game(tmp_path)
    screen = TeamScreen.from_request(game.folder, query)
    assert isinstance(screen, JoinScreen)
    assert "blue" not in screen.message_label.value and "red" not in screen.message_label.value


def test_before_the_game_starts_there_is_nothing_to_move(tmp_path):
    game = new_game(tmp_path)
    screen = TeamScreen(game, "red", "marketing")
    assert screen.controls == {} and screen.submit_button.disabled
    assert "not started" in screen.round_label.value
    assert screen.submit() is None
    assert "not started" in screen.message_label.value
    assert list(game.folder.rglob("*.*.yaml")) == []  # no envelope


@pytest.mark.parametrize("query", ["", "team=red", "role=sales", "foo=bar"])
def test_incomplete_address_shows_the_join_form(tmp_path, query):
    game = new_game(tmp_path)
    screen = TeamScreen.from_request(game.folder, query)
    assert isinstance(screen, JoinScreen)
    assert screen.message_label.value == ""


@pytest.mark.parametrize(("query", "problem"), [
    ("code=ZZZZZZ", "not a code of this game"),
    ("key=wrong", "not valid for this game"),
])
def test_wrong_address_shows_the_join_form_with_a_neutral_problem(tmp_path, query, problem):
    game = new_game(tmp_path)
    screen = TeamScreen.from_request(game.folder, query)
    assert isinstance(screen, JoinScreen)
    assert problem in screen.message_label.value.replace("&#x27;", "'")
    assert not any(team in screen.message_label.value for team in game.teams)


def test_join_form_joins_with_a_code(tmp_path):
    game = new_game(tmp_path)
    join = TeamScreen.from_request(game.folder, "")
    assert join.join("nope") is None
    assert "not a code" in join.message_label.value
    screen = join.join(game.code_for("red", "sales"))
    assert isinstance(screen, TeamScreen) and (screen.team, screen.role) == ("red", "sales")
    assert join.widget.children == (screen.widget,)


def test_no_game_yet_shows_a_notice(tmp_path):
    screen = TeamScreen.from_request(tmp_path / "missing", "key=anything")
    assert isinstance(screen, Notice)
    assert "No game to join yet" in screen.widget.value
    screen.refresh()  # nothing to re-read, and no error


def test_team_screen_refuses_strangers(tmp_path):
    game = new_game(tmp_path)
    with pytest.raises(GameError, match="purple"):
        TeamScreen(game, "purple", "sales")
    with pytest.raises(GameError, match="boss"):
        TeamScreen(game.folder, "red", "boss")


def test_submit_posts_the_envelope(tmp_path):
    game = new_game(tmp_path)
    game.open_round()
    screen = TeamScreen(game.folder, "red", "sales")
    screen.set("sales.prioritisation", "cherry_pick")
    screen.set("sales.cold_calling", 0.6)
    path = screen.submit()
    assert path == game.envelope_path(0, "red", "sales") and path.exists()
    assert "Submitted" in screen.message_label.value
    sub = Game(game.folder).envelopes(0).valid[("red", "sales")]
    assert sub.choices["sales.prioritisation"] == "cherry_pick"
    assert sub.choices["sales.cold_calling"] == pytest.approx(0.6)
    assert "red 1/2" in screen.others.value and "blue 0/2" in screen.others.value


def test_page_names_the_moved_levers_until_they_are_submitted(tmp_path):
    game = new_game(tmp_path)
    game.open_round()
    screen = TeamScreen(game.folder, "red", "sales")
    assert screen.pending.value == ""
    screen.set("sales.cold_calling", 0.6)
    assert "Not submitted yet: Cold-calling intensity = 0.6" in screen.pending.value
    assert "Which leads" not in screen.pending.value
    screen.submit()
    assert screen.pending.value == ""
    screen.set("sales.prioritisation", "cherry_pick")
    assert "Which leads reps call first = cherry pick" in screen.pending.value
    assert "Cold-calling" not in screen.pending.value


def test_the_team_page_names_levers_and_choices_in_words_never_as_keys(tmp_path):
    game = new_game(tmp_path, practice=False)
    game.play({}, until=2)
    game.open_round()  # Q4: every lever of both halves is unlocked
    for role in ("marketing", "sales"):
        screen = TeamScreen(game, "red", role)
        for key, control in screen.controls.items():
            if isinstance(control.input, w.Dropdown):
                labels = [label for label, _value in control.input.options]
                assert not any("_" in label for label in labels), (key, labels)
                screen.set(key, control.input.options[-1][1])
            elif isinstance(control.input, w.Checkbox):
                screen.set(key, not control.value)
        shown = page(screen)
        assert "Not submitted yet" in shown
        leaked = [key for key in LEVERS_IN_PLAY if key in shown]
        assert not leaked, f"{role}'s page shows lever keys: {leaked}"


def test_the_team_name_wears_the_team_colour(tmp_path):
    game = new_game(tmp_path, teams=["red", "blue", "ocelots"])
    headers = {team: TeamScreen(game, team, "sales").header.value for team in game.teams}
    assert "class='leadflow-team-badge' style='border-left:10px solid #D55E00;" in headers["red"]
    assert "border-left:10px solid #0072B2;" in headers["blue"]
    assert f"border-left:10px solid {team_color('ocelots')};" in headers["ocelots"]
    assert "Team red · Sales</h3>" in headers["red"]


def test_reopened_page_shows_the_posted_choices(tmp_path):
    game = new_game(tmp_path)
    game.open_round()
    first = TeamScreen(game.folder, "red", "sales")
    first.set("sales.prioritisation", "score")
    first.submit()
    again = TeamScreen.from_request(game.folder, _link_query(game, "red", "sales"))
    assert again.values()["sales.prioritisation"] == "score"
    other = TeamScreen.from_request(game.folder, _link_query(game, "blue", "sales"))
    assert other.values()["sales.prioritisation"] == game.base.sales.prioritisation


def test_locked_round_disables_submit_and_reports_instead_of_raising(tmp_path):
    game = new_game(tmp_path)
    game.open_round()
    screen = TeamScreen(game.folder, "red", "marketing")
    assert not screen.submit_button.disabled
    Game(game.folder).lock_round()  # the facilitator, elsewhere
    assert screen.submit() is None
    assert "Not submitted" in screen.message_label.value
    assert "locked" in screen.message_label.value
    assert screen.submit_button.disabled
    assert all(wd.disabled for c in screen.controls.values() for wd in c.widgets)
    assert not game.envelope_path(0, "red", "marketing").exists()
    screen.refresh()
    assert screen.submit_button.disabled and "locked" in screen.round_label.value


def test_new_round_brings_unlocked_levers_with_previous_choices(tmp_path):
    game = new_game(tmp_path)
    game.play({1: {"red": {"marketing": {"scoring.mql_threshold": 0.6,
                                         "marketing.brand_share": 0.3}}}}, until=1)
    screen = TeamScreen(game.folder, "red", "marketing")
    assert screen.round_index == 1 and screen.submit_button.disabled
    assert "communication.crm_sharing" not in screen.controls
    game.open_round()  # round 2 unlocks communication
    screen.refresh()
    assert screen.round_index == 2 and not screen.submit_button.disabled
    assert list(screen.controls) == ["scoring.mql_threshold", "marketing.brand_share",
                                     "pricing.price_index", "communication.crm_sharing",
                                     "communication.handoff",
                                     "communication.meeting_every_weeks"]
    values = screen.values()
    assert values["scoring.mql_threshold"] == pytest.approx(0.6)
    assert values["marketing.brand_share"] == pytest.approx(0.3)
    assert values["communication.crm_sharing"] == pytest.approx(
        game.base.communication.crm_sharing)
    assert "Unlocked: communication" in page(screen)
    sales = TeamScreen(game.folder, "red", "sales")
    assert "communication.sla_hours" in sales.controls
    assert "feedback.mode" not in sales.controls


def results_by_round(screen: TeamScreen) -> dict[str, dict[str, str]]:
    rows = table_rows(screen.results_html.value)
    header = rows[0]
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def test_results_show_only_the_own_kpi_until_the_shared_round(tmp_path):
    game = new_game(tmp_path, weeks_per_round=4)
    game.play({})
    red = game.results().query("team == 'red'").set_index("round_name")
    marketing = results_by_round(TeamScreen(game.folder, "red", "marketing"))
    sales = results_by_round(TeamScreen(game.folder, "red", "sales"))
    assert list(marketing) == list(red.index)
    mql_column = next(c for c in marketing["Q1 Silos"] if "MQL" in c)
    revenue_column = next(c for c in marketing["Q1 Silos"] if "revenue" in c.lower())
    assert not any("ooking" in c for c in marketing["Q1 Silos"])
    assert not any("MQL" in c for c in sales["Q1 Silos"])
    bookings_column = next(c for c in sales["Q1 Silos"] if "ooking" in c)
    for name, row in marketing.items():
        assert number(row[mql_column]) == pytest.approx(red.loc[name, "mqls"], abs=0.5)
        assert number(sales[name][bookings_column]) == pytest.approx(red.loc[name, "revenue"],
                                                                     abs=0.5)
        shared = game.rounds[int(red.loc[name, "round"])].shared_kpi
        if shared:
            assert number(row[revenue_column]) == pytest.approx(red.loc[name, "revenue"], abs=0.5)
        else:
            assert number(row[revenue_column]) is None, name
    assert red.loc["Q2 Talk", "revenue"] > 0  # so a hidden value would have shown
    assert sum(game.round(int(r)).shared_kpi for r in red["round"]) == 1


def test_results_never_show_other_teams(tmp_path):
    game = new_game(tmp_path, weeks_per_round=3, practice=False)
    game.play({0: {"blue": {"marketing": {"scoring.mql_threshold": 0.05}}}}, until=0)
    results = game.results().set_index("team")
    assert results.loc["blue", "mqls"] != results.loc["red", "mqls"]
    shown = results_by_round(TeamScreen(game.folder, "red", "marketing"))
    assert list(shown) == ["Q1 Silos"]
    values = [number(v) for c, v in shown["Q1 Silos"].items() if c != "reference"]
    assert results.loc["red", "mqls"] in values
    assert results.loc["blue", "mqls"] not in values
    assert results.loc[REFERENCE, "mqls"] not in values
    # the well-aligned reference company is shown, in a column of its own, as the yardstick
    assert number(shown["Q1 Silos"]["reference"]) == pytest.approx(results.loc[REFERENCE, "mqls"],
                                                                   abs=0.5)


def test_others_line_shows_counts_never_choices(tmp_path):
    game = new_game(tmp_path, teams=["red", "blue", "green"])
    game.open_round()
    game.submit("blue", "sales", {"sales.prioritisation": "cherry_pick",
                                  "sales.cold_calling": 0.77})
    game.submit("blue", "marketing", {"scoring.mql_threshold": 0.33})
    screen = TeamScreen(game.folder, "red", "sales")
    assert re.search(r"red 0/2 · blue 2/2 · green 0/2", screen.others.value)
    shown = page(screen)
    for secret in ("cherry_pick", "0.77", "0.33"):
        assert secret not in shown
    assert screen.values()["sales.prioritisation"] != "cherry_pick"


# --------------------------------------------------------------------------- facilitator
@pytest.fixture
def console(tmp_path) -> FacilitatorScreen:
    game = new_game(tmp_path, practice=False, weeks_per_round=3)
    screen = FacilitatorScreen.for_folder(game.folder, base_url="http://room:8866")
    assert isinstance(screen, FacilitatorScreen)
    return screen


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """A console driven through one round, with what it showed after each click.

    Drawing the debrief charts is the slow part, so the round is played once for the module.
    """
    game = new_game(tmp_path_factory.mktemp("console"), practice=False, weeks_per_round=3)
    console = FacilitatorScreen(game.folder, base_url="http://room:8866")
    seen = {}

    def look(step, result):
        seen[step] = {"result": result, "message": console.message_label.value,
                      "round": console.round_label.value, "status": console.envelopes.status_html.value,
                      "board": console.debrief.board_html.value,
                      "status_of_round": Game(game.folder).state(0).status}

    look("start", None)
    console.minutes.value = 0
    look("open", console.open_round())
    Game(game.folder).submit("red", "sales", {"sales.cold_calling": 0.4})
    (game.folder / "rounds" / "00" / "blue.sales.yaml").write_text("choices: [")
    console.refresh()
    look("posted", None)
    look("lock", console.lock_round())
    look("asked", console.process_round())  # the button asks first
    look("process", console.confirm())
    return console, seen


def test_console_shows_links_and_codes(session):
    console, seen = session
    for row in console.game.links("http://room:8866").to_dict("records"):
        assert row["code"] in console.links_html.value
        assert row["link"] in console.links_html.value
    assert "not started" in seen["start"]["round"]
    assert seen["start"]["board"] == "" and seen["start"]["status"] == ""


def test_console_opens_a_round(session):
    _, seen = session
    step = seen["open"]
    assert step["result"] == 0 and step["status_of_round"] == "open"
    assert "Opened" in step["message"]
    assert "open" in step["round"] and "closes at" not in step["round"]
    assert "Envelopes" in step["status"]


def test_console_shows_who_has_posted(session):
    _, seen = session
    rows = table_rows(seen["posted"]["status"])
    assert rows[0][:2] == ["team", "marketing"]
    posted = {row[0]: row[1:] for row in rows[1:]}
    assert posted["blue"] == ["-", "-"]
    assert posted["red"][0] == "-" and re.fullmatch(r"\d\d:\d\d:\d\d", posted["red"][1])


def test_console_lists_skipped_envelopes(session):
    _, seen = session
    for step in ("posted", "lock", "process"):
        assert "blue.sales.yaml" in seen[step]["status"], step


def test_console_locks_and_processes(session):
    console, seen = session
    assert seen["lock"]["result"] == 0 and seen["lock"]["status_of_round"] == "locked"
    assert "Locked" in seen["lock"]["message"] and "locked" in seen["lock"]["round"]
    step = seen["process"]
    assert step["result"] == 0 and step["status_of_round"] == "processed"
    assert "Processed" in step["message"] and "processed" in step["round"]
    assert [row[1] for row in table_rows(step["board"])[1:]] == \
        list(console.game.leaderboard()["team"])
    assert all(bytes(image.value).startswith(PNG) for image in console.debrief.images.values())
    assert 'download="game-results.csv"' in console.debrief.export_html.value


def test_second_console_sees_the_same_game(session):
    console, _ = session
    other = FacilitatorScreen(console.game.folder)
    assert other.debrief.board_html.value == console.debrief.board_html.value
    assert "processed" in other.round_label.value


def test_console_countdown(console):
    console.minutes.value = 2.5
    console.open_round()
    state = console.game.state(0)
    assert state.closes_at is not None
    assert (state.closes_at - state.opened_at).total_seconds() == pytest.approx(150)
    assert "closes at" in console.round_label.value


@pytest.mark.parametrize(("action", "problem"), [
    ("process_round", "no round has been opened yet"),
    ("lock_round", "no round has been opened yet"),
])
def test_console_reports_errors_instead_of_raising(console, action, problem):
    assert getattr(console, action)() is None
    assert problem in console.message_label.value
    assert console.game.current_round() is None


def test_console_refuses_to_open_before_processing(console):
    console.minutes.value = 0
    console.open_round()
    assert console.open_round() is None
    assert "Process Q1 Silos before opening Q2 Talk." in console.message_label.value
    assert console.game.state(1).status == "waiting"


def enabled(console: FacilitatorScreen) -> set[str]:
    return {action for action, button in console.buttons.items() if not button.disabled}


def asking(console: FacilitatorScreen) -> bool:
    return console.confirm_box.layout.display != "none"


def test_console_asks_before_processing(session):
    console, seen = session
    step = seen["asked"]
    assert step["result"] is None and step["status_of_round"] == "locked"
    assert "Process Q1 Silos? Every team is simulated" in step["message"]


@pytest.fixture
def small_console(tmp_path) -> FacilitatorScreen:
    """A console on a one-team game of one-week quarters without replays (quick to process)."""
    game = new_game(tmp_path, teams=["red"], practice=False, weeks_per_round=1, luck_reps=0)
    screen = FacilitatorScreen(game.folder)
    screen.minutes.value = 0
    return screen


def test_console_buttons_follow_the_round(small_console):
    console = small_console
    assert enabled(console) == {"open"}
    console.open_round()
    assert enabled(console) == {"lock"}
    console.lock_round()
    assert enabled(console) == {"process", "reopen"}
    console.process_round(confirm=True)
    assert enabled(console) == {"open", "undo"}
    console.undo_round(confirm=True)
    assert enabled(console) == {"process", "reopen"}
    console.reopen_round()
    assert enabled(console) == {"lock"}
    assert console.game.state(0).status == "open"


def test_console_confirm_and_cancel(small_console):
    console = small_console
    console.open_round()
    console.lock_round()
    assert console.process_round() is None and asking(console)
    assert console.confirm_button.description == "Confirm: process Q1 Silos"
    console.cancel()
    assert not asking(console) and "Cancelled: nothing changed." in console.message_label.value
    assert console.confirm() is None and console.game.state(0).status == "locked"
    console.process_round()
    assert console.confirm() == 0 and not asking(console)
    assert console.game.state(0).status == "processed"

    assert console.undo_round() is None and asking(console)
    assert "Undo the processing of Q1 Silos?" in console.message_label.value
    console.open_round()  # another button drops the question
    assert not asking(console) and console.game.state(0).status == "processed"
    assert console.game.state(1).status == "open"
    assert console.undo_round() is None
    assert "Q1 Silos cannot be undone: Q2 Talk has been opened already." in \
        console.message_label.value


def test_console_locks_early_only_once_confirmed(small_console):
    console = small_console
    console.minutes.value = 5
    console.open_round()
    assert console.lock_button.description == "Lock early"
    assert console.lock_round() is None and asking(console)
    assert "The countdown of Q1 Silos runs until" in console.message_label.value
    assert console.game.state(0).status == "open"
    assert console.process_round() is None and not asking(console)
    assert "Q1 Silos is still open: lock it first." in console.message_label.value
    console.lock_round()
    assert console.confirm() == 0
    assert console.game.state(0).status == "locked"
    assert console.lock_button.description == "Lock round"


def test_console_drops_a_question_when_another_console_acts(small_console):
    console = small_console
    console.open_round()
    console.lock_round()
    console.process_round()
    other = FacilitatorScreen(console.game.folder)
    assert other.process_round(confirm=True) == 0
    assert console.confirm() is None
    assert "The game changed since you asked" in console.message_label.value
    assert len(list((console.game.folder / "results").glob("round-*.csv"))) == 1
    # a stale view is refused by name, never by file
    assert console.process_round(confirm=True) is None
    assert "Q1 Silos was processed already." in console.message_label.value
    assert "state.yaml" not in console.message_label.value


def test_console_names_rounds_in_the_games_refusals(small_console, monkeypatch):
    from filelock import FileLock

    console = small_console
    console.open_round()
    monkeypatch.setattr("sim.game.storage.LOCK_TIMEOUT", 0.1)
    with FileLock(console.game.folder / ".lock"):
        assert console.lock_round() is None
    assert "Another console is changing the game; try again." in console.message_label.value
    assert str(console.game.folder) not in console.message_label.value
    error = GameError("x/rounds/00/state.yaml", "round", "round 0 (Q1 Silos) is locked already")
    assert console.advice.explain(error) == "Q1 Silos is locked already."


def test_console_shows_a_damaged_state_file_and_disables_the_buttons(small_console):
    console = small_console
    console.open_round()
    path = console.game.folder / "rounds" / "00" / "state.yaml"
    path.write_text(path.read_text().replace("status: open", "status: banana"))
    console.refresh()
    assert "state.yaml: status: &#x27;banana&#x27; is not a round status" in \
        console.round_label.value
    assert enabled(console) == set()
    assert console.lock_round() is None and "banana" in console.message_label.value


# --------------------------------------------------------------------------- new game form
def test_empty_folder_gets_the_new_game_form(tmp_path):
    form = FacilitatorScreen.for_folder(tmp_path / "fresh")
    assert isinstance(form, NewGameForm)
    form.teams.value = "red, blue ,green"
    form.practice.value = False
    console = form.create()
    assert isinstance(console, FacilitatorScreen)
    assert form.widget.children == (console.widget,)
    game = Game(tmp_path / "fresh")
    assert game.teams == ["red", "blue", "green"]
    assert not any(r.practice for r in game.rounds)
    form.refresh()


@pytest.mark.parametrize("teams", ["Red,blue", "red,red", "", "reference"])
def test_new_game_form_reports_bad_team_names(tmp_path, teams):
    form = FacilitatorScreen.for_folder(tmp_path / "fresh")
    form.teams.value = teams
    assert form.create() is None
    assert form.console is None
    assert "teams" in form.message_label.value
    assert not (tmp_path / "fresh" / "game.yaml").exists()


# --------------------------------------------------------------------------- solo
def test_solo_game_plays_every_round(tmp_path):
    solo = SoloScreen.new(tmp_path / "solo", weeks_per_round=2, luck_reps=2)
    assert solo.game.solo and solo.game.teams == ["solo"]
    assert solo.game.current_round() == 0 and not solo.play_button.disabled
    solo.set("sales.cold_calling", 0.55)
    with pytest.raises(KeyError):
        solo.set("communication.crm_sharing", 0.5)  # not unlocked yet
    rounds = len(solo.game.rounds)
    for index in range(rounds):
        assert not solo.play_button.disabled
        table = solo.play()
        assert table is not None and list(table["round"].unique()) == [index]
        assert solo.message_label.value.count("revenue") == 1
    assert solo.play_button.disabled
    assert "Game over" in solo.summary.value
    assert bytes(solo.image.value).startswith(PNG)
    results = solo.game.results()
    assert len(results) == 2 * rounds
    assert list(results.loc[results["team"] == "solo", "sales.cold_calling"]) == \
        pytest.approx([0.55] * rounds)
    assert results.loc[results["team"] == "solo", "auto_marketing"].sum() == 0
    assert solo.play() is None and "Not played" in solo.message_label.value


# --------------------------------------------------------------------------- luck
def test_console_shows_the_band_and_reads_the_ties_out(tmp_path):
    game = new_game(tmp_path, practice=False, teams=["red", "blue", "green"])
    game.play({0: {"green": {"marketing": {"pricing.price_index": 1.3}}}}, until=0)
    console = FacilitatorScreen(game.folder)
    board = game.leaderboard().set_index("team")
    rows = table_rows(console.debrief.board_html.value)
    header = rows[0]
    shown = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert header[:2] == ["rank", "team"]
    assert "with other luck (vs. reference)" in header and "chance of first" in header
    # red and blue never moved a lever: one company, so tied, sharing first place's chances
    assert shown["red"]["rank"] == shown["blue"]["rank"] and shown["red"]["rank"].startswith("=")
    assert shown["red"]["chance of first"] == shown["blue"]["chance of first"]
    for team in ("red", "blue", "green"):
        low, high = board.loc[team, "vs_reference_low"], board.loc[team, "vs_reference_high"]
        assert shown[team]["with other luck (vs. reference)"] == f"{low:.0%}–{high:.0%}"
    text = html.unescape(console.debrief.board_html.value)
    assert "blue and red" in text or "blue, red" in text
    assert "within what luck alone produces" in text
    assert f"{1 + game.luck_reps} runs of the same quarters" in text


def test_console_says_when_a_round_has_no_replays(tmp_path):
    game = new_game(tmp_path, practice=False, luck_reps=0)
    game.play({}, until=0)
    console = FacilitatorScreen(game.folder)
    assert "without replays" in console.debrief.board_html.value
    # both teams kept the company as it was: the same score, so they share first place
    assert [row[0] for row in table_rows(console.debrief.board_html.value)[1:]] == ["=1", "=1"]


def test_team_page_shows_its_luck_once_the_company_score_is_shown(tmp_path):
    game = new_game(tmp_path, teams=["red", "blue"])
    game.play({1: {"red": {"sales": {"sales.cold_calling": 0.45}}}}, until=3)
    assert "Luck check" not in TeamScreen(game.folder, "red", "sales").results_html.value
    game.play({})  # Q4 unlocks the shared revenue KPI
    page_text = html.unescape(TeamScreen(game.folder, "red", "marketing").results_html.value)
    row = game.leaderboard().set_index("team").loc["red"]
    assert "Luck check" in page_text
    assert f"replayed {game.luck_reps} times" in page_text
    assert f"first in {row['p_first']:.0%}" in page_text
    assert f"Rank {row['place']}" in page_text


# --------------------------------------------------------------------------- player's states
def _play_to_the_end(game):
    for index in range(len(game.rounds)):
        if game.state(index).status == "processed":
            continue
        if game.state(index).status == "waiting":
            game.open_round()
        if game.state(index).status == "open":
            game.lock_round()
        game.process_round(index)


def test_the_brief_names_the_goal_and_explains_each_lever(tmp_path):
    game = new_game(tmp_path)
    game.open_round()
    screen = TeamScreen(game, "blue", "marketing")
    brief = screen.brief.value
    assert "You play <b>marketing</b> for team <b>blue</b>" in brief
    assert "scored on <b>MQLs delivered</b>" in brief
    for key in screen.controls:
        assert html.escape(player_help(key)) in brief
    assert "Seed article" not in brief and "MODEL.md" not in brief  # sources are for trainers


def test_the_page_says_what_to_do_in_each_state(tmp_path):
    game = new_game(tmp_path)
    game.open_round()
    screen = TeamScreen(game, "red", "sales")
    assert "press Submit choices" in screen.state_line.value
    screen.submit()
    assert "submit again" in screen.message_label.value
    game.lock_round()
    screen.refresh()
    assert "is locked: your choices are in" in screen.state_line.value
    assert "submit again" not in screen.message_label.value  # no longer true
    game.process_round()
    screen.refresh()
    assert "results of" in screen.state_line.value
    assert screen.standing_html.value == ""


def test_the_final_standing_shows_when_the_game_is_over(tmp_path):
    game = new_game(tmp_path)
    _play_to_the_end(game)
    screen = TeamScreen(game, "red", "sales")
    assert "Game over" in screen.state_line.value
    assert "Final standing" in screen.standing_html.value
    assert "<tr style='font-weight:bold'><td>" in screen.standing_html.value
    bold = screen.standing_html.value.split("<tr style='font-weight:bold'>")[1].split("</tr>")[0]
    assert "<td>red</td>" in bold
    assert screen.brief.value == ""


# --------------------------------------------------------------------------- predict, then reveal
GUESS_LABEL = "Your guess: the company's revenue this quarter, in €"


def test_a_half_posts_its_teams_guess_from_its_page(tmp_path):
    game = new_game(tmp_path, practice=False)
    game.open_round()
    marketing = TeamScreen(game, "red", "marketing")
    assert marketing.guess.widget.layout.display is None  # shown while the round is open
    assert GUESS_LABEL in html.unescape(marketing.guess.label.value)
    assert "has not guessed yet" in marketing.guess.line.value
    path = marketing.post_guess("350k")
    assert path == game.folder / "rounds" / "00" / "guesses" / "red.marketing.yaml"
    assert "Guess posted at" in marketing.guess.message_label.value
    assert "Your team's guess: <b>€350,000</b> (posted by you at" in marketing.guess.line.value
    # the other half of the team sees it; the other team does not
    sales = TeamScreen(game, "red", "sales")
    assert "<b>€350,000</b> (posted by your marketing half" in sales.guess.line.value
    blue = TeamScreen(game, "blue", "sales")
    assert "350,000" not in page(blue) and "has not guessed yet" in blue.guess.line.value
    assert game.guesses(0).counted["red"].amount == 350_000
    assert "blue" not in game.guesses(0).counted


def test_a_bad_guess_is_refused_with_one_line_and_posts_nothing(tmp_path):
    game = new_game(tmp_path, practice=False)
    game.open_round()
    screen = TeamScreen(game, "red", "sales")
    assert screen.post_guess("about a million") is None
    message = html.unescape(screen.guess.message_label.value)
    assert "Not posted: 'about a million' is not an amount: type the revenue in €, e.g. " \
           "1200000, 1,200,000 or 1.2m." in message
    assert message.count("<div") == 1
    assert not (game.folder / "rounds" / "00" / "guesses").exists()


def test_guesses_close_when_the_round_locks(tmp_path):
    game = new_game(tmp_path, practice=False)
    game.open_round()
    screen = TeamScreen(game, "red", "sales")
    screen.post_guess("1.2m")
    Game(game.folder).lock_round()  # the facilitator, elsewhere
    assert screen.post_guess("2m") is None
    assert "Not posted: Q1 Silos is locked: guesses are taken only while a round is open." in \
        screen.guess.message_label.value
    assert screen.guess.button.disabled and screen.guess.input.disabled
    assert "<b>€1,200,000</b>" in screen.guess.line.value  # the guess that counts stays shown
    screen.refresh()
    assert screen.guess.button.disabled


def test_the_recap_sets_the_teams_guess_beside_the_result(tmp_path):
    game = new_game(tmp_path, practice=False)
    game.open_round()
    TeamScreen(game, "red", "marketing").post_guess("300000")
    game.lock_round()
    game.process_round()
    revenue = game.round_results(0).set_index("team")["revenue"]
    red = TeamScreen(game, "red", "marketing")
    assert red.guess.widget.layout.display == "none"  # nothing more to guess this round
    rows = table_rows(red.guess.recap_html.value)
    assert "Your guess vs the result" in red.guess.recap_html.value
    assert rows[0] == ["round", "your guess", "company revenue", "miss"]
    # in the silo rounds each half sees only its own KPI: the room sees the revenue beside
    # the guesses on the projector, the team page does not
    assert rows[1] == ["Q1 Silos", "€300,000", "on the projector", "on the projector"]
    assert f"{revenue['red']:,.0f}" not in page(red)
    _play_to_the_end(game)
    rows = table_rows(TeamScreen(game, "red", "marketing").guess.recap_html.value)
    assert rows[1][:2] == ["Q1 Silos", "€300,000"]
    assert number(rows[1][2].lstrip("€")) == pytest.approx(revenue["red"], abs=0.5)
    miss = round((300_000 / revenue["red"] - 1) * 100)
    assert rows[1][3] == (f"+{miss} %" if miss > 0 else f"\u2212{-miss} %" if miss else "±0 %")
    blue = table_rows(TeamScreen(game, "blue", "sales").guess.recap_html.value)
    assert blue[1][1] == "no guess" and blue[1][3] == "–"
    assert "300,000" not in page(TeamScreen(game, "blue", "sales"))


def test_the_console_shows_who_guessed_then_every_guess_beside_its_result(tmp_path):
    game = new_game(tmp_path, practice=False)
    console = FacilitatorScreen(game.folder)
    console.minutes.value = 0
    console.open_round()
    game.post_guess("red", "sales", "250k")
    console.refresh()
    status = html.unescape(console.envelopes.status_html.value)
    assert "guessed: red · no guess yet: blue" in status
    assert "250" not in status  # not how much: the console may be on the projector
    console.lock_round()
    console.process_round(confirm=True)
    shown = console.debrief.guesses_html.value
    assert "Q1 Silos" in shown and "class='leadflow-game-table leadflow-guesses'" in shown
    rows = {re.sub(r"<[^>]+>", "", row[0]).split()[-1]: row for row in table_rows(shown)[1:]}
    assert rows["red"][1:2] == ["€250,000"] and rows["red"][4] == "sales"
    assert rows["blue"][1] == "no guess"
    assert "<span style='color:#D55E00'>&#9632;</span> red" in shown
    assert console.debrief.tabs.get_title(1) == "Guesses vs results"


def test_the_console_links_to_presenter_mode_on_the_console_door(tmp_path, monkeypatch):
    from sim.game.server import CONSOLE_PORT_ENV

    game = new_game(tmp_path)
    monkeypatch.setenv(CONSOLE_PORT_ENV, "9867")
    console = FacilitatorScreen(game.folder, base_url="http://room:8866")
    links = re.findall(r"<a class='leadflow-presenter-link' href='([^']+)'[^>]*>([^<]+)</a>",
                       console.presenter_html.value)
    key = game.console_key
    assert links == [(f"http://127.0.0.1:9867/present?key={key}", "Presenter mode (projector)"),
                     (f"http://127.0.0.1:9867/present?key={key}&amp;size=1080",
                      "1920×1080 projector")]
    assert "target='_blank'" in console.presenter_html.value
    # in a notebook there is no console door, and no presenter page to link to
    monkeypatch.delenv(CONSOLE_PORT_ENV)
    notebook = FacilitatorScreen(game.folder)
    assert "href" not in notebook.presenter_html.value
    assert "python -m sim game serve" in notebook.presenter_html.value
    given = FacilitatorScreen(game.folder, console_url="http://127.0.0.1:8867")
    assert f"http://127.0.0.1:8867/present?key={key}" in given.presenter_html.value
