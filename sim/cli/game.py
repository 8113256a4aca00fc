"""The ``game`` command: the workshop game from a terminal.

The same actions as the facilitator screen, one per call: ``new`` creates the game folder,
``open``, ``lock`` and ``process`` move a round along, ``undo`` and ``reopen`` step back,
``status``, ``links`` and ``leaderboard`` show where things stand, ``serve`` opens the room's
doors (``--links`` prints the players' links first), ``export`` writes the results as CSV and ``debrief`` the debrief pack (the slides, the
charts as pictures and a take-home page per team). The game itself lives in :mod:`sim.game`;
this module only reads the flags and prints.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.cli.shared import (
    bounded,
    out_file,
    plain_number,
    port_number,
    positive_int,
    seed_number,
    text_table,
)
from sim.files import check_can_create, write_folder
from sim.yamlio import shown

GAME_ACTIONS = ("new", "status", "links", "serve", "open", "lock", "process", "undo", "reopen",
                "leaderboard", "export", "debrief")
PACK_PARTS = re.compile(r"debrief\.pptx|take-home-[^/]+\.html|charts(/\d{2}-[a-z0-9-]+\.png)?")
"""What a debrief pack folder holds (:func:`sim.game.debrief.write_debrief`): the only files
``game debrief --force`` replaces."""


# ---------------------------------------------------------------------------------- parser
def add_game(sub: Any) -> None:
    """The ``game`` command's parser: the action, the folder, then each action's flags."""
    p = sub.add_parser("game", help="run the workshop game: new, status, links, open, lock, "
                       "process, undo, reopen, export, debrief")
    p.add_argument("action", choices=GAME_ACTIONS, metavar="ACTION",
                   help=", ".join(GAME_ACTIONS))
    p.add_argument("folder", metavar="FOLDER", help="the game folder (a shared drive works)")
    _add_new_flags(p)
    p.add_argument("--workers", type=positive_int, default=None,
                   help="process: worker processes (default: one per core)")
    p.add_argument("--minutes", type=bounded(float, "minutes", lambda v: 0 < v <= 1440,
                                             "above 0 and at most 1440"),
                   default=None, help="open, reopen: countdown before the round locks itself")
    _add_door_flags(p)
    p.add_argument("--out", metavar="PATH", help="export: the CSV file to write; debrief: the "
                   "folder to write the debrief pack into")
    p.add_argument("--force", action="store_true",
                   help="lock: end a running countdown early; export: replace --out if it "
                   "exists (never one of the game's files); debrief: replace the debrief pack "
                   "in --out")
    p.set_defaults(func=cmd_game)


def _add_new_flags(p: argparse.ArgumentParser) -> None:
    """The flags of ``game new``: the teams, the company, the seed and the scoring."""
    p.add_argument("--teams", help="new: comma-separated team names, e.g. red,blue,green")
    p.add_argument("--scenario", default="workshop_game",
                   help="new: the company every team inherits (default workshop_game)")
    p.add_argument("--seed", type=seed_number, default=None, help="new: the game's seed")
    p.add_argument("--no-practice", action="store_true", help="new: no practice round")
    p.add_argument("--rank-by", choices=("revenue", "profit"), default="revenue",
                   help="new: what the leaderboard ranks by (default revenue)")
    p.add_argument("--luck-reps", type=bounded(int, "a whole number", lambda v: 0 <= v <= 50,
                                               "from 0 to 50"),
                   default=None, help="new: replays of each scored round with other luck, to "
                   "show how much of each gap is chance (default: as many as keep processing "
                   "within about 15 s on two cores, 2 to 9; 0 = none)")


def _add_door_flags(p: argparse.ArgumentParser) -> None:
    """The flags of ``game serve`` and ``game links``: where the room and the console listen."""
    p.add_argument("--url", default=None,
                   help="links, serve: the room's address as players reach it (default "
                   "$LEADFLOW_GAME_URL or http://localhost:8866)")
    p.add_argument("--host", default="127.0.0.1",
                   help="serve: the address the room door listens on (0.0.0.0 for a room's "
                   "network; default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=port_number, default=8866, help="serve: the room door's port "
                   "(default 8866)")
    p.add_argument("--console-port", type=port_number, default=8867,
                   help="serve, links: the console door's port on 127.0.0.1 (default 8867)")
    p.add_argument("--links", action="store_true",
                   help="serve: print every team's and role's link and join code first, as "
                   "game links does (make game)")


# ---------------------------------------------------------------------------------- actions
def cmd_game(args: argparse.Namespace) -> int:
    """The workshop game from a terminal: the same actions as the facilitator screen."""
    from sim.game import Game

    if args.action == "new":
        return _new_game(args)
    if args.action == "debrief":
        return _debrief(args)
    game = Game(args.folder)
    if args.action == "serve":
        return _serve_game(args, game)
    return ACTIONS[args.action](args, game) or 0


def _new_game(args: argparse.Namespace) -> int:
    """``game new``: a game folder with its teams, rounds and secret codes."""
    from sim.game import Game, GameError

    if not args.teams:
        raise GameError("--teams", None, "give the team names, e.g. --teams red,blue,green")
    check_can_create(args.folder, "game new")
    game = Game.create(args.folder, [t for t in args.teams.split(",") if t.strip()],
                       scenario=args.scenario, seed=args.seed, practice=not args.no_practice,
                       rank_by=args.rank_by, luck_reps=args.luck_reps)
    print(f"game '{shown(game.name, None)}' created in {shown(args.folder, None)}: "
          f"{len(game.teams)} teams, "
          f"{len(game.rounds)} rounds")
    return 0


def _links(args: argparse.Namespace, game: Any) -> None:
    """``game links``: every team's secret links, and the console's."""
    _player_links(game, args.url)
    print(f"facilitator console (this machine only): "
          f"{game.console_link(f'http://127.0.0.1:{args.console_port}')}")


def _player_links(game: Any, url: str | None) -> None:
    """Every team's and role's join code and secret link, as a table."""
    print(text_table(["team", "role", "code", "link"],
                     [list(map(str, r)) for r in game.links(url).itertuples(index=False)]))


def _status(args: argparse.Namespace, game: Any) -> None:
    """``game status``: the current round, who has submitted, and the standings so far."""
    index = game.current_round()
    if index is None:
        print("no round opened yet")
        return
    print(f"round {index} ({game.round(index).name}): {game.state(index).status}")
    print(text_table(["team", "marketing", "sales"],
                     [list(map(str, r)) for r in game.status(index).itertuples(index=False)]))
    for problem in game.envelopes(index).problems:
        print(f"skipped: {problem}")
    if game.last_complete_round() is not None:
        print()
        _print_standings(game)


def _leaderboard(args: argparse.Namespace, game: Any) -> None:
    """``game leaderboard``: the standings after the last processed round."""
    _print_standings(game)


def _open(args: argparse.Namespace, game: Any) -> None:
    """``game open``: the next round open for the teams' choices."""
    index = game.open_round(minutes=args.minutes)
    print(f"round {index} ({game.round(index).name}) is open")


def _lock(args: argparse.Namespace, game: Any) -> None:
    """``game lock``: the open round closed to changes."""
    index = game.lock_round(force=args.force)
    print(f"round {index} ({game.round(index).name}) is locked")


def _process(args: argparse.Namespace, game: Any) -> None:
    """``game process``: the locked round simulated for every team, and its revenue shown."""
    from sim.parallel import make_executor

    index = game.current_round()
    executor = make_executor(args.workers) if args.workers is not None else None
    try:
        results = game.process_round(index, executor=executor)
    finally:
        if executor is not None:
            executor.close()
    for problem in game.problems(index):
        print(f"skipped: {problem}")
    print(text_table(["team", "revenue", "revenue to date", "auto-submitted"],
                     [[r["team"], plain_number(r["revenue"]), plain_number(r["revenue_to_date"]),
                       ",".join(role for role in ("marketing", "sales") if r[f"auto_{role}"])
                       or "-"] for r in results.to_dict("records")]))


def _export(args: argparse.Namespace, game: Any) -> None:
    """``game export``: the results as a CSV file, never over one of the game's own files."""
    from sim.game import GameError

    if not args.out:
        raise GameError("--out", None, "give the CSV file to write, e.g. --out results.csv")
    # the game's files are its state: an export must never replace one of them
    own = [p for p in Path(args.folder).rglob("*") if p.is_file()]
    out_file(args, protected=own, why="is one of the game's own files", make_folder=True)
    print(f"written {shown(game.export_csv(args.out), None)}")


def _undo_or_reopen(args: argparse.Namespace, game: Any) -> None:
    """``game undo``: the last processed round back to locked, its results set aside;
    ``game reopen``: a locked round open again (``--minutes`` for a new countdown).
    """
    from datetime import UTC

    if args.action == "undo":
        index = game.undo_round()
        kept = game.undone(index)[-1].relative_to(game.folder)
        print(f"round {index} ({game.round(index).name}) is locked again; its results are kept "
              f"in {shown(kept, None)}")
        return
    index = game.reopen_round(minutes=args.minutes)
    closes = game.state(index).closes_at
    until = f" until {closes.astimezone(UTC):%H:%M} UTC" if closes is not None else ""
    print(f"round {index} ({game.round(index).name}) is open again{until}")


def _debrief(args: argparse.Namespace) -> int:
    """``game debrief``: the debrief pack of a played game, written whole into ``--out``."""
    from sim.game.debrief import DECK_NAME, pack_files

    game = _played_game(args.folder)
    out = _pack_folder(args, game.folder)
    files = pack_files(game, out)  # every chart drawn before the first byte is written
    written = write_folder(out, files)
    slides = sum(1 for p in written if p.suffix == ".png") + 1  # a chart a slide, and the title
    print(f"debrief pack of game '{shown(game.name, None)}' written to {shown(out, None)}/:")
    for path in written:
        what = f"  ({slides} slides)" if path.name == DECK_NAME else ""
        print(f"  {shown(path.relative_to(out).as_posix(), None)}{what}")
    return 0


def _played_game(folder: str) -> Any:
    """The game in ``folder`` when it has a processed round to debrief, else a GameError."""
    from sim.game import Game, GameError

    path = Path(folder)
    if not path.exists():
        raise GameError(folder, None, "no such folder; give a game folder, the one `game new` "
                        "made (it holds game.yaml)")
    if not (path / "game.yaml").is_file():
        raise GameError(folder, None, "not a game folder (it holds no game.yaml); give the "
                        "folder `game new` made")
    game = Game(path)
    if game.last_processed() is None:
        raise GameError(folder, None, "no round has been processed yet; the debrief needs one "
                        "(game lock, then game process)")
    return game


def _pack_folder(args: argparse.Namespace, game_folder: Path) -> Path:
    """The ``--out`` folder of ``game debrief``, checked before any work: new or empty, or
    with ``--force`` one holding a debrief pack and nothing else, in a writable place, and
    never inside the game's own folders (a pack may sit directly in the game folder).
    """
    from sim.game import GameError

    if not args.out:
        raise GameError("--out", None, "give the folder to write the debrief pack into, e.g. "
                        "--out debrief")
    out, home = Path(args.out), game_folder.resolve()
    if out.resolve().is_relative_to(home) and len(out.resolve().relative_to(home).parts) != 1:
        raise GameError("--out", args.out, "is the game folder or inside one of its folders; "
                        "give a folder beside the game, or one directly in it (e.g. "
                        f"{shown(game_folder / 'debrief', None)})")
    if out.exists() and not out.is_dir():
        raise GameError("--out", args.out, "is a file; give a folder to write the debrief "
                        "pack into")
    held = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) if out.exists() else []
    if held and not args.force:
        raise GameError("--out", args.out, "already exists; add --force to replace the debrief "
                        "pack in it, or give a new folder")
    stranger = next((name for name in held if not PACK_PARTS.fullmatch(name)), None)
    if stranger is not None:
        raise GameError("--out", args.out, f"holds {stranger}, which is not part of a debrief "
                        "pack; --force replaces only a debrief pack: give a new or empty folder")
    check_can_create(out.absolute().parent, "--out")
    return out


ACTIONS: dict[str, Callable[[argparse.Namespace, Any], int | None]] = {
    "links": _links, "status": _status, "leaderboard": _leaderboard, "open": _open,
    "lock": _lock, "undo": _undo_or_reopen, "reopen": _undo_or_reopen, "process": _process,
    "export": _export,
}
"""The actions on an existing game, each with its handler (``new`` and ``serve`` aside)."""


def _serve_game(args: argparse.Namespace, game: Any) -> int:
    """``game serve``: the room door and the console door from one process (Ctrl+C stops)."""
    from sim.game import GameError
    from sim.game.server import serve

    room = args.url or f"http://{'localhost' if args.host in ('127.0.0.1', '::1') else args.host}" \
        f":{args.port}"
    if args.port == args.console_port:
        raise GameError("--console-port", None, f"must differ from --port ({args.port})")
    desk = f"http://127.0.0.1:{args.console_port}"
    console = game.console_link(desk)
    if args.links:  # make game: the players' links, then the doors, each said once
        _player_links(game, room)
    print(f"room: players open their links or type their code at {room}/")
    print(f"facilitator console (this machine only): {console}")
    print(f"presenter mode for the projector (this machine only): "
          f"{game.presenter_link(desk)} (add &size=1080 for 1920x1080)")
    print("Ctrl+C stops the server; the game folder keeps everything.", flush=True)
    try:
        serve(args.folder, host=args.host, port=args.port, console_port=args.console_port,
              room_url=room)
    except KeyboardInterrupt:
        pass
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise GameError(f"--port {args.port} / --console-port {args.console_port}", None,
                        f"cannot listen there ({exc.strerror or exc})") from None
    return 0


# ---------------------------------------------------------------------------------- standings
def _print_standings(game: Any) -> None:
    """The leaderboard with its luck columns, and the ties in words a trainer can read out."""
    from sim.game import luck_sentences

    board = game.leaderboard()
    if board.empty:
        print("no scored round processed yet")
        return
    index = game.last_complete_round()
    replays = int(board["replications"].iloc[0])
    print(f"leaderboard after round {index} ({game.round(index).name}), by {game.rank_by} to "
          f"date" + (f"; luck band and P(first) over {replays} replications on the same random "
                     "numbers" if replays >= 2 else ""))
    print(text_table(["rank", "team", f"{game.rank_by} to date", "vs ref", "luck band vs ref",
                      "P(first)", "auto-submitted"],
                     [[r["place"], r["team"], plain_number(r[f"{game.rank_by}_to_date"]),
                       _percent(r["vs_reference"]), _band(r), _percent(r["p_first"]),
                       str(r["auto_submitted"])] for r in board.to_dict("records")]))
    for line in luck_sentences(board):
        print(line)


def _percent(v: float) -> str:
    """A share as a whole percentage, or "-" when there is none."""
    return "-" if math.isnan(v) else f"{100 * v:.0f}%"


def _band(r: dict[str, Any]) -> str:
    """A team's luck band against the reference, "low%-high%", or "-" without replays."""
    low, high = r["vs_reference_low"], r["vs_reference_high"]
    return "-" if math.isnan(low) or math.isnan(high) else f"{_percent(low)}-{_percent(high)}"
