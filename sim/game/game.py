"""The :class:`Game`: one game folder, and every move of the game as one object's methods.

A game is its folder; the object is the table the game is played at, with each part of the
game at its own place: the rules card (:class:`~sim.game.rules.Rules`), the rounds' clock
(:class:`~sim.game.rounds.RoundBook`), the envelopes (:class:`~sim.game.envelopes.Mailbox`),
the players' codes and keys (:class:`~sim.game.players.Players`), the teams' guesses of
their revenue (:class:`~sim.game.guesses.GuessBook`) and the result sheets
(:class:`~sim.game.results.Results`). :class:`Game` hands each call to its part, so a caller
writes ``game.open_round()`` or ``game.leaderboard()`` without knowing which part answers;
processing a round (:mod:`sim.game.processing`) is the one move that uses them all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ScenarioError
from sim.files import FileMemo
from sim.game import processing
from sim.game.envelopes import Envelopes, Mailbox, Submission
from sim.game.guesses import GuessBook, Guesses, guess_table
from sim.game.players import Players, console_secret, player_secrets
from sim.game.results import Results
from sim.game.rounds import RoundBook, RoundState
from sim.game.rules import (
    CARD_HEADER,
    REFERENCE_CHOICES,
    WEEKS_PER_ROUND,
    Round,
    Rules,
    check_options,
    check_teams,
    default_luck_reps,
    round_plan,
)
from sim.game.storage import FolderLock, GameError, now_utc, stamp, write_yaml
from sim.parallel import Executor
from sim.params import Scenario
from sim.scenario import dump_scenario, load_scenario, resolve_scenario_path

Script = Mapping[int, Mapping[str, Mapping[str, Mapping[str, Any]]]]
"""Scripted envelopes for :meth:`Game.play`: ``{round: {team: {role: choices}}}``."""


class Game:
    """A game folder: its rules card, rounds, envelopes and results."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.rules = rules = Rules.read(self.folder)
        # the rules card's entries, read-only, under the names every caller uses
        self.name, self.seed, self.teams = rules.name, rules.seed, rules.teams
        self.weeks_per_round, self.rank_by, self.solo = (rules.weeks_per_round, rules.rank_by,
                                                         rules.solo)
        self.rounds, self.luck_reps, self.base = rules.rounds, rules.luck_reps, rules.base
        self.codes, self.keys, self.console_key = rules.codes, rules.keys, rules.console_key
        self.reference_choices = rules.reference_choices
        self.lock = FolderLock(self.folder)
        self.book = RoundBook(rules, self.lock)
        self.mailbox = Mailbox(rules, self.book)
        self.players = Players(rules)
        self.scores = Results(rules, self.book, self.mailbox)
        self.slips = GuessBook(rules, self.book, self.mailbox)

    # ------------------------------------------------------------------ creating
    @classmethod
    def create(cls, folder: str | Path, teams: Sequence[str], scenario: str | Path = "workshop_game",
               seed: int | None = None, rounds: Sequence[Mapping[str, Any]] | None = None,
               practice: bool = True, rank_by: str = "revenue", name: str | None = None,
               weeks_per_round: int = WEEKS_PER_ROUND, solo: bool = False,
               luck_reps: int | None = None) -> Game:
        """Set up a new game in ``folder`` (which must not hold one already).

        ``luck_reps`` is how many times each scored round is replayed with other luck to show
        how much of each gap between teams is chance (0: not at all); by default as many as
        keep processing within about 15 s on two cores (:func:`default_luck_reps`).
        """
        folder = Path(folder)
        source = str(folder / "game.yaml")
        if (folder / "game.yaml").exists():
            raise GameError(source, None, "a game already exists here; pick another folder")
        teams = check_teams(teams, source)
        check_options(rank_by, weeks_per_round, luck_reps, source)
        plan = round_plan(rounds, practice, source)
        try:
            base = load_scenario(resolve_scenario_path(scenario))
        except ScenarioError as exc:
            raise GameError(str(scenario), None, str(exc)) from None
        seed = base.seed if seed is None else int(seed)
        if luck_reps is None:
            luck_reps = default_luck_reps(len(teams), weeks_per_round,
                                          sum(not r.get("practice") for r in plan),
                                          base.warmup_weeks)
        codes, keys = player_secrets(teams)
        folder.mkdir(parents=True, exist_ok=True)
        # dump_scenario makes each line of the header a comment itself
        dump_scenario(base, folder / "scenario.yaml", header="The company every team inherits "
                      f"(copied from {Path(str(scenario)).name}).\n")
        card = {
            "name": name or folder.resolve().name,
            "created_at": stamp(now_utc()),
            "seed": seed,
            "weeks_per_round": weeks_per_round, "rank_by": rank_by, "solo": solo,
            "luck_reps": int(luck_reps), "teams": teams, "rounds": plan,
            "reference": dict(REFERENCE_CHOICES),
            "codes": codes, "keys": keys, "console_key": console_secret(),
        }
        write_yaml(folder / "game.yaml", card, header=CARD_HEADER)
        return cls(folder)

    # ------------------------------------------------------------------ the rules
    def round(self, index: int) -> Round:
        """Round ``index`` as the rules card declares it."""
        return self.rules.round(index)

    def scored_rounds(self) -> list[Round]:
        """The rounds that count (all but the practice round)."""
        return self.rules.scored_rounds()

    def scenario_for(self, choices: Mapping[str, Any], rnd: Round, weeks: float) -> Scenario:
        """The company under ``choices`` in round ``rnd`` (:meth:`Rules.scenario_for`)."""
        return self.rules.scenario_for(choices, rnd, weeks)

    def company(self, weeks: float) -> Scenario:
        """The company every team inherits, before any choice, simulated for ``weeks``."""
        return self.rules.company(weeks)

    # ------------------------------------------------------------------ rounds
    def state(self, index: int, now: datetime | None = None) -> RoundState:
        """The state of round ``index`` (:meth:`RoundBook.state`)."""
        return self.book.state(index, now)

    def current_round(self) -> int | None:
        """The latest round that has been opened, or None before the game starts."""
        return self.book.current_round()

    def last_processed(self) -> int | None:
        """The last round processed (practice included), or None."""
        return self.book.last_processed()

    def last_complete_round(self) -> int | None:
        """The last scored round every team has a result for."""
        return self.book.last_complete_round()

    def open_round(self, index: int | None = None, minutes: float | None = None,
                   now: datetime | None = None) -> int:
        """Open the next round (or ``index``), with an optional countdown in minutes."""
        return self.book.open(index, minutes, now)

    def lock_round(self, index: int | None = None, now: datetime | None = None,
                   force: bool = False) -> int:
        """Stop taking envelopes for a round (:meth:`RoundBook.lock_round`)."""
        return self.book.lock_round(index, now, force)

    def reopen_round(self, index: int | None = None, minutes: float | None = None,
                     now: datetime | None = None) -> int:
        """Take envelopes again for a locked round (:meth:`RoundBook.reopen`)."""
        return self.book.reopen(index, minutes, now)

    def undo_round(self, index: int | None = None, now: datetime | None = None) -> int:
        """Take back the last processing (:meth:`RoundBook.undo`)."""
        return self.book.undo(index, now)

    def result_files(self, index: int) -> list[Path]:
        """The files processing round ``index`` writes."""
        return self.book.result_files(index)

    def undone(self, index: int) -> list[Path]:
        """The folders holding round ``index``'s undone results, oldest first."""
        return self.book.undone(index)

    # ------------------------------------------------------------------ players
    def team_role(self, code: str) -> tuple[str, str]:
        """The team and role a join code stands for."""
        return self.players.team_role(code)

    def code_for(self, team: str, role: str) -> str:
        """The join code of one team and role."""
        return self.players.code_for(team, role)

    def key_for(self, team: str, role: str) -> str:
        """The secret key a team and role's link carries."""
        return self.players.key_for(team, role)

    def player(self, key: str) -> tuple[str, str] | None:
        """The team and role whose secret key ``key`` is, or None (:meth:`Players.player`)."""
        return self.players.player(key)

    def is_console_key(self, key: str) -> bool:
        """Whether ``key`` is this game's facilitator key."""
        return self.players.is_console_key(key)

    def links(self, base_url: str | None = None) -> pd.DataFrame:
        """Every team and role's link and join code (:meth:`Players.links`)."""
        return self.players.links(base_url)

    def console_link(self, base_url: str) -> str:
        """The facilitator console's address with its secret key."""
        return self.players.console_link(base_url)

    def presenter_link(self, base_url: str, size: str | None = None) -> str:
        """Presenter mode's address on the console door at ``base_url``, with the console's
        key; ``size="1080"`` lays it out for a 1920×1080 projector (default 1280×720).
        """
        link = self.console_link(base_url).replace("/console?", "/present?", 1)
        return link + (f"&size={size}" if size else "")

    # ------------------------------------------------------------------ envelopes
    def envelope_path(self, index: int, team: str, role: str) -> Path:
        """Where ``team``'s ``role`` envelope for round ``index`` is filed."""
        return self.mailbox.envelope_path(index, team, role)

    def submit(self, team: str, role: str, choices: Mapping[str, Any],
               index: int | None = None, now: datetime | None = None) -> Path:
        """Post ``role``'s choices for a round (:meth:`Mailbox.submit`)."""
        return self.mailbox.submit(team, role, choices, index, now)

    def read_envelope(self, path: Path) -> Submission:
        """Read and check one envelope (:meth:`Mailbox.read_envelope`)."""
        return self.mailbox.read_envelope(path)

    def envelopes(self, index: int, now: datetime | None = None) -> Envelopes:
        """Every envelope of a round that counts, and a line for each that does not."""
        return self.mailbox.envelopes(index, now)

    def status(self, index: int | None = None) -> pd.DataFrame:
        """Who has posted for a round: one row per team, a column per role (time or '-')."""
        return self.mailbox.status(index)

    def choices(self, team: str, index: int) -> tuple[dict[str, Any], dict[str, bool]]:
        """The choices in force for ``team`` in round ``index`` (:meth:`Mailbox.choices`)."""
        return self.mailbox.choices(team, index)

    # ------------------------------------------------------------------ guesses
    def post_guess(self, team: str, role: str, amount: Any, index: int | None = None,
                   now: datetime | None = None) -> Path:
        """Post ``role``'s guess of ``team``'s revenue this quarter (:meth:`GuessBook.post`)."""
        return self.slips.post(team, role, amount, index, now)

    def guesses_closed(self, index: int, now: datetime | None = None) -> str | None:
        """Why round ``index`` takes no guess now, or None (:meth:`GuessBook.closed`)."""
        return self.slips.closed(index, now)

    def guesses(self, index: int, now: datetime | None = None) -> Guesses:
        """Each team's guess of round ``index`` that counts, and the guess files that do not."""
        return self.slips.guesses(index, now)

    def guess_table(self, index: int) -> pd.DataFrame:
        """Every team's guess of round ``index`` against its company's revenue that quarter
        (:func:`~sim.game.guesses.guess_table`; no results while the round is not processed).
        """
        self.rules.round(index)
        processed = self.book.state(index).status == "processed"
        results = self.scores.round_results(index) if processed else None
        return guess_table(list(self.teams), self.slips.guesses(index).counted, results)

    # ------------------------------------------------------------------ processing
    def process_round(self, index: int | None = None, now: datetime | None = None,
                      executor: Executor | None = None) -> pd.DataFrame:
        """Simulate every team and the reference in a locked round, and write the results.

        Only a locked round is processed: an open one is locked first (:meth:`lock_round`; a
        countdown that ran out has locked it), so that nobody's envelope lands while the
        results are made. A round is processed once (:meth:`undo_round` takes it back), and
        only after the round before it; the folder's lock keeps two consoles from processing
        at the same time.

        A scored round runs each company from the first scored quarter to this one, each
        quarter's choices taking effect at its start, with the game's seed for everyone
        (common random numbers). A practice round runs one quarter on its own.
        Returns the round's result table (also in ``results/round-NN.csv``).

        The played world is replication 0: it alone makes the score. A scored round is also
        replayed ``luck_reps`` times with other luck (replications 1, 2, …), the same luck for
        every team and the reference in each replay, so that the leaderboard can show how much
        of each gap between teams is chance; the replays' cumulative revenue and profit go to
        ``results/luck-NN.csv``. The practice round is not replayed (nothing ranks it).

        The simulations run on ``executor`` (:mod:`sim.parallel`; default: a process pool with
        one worker per core). Each one depends only on its job ticket, so the tables are the
        same on every executor. Teams whose quarters so far are the same company (nobody
        moved a lever, or they moved the same ones alike) share one simulation per replication:
        the same company on the same random numbers gives the same result.
        """
        with self.lock.changing():
            index = self.book.current_or(index)
            state = self.book.check_processable(index, now)
            if state.locked_at is None:  # its countdown ran out: record when it locked
                self.book.record_lock(index, state, now or now_utc())
            return self._process(index, now, executor)

    def _process(self, index: int, now: datetime | None,
                 executor: Executor | None) -> pd.DataFrame:
        """Simulate locked round ``index``, write its results and mark it processed."""
        plan = processing.plan_round(self.rules, self.mailbox, index, now)
        previous = self.scores.previous_cumulative(index)
        company_of, simulated = processing.simulate_round(self.rules, plan, executor)
        table, weekly, luck = processing.round_tables(self.rules, plan, previous, company_of,
                                                      simulated)
        processing.write_round(self.rules, plan, table, weekly, luck)
        state = self.book.state(index, now)
        state.status = "processed"
        state.processed_at = now or now_utc()
        self.book.save_state(index, state)
        return table

    def play(self, script: Script, until: int | None = None,
             executor: Executor | None = None) -> pd.DataFrame:
        """Play rounds from a script, as if the players had posted it: ``{round: {team: {role:
        choices}}}``. Each round from the next unopened one up to ``until`` (default: the last)
        is opened, given the script's envelopes and processed; teams or rounds the script
        leaves out keep their choices. Returns the leaderboard. For demonstrations, solo
        practice and tests. ``executor`` runs the simulations (see :meth:`process_round`).
        """
        last = len(self.rounds) - 1 if until is None else until
        start = (self.last_processed() + 1) if self.last_processed() is not None else 0
        for index in range(start, last + 1):
            if self.state(index).status == "waiting":
                self.open_round(index)
            for team, roles in script.get(index, {}).items():
                for role, choices in roles.items():
                    self.submit(team, role, choices, index)
            if self.state(index).status == "open":
                self.lock_round(index, force=True)  # the script is everyone's envelope
            self.process_round(index, executor=executor)
        return self.leaderboard()

    # ------------------------------------------------------------------ results
    def round_results(self, index: int) -> pd.DataFrame | None:
        """Round ``index``'s result table, or None before it is processed."""
        return self.scores.round_results(index)

    def problems(self, index: int) -> list[str]:
        """The envelopes of round ``index`` that did not count, a line each."""
        return self.scores.problems(index)

    def results(self) -> pd.DataFrame:
        """Every processed round's choices and results, one row per team (and the reference)."""
        return self.scores.results()

    def weekly(self, index: int | None = None) -> pd.DataFrame:
        """Week-by-week ledgers (one per team and the reference) from the latest processing."""
        return self.scores.weekly(index)

    def luck(self, index: int | None = None) -> pd.DataFrame:
        """The replays of a scored round (:meth:`Results.luck`)."""
        return self.scores.luck(index)

    def leaderboard(self) -> pd.DataFrame:
        """Teams ranked at the last round all completed, with luck (:meth:`Results.leaderboard`)."""
        return self.scores.leaderboard()

    def export_csv(self, path: str | Path) -> Path:
        """Write every round's choices and results to one CSV (atomically)."""
        return self.scores.export_csv(path)


_GAMES = FileMemo(size=8)
"""Games as last loaded, while their rules cards stay the same (see :func:`open_game`)."""


def open_game(folder: str | Path) -> Game:
    """The game in ``folder``, shared by every caller while its rules card is unchanged.

    Loading a game validates its company; the room server asks for the game on every request
    and for each of forty pages, which need not do that forty times. A game's state lives in
    its folder, not in the object, so sharing one is safe.
    """
    return _GAMES.get(Path(folder) / "game.yaml", lambda card: Game(card.parent))
