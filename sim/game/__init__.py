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
"""

from __future__ import annotations

import copy
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from filelock import FileLock, Timeout

from sim.claims import Claim, verdict
from sim.errors import ScenarioError
from sim.experiment import ci95
from sim.files import FileMemo, write_atomic
from sim.model import run
from sim.parallel import Executor, RunSpec, make_executor, run_all
from sim.params import Scenario
from sim.scenario import (
    dump_scenario,
    get_value,
    load_scenario,
    resolve_scenario_path,
    with_overrides,
)
from sim.yamlio import read_text, safe_load

ROLES: tuple[str, ...] = ("marketing", "sales")

LEVERS: dict[str, dict[str, tuple[str, ...]]] = {
    "marketing": {
        "core": ("scoring.mql_threshold", "marketing.brand_share", "pricing.price_index"),
        "communication": ("communication.crm_sharing", "communication.handoff",
                          "communication.meeting_every_weeks"),
        "feedback": (),
    },
    "sales": {
        "core": ("sales.prioritisation", "sales.prospecting_share", "sales.cold_calling"),
        "communication": ("communication.sla_hours", "communication.shared_lead_definition"),
        "feedback": ("feedback.mode",),
    },
}
"""Who moves which lever, by group. ``core`` levers are open from the first round; the other
groups open when a round unlocks them. Seed articles: marketing owns the MQL bar, brand spend
and price (000, 004); sales owns queue order, prospecting and cold calling (003), agrees an SLA
and the lead definition, and decides whether dispositions flow back (002)."""

UNLOCKS: tuple[str, ...] = ("communication", "feedback", "shared_kpi")
"""What a round can unlock: lever groups, and the shared revenue KPI."""

SHARED_KPI_SETTINGS: dict[str, Any] = {"incentives.shared_kpi_weight": 1.0}
"""What the facilitator switches on with the shared KPI: both teams' scorecards weigh company
revenue (seed articles 001, 002, 004)."""

DEFAULT_ROUNDS: tuple[dict[str, Any], ...] = (
    {"name": "Practice", "practice": True, "unlocks": []},
    {"name": "Q1 Silos", "unlocks": []},
    {"name": "Q2 Talk", "unlocks": ["communication"]},
    {"name": "Q3 Listen", "unlocks": ["communication", "feedback"]},
    {"name": "Q4 One team", "unlocks": ["communication", "feedback", "shared_kpi"]},
)
"""A practice quarter, then four scored quarters that open the silos one step at a time."""

REFERENCE_CHOICES: dict[str, Any] = {
    "scoring.mql_threshold": 0.45, "marketing.brand_share": 0.15, "pricing.price_index": 1.0,
    "sales.prioritisation": "fifo", "sales.prospecting_share": 0.3, "sales.cold_calling": 0.2,
    "communication.crm_sharing": 0.9, "communication.handoff": "realtime",
    "communication.meeting_every_weeks": 2, "communication.sla_hours": 4.0,
    "communication.shared_lead_definition": True, "feedback.mode": "closed_loop",
    "incentives.shared_kpi_weight": 1.0,
}
"""The well-aligned reference company the debrief compares every team with: the same company
and random numbers, with every game lever set as an aligned organisation would set it."""

ROLE_KPIS: dict[str, tuple[str, str]] = {
    "marketing": ("mqls", "MQLs delivered"),
    "sales": ("bookings", "Bookings (won revenue)"),
}
"""The KPI each half sees on its screen until the shared KPI is unlocked."""

SHARED_KPI: tuple[str, str] = ("revenue", "Company revenue")

WEEKS_PER_ROUND = 13
LUCK_BUDGET = 4200
"""Company-weeks of simulation that processing one round may cost, the played world and its
replays together, so that the room waits at most about 15 s on two cores: one simulated
company-week costs about 6 ms of one core (``bench/bench_game.py``), so 4,200 are about 26 s of
work, 13 s on two cores, with the rest left for starting the pool and writing the files."""
LUCK_REPS_DEFAULT_RANGE = (2, 9)
MAX_LUCK_REPS = 50
RANK_BY = ("revenue", "profit")
REFERENCE = "reference"
TEAM_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,19}$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud
CODE_LENGTH = 6
"""Join codes are six characters of a 32-letter alphabet: a billion codes, so that guessing one of
a room's 80 at the server's few tries a minute would take centuries, yet short enough to type."""
KEY_BYTES = 18
"""Each team-role link and the console carry a secret key of 18 random bytes (24 URL-safe
characters): the server admits a player only with one, never from a team and role name."""
ROUND_FLOWS = ("leads", "mqls", "sals", "sqls", "opportunities")
CUMULATIVE = ("revenue", "profit", "won", "total_cost", "marketing_cost", "sales_cost",
              "meeting_cost")
LUCK_COLUMNS = ("round", "team", "replication", "revenue_to_date", "profit_to_date")
STATUSES = ("waiting", "open", "locked", "processed")
"""A round's life cycle, in order (``rounds/NN/state.yaml`` says which)."""
MAX_ENVELOPE_BYTES = 16 * 1024
"""The largest envelope file read: a role's choices take a few hundred bytes, so anything much
larger is a mistake or mischief, and is skipped unread so that it cannot slow the room down."""
LOCK_FILE = ".lock"
LOCK_TIMEOUT = 5.0
"""Seconds a round change waits for another console's change to finish before giving up."""
GAME_DIR_ENV = "LEADFLOW_GAME_DIR"
GAME_URL_ENV = "LEADFLOW_GAME_URL"
DEFAULT_GAME_URL = "http://localhost:8866"


class GameError(ScenarioError):
    """A game folder, envelope or facilitator action that cannot be used (one clear line)."""


def game_folder(default: str | Path = "leadflow-game") -> Path:
    """The game folder of this machine: ``$LEADFLOW_GAME_DIR`` (set by ``make game``) or
    ``default`` relative to the current folder.
    """
    return Path(os.environ.get(GAME_DIR_ENV) or default)


def now_utc() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _parse_time(text: Any, source: str, key: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        raise GameError(source, key, f"{text!r} is not an ISO date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _utc_clock(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%H:%M") if moment is not None else "-"


def _check_minutes(minutes: float | None, source: str) -> None:
    if minutes is not None and not 0 < minutes <= 24 * 60:
        raise GameError(source, "minutes", "a countdown must be between 0 and 1440 minutes")


def _check_envelope_size(record: Mapping[str, Any], source: str) -> None:
    """Refuse an envelope whose YAML would exceed :data:`MAX_ENVELOPE_BYTES` (the readers
    would skip it).
    """
    try:
        text = yaml.safe_dump(dict(record), sort_keys=False, allow_unicode=True)
    except yaml.YAMLError:
        return  # not plain data: checking the levers says what is wrong with it
    size = len(text.encode("utf-8"))
    if size > MAX_ENVELOPE_BYTES:
        raise GameError(source, "choices", f"too large ({size:,} bytes as YAML; an envelope "
                        f"holds at most {MAX_ENVELOPE_BYTES:,})")


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never a part.

    The text goes to a hidden temporary file in the same folder (same drive), is flushed to
    disk, and is renamed over the target in one step (:func:`sim.files.write_atomic`); the
    folder is made first if needed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text, durable=True)


def _write_yaml(path: Path, data: Mapping[str, Any], header: str = "") -> None:
    text = yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True)
    write_atomically(path, header + text)


def _write_csv(path: Path, table: pd.DataFrame) -> None:
    write_atomically(path, table.to_csv(index=False))


_FILES = FileMemo()
"""The game folder's files as last parsed (see :class:`sim.files.FileMemo`): the room server's
pages re-read the folder every few seconds, and a file that has not changed is not parsed again."""


def _read_yaml(path: Path, source: str) -> dict[str, Any]:
    """A YAML mapping file of the game folder (a fresh copy the caller may change)."""
    return copy.deepcopy(_FILES.get(path, lambda p: _parse_yaml(p, source)))


def _parse_yaml(path: Path, source: str) -> dict[str, Any]:
    try:
        text = read_text(path)
    except FileNotFoundError:
        raise GameError(source, None, "file not found") from None
    except UnicodeDecodeError:
        raise GameError(source, None, "not UTF-8 text") from None
    except OSError as exc:
        raise GameError(source, None, f"cannot be read ({exc.strerror})") from None
    try:
        data = safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise GameError(source, None, f"not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise GameError(source, None, "expected a mapping of keys to values")
    return data


def _read_table(path: Path) -> pd.DataFrame:
    """A results CSV, with team names kept as written (a team called ``nan`` stays one)."""
    return _FILES.get(path, _parse_table).copy()


def _parse_table(path: Path) -> pd.DataFrame:
    columns = pd.read_csv(path, nrows=0).columns
    missing = {c: ["", "nan", "NaN"] for c in columns if c != "team"}
    return pd.read_csv(path, keep_default_na=False, na_values=missing, dtype={"team": str})


def default_luck_reps(teams: int, weeks_per_round: int, scored_rounds: int,
                      warmup_weeks: int) -> int:
    """How many replays with other luck a game gets unless its rules card says: as many as fit
    :data:`LUCK_BUDGET` in its longest round (the last, which runs every company, the teams'
    and the reference's, from the company's warm-up to the end of the last quarter), but at
    least 2, so that there is an interval to judge ties by, and at most 9, past which the ties
    hardly change. A 20-team game of four 13-week quarters gets 2, ten teams 4, four teams 9.
    """
    weeks = warmup_weeks + weeks_per_round * max(1, scored_rounds)
    fit = LUCK_BUDGET // ((teams + 1) * weeks) - 1
    low, high = LUCK_REPS_DEFAULT_RANGE
    return max(low, min(high, fit))


def role_levers(role: str, unlocks: Iterable[str]) -> tuple[str, ...]:
    """The levers ``role`` may move in a round that unlocks ``unlocks``."""
    groups = LEVERS[role]
    keys = list(groups["core"])
    for group in ("communication", "feedback"):
        if group in unlocks:
            keys.extend(groups[group])
    return tuple(keys)


ALL_LEVERS: tuple[str, ...] = tuple(key for role in ROLES for group in LEVERS[role].values()
                                    for key in group)


def _player_secrets(teams: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """A join code and a secret key for every team and role: ``({code: "team/role"},
    {"team/role": key})``. The code is what a player types; the key is what the link carries.
    """
    codes: dict[str, str] = {}
    keys: dict[str, str] = {}
    for team in teams:
        for role in ROLES:
            code = _new_code()
            while code in codes:
                code = _new_code()
            codes[code] = f"{team}/{role}"
            keys[f"{team}/{role}"] = secrets.token_urlsafe(KEY_BYTES)
    return codes, keys


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(code: str) -> str:
    """A join code as typed (any case, spaces or dashes between its characters) in its stored form."""
    return re.sub(r"[\s-]", "", str(code)).upper()


def _carried(team: str, rounds: Sequence[Envelopes]) -> tuple[dict[str, Any], dict[str, bool]]:
    """The choices in force for ``team`` after the given rounds' envelopes, and per role
    whether the last round had none (see :meth:`Game.choices`).
    """
    current: dict[str, Any] = {}
    auto: dict[str, bool] = {}
    for i, env in enumerate(rounds):
        for role in ROLES:
            sub = env.valid.get((team, role))
            if sub is not None:
                current.update(sub.choices)
            if i == len(rounds) - 1:
                auto[role] = sub is None
    return current, auto


def _simulate(spec: RunSpec) -> tuple[dict[str, float], pd.DataFrame | None]:
    """One company of a round's processing: its KPIs and, for the played world (replication
    0), its weekly ledger. The replays' ledgers are not kept, so they are not sent back from
    the worker either. Module level, so that a process pool can be handed it.
    """
    result = run(spec.scenario, seed=spec.seed, replication=spec.replication,
                 changes=spec.changes)
    return result.kpis, (result.weekly if spec.replication == 0 else None)


@dataclass(frozen=True)
class Round:
    """One round of the game as the rules card declares it."""

    index: int
    name: str
    practice: bool
    unlocks: tuple[str, ...]

    def levers(self, role: str) -> tuple[str, ...]:
        return role_levers(role, self.unlocks)

    @property
    def shared_kpi(self) -> bool:
        return "shared_kpi" in self.unlocks


@dataclass
class Submission:
    """One envelope: a role's choices for a round, and when it was posted."""

    team: str
    role: str
    round: int
    choices: dict[str, Any]
    submitted_at: datetime
    path: Path


@dataclass
class RoundState:
    """Where a round stands, read from ``rounds/NN/state.yaml`` (written by the facilitator)."""

    status: str = "waiting"
    opened_at: datetime | None = None
    closes_at: datetime | None = None
    locked_at: datetime | None = None
    processed_at: datetime | None = None

    def lock_time(self) -> datetime | None:
        times = [t for t in (self.locked_at, self.closes_at) if t is not None]
        return min(times) if times else None

    def countdown_running(self, now: datetime) -> bool:
        """Whether the round is open with a countdown that has not run out at ``now``."""
        return self.status == "open" and self.closes_at is not None and now < self.closes_at

    def inconsistency(self) -> tuple[str, str] | None:
        """The key and problem of a state that cannot have been written by the game, or None.

        Each status has its times: a round is opened before it locks, and locks before it is
        processed, so e.g. a processed round without ``processed_at`` is a damaged file (or a
        hand edit), and acting on it could lose a round's results.
        """
        if self.status not in STATUSES:
            return "status", f"{self.status!r} is not a round status (one of {', '.join(STATUSES)})"
        stage = STATUSES.index(self.status)
        for key, needed_from in (("opened_at", 1), ("locked_at", 2), ("processed_at", 3)):
            present = getattr(self, key) is not None
            if stage >= needed_from and not present:
                return key, f"missing: a round that is {self.status} records when it was " \
                            f"{key.removesuffix('_at')}"
            if stage < needed_from and present:
                return key, f"set, but the round is only {self.status}"
        if self.status == "waiting" and self.closes_at is not None:
            return "closes_at", "set, but the round is only waiting"
        if self.opened_at and self.closes_at and self.closes_at <= self.opened_at:
            return "closes_at", "is not after opened_at"
        return None


@dataclass
class Envelopes:
    """What processing found in a round's folder: valid envelopes and the problems."""

    valid: dict[tuple[str, str], Submission] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


BOARD_LUCK_COLUMNS = ("place", "tied_with", "luck_low", "luck_high", "vs_reference_low",
                      "vs_reference_high", "p_first", "replications")
"""The leaderboard's columns about luck (:meth:`Game.leaderboard`)."""

# "The team above is ahead" as a claim, so that the claims' verdict (holds, fails, undecided)
# judges the interval: undecided is an interval that includes zero.
_AHEAD = {kpi: Claim(says="the team above is ahead", kpi=kpi.removesuffix("_to_date"),
                     change="up") for kpi in ("revenue_to_date", "profit_to_date")}


def _within_luck(gaps: pd.Series, key: str) -> bool:
    """Whether paired gaps (the team above's score less this team's, replication by
    replication) are within luck: their 95 % interval includes zero.
    """
    low, high = ci95(gaps.to_numpy(dtype=float))
    return verdict(_AHEAD[key], low, high) == "undecided"


def luck_standings(order: Sequence[str], luck: pd.DataFrame, key: str,
                   played: Sequence[float] | None = None) -> pd.DataFrame:
    """The luck columns of the leaderboard (:data:`BOARD_LUCK_COLUMNS`), one row per team of
    ``order`` (best first), from a round's replays ``luck`` (:meth:`Game.luck`), ranked by
    ``key`` (``revenue_to_date`` or ``profit_to_date``). Without replays, teams whose
    ``played`` scores (in ``order``) are exactly equal share a place: nothing tells them apart.
    """
    wide = luck.pivot_table(index="replication", columns="team", values=key, aggfunc="first") \
        if not luck.empty else pd.DataFrame()
    order = list(order)
    standings = pd.DataFrame({"place": [str(i + 1) for i in range(len(order))],
                              "tied_with": ""}, index=pd.Index(order, name="team"))
    for column in BOARD_LUCK_COLUMNS[2:-1]:
        standings[column] = float("nan")
    complete = set(order) <= set(wide.columns)
    standings["replications"] = len(wide) if complete else 0
    if len(wide) < 2 or not complete:
        # one replication or none: no interval, so only an exact tie can be told
        if played is not None:
            _share_places(standings, order, _runs(order, lambda a, b: played[order.index(a)]
                                                   == played[order.index(b)]))
        return standings
    scores = wide[order]
    standings["luck_low"] = scores.min()
    standings["luck_high"] = scores.max()
    if REFERENCE in wide.columns:
        shares = scores.div(wide[REFERENCE].where(wide[REFERENCE] != 0), axis=0)
        standings["vs_reference_low"] = shares.min()
        standings["vs_reference_high"] = shares.max()
    first = scores.eq(scores.max(axis=1), axis=0)
    standings["p_first"] = first.div(first.sum(axis=1), axis=0).mean()
    standings["replications"] = len(scores)
    _share_places(standings, order,
                  _runs(order, lambda a, b: _within_luck(scores[a] - scores[b], key)))
    return standings


def _runs(order: Sequence[str], tied: Any) -> list[list[str]]:
    """``order`` cut into runs of neighbours that ``tied(above, below)`` cannot tell apart."""
    groups: list[list[str]] = []
    for i, team in enumerate(order):
        if i and tied(order[i - 1], team):
            groups[-1].append(team)
        else:
            groups.append([team])
    return groups


def _share_places(standings: pd.DataFrame, order: Sequence[str],
                  groups: list[list[str]]) -> None:
    """Give every team of a group of two or more the group's first place (``=2``)."""
    for group in groups:
        if len(group) < 2:
            continue
        place = f"={list(order).index(group[0]) + 1}"
        for team in group:
            standings.loc[team, "place"] = place
            standings.loc[team, "tied_with"] = ", ".join(t for t in group if t != team)


def _names(teams: Sequence[str]) -> str:
    return teams[0] if len(teams) == 1 else f"{', '.join(teams[:-1])} and {teams[-1]}"


def luck_sentences(board: pd.DataFrame) -> list[str]:
    """The leaderboard's ties in words a trainer can read out, one sentence per group of tied
    teams, or one sentence saying there is none; empty without replays.
    """
    if board.empty or "replications" not in board or not (board["replications"] >= 2).all():
        return []
    said, lines = set(), []
    for row in board.to_dict("records"):
        if not row["tied_with"] or row["team"] in said:
            continue
        group = [row["team"], *row["tied_with"].split(", ")]
        said.update(group)
        gap = "the gap between them is" if len(group) == 2 else "the gaps between them are"
        lines.append(f"{_names(group)} are tied: {gap} within what luck alone produces.")
    if not lines and len(board) > 1:
        lines.append("No two neighbours on the leaderboard are tied: each gap is larger than "
                     "luck alone produces.")
    return lines


class Game:
    """A game folder: its rules card, rounds, envelopes and results."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        card = self.folder / "game.yaml"
        source = str(card)
        if not card.is_file():
            raise GameError(str(self.folder), None,
                            "no game here (create one with `python -m sim game new FOLDER`)")
        data = _read_yaml(card, source)
        try:
            self.name = str(data["name"])
            self.seed = int(data["seed"])
            self.teams: list[str] = [str(t) for t in data["teams"]]
            self.weeks_per_round = int(data.get("weeks_per_round", WEEKS_PER_ROUND))
            self.rank_by = str(data.get("rank_by", "revenue"))
            self.solo = bool(data.get("solo", False))
            luck_reps = data.get("luck_reps")
            self.rounds = [Round(i, str(r["name"]), bool(r.get("practice", False)),
                                 tuple(r.get("unlocks", ()))) for i, r in enumerate(data["rounds"])]
            self.codes: dict[str, str] = {str(k): str(v) for k, v in (data.get("codes") or {}).items()}
            self.keys: dict[str, str] = {str(k): str(v) for k, v in (data.get("keys") or {}).items()}
            self.console_key = str(data.get("console_key") or "")
            self.reference_choices: dict[str, Any] = dict(data.get("reference") or {})
        except (KeyError, TypeError, ValueError) as exc:
            raise GameError(source, None, f"damaged rules card ({exc})") from None
        self.base = load_scenario(self.folder / "scenario.yaml")
        if luck_reps is None:  # a rules card from before the replays: what a new one would say
            luck_reps = default_luck_reps(len(self.teams), self.weeks_per_round,
                                          len(self.scored_rounds()), self.base.warmup_weeks)
        if isinstance(luck_reps, bool) or not isinstance(luck_reps, int) \
                or not 0 <= luck_reps <= MAX_LUCK_REPS:
            raise GameError(source, "luck_reps", f"must be a whole number from 0 to "
                            f"{MAX_LUCK_REPS}, got {luck_reps!r}")
        self.luck_reps: int = luck_reps
        self._checked: dict[tuple[str, tuple[tuple[str, Any], ...]], dict[str, Any]] = {}
        self._envelope_memo = FileMemo(size=512)

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
        teams = [str(t).strip() for t in teams]
        if not teams or len(teams) > 40:
            raise GameError(source, "teams", "give between 1 and 40 team names")
        for team in teams:
            if not TEAM_NAME.match(team) or team == REFERENCE:
                raise GameError(source, "teams", f"{team!r} is not a valid team name (lower-case "
                                "letters, digits, - or _, starting with a letter, at most 20; "
                                f"not {REFERENCE!r})")
        if len(set(teams)) != len(teams):
            raise GameError(source, "teams", "team names must differ")
        if rank_by not in RANK_BY:
            raise GameError(source, "rank_by", f"{rank_by!r} is not one of {', '.join(RANK_BY)}")
        if not 1 <= weeks_per_round <= 52:
            raise GameError(source, "weeks_per_round", "must be between 1 and 52")
        if luck_reps is not None and not 0 <= luck_reps <= MAX_LUCK_REPS:
            raise GameError(source, "luck_reps", f"must be between 0 and {MAX_LUCK_REPS}")
        plan = [dict(r) for r in (rounds if rounds is not None else DEFAULT_ROUNDS)]
        if not practice:
            plan = [r for r in plan if not r.get("practice")]
        for r in plan:
            if not isinstance(r.get("name"), str) or not r["name"].strip():
                raise GameError(source, "rounds", f"every round needs a name, got {r!r}")
            r["unlocks"] = list(r.get("unlocks") or ())
            bad = [u for u in r["unlocks"] if u not in UNLOCKS]
            if bad:
                raise GameError(source, "rounds", f"cannot unlock {bad[0]!r}; choose from "
                                f"{', '.join(UNLOCKS)}")
        if not any(not r.get("practice") for r in plan):
            raise GameError(source, "rounds", "a game needs at least one scored round")
        try:
            base = load_scenario(resolve_scenario_path(scenario))
        except ScenarioError as exc:
            raise GameError(str(scenario), None, str(exc)) from None
        seed = base.seed if seed is None else int(seed)
        if luck_reps is None:
            luck_reps = default_luck_reps(len(teams), weeks_per_round,
                                          sum(not r.get("practice") for r in plan),
                                          base.warmup_weeks)
        codes, keys = _player_secrets(teams)
        folder.mkdir(parents=True, exist_ok=True)
        dump_scenario(base, folder / "scenario.yaml",
                      header=f"# The company every team inherits (copied from {Path(str(scenario)).name}).\n")
        card = {
            "name": name or folder.resolve().name,
            "created_at": _stamp(now_utc()),
            "seed": seed,
            "weeks_per_round": weeks_per_round,
            "rank_by": rank_by,
            "solo": solo,
            "luck_reps": int(luck_reps),
            "teams": teams,
            "rounds": plan,
            "reference": dict(REFERENCE_CHOICES),
            "codes": codes,
            "keys": keys,
            "console_key": secrets.token_urlsafe(KEY_BYTES),
        }
        _write_yaml(folder / "game.yaml", card,
                    header="# LeadFlow Lab workshop game: the rules card. Written once when the "
                           "game is created.\n")
        return cls(folder)

    # ------------------------------------------------------------------ rounds
    def _round_dir(self, index: int) -> Path:
        return self.folder / "rounds" / f"{index:02d}"

    def round(self, index: int) -> Round:
        if not 0 <= index < len(self.rounds):
            raise GameError(str(self.folder), "round",
                            f"{index} does not exist (rounds 0 to {len(self.rounds) - 1})")
        return self.rounds[index]

    def state(self, index: int, now: datetime | None = None) -> RoundState:
        """The state of round ``index``; a countdown that ran out reads as ``locked``.

        A state file the game cannot have written (a status other than :data:`STATUSES`, a time
        that is not a date-time, or times that contradict the status) is a :class:`GameError`
        naming the file and the key: acting on a guess could lose a round's results.
        """
        path = self._round_dir(index) / "state.yaml"
        if not path.exists():
            return RoundState()
        source = str(path)
        data = _read_yaml(path, source)
        times = {k: _parse_time(data[k], source, k) if data.get(k) is not None else None
                 for k in ("opened_at", "closes_at", "locked_at", "processed_at")}
        state = RoundState(status=str(data.get("status", "waiting")), **times)
        wrong = state.inconsistency()
        if wrong is not None:
            raise GameError(source, *wrong)
        now = now or now_utc()
        if state.status == "open" and state.closes_at is not None and now >= state.closes_at:
            state.status = "locked"
        return state

    def _save_state(self, index: int, state: RoundState) -> None:
        wrong = state.inconsistency()
        if wrong is not None:  # a bug, not an input: never write a file that reads as damaged
            raise AssertionError(f"round {index}: {wrong[0]}: {wrong[1]}")
        data = {"status": state.status}
        for key in ("opened_at", "closes_at", "locked_at", "processed_at"):
            value = getattr(state, key)
            data[key] = _stamp(value) if value is not None else None
        _write_yaml(self._round_dir(index) / "state.yaml", data)

    def _label(self, index: int) -> str:
        """A round as messages name it: its number and its name, ``round 3 (Q3 Listen)``."""
        return f"round {index} ({self.round(index).name})"

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """Hold the game folder's lock file while a round changes.

        Two facilitator consoles (or a console and a terminal) may press a button at the same
        moment; the lock makes them take turns, and each re-reads the state inside it, so the
        second one sees what the first did instead of acting twice on a stale view. The lock
        is one object per game and re-entrant, so a change made inside another of this game's
        changes does not wait for itself.
        """
        lock = self.__dict__.get("_folder_lock")
        if lock is None:
            lock = self._folder_lock = FileLock(self.folder / LOCK_FILE)
        try:
            lock.acquire(timeout=LOCK_TIMEOUT)
        except Timeout:
            raise GameError(str(self.folder), None,
                            "another console is changing the game; try again") from None
        try:
            yield
        finally:
            lock.release()

    def current_round(self) -> int | None:
        """The latest round that has been opened, or None before the game starts."""
        opened = [r.index for r in self.rounds if self.state(r.index).status != "waiting"]
        return max(opened) if opened else None

    def open_round(self, index: int | None = None, minutes: float | None = None,
                   now: datetime | None = None) -> int:
        """Open the next round (or ``index``), with an optional countdown in minutes."""
        with self._changing():
            current = self.current_round()
            index = (0 if current is None else current + 1) if index is None else index
            self.round(index)
            source = str(self._round_dir(index) / "state.yaml")
            if index > 0 and self.state(index - 1).status != "processed":
                raise GameError(source, "round",
                                f"process round {index - 1} before opening {index}")
            if self.state(index).status != "waiting":
                raise GameError(source, "round", f"round {index} was opened already")
            _check_minutes(minutes, source)
            now = now or now_utc()
            closes = now + timedelta(minutes=minutes) if minutes is not None else None
            self._save_state(index, RoundState("open", opened_at=now, closes_at=closes))
        return index

    def lock_round(self, index: int | None = None, now: datetime | None = None,
                   force: bool = False) -> int:
        """Stop taking envelopes for a round (the current one by default).

        A running countdown is a promise to the room, so it is not cut short unless ``force``
        (``game lock --force``, or the console's confirmation). Locking a round that is locked
        already is refused, so that of two consoles pressing Lock at once one is told.
        """
        with self._changing():
            index = self._current_or(index)
            now = now or now_utc()
            state = self.state(index, now)
            source, label = str(self._round_dir(index) / "state.yaml"), self._label(index)
            if state.status == "waiting":
                raise GameError(source, "round", f"{label} is not open")
            if state.status == "processed":
                raise GameError(source, "round", f"{label} was processed already")
            if state.locked_at is not None:
                raise GameError(source, "round", f"{label} is locked already")
            if state.countdown_running(now) and not force:
                raise GameError(source, "round", f"the countdown of {label} runs until "
                                f"{_utc_clock(state.closes_at)} UTC; lock early with force "
                                "(game lock --force)")
            self._record_lock(index, state, now)
        return index

    def _record_lock(self, index: int, state: RoundState, now: datetime) -> None:
        # a round whose countdown ran out locked at its end, whenever somebody notices
        state.locked_at = min(now, state.closes_at) if state.closes_at is not None else now
        state.status = "locked"
        self._save_state(index, state)

    def reopen_round(self, index: int | None = None, minutes: float | None = None,
                     now: datetime | None = None) -> int:
        """Take envelopes again for a locked round that has not been processed (the current
        one by default), with an optional new countdown in minutes.

        For a round locked too early: envelopes posted since then count again (the round has
        no lock time until it locks anew). A processed round is undone first (:meth:`undo_round`).
        """
        with self._changing():
            index = self._current_or(index)
            now = now or now_utc()
            state = self.state(index, now)
            source, label = str(self._round_dir(index) / "state.yaml"), self._label(index)
            if state.status != "locked":
                undo = " (undo it first)" if state.status == "processed" else ""
                raise GameError(source, "round", f"{label} is {state.status}: only a locked "
                                f"round that is not processed can be reopened{undo}")
            _check_minutes(minutes, source)
            state.status, state.locked_at = "open", None
            state.closes_at = now + timedelta(minutes=minutes) if minutes is not None else None
            if state.opened_at is not None and state.closes_at is not None \
                    and state.closes_at <= state.opened_at:
                state.opened_at = now  # a clock set back: keep the times in order
            self._save_state(index, state)
        return index

    def undo_round(self, index: int | None = None, now: datetime | None = None) -> int:
        """Take back the last processing: the round is locked again, without results.

        Only the last processed round (``index``, if given, must be that one), and only while
        the next round has not been opened: the next round's envelopes were posted against
        these results. The round's result files are moved to ``rounds/NN/undone-STAMP/``, not
        deleted, so nothing is lost. The copy is written first and the state second, so a
        failure half-way leaves either the processed round or the locked one, never a mixture
        (results of a round that is not processed are never read). Returns the round's index.
        """
        with self._changing():
            last = self.last_processed()
            if last is None:
                raise GameError(str(self.folder), "round",
                                "no round has been processed yet: nothing to undo")
            source = str(self._round_dir(last) / "state.yaml")
            if index is not None and index != last:
                self.round(index)
                raise GameError(source, "round", f"only the last processed round, "
                                f"{self._label(last)}, can be undone, not round {index}")
            if last + 1 < len(self.rounds) and self.state(last + 1).status != "waiting":
                raise GameError(source, "round", f"{self._label(last)} cannot be undone: "
                                f"{self._label(last + 1)} has been opened already")
            moment = now or now_utc()
            kept = self._round_dir(last) / f"undone-{moment.astimezone(UTC):%Y%m%dT%H%M%S%fZ}"
            files = [p for p in self.result_files(last) if p.is_file()]
            kept.mkdir(parents=True, exist_ok=True)
            for path in files:
                write_atomic(kept / path.name, path.read_bytes(), durable=True)
            state = self.state(last)
            state.status, state.processed_at = "locked", None
            self._save_state(last, state)
            for path in files:
                path.unlink()
        return last

    def result_files(self, index: int) -> list[Path]:
        """The files processing round ``index`` writes (the luck file for a scored round)."""
        results = self.folder / "results"
        return [results / f"{kind}-{index:02d}.{ext}" for kind, ext in
                (("round", "csv"), ("weekly", "csv"), ("luck", "csv"), ("problems", "yaml"))]

    def undone(self, index: int) -> list[Path]:
        """The folders holding round ``index``'s undone results, oldest first."""
        return sorted(p for p in self._round_dir(index).glob("undone-*") if p.is_dir())

    def _current_or(self, index: int | None) -> int:
        if index is not None:
            self.round(index)
            return index
        current = self.current_round()
        if current is None:
            raise GameError(str(self.folder), "round", "no round has been opened yet")
        return current

    # ------------------------------------------------------------------ envelopes
    def team_role(self, code: str) -> tuple[str, str]:
        """The team and role a join code stands for (one neutral message for a wrong code)."""
        entry = self.codes.get(normal_code(code))
        if entry is None:
            raise GameError("join code", None, "that is not a code of this game; check it with "
                            "your facilitator")
        team, role = entry.split("/")
        return team, role

    def code_for(self, team: str, role: str) -> str:
        """The join code of one team and role."""
        for code, entry in self.codes.items():
            if entry == f"{team}/{role}":
                return code
        raise GameError(str(self.folder / "game.yaml"), "codes",
                        f"has no join code for {team}/{role}; the rules card is damaged or "
                        "older than this version (create the game again)")

    def key_for(self, team: str, role: str) -> str:
        """The secret key a team and role's link carries."""
        key = self.keys.get(f"{team}/{role}")
        if not key:
            raise GameError(str(self.folder / "game.yaml"), "keys",
                            f"has no key for {team}/{role}; the rules card is older than player "
                            "keys or damaged (create the game again)")
        return key

    def player(self, key: str) -> tuple[str, str] | None:
        """The team and role whose secret key ``key`` is, or None. Every key is compared in
        constant time, so the answer's timing says nothing about how close a guess was.
        """
        found = None
        for entry, secret in self.keys.items():
            if secrets.compare_digest(str(key).encode(), secret.encode()):
                found = entry
        if found is None:
            return None
        team, role = found.split("/")
        return team, role

    def is_console_key(self, key: str) -> bool:
        """Whether ``key`` is this game's facilitator key (False for a game without one)."""
        return bool(self.console_key) and secrets.compare_digest(str(key).encode(),
                                                                 self.console_key.encode())

    def _check_player(self, team: str, role: str, source: str) -> None:
        if team not in self.teams:
            raise GameError(source, "team", f"{team!r} is not in this game (teams: "
                            f"{', '.join(self.teams)})")
        if role not in ROLES:
            raise GameError(source, "role", f"{role!r} is not one of {', '.join(ROLES)}")

    def _check_choices(self, rnd: Round, role: str, choices: Mapping[str, Any],
                       source: str) -> dict[str, Any]:
        allowed = rnd.levers(role)
        for key in choices:
            if key not in allowed:
                raise GameError(source, key, f"not a {role} lever in round {rnd.index} "
                                f"({', '.join(allowed)})")
        try:
            memo_key = (role, tuple(sorted(choices.items())))
            hash(memo_key)
        except TypeError:  # a list or mapping where a number belongs: checked (and refused) below
            memo_key = None
        if memo_key is not None and memo_key in self._checked:
            return dict(self._checked[memo_key])
        try:
            checked = with_overrides(self.base, choices)
        except ScenarioError as exc:
            raise GameError(source, exc.key, exc.problem) from None
        result = {key: get_value(checked, key) for key in choices}
        if memo_key is not None and len(self._checked) < 1024:
            # the same choices check out the same way against the same company: a room's pages
            # re-read every envelope every few seconds, and the check builds a whole scenario
            self._checked[memo_key] = result
        return dict(result)

    def envelope_path(self, index: int, team: str, role: str) -> Path:
        return self._round_dir(index) / f"{team}.{role}.yaml"

    def submit(self, team: str, role: str, choices: Mapping[str, Any],
               index: int | None = None, now: datetime | None = None) -> Path:
        """Post ``role``'s choices for a round (the current one by default).

        Raises :class:`GameError` if the round is not open or a choice is not allowed; a later
        envelope from the same team and role replaces the earlier one.
        """
        source = f"{team}.{role}"
        self._check_player(team, role, source)
        index = self._current_or(index)
        rnd = self.round(index)
        now = now or now_utc()
        status = self.state(index, now).status
        if status != "open":
            raise GameError(source, "round", f"round {index} ({rnd.name}) is {status}: "
                            "envelopes are not taken now")
        record = {"team": team, "role": role, "round": index, "submitted_at": _stamp(now)}
        _check_envelope_size({**record, "choices": dict(choices)}, source)
        checked = self._check_choices(rnd, role, choices, source)
        path = self.envelope_path(index, team, role)
        _write_yaml(path, {**record, "choices": checked})
        return path

    def _check_envelope_file(self, path: Path, source: str) -> None:
        """Refuse an envelope file over :data:`MAX_ENVELOPE_BYTES` before anything reads it."""
        try:
            info = path.stat()
        except OSError:
            return  # gone or unreadable: reading it says which
        if stat.S_ISREG(info.st_mode) and info.st_size > MAX_ENVELOPE_BYTES:
            raise GameError(source, None, f"too large ({info.st_size:,} bytes; an envelope "
                            f"holds at most {MAX_ENVELOPE_BYTES:,})")

    def read_envelope(self, path: Path) -> Submission:
        """Read and check one envelope; :class:`GameError` names the file and the problem.

        What an envelope file was found to be is remembered until the file changes (the room
        server's pages ask every few seconds who has posted), so an unchanged envelope costs
        a ``stat``, and an unchanged bad one the same line again.
        """
        outcome = self._envelope_memo.get(path, self._envelope_outcome)
        if isinstance(outcome, GameError):
            raise copy.copy(outcome)  # a fresh exception each time: no traceback piles up
        return outcome

    def _envelope_outcome(self, path: Path) -> Submission | GameError:
        try:
            return self._read_envelope(path)
        except GameError as exc:
            return exc

    def _read_envelope(self, path: Path) -> Submission:
        source = str(path.relative_to(self.folder)) if path.is_relative_to(self.folder) else str(path)
        self._check_envelope_file(path, source)
        data = _read_yaml(path, source)
        stem = path.name[: -len(".yaml")]
        if stem.count(".") != 1:
            raise GameError(source, None, "envelope names are TEAM.ROLE.yaml")
        team, role = stem.split(".")
        self._check_player(team, role, source)
        for key, expected in (("team", team), ("role", role)):
            if data.get(key) != expected:
                raise GameError(source, key, f"says {data.get(key)!r} but the file name says "
                                f"{expected!r}")
        index = int(path.parent.name)
        if data.get("round") != index:
            raise GameError(source, "round", f"says {data.get('round')!r}, filed under {index}")
        if "submitted_at" not in data:
            raise GameError(source, "submitted_at", "missing")
        moment = _parse_time(data["submitted_at"], source, "submitted_at")
        choices = data.get("choices")
        choices = {} if choices is None else choices  # "choices:" with nothing under it
        if not isinstance(choices, dict):
            raise GameError(source, "choices", "expected a mapping of lever to value")
        checked = self._check_choices(self.round(index), role, choices, source)
        return Submission(team, role, index, checked, moment, path)

    def envelopes(self, index: int, now: datetime | None = None) -> Envelopes:
        """Every envelope of a round that counts, and a line for each that does not."""
        found = Envelopes()
        folder = self._round_dir(index)
        if not folder.is_dir():
            return found
        lock = self.state(index, now).lock_time()
        for path in sorted(folder.glob("*.yaml")):
            if path.name.startswith(".") or path.name == "state.yaml":
                continue
            try:
                # size first: a huge file is reported without being read, so it cannot stall
                # the console or `game status`
                self._check_envelope_file(path, str(path.relative_to(self.folder)))
                sub = self.read_envelope(path)
            except GameError as exc:
                found.problems.append(f"{exc} (skipped)")
                continue
            if lock is not None and sub.submitted_at > lock:
                found.problems.append(f"{path.relative_to(self.folder)}: posted after the round "
                                      "locked (skipped)")
                continue
            found.valid[(sub.team, sub.role)] = sub
        return found

    def status(self, index: int | None = None) -> pd.DataFrame:
        """Who has posted for a round: one row per team, a column per role (time or '-')."""
        index = self._current_or(index)
        env = self.envelopes(index)
        rows = []
        for team in self.teams:
            row: dict[str, Any] = {"team": team}
            for role in ROLES:
                sub = env.valid.get((team, role))
                row[role] = sub.submitted_at.astimezone().strftime("%H:%M:%S") if sub else "-"
            rows.append(row)
        return pd.DataFrame(rows, columns=["team", *ROLES])

    # ------------------------------------------------------------------ choices
    def choices(self, team: str, index: int) -> tuple[dict[str, Any], dict[str, bool]]:
        """The choices in force for ``team`` in round ``index`` and, per role, whether they were
        carried over (auto-submitted) because no valid envelope came in time.

        Each lever keeps its last posted value; levers nobody has set yet keep the company's.
        """
        return _carried(team, [self.envelopes(i) for i in range(index + 1)])

    def scenario_for(self, choices: Mapping[str, Any], rnd: Round, weeks: float) -> Scenario:
        # The company keeps its scenario's warm-up: the books open on a filled pipeline, so the
        # first quarter is not the start-up of an empty one.
        settings: dict[str, Any] = {"weeks": weeks, "seed": self.seed}
        if rnd.shared_kpi:
            settings.update(SHARED_KPI_SETTINGS)
        settings.update(choices)
        return with_overrides(self.base, settings)

    def company(self, weeks: float) -> Scenario:
        """The company every team inherits, before any choice, simulated for ``weeks``."""
        return with_overrides(self.base, {"weeks": weeks, "seed": self.seed})

    def scored_rounds(self) -> list[Round]:
        return [r for r in self.rounds if not r.practice]

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
        with self._changing():
            index = self._current_or(index)
            state = self._check_processable(index, now)
            if state.locked_at is None:  # its countdown ran out: record when it locked
                self._record_lock(index, state, now or now_utc())
            return self._process(index, now, executor)

    def _check_processable(self, index: int, now: datetime | None) -> RoundState:
        """The state of round ``index`` if it can be processed now, else a GameError that says
        what to do first.
        """
        source, label = str(self._round_dir(index) / "state.yaml"), self._label(index)
        if index > 0 and self.state(index - 1).status != "processed":
            raise GameError(str(self._round_dir(index)), "round",
                            f"process round {index - 1} first")
        now = now or now_utc()
        state = self.state(index, now)
        if state.status == "waiting":
            raise GameError(source, "round", f"{label} is not open yet: open it, lock it, "
                            "then process it")
        if state.status == "processed":
            raise GameError(source, "round", f"{label} was processed already (undo it to "
                            "process it again)")
        if state.countdown_running(now):
            raise GameError(source, "round", f"{label} is open until "
                            f"{_utc_clock(state.closes_at)} UTC: wait for its countdown, or "
                            "lock it early with force (game lock --force), then process it")
        if state.status == "open":
            raise GameError(source, "round", f"{label} is still open: lock it first "
                            "(game lock), then process it")
        return state

    def _process(self, index: int, now: datetime | None,
                 executor: Executor | None) -> pd.DataFrame:
        """Simulate locked round ``index`` and write its results (:meth:`process_round`)."""
        rnd = self.round(index)
        found = [self.envelopes(i) for i in range(index)] + [self.envelopes(index, now)]
        env = found[index]
        timeline = [r for r in self.rounds[: index + 1] if not r.practice] if not rnd.practice \
            else [rnd]
        weeks = self.weeks_per_round * len(timeline)
        previous = self._previous_cumulative(index)
        teams = [*self.teams, REFERENCE]
        scenarios: dict[str, list[Scenario]] = {}
        autos: dict[str, dict[str, bool]] = {}
        for team in teams:
            if team == REFERENCE:
                plan = [self.reference_choices for _ in timeline]
                autos[team] = dict.fromkeys(ROLES, False)
            else:
                plan = [_carried(team, found[: r.index + 1])[0] for r in timeline]
                autos[team] = _carried(team, found)[1]
            scenarios[team] = [self.scenario_for(c, r, weeks)
                               for c, r in zip(plan, timeline, strict=True)]
        # Teams are the same company when every quarter's scenario is the same, whatever
        # envelopes led there (a lever posted at the company's own value changes nothing).
        same = {team: tuple(s.model_dump_json() for s in scenarios[team]) for team in teams}
        companies = list(dict.fromkeys(same.values()))
        first_team = {key: next(t for t in teams if same[t] == key) for key in companies}
        replications = range(1 + (0 if rnd.practice else self.luck_reps))
        company = self.company(weeks)
        specs = []
        for i, key in enumerate(companies):
            # Every team inherits the same company: its warm-up runs under the company's own
            # settings, and each quarter's choices (the first one's too) apply at its start.
            changes = {k * self.weeks_per_round: s
                       for k, s in enumerate(scenarios[first_team[key]])}
            specs += [RunSpec(company, self.seed, r, {"company": i}, changes)
                      for r in replications]
        own = executor is None
        executor = executor or make_executor(jobs=len(specs))
        try:
            outputs = run_all(specs, executor, fn=_simulate)
        finally:
            if own:
                executor.close()
        simulated = {(spec.labels["company"], spec.replication): out
                     for spec, out in zip(specs, outputs, strict=True)}
        rows, weekly, luck = [], [], []
        for team in teams:
            company_index = companies.index(same[team])
            kpis, ledger = simulated[(company_index, 0)]
            first_week = weeks - self.weeks_per_round
            this_round = ledger[ledger["week"] > first_week]
            row: dict[str, Any] = {"round": index, "round_name": rnd.name,
                                   "practice": rnd.practice, "team": team}
            for name in ROUND_FLOWS:
                row[name] = float(this_round[name].sum())
            base = previous.get(team, {}) if not rnd.practice else {}
            for name in CUMULATIVE:
                total = float(kpis[name])
                row[f"{name}_to_date"] = total
                row[name] = total - base.get(f"{name}_to_date", 0.0)
            row["bookings"] = row["revenue"]
            row["trust"] = float(ledger["trust"].iloc[-1])
            row["mql_to_sql"] = row["sqls"] / row["mqls"] if row["mqls"] else float("nan")
            row["auto_marketing"] = autos[team]["marketing"]
            row["auto_sales"] = autos[team]["sales"]
            last = scenarios[team][-1]
            for key in ALL_LEVERS:
                row[key] = get_value(last, key)
            row["incentives.shared_kpi_weight"] = last.incentives.shared_kpi_weight
            rows.append(row)
            weekly.append(ledger.assign(team=team, round=index))
            for r in replications:
                replay = simulated[(company_index, r)][0]
                luck.append({"round": index, "team": team, "replication": r,
                             "revenue_to_date": float(replay["revenue"]),
                             "profit_to_date": float(replay["profit"])})
        table = pd.DataFrame(rows)
        results = self.folder / "results"
        _write_csv(results / f"weekly-{index:02d}.csv", pd.concat(weekly, ignore_index=True))
        if not rnd.practice:
            _write_csv(results / f"luck-{index:02d}.csv", pd.DataFrame(luck, columns=LUCK_COLUMNS))
        _write_csv(results / f"round-{index:02d}.csv", table)
        _write_yaml(results / f"problems-{index:02d}.yaml", {"problems": env.problems})
        state = self.state(index, now)
        state.status = "processed"
        state.processed_at = now or now_utc()
        self._save_state(index, state)
        return table

    def _previous_cumulative(self, index: int) -> dict[str, dict[str, float]]:
        earlier = [r.index for r in self.rounds[:index] if not r.practice]
        if not earlier:
            return {}
        table = self.round_results(earlier[-1])
        if table is None:
            return {}
        return {row["team"]: row for row in table.to_dict("records")}

    def play(self, script: Mapping[int, Mapping[str, Mapping[str, Mapping[str, Any]]]],
             until: int | None = None, executor: Executor | None = None) -> pd.DataFrame:
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
        path = self.folder / "results" / f"round-{index:02d}.csv"
        return _read_table(path) if path.exists() else None

    def problems(self, index: int) -> list[str]:
        path = self.folder / "results" / f"problems-{index:02d}.yaml"
        if path.exists():
            return list(_read_yaml(path, str(path)).get("problems") or [])
        return self.envelopes(index).problems

    def results(self) -> pd.DataFrame:
        """Every processed round's choices and results, one row per team (and the reference)."""
        tables = [t for r in self.rounds if (t := self.round_results(r.index)) is not None]
        return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()

    def last_processed(self) -> int | None:
        """The last round processed (practice included), or None."""
        done = [r.index for r in self.rounds if self.state(r.index).status == "processed"]
        return max(done) if done else None

    def last_complete_round(self) -> int | None:
        """The last scored round every team has a result for."""
        done = [r.index for r in self.scored_rounds()
                if self.state(r.index).status == "processed"]
        return max(done) if done else None

    def weekly(self, index: int | None = None) -> pd.DataFrame:
        """Week-by-week ledgers (one per team and the reference) from the latest processing."""
        index = self.last_complete_round() if index is None else index
        if index is None:
            return pd.DataFrame()
        path = self.folder / "results" / f"weekly-{index:02d}.csv"
        return _read_table(path) if path.exists() else pd.DataFrame()

    def luck(self, index: int | None = None) -> pd.DataFrame:
        """The replays of a scored round (the last complete one by default): each team's and
        the reference's revenue and profit to date in every replication, 0 being the played
        world (``results/luck-NN.csv``); replication 0 alone in a game without replays, and
        empty for a round processed before the replays existed.
        """
        index = self.last_complete_round() if index is None else index
        path = self.folder / "results" / f"luck-{index:02d}.csv" if index is not None else None
        if path is None or not path.exists():
            return pd.DataFrame(columns=list(LUCK_COLUMNS))
        return _read_table(path)

    def leaderboard(self) -> pd.DataFrame:
        """Teams ranked by cumulative revenue or profit at the last round all completed.

        ``rank`` orders the played world (ties of the score broken by name). The other
        columns say how much of it is luck, from the round's replays (:meth:`luck`):
        ``luck_low``/``luck_high`` are the lowest and highest score over all replications,
        ``vs_reference_low``/``vs_reference_high`` the same as a share of the reference's score
        in the same replication, ``p_first`` the share of replications the team finishes first
        in (a first place held jointly is shared). ``place`` is the rank to show: teams whose
        gap to the team above is within luck (the 95 % interval of their paired differences
        includes zero) share the first one's rank, written ``=2``, and ``tied_with`` names the
        others of the group. Without replays (rounds processed before they existed, or a game
        with ``luck_reps: 0``) these columns are empty and ``place`` is the rank.
        """
        index = self.last_complete_round()
        columns = ["rank", "team", "revenue_to_date", "profit_to_date", "vs_reference",
                   "auto_submitted", *BOARD_LUCK_COLUMNS]
        if index is None:
            return pd.DataFrame(columns=columns)
        table = self.round_results(index)
        everything = self.results()
        scored = everything[~everything["practice"].astype(bool)]
        key = f"{self.rank_by}_to_date"
        ref = table[table["team"] == REFERENCE]
        board = table[table["team"] != REFERENCE].copy()
        ref_value = float(ref[key].iloc[0]) if len(ref) else float("nan")
        board["vs_reference"] = board[key] / ref_value if ref_value else float("nan")
        autos = scored.assign(n=scored["auto_marketing"].astype(int)
                              + scored["auto_sales"].astype(int)).groupby("team")["n"].sum()
        board["auto_submitted"] = board["team"].map(autos).fillna(0).astype(int)
        board = board.sort_values([key, "team"], ascending=[False, True])
        board["rank"] = range(1, len(board) + 1)
        luck = luck_standings(list(board["team"]), self.luck(index), key,
                              played=[float(v) for v in board[key]])
        board = board.join(luck, on="team")
        return board[columns].reset_index(drop=True)

    def export_csv(self, path: str | Path) -> Path:
        """Write every round's choices and results to one CSV (atomically)."""
        table = self.results()
        if table.empty:
            raise GameError(str(self.folder), None, "no round has been processed yet")
        path = Path(path)
        _write_csv(path, table)
        return path

    def links(self, base_url: str | None = None) -> pd.DataFrame:
        """The team page's address and join code for every team and role.

        Each link carries that team and role's secret key (``BASE/play?key=KEY``); the code is the
        short form a player types on the join page at ``BASE/``. ``base_url`` is where the room
        server answers (default ``$LEADFLOW_GAME_URL`` or ``http://localhost:8866``).
        """
        base = (base_url or os.environ.get(GAME_URL_ENV) or DEFAULT_GAME_URL).rstrip("/")
        rows = [{"team": team, "role": role, "code": self.code_for(team, role),
                 "link": f"{base}/play?key={self.key_for(team, role)}"}
                for team in self.teams for role in ROLES]
        return pd.DataFrame(rows)

    def console_link(self, base_url: str) -> str:
        """The facilitator console's address with its secret key."""
        if not self.console_key:
            raise GameError(str(self.folder / "game.yaml"), "console_key",
                            "missing; the rules card is older than console keys (create the "
                            "game again)")
        return f"{base_url.rstrip('/')}/console?key={self.console_key}"


_GAMES = FileMemo(size=8)
"""Games as last loaded, while their rules cards stay the same (see :func:`open_game`)."""


def open_game(folder: str | Path) -> Game:
    """The game in ``folder``, shared by every caller while its rules card is unchanged.

    Loading a game validates its company; the room server asks for the game on every request
    and for each of forty pages, which need not do that forty times. A game's state lives in
    its folder, not in the object, so sharing one is safe.
    """
    return _GAMES.get(Path(folder) / "game.yaml", lambda card: Game(card.parent))
