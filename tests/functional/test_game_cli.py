"""The workshop game from the command line (``python -m sim game …``), run as a facilitator would:
in a subprocess, in a scratch folder. Errors are one line on stderr with exit code 2."""

from __future__ import annotations

import csv
import re
import subprocess

import pytest

from sim.game import Game
from sim.parallel import SerialExecutor


def _ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def _refused(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit code 2 and exactly one line on stderr that names ``words``; returns the line."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_full_round_from_the_terminal(run_cli, tmp_path):
    created = _ok(run_cli("game", "new", "g", "--teams", "red,blue", "--no-practice",
                          "--seed", "7", "--luck-reps", "2"))
    assert "2 teams" in created.stdout and "4 rounds" in created.stdout
    game = Game(tmp_path / "g")
    assert game.teams == ["red", "blue"] and game.seed == 7
    assert not any(r.practice for r in game.rounds)

    assert "round 0" in _ok(run_cli("game", "open", "g", "--minutes", "30")).stdout
    assert Game(tmp_path / "g").state(0).closes_at is not None
    Game(tmp_path / "g").submit("red", "sales", {"sales.cold_calling": 0.35})
    (tmp_path / "g" / "rounds" / "00" / "blue.sales.yaml").write_text("choices: [")
    status = _ok(run_cli("game", "status", "g")).stdout
    assert "open" in status and "skipped: rounds/00/blue.sales.yaml" in status
    # the countdown runs for 30 minutes: locking before it ends takes --force
    _refused(run_cli("game", "lock", "g"), "countdown", "--force")
    assert "locked" in _ok(run_cli("game", "lock", "g", "--force")).stdout

    processed = _ok(run_cli("game", "process", "g")).stdout
    assert "skipped: rounds/00/blue.sales.yaml" in processed
    rows = {line.split()[0]: line for line in processed.splitlines() if line.strip()}
    assert {"red", "blue", "reference"} <= set(rows)
    assert rows["blue"].rstrip().endswith("marketing,sales")
    assert rows["red"].rstrip().endswith("marketing")

    _refused(run_cli("game", "export", "g"), "--out")
    _ok(run_cli("game", "export", "g", "--out", "out/results.csv"))
    with open(tmp_path / "out" / "results.csv", newline="", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert [row["team"] for row in table] == ["red", "blue", "reference"]
    assert float(table[0]["sales.cold_calling"]) == 0.35
    assert float(table[0]["revenue_to_date"]) == pytest.approx(float(table[0]["revenue"]))

    links = _ok(run_cli("game", "links", "g", "--url", "http://room:9000")).stdout
    for team in ("red", "blue"):
        for role in ("marketing", "sales"):
            game = Game(tmp_path / "g")
            code, key = game.code_for(team, role), game.key_for(team, role)
            assert re.search(rf"{team}\s+{role}\s+{code}\s+"
                             rf"http://room:9000/play\?key={re.escape(key)}", links)
    assert f"console?key={Game(tmp_path / 'g').console_key}" in links


def test_new_on_an_existing_game_is_refused(run_cli, tmp_path):
    Game.create(tmp_path / "g", teams=["red"])
    card = (tmp_path / "g" / "game.yaml").read_text()
    _refused(run_cli("game", "new", "g", "--teams", "blue"), "game.yaml", "already exists")
    assert (tmp_path / "g" / "game.yaml").read_text() == card


@pytest.mark.parametrize(("args", "words"), [
    (("new", "g", "--teams", "Red,blue"), ("'Red'", "teams")),
    (("status", "nothing"), ("nothing", "no game here")),
])
def test_bad_input_is_one_line_and_exit_2(run_cli, tmp_path, args, words):
    _refused(run_cli("game", *args), *words)
    assert not (tmp_path / "g").exists()


def test_countdown_must_be_positive(run_cli, tmp_path):
    Game.create(tmp_path / "g", teams=["red"], weeks_per_round=1, practice=False)
    _refused(run_cli("game", "open", "g", "--minutes", "0"), "--minutes")
    assert Game(tmp_path / "g").state(0).status == "waiting"


def _processed_game(tmp_path) -> Game:
    game = Game.create(tmp_path / "g", teams=["red"], weeks_per_round=1, practice=False,
                       luck_reps=2)
    game.open_round()
    game.lock_round()
    game.process_round(0)
    return game


def test_export_replaces_a_file_only_with_force_and_never_the_games_own(run_cli, tmp_path):
    _processed_game(tmp_path)
    kept = tmp_path / "results.csv"
    kept.write_text("keep me\n")
    _refused(run_cli("game", "export", "g", "--out", "results.csv"), "results.csv",
             "already exists", "--force")
    assert kept.read_text() == "keep me\n"
    _ok(run_cli("game", "export", "g", "--out", "results.csv", "--force"))
    assert kept.read_text().startswith("round")
    own = {p: p.read_bytes() for p in (tmp_path / "g").rglob("*") if p.is_file()}
    for target in ("g/game.yaml", "g/scenario.yaml", "./g/../g/game.yaml"):
        for force in ([], ["--force"]):
            _refused(run_cli("game", "export", "g", "--out", target, *force),
                     "one of the game's own files")
    assert {p: p.read_bytes() for p in (tmp_path / "g").rglob("*") if p.is_file()} == own


def test_new_game_in_a_read_only_folder_is_one_line(run_cli_on_tmpfs, tmp_path):
    done = run_cli_on_tmpfs(tmp_path / "ro", "ro", "game", "new", tmp_path / "ro" / "g",
                            "--teams", "red")
    _refused(done, "game new", "not writable")


def test_new_game_on_a_full_drive_is_one_line_and_leaves_no_temporary_file(run_cli_on_tmpfs,
                                                                          tmp_path):
    # one page: the game's scenario file does not fit
    script = ["game", "new", tmp_path / "full" / "g", "--teams", "red"]
    done = run_cli_on_tmpfs(tmp_path / "full", "size=4k", *script)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0], lines
    assert not [f for f in done.files if f.endswith(".tmp")], done.files


def test_leaderboard_shows_the_luck_band_and_the_ties(run_cli, tmp_path):
    game = Game.create(tmp_path / "g", teams=["red", "blue"], weeks_per_round=2, practice=False,
                       luck_reps=2)
    assert "no scored round" in _ok(run_cli("game", "leaderboard", "g")).stdout
    _ok(run_cli("game", "open", "g"))
    _ok(run_cli("game", "lock", "g"))
    _ok(run_cli("game", "process", "g", "--workers", "1"))
    shown = _ok(run_cli("game", "leaderboard", "g")).stdout
    assert f"over {1 + game.luck_reps} replications on the same random numbers" in shown
    assert "luck band vs ref" in shown and "P(first)" in shown
    rows = {line.split()[1]: line.split() for line in shown.splitlines()
            if line.split()[:1] in (["=1"], ["1"], ["2"])}
    # neither team moved a lever: one company, so tied, with first place shared
    assert rows["red"][0] == rows["blue"][0] == "=1"
    assert rows["red"][-2] == rows["blue"][-2] == "50%"
    assert re.search(r"^\d+%-\d+%$", rows["red"][-3])
    assert "blue and red are tied: the gap between them is within what luck alone produces." \
        in shown
    status = _ok(run_cli("game", "status", "g")).stdout
    assert "processed" in status and "are tied" in status


def test_new_game_takes_the_number_of_replays(run_cli, tmp_path):
    _ok(run_cli("game", "new", "g", "--teams", "red", "--luck-reps", "5"))
    assert Game(tmp_path / "g").luck_reps == 5
    _refused(run_cli("game", "new", "h", "--teams", "red", "--luck-reps", "51"), "--luck-reps")
    assert not (tmp_path / "h").exists()


def _small_game(tmp_path) -> Game:
    return Game.create(tmp_path / "g", teams=["red"], weeks_per_round=1, practice=False,
                       luck_reps=0)


def test_lock_ends_a_running_countdown_only_with_force(run_cli, tmp_path):
    _small_game(tmp_path).open_round(minutes=30)
    _refused(run_cli("game", "process", "g", "--workers", "1"), "round 0 (Q1 Silos) is open "
             "until", "lock it early with force")
    _refused(run_cli("game", "lock", "g"), "state.yaml: round:", "the countdown of round 0 "
             "(Q1 Silos) runs until", "lock early with force (game lock --force)")
    assert Game(tmp_path / "g").state(0).status == "open"
    assert _ok(run_cli("game", "lock", "g", "--force")).stdout.strip() == \
        "round 0 (Q1 Silos) is locked"
    assert Game(tmp_path / "g").state(0).status == "locked"


def test_process_refuses_an_open_round_and_a_processed_one(run_cli, tmp_path):
    game = _small_game(tmp_path)
    game.open_round()
    _refused(run_cli("game", "process", "g"), "round 0 (Q1 Silos) is still open: lock it "
             "first (game lock)")
    game.lock_round()
    game.process_round(executor=SerialExecutor())
    _refused(run_cli("game", "process", "g", "--workers", "1"), "was processed already")


def test_undo_and_reopen_from_the_terminal(run_cli, tmp_path):
    game = _small_game(tmp_path)
    _refused(run_cli("game", "undo", "g"), "nothing to undo")
    game.open_round()
    game.lock_round()
    game.process_round(executor=SerialExecutor())
    results = (tmp_path / "g" / "results" / "round-00.csv").read_text()

    undone = _ok(run_cli("game", "undo", "g")).stdout.splitlines()
    assert len(undone) == 1 and re.fullmatch(r"round 0 \(Q1 Silos\) is locked again; its results "
                                             r"are kept in rounds/00/undone-\d{8}T\d{12}Z",
                                             undone[0]), undone
    assert game.state(0).status == "locked" and game.round_results(0) is None
    assert (game.undone(0)[0] / "round-00.csv").read_text() == results

    reopened = _ok(run_cli("game", "reopen", "g", "--minutes", "5")).stdout.splitlines()
    assert len(reopened) == 1 and re.fullmatch(r"round 0 \(Q1 Silos\) is open again until "
                                               r"\d\d:\d\d UTC", reopened[0]), reopened
    assert game.state(0).status == "open" and game.state(0).closes_at is not None
    _refused(run_cli("game", "reopen", "g"), "round 0 (Q1 Silos) is open: only a locked round")
    game.lock_round(force=True)
    assert _ok(run_cli("game", "reopen", "g")).stdout.strip() == "round 0 (Q1 Silos) is open again"
    assert game.state(0).closes_at is None


def test_status_with_a_damaged_state_file_is_one_line(run_cli, tmp_path):
    game = _small_game(tmp_path)
    game.open_round()
    state = tmp_path / "g" / "rounds" / "00" / "state.yaml"
    state.write_text(state.read_text().replace("status: open", "status: banana"))
    for action in ("status", "process"):
        _refused(run_cli("game", action, "g"), "rounds/00/state.yaml: status: 'banana' is not a "
                 "round status (one of waiting, open, locked, processed)")


def test_status_reports_a_huge_envelope_without_reading_it(run_cli, tmp_path):
    game = _small_game(tmp_path)
    game.open_round()
    huge = game.envelope_path(0, "red", "sales")
    with huge.open("w", encoding="utf-8") as fh:
        fh.write("team: red\nrole: sales\n#" + "x" * (28 * 1024 * 1024) + "\n")
    status = _ok(run_cli("game", "status", "g", timeout=60)).stdout
    assert f"skipped: rounds/00/red.sales.yaml: too large ({huge.stat().st_size:,} bytes; an " \
           "envelope holds at most 16,384) (skipped)" in status


# ---------------------------------------------------------------------------------- debrief
def _played(tmp_path, name: str, teams: list[str]) -> Game:
    """A tiny game played to the end: one-week quarters, no practice round, no luck replays."""
    game = Game.create(tmp_path / name, teams, weeks_per_round=1, practice=False, luck_reps=0)
    game.play({1: {teams[0]: {"marketing": {"scoring.mql_threshold": 0.3}}}},
              executor=SerialExecutor())
    return game


def _pack(folder) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_debrief_writes_the_deck_the_charts_and_a_page_per_team(run_cli, tmp_path):
    from PIL import Image
    from pptx import Presentation

    _played(tmp_path, "big", ["red", "blue", "green"])
    _ok(run_cli("game", "debrief", "big", "--out", "pack"))
    assert "take-home-green.html" in _pack(tmp_path / "pack")
    _played(tmp_path, "g", ["red", "blue"])
    # --force replaces the pack whole: the other game's third team and its charts are gone
    done = _ok(run_cli("game", "debrief", "g", "--out", "pack", "--force"))
    files = _pack(tmp_path / "pack")
    titles = ["Leaderboard", "Revenue by quarter", "Scoreboards vs company", "Trust", "Funnels",
              "Bridge: red vs reference", "Bridge: blue vs reference"]
    charts = sorted(f for f in files if f.startswith("charts/"))
    assert files == {"debrief.pptx", "take-home-red.html", "take-home-blue.html", *charts}
    assert len(charts) == len(titles) and charts[0] == "charts/01-leaderboard.png"

    deck = Presentation(str(tmp_path / "pack" / "debrief.pptx"))
    assert len(deck.slides) == 1 + len(titles)  # the title slide, then a chart a slide
    assert deck.slides[0].shapes.title.text == "Debrief: g"
    shown = [next(s.text_frame.text for s in slide.shapes if s.has_text_frame)
             for slide in list(deck.slides)[1:]]
    assert shown == titles
    for chart in charts:
        with Image.open(tmp_path / "pack" / chart) as image:
            image.verify()
            assert image.format == "PNG" and image.size[0] >= 800 and image.size[1] >= 400
    for team in ("red", "blue"):
        page = (tmp_path / "pack" / f"take-home-{team}.html").read_text(encoding="utf-8")
        assert f"<h1>Team {team}</h1>" in page and page.count("data:image/png;base64,") == 2

    lines = done.stdout.splitlines()
    assert lines[0] == "debrief pack of game 'g' written to pack/:"
    assert lines[1] == f"  debrief.pptx  ({1 + len(titles)} slides)"
    assert {line.strip() for line in lines[2:]} == files - {"debrief.pptx"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big", "g", "pack"]  # nothing left


@pytest.mark.parametrize(("args", "words"), [
    (("nothing", "--out", "pack"), ("nothing", "no such folder", "game new")),
    (("plain", "--out", "pack"), ("plain", "not a game folder", "game.yaml")),
    (("fresh", "--out", "pack"), ("fresh", "no round has been processed yet", "game process")),
    (("g",), ("--out", "give the folder")),
    (("g", "--out", "old"), ("--out: old", "already exists", "--force")),
    (("g", "--out", "notes", "--force"), ("--out: notes", "holds notes.txt", "only a debrief")),
    (("g", "--out", "g/rounds/x"), ("g/rounds/x", "inside one of its folders", "g/debrief")),
    (("g", "--out", "g/rounds", "--force"), ("g/rounds", "holds 00", "new or empty folder")),
    (("g", "--out", "g/game.yaml"), ("g/game.yaml", "is a file")),
])
def test_debrief_refuses_bad_input_in_one_line_and_writes_nothing(run_cli, tmp_path, args,
                                                                  words):
    _small_game(tmp_path).play({}, executor=SerialExecutor())
    Game.create(tmp_path / "fresh", ["red"], weeks_per_round=1, practice=False, luck_reps=0)
    (tmp_path / "plain").mkdir()
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "debrief.pptx").write_bytes(b"an earlier pack")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "notes.txt").write_text("mine")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    _refused(run_cli("game", "debrief", *args), *words)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert not (tmp_path / "pack").exists() and not (tmp_path / "g" / "rounds" / "x").exists()


def test_debrief_on_a_full_drive_is_one_line_and_leaves_nothing(run_cli_on_tmpfs, tmp_path):
    _small_game(tmp_path).play({}, executor=SerialExecutor())
    done = run_cli_on_tmpfs(tmp_path / "full", "size=64k", "game", "debrief", tmp_path / "g",
                            "--out", tmp_path / "full" / "pack")
    line = _refused(done, "--out", "pack", "No space left on device", "nothing was changed")
    assert ".tmp" not in line
    assert done.files == [], done.files  # not a chart, not a temporary folder


# ---------------------------------------------------------------------------------- make game
def test_make_game_prints_every_link_once(tmp_path, repo):
    """``make game`` as the facilitator runs it (ports and address of this test): the team
    links, the room, the console and the presenter link, each exactly once."""
    import os
    import shlex
    import shutil
    import signal
    import sys

    from tests.servers import free_port

    if shutil.which("make") is None:
        pytest.skip("needs make(1), which make game runs under")
    port, console = free_port(), free_port()
    plan = subprocess.run(
        ["make", "-n", "-s", "-C", str(repo), "game", f"GAME={tmp_path / 'g'}",
         "TEAMS=red,blue", f"GAME_PORT={port}", f"CONSOLE_PORT={console}",
         "GAME_HOST=127.0.0.1", "GAME_BIND=127.0.0.1", f"PY={sys.executable}"],
        capture_output=True, text=True, check=True).stdout.replace("\\\n", " ")
    commands = [shlex.split(line) for line in plan.splitlines() if " -m sim game " in line]
    assert [c[c.index("game") + 1] for c in commands if "game" in c][-2:] == ["new", "serve"]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    new = commands[0][commands[0].index(sys.executable):]
    subprocess.run(new, check=True, capture_output=True, env=env, cwd=repo)
    server = subprocess.Popen(commands[-1], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env, cwd=repo)
    out = []
    try:
        for line in server.stdout:
            out.append(line)
            if line.startswith("Ctrl+C stops"):
                break
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=60)
    shown = "".join(out)
    game = Game(tmp_path / "g")
    links = [f"http://127.0.0.1:{port}/play?key={game.key_for(t, r)}"
             for t in ("red", "blue") for r in ("marketing", "sales")]
    links += [f"http://127.0.0.1:{port}/", game.console_link(f"http://127.0.0.1:{console}"),
              game.presenter_link(f"http://127.0.0.1:{console}")]
    for link in links:
        assert len(re.findall(re.escape(link) + r"(?![\w=&-])", shown)) == 1, (link, shown)
    for team in ("red", "blue"):
        assert shown.count(game.code_for(team, "sales")) == 1
