"""The workshop game: teams run a company quarter by quarter, marketing and sales apart.

Think of a board game played by post. The board is a folder (a shared drive works): the rules
card (``game.yaml``), the company every team inherits (``scenario.yaml``) and one envelope per
team, role and quarter (``rounds/02/red.sales.yaml``). Players post their envelopes; nobody ever
rewrites anyone else's. The facilitator opens a round, locks it when the time is up and
processes it: every team's company is simulated with the same random numbers (so luck is equal),
from the first quarter to this one, with each quarter's choices taking effect at its start. The
results are written back to the folder, so a refreshed page, a restarted kernel or a second
facilitator laptop sees the same game.

Round life cycle: ``waiting`` → ``open`` → ``locked`` → ``processed``. A countdown
(``closes_at``) locks a round by itself when it runs out. A role that has not posted a valid
envelope by the lock keeps its previous choices, flagged as auto-submitted; a malformed or late
envelope is reported by name and treated as not posted, so a round never stalls or crashes.
A round is processed only once it is locked; the last processing can be undone while the next
round is not open (the results are set aside, the round is locked again), and a locked round
can be reopened. Every round change takes the folder's lock file (``.lock``), so two consoles on
one folder take turns and the second is told what the first did.

Silos first: in the first scored quarter each half sees and moves only its own levers
(:data:`LEVERS`) and its own KPI (MQLs for marketing, bookings for sales). Later rounds unlock
communication, then feedback, then a shared revenue KPI (:data:`DEFAULT_ROUNDS`). An optional
practice round comes first and is not scored. Solo mode is a game with one team whose single
player posts both envelopes.

Typical use (the facilitator screen and ``python -m sim game …`` wrap the same calls)::

    from sim.game import Game
    game = Game.create("games/tuesday", teams=["red", "blue"])
    game.open_round()                                   # round 0, the practice round
    game.submit("red", "marketing", {"scoring.mql_threshold": 0.5})
    game.lock_round()                                   # no more envelopes
    game.process_round()                                # simulates, writes results
    game.leaderboard()

The package, part by part (each module's docstring says more):

* :mod:`sim.game.game`: :class:`Game`, one object for a game folder, handing each call to
  its part; :func:`open_game`, the game shared by the room server's pages.
* :mod:`sim.game.rules`: the fixed rules (roles, levers, rounds, the reference's choices) and
  the rules card (:class:`Rules`).
* :mod:`sim.game.storage`: the folder on disk: whole-file writes, the file memo, envelope
  size checks, the lock file, :class:`GameError`.
* :mod:`sim.game.rounds`: the round life cycle (:class:`RoundState`, :class:`RoundBook`).
* :mod:`sim.game.envelopes`: posting and reading envelopes (:class:`Submission`,
  :class:`Envelopes`, :class:`Mailbox`).
* :mod:`sim.game.players`: join codes, secret keys and links (:class:`Players`).
* :mod:`sim.game.guesses`: each team's guess of its revenue before a round is processed, and
  the guesses set beside the results (predict, then reveal).
* :mod:`sim.game.processing`: simulating a round and filing its results.
* :mod:`sim.game.results`: the result files read back, and the leaderboard.
* :mod:`sim.game.luck`: how much of the leaderboard is luck (bands, ties, sentences).
* Screens (ipywidgets): :mod:`sim.game.display` (what they share), :mod:`sim.game.team_screen`
  (a team's page and the join form), :mod:`sim.game.console` (the facilitator's console),
  :mod:`sim.game.solo` (solo play); :mod:`sim.game.presenter` (the projector screen).
* Debrief: :mod:`sim.game.plots` (charts), :mod:`sim.game.debrief` (bridges, replays, slides).
* The room: :mod:`sim.game.server` (one process for the whole room), :mod:`sim.game.pages`
  (its pages), :mod:`sim.game.bot` (a player over the wire, for load and security tests).
"""

from sim.game.envelopes import Envelopes, Submission
from sim.game.game import Game, open_game
from sim.game.luck import luck_sentences, luck_standings
from sim.game.players import GAME_URL_ENV
from sim.game.rounds import STATUSES, RoundState
from sim.game.rules import (
    DEFAULT_ROUNDS,
    LEVERS,
    REFERENCE,
    REFERENCE_CHOICES,
    ROLE_KPIS,
    ROLES,
    SHARED_KPI,
    Round,
    Rules,
    default_luck_reps,
)
from sim.game.storage import GAME_DIR_ENV, LOCK_FILE, GameError, game_folder

__all__ = [
    "DEFAULT_ROUNDS",
    "GAME_DIR_ENV",
    "GAME_URL_ENV",
    "LEVERS",
    "LOCK_FILE",
    "REFERENCE",
    "REFERENCE_CHOICES",
    "ROLES",
    "ROLE_KPIS",
    "SHARED_KPI",
    "STATUSES",
    "Envelopes",
    "Game",
    "GameError",
    "Round",
    "RoundState",
    "Rules",
    "Submission",
    "default_luck_reps",
    "game_folder",
    "luck_sentences",
    "luck_standings",
    "open_game",
]
