"""The game's rules: who moves which lever when, and the rules card a game folder carries.

Like the card in a board game's box, the rules card (``game.yaml``) is written once, when the
game is created, and only read after that: the teams, the rounds and what each unlocks, the
seed everyone's luck comes from, how the leaderboard ranks, how many replays with other luck
each scored round gets, the well-aligned reference's choices and the players' codes and keys.
This module holds the game's fixed rules (:data:`LEVERS`, :data:`DEFAULT_ROUNDS`, ...), the
checks a new game's options pass (:func:`check_teams`, :func:`check_options`,
:func:`round_plan`), and :class:`Rules`, a rules card as read back with its company.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.game.storage import GameError, read_yaml
from sim.params import Scenario
from sim.scenario import load_scenario, with_overrides

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
CARD_HEADER = ("# LeadFlow Lab workshop game: the rules card. Written once when the game is "
               "created.\n")


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


@dataclass(frozen=True)
class Round:
    """One round of the game as the rules card declares it."""

    index: int
    name: str
    practice: bool
    unlocks: tuple[str, ...]

    def levers(self, role: str) -> tuple[str, ...]:
        """The levers ``role`` may move in this round."""
        return role_levers(role, self.unlocks)

    @property
    def shared_kpi(self) -> bool:
        """Whether both halves are scored on company revenue from this round."""
        return "shared_kpi" in self.unlocks


# --------------------------------------------------------------------------- a new game's options
def check_teams(teams: Sequence[str], source: str) -> list[str]:
    """The team names of a new game, stripped, or a GameError saying what is wrong."""
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
    return teams


def check_options(rank_by: str, weeks_per_round: int, luck_reps: int | None,
                  source: str) -> None:
    """Refuse a ranking, a quarter's length or a number of replays a game cannot have."""
    if rank_by not in RANK_BY:
        raise GameError(source, "rank_by", f"{rank_by!r} is not one of {', '.join(RANK_BY)}")
    if not 1 <= weeks_per_round <= 52:
        raise GameError(source, "weeks_per_round", "must be between 1 and 52")
    if luck_reps is not None and not 0 <= luck_reps <= MAX_LUCK_REPS:
        raise GameError(source, "luck_reps", f"must be between 0 and {MAX_LUCK_REPS}")


def round_plan(rounds: Sequence[Mapping[str, Any]] | None, practice: bool,
               source: str) -> list[dict[str, Any]]:
    """The rounds a new game's card lists (:data:`DEFAULT_ROUNDS` unless given), without the
    practice round if ``practice`` is false; each needs a name and unlocks only what
    :data:`UNLOCKS` names, and at least one must be scored.
    """
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
    return plan


# --------------------------------------------------------------------------- the card, read back
@dataclass(frozen=True)
class Rules:
    """A game's rules card as read from its folder, with the company every team inherits."""

    folder: Path
    name: str
    seed: int
    teams: list[str]
    weeks_per_round: int
    rank_by: str
    solo: bool
    rounds: list[Round]
    codes: dict[str, str]
    keys: dict[str, str]
    console_key: str
    reference_choices: dict[str, Any]
    base: Scenario
    luck_reps: int

    @classmethod
    def read(cls, folder: Path) -> Rules:
        """The rules card of the game in ``folder``; a GameError if there is none or it is
        damaged.
        """
        card = folder / "game.yaml"
        source = str(card)
        if not card.is_file():
            raise GameError(str(folder), None,
                            "no game here (create one with `python -m sim game new FOLDER`)")
        data = read_yaml(card, source)
        try:
            fields = _card_fields(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise GameError(source, None, f"damaged rules card ({exc})") from None
        base = load_scenario(folder / "scenario.yaml")
        luck_reps = data.get("luck_reps")
        if luck_reps is None:  # a rules card from before the replays: what a new one would say
            luck_reps = default_luck_reps(len(fields["teams"]), fields["weeks_per_round"],
                                          sum(not r.practice for r in fields["rounds"]),
                                          base.warmup_weeks)
        if isinstance(luck_reps, bool) or not isinstance(luck_reps, int) \
                or not 0 <= luck_reps <= MAX_LUCK_REPS:
            raise GameError(source, "luck_reps", f"must be a whole number from 0 to "
                            f"{MAX_LUCK_REPS}, got {luck_reps!r}")
        return cls(folder=folder, base=base, luck_reps=luck_reps, **fields)

    def round(self, index: int) -> Round:
        """Round ``index``, or a GameError naming the rounds there are."""
        if not 0 <= index < len(self.rounds):
            raise GameError(str(self.folder), "round",
                            f"{index} does not exist (rounds 0 to {len(self.rounds) - 1})")
        return self.rounds[index]

    def label(self, index: int) -> str:
        """A round as messages name it: its number and its name, ``round 3 (Q3 Listen)``."""
        return f"round {index} ({self.round(index).name})"

    def scored_rounds(self) -> list[Round]:
        """The rounds that count (all but the practice round)."""
        return [r for r in self.rounds if not r.practice]

    def scenario_for(self, choices: Mapping[str, Any], rnd: Round, weeks: float) -> Scenario:
        """The company under ``choices`` in round ``rnd``, simulated for ``weeks``."""
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


def _card_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The rules card's entries as :class:`Rules` holds them, read in the card's order (a
    KeyError, TypeError or ValueError for a damaged card).
    """
    return {
        "name": str(data["name"]),
        "seed": int(data["seed"]),
        "teams": [str(t) for t in data["teams"]],
        "weeks_per_round": int(data.get("weeks_per_round", WEEKS_PER_ROUND)),
        "rank_by": str(data.get("rank_by", "revenue")),
        "solo": bool(data.get("solo", False)),
        "rounds": [Round(i, str(r["name"]), bool(r.get("practice", False)),
                         tuple(r.get("unlocks", ()))) for i, r in enumerate(data["rounds"])],
        "codes": {str(k): str(v) for k, v in (data.get("codes") or {}).items()},
        "keys": {str(k): str(v) for k, v in (data.get("keys") or {}).items()},
        "console_key": str(data.get("console_key") or ""),
        "reference_choices": dict(data.get("reference") or {}),
    }
