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
    game.process_round()                                # locks, simulates, writes results
    game.leaderboard()
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.claims import Claim, verdict
from sim.errors import ScenarioError
from sim.experiment import ci95
from sim.files import write_atomic
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
ROUND_FLOWS = ("leads", "mqls", "sals", "sqls", "opportunities")
CUMULATIVE = ("revenue", "profit", "won", "total_cost", "marketing_cost", "sales_cost",
              "meeting_cost")
LUCK_COLUMNS = ("round", "team", "replication", "revenue_to_date", "profit_to_date")
GAME_DIR_ENV = "LEADFLOW_GAME_DIR"
GAME_URL_ENV = "LEADFLOW_GAME_URL"
DEFAULT_GAME_URL = "http://localhost:8866"


class GameError(ScenarioError):
    """A game folder, envelope or facilitator action that cannot be used (one clear line)."""


def game_folder(default: str | Path = "leadflow-game") -> Path:
    """The game folder of this machine: ``$LEADFLOW_GAME_DIR`` (set by ``make game``) or
    ``default`` relative to the current folder."""
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


def _read_yaml(path: Path, source: str) -> dict[str, Any]:
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
    columns = pd.read_csv(path, nrows=0).columns
    missing = {c: ["", "nan", "NaN"] for c in columns if c != "team"}
    return pd.read_csv(path, keep_default_na=False, na_values=missing, dtype={"team": str})


def default_luck_reps(teams: int, weeks_per_round: int, scored_rounds: int,
                      warmup_weeks: int) -> int:
    """How many replays with other luck a game gets unless its rules card says: as many as fit
    :data:`LUCK_BUDGET` in its longest round (the last, which runs every company, the teams'
    and the reference's, from the company's warm-up to the end of the last quarter), but at
    least 2, so that there is an interval to judge ties by, and at most 9, past which the ties
    hardly change. A 20-team game of four 13-week quarters gets 2, ten teams 4, four teams 9."""
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


def _carried(team: str, rounds: Sequence[Envelopes]) -> tuple[dict[str, Any], dict[str, bool]]:
    """The choices in force for ``team`` after the given rounds' envelopes, and per role
    whether the last round had none (see :meth:`Game.choices`)."""
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
    the worker either. Module level, so that a process pool can be handed it."""
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
    replication) are within luck: their 95 % interval includes zero."""
    low, high = ci95(gaps.to_numpy(dtype=float))
    return verdict(_AHEAD[key], low, high) == "undecided"


def luck_standings(order: Sequence[str], luck: pd.DataFrame, key: str) -> pd.DataFrame:
    """The luck columns of the leaderboard (:data:`BOARD_LUCK_COLUMNS`), one row per team of
    ``order`` (best first), from a round's replays ``luck`` (:meth:`Game.luck`), ranked by
    ``key`` (``revenue_to_date`` or ``profit_to_date``)."""
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
        return standings  # one replication or none: no interval, so no tie can be told
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
    groups: list[list[str]] = []
    for i, team in enumerate(order):
        if i and _within_luck(scores[order[i - 1]] - scores[team], key):
            groups[-1].append(team)
        else:
            groups.append([team])
    for group in groups:
        if len(group) < 2:
            continue
        place = f"={order.index(group[0]) + 1}"
        for team in group:
            standings.loc[team, "place"] = place
            standings.loc[team, "tied_with"] = ", ".join(t for t in group if t != team)
    return standings


def _names(teams: Sequence[str]) -> str:
    return teams[0] if len(teams) == 1 else f"{', '.join(teams[:-1])} and {teams[-1]}"


def luck_sentences(board: pd.DataFrame) -> list[str]:
    """The leaderboard's ties in words a trainer can read out, one sentence per group of tied
    teams, or one sentence saying there is none; empty without replays."""
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
        codes: dict[str, str] = {}
        for team in teams:
            for role in ROLES:
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))
                while code in codes:
                    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))
                codes[code] = f"{team}/{role}"
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
        """The state of round ``index``; a countdown that ran out reads as ``locked``."""
        path = self._round_dir(index) / "state.yaml"
        if not path.exists():
            return RoundState()
        data = _read_yaml(path, str(path))
        times = {k: _parse_time(data[k], str(path), k) if data.get(k) else None
                 for k in ("opened_at", "closes_at", "locked_at", "processed_at")}
        state = RoundState(status=str(data.get("status", "waiting")), **times)
        now = now or now_utc()
        if state.status == "open" and state.closes_at is not None and now >= state.closes_at:
            state.status = "locked"
        return state

    def _save_state(self, index: int, state: RoundState) -> None:
        data = {"status": state.status}
        for key in ("opened_at", "closes_at", "locked_at", "processed_at"):
            value = getattr(state, key)
            data[key] = _stamp(value) if value is not None else None
        _write_yaml(self._round_dir(index) / "state.yaml", data)

    def current_round(self) -> int | None:
        """The latest round that has been opened, or None before the game starts."""
        opened = [r.index for r in self.rounds if self.state(r.index).status != "waiting"]
        return max(opened) if opened else None

    def open_round(self, index: int | None = None, minutes: float | None = None,
                   now: datetime | None = None) -> int:
        """Open the next round (or ``index``), with an optional countdown in minutes."""
        current = self.current_round()
        index = (0 if current is None else current + 1) if index is None else index
        self.round(index)
        source = str(self._round_dir(index) / "state.yaml")
        if index > 0 and self.state(index - 1).status != "processed":
            raise GameError(source, "round", f"process round {index - 1} before opening {index}")
        if self.state(index).status != "waiting":
            raise GameError(source, "round", f"round {index} was opened already")
        if minutes is not None and not 0 < minutes <= 24 * 60:
            raise GameError(source, "minutes", "a countdown must be between 0 and 1440 minutes")
        now = now or now_utc()
        closes = now + timedelta(minutes=minutes) if minutes is not None else None
        self._save_state(index, RoundState("open", opened_at=now, closes_at=closes))
        return index

    def lock_round(self, index: int | None = None, now: datetime | None = None) -> int:
        """Stop taking envelopes for a round (the current one by default)."""
        index = self._current_or(index)
        state = self.state(index, now)
        if state.status == "waiting":
            raise GameError(str(self._round_dir(index)), "round", f"round {index} is not open")
        if state.locked_at is None:
            state.locked_at = now or now_utc()
            if state.closes_at is not None and state.closes_at < state.locked_at:
                state.locked_at = state.closes_at
            state.status = "locked" if state.status == "open" else state.status
            self._save_state(index, state)
        return index

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
        """The team and role a join code stands for."""
        entry = self.codes.get(code.strip().upper())
        if entry is None:
            raise GameError("join code", None, f"{code!r} is not a code of this game")
        team, role = entry.split("/")
        return team, role

    def code_for(self, team: str, role: str) -> str:
        return next(c for c, v in self.codes.items() if v == f"{team}/{role}")

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
            checked = with_overrides(self.base, choices)
        except ScenarioError as exc:
            raise GameError(source, exc.key, exc.problem) from None
        return {key: get_value(checked, key) for key in choices}

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
        checked = self._check_choices(rnd, role, choices, source)
        path = self.envelope_path(index, team, role)
        _write_yaml(path, {"team": team, "role": role, "round": index,
                           "submitted_at": _stamp(now), "choices": checked})
        return path

    def read_envelope(self, path: Path) -> Submission:
        """Read and check one envelope; :class:`GameError` names the file and the problem."""
        source = str(path.relative_to(self.folder)) if path.is_relative_to(self.folder) else str(path)
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
        """Lock a round if needed, simulate every team and the reference, write the results.

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
        index = self._current_or(index)
        rnd = self.round(index)
        if index > 0 and self.state(index - 1).status != "processed":
            raise GameError(str(self._round_dir(index)), "round",
                            f"process round {index - 1} first")
        self.lock_round(index, now)
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
        practice and tests. ``executor`` runs the simulations (see :meth:`process_round`)."""
        last = len(self.rounds) - 1 if until is None else until
        start = (self.last_processed() + 1) if self.last_processed() is not None else 0
        for index in range(start, last + 1):
            if self.state(index).status == "waiting":
                self.open_round(index)
            for team, roles in script.get(index, {}).items():
                for role, choices in roles.items():
                    self.submit(team, role, choices, index)
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
        empty for a round processed before the replays existed."""
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
        luck = luck_standings(list(board["team"]), self.luck(index), key)
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

        ``base_url`` is where the team page is served (``make game`` serves it at the root;
        default ``$LEADFLOW_GAME_URL`` or ``http://localhost:8866``).
        """
        base = (base_url or os.environ.get(GAME_URL_ENV) or DEFAULT_GAME_URL).rstrip("/")
        rows = [{"team": team, "role": role, "code": self.code_for(team, role),
                 "link": f"{base}/?team={team}&role={role}"}
                for team in self.teams for role in ROLES]
        return pd.DataFrame(rows)

