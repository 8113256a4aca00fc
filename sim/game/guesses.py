"""Predict, then reveal: each team's guess of its company's revenue for a quarter, against the result.

A guess is a slip a team hands in before the results are read out, as at a pub quiz: while a
round is open, either half of a team may write down what it thinks the company will earn this
quarter, and once the round is processed the room sees every team's guess beside what its
company really made. A team that has to put a number on its own plan thinks about the plan
(and the room remembers a surprise better than a table).

Each half posts its own slip, ``rounds/NN/guesses/TEAM.ROLE.yaml``, written whole by
:func:`sim.game.storage.write_yaml` and never by anyone else; posting again replaces it. The
team's guess is the later of its two halves' slips posted before the round locked
(:meth:`GuessBook.guesses`), so the last guess before the lock counts, whoever wrote it. Slips
live in a folder of their own so that the envelopes' readers never see them, and a game folder
without any reads as a game where nobody guessed.

Guesses close when the round locks, and for good once its results have been shown: after an
undo (:meth:`sim.game.rounds.RoundBook.undo`) the room has seen this quarter's revenue, so a
reopened round takes envelopes again but no new guess, and the guesses made before the first
processing are compared with the new results. The comparison is made when it is read
(:func:`guess_table`), from the slips and the round's result file, so it always matches the
results in force: none while a round is not processed, the new ones after processing again.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.files import FileMemo
from sim.game.envelopes import Mailbox
from sim.game.rounds import RoundBook
from sim.game.rules import Rules
from sim.game.storage import (
    CheckedFiles,
    GameError,
    now_utc,
    stamp,
    write_yaml,
)
from sim.views.labels import MINUS, currency, format_value

GUESS_FOLDER = "guesses"
"""The folder of a round's folder that holds the guesses (``rounds/NN/guesses/``)."""
MAX_GUESS = 1e12
"""The largest guess taken: a trillion is no guess of a quarter's revenue, it is a typo."""
GUESS_COLUMNS = ("team", "guess", "result", "miss", "guessed_by", "guessed_at")
"""The columns of :func:`guess_table`: per team the guess (NaN for none), the company's revenue
that quarter (NaN until processed), the miss as a share of the result (guess ÷ result − 1),
and which half posted the guess, when."""
NO_GUESS = "no guess"
SUFFIXES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9,
            "billion": 1e9}
"""Words and letters a guess may end with: ``250k``, ``1.2 m``, ``1.2 million``."""
_AMOUNT = re.compile(r"(?P<number>\d+(?:\.\d+)?)(?P<suffix>[a-z]*)")


@dataclass
class Guess:
    """One half's guess of its company's revenue for a round, and when it was posted."""

    team: str
    role: str
    round: int
    amount: float
    submitted_at: datetime
    path: Path


@dataclass
class Guesses:
    """What a round's guess folder holds: the guess that counts per team, and the problems."""

    counted: dict[str, Guess] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def how_to_type() -> str:
    """The sentence that says how to write a guess."""
    return f"type the revenue in {currency().strip()}, e.g. 1200000, 1,200,000 or 1.2m"


def parse_amount(value: Any, source: str = "guess") -> float:
    """A guess as typed (``"€1,200,000"``, ``"1.2m"``, ``"250 k"``, ``"1,5 m"``) or given as a
    number, in units of currency; a :class:`GameError` naming what is valid for anything else.

    Spaces, apostrophes and underscores between digits are ignored, a comma before three digits
    groups thousands and any other comma is a decimal point; the currency symbol may lead.
    """
    if isinstance(value, bool):
        raise GameError(source, "guess", f"{value!r} is not an amount: {how_to_type()}")
    if isinstance(value, int | float):
        amount = float(value)
    else:
        amount = _parse_text(str(value), source)
    if not math.isfinite(amount) or amount < 0:
        raise GameError(source, "guess", f"{value!r} is not an amount of revenue (a number of "
                        f"0 or more): {how_to_type()}")
    if amount > MAX_GUESS:
        raise GameError(source, "guess", f"{value!r} is more than "
                        f"{format_value('revenue', MAX_GUESS)}: {how_to_type()}")
    return amount


def _parse_text(text: str, source: str) -> float:
    """A typed guess as a number (see :func:`parse_amount`)."""
    if not text.strip():
        raise GameError(source, "guess", f"empty: {how_to_type()}")
    cleaned = text.strip().lower()
    for symbol in {currency().strip().lower(), "€", "$", "£", "eur", "usd", "chf"} - {""}:
        cleaned = cleaned.removeprefix(symbol).removesuffix(symbol)
    cleaned = re.sub(r"[\s'_\u00a0\u202f]", "", cleaned)
    cleaned = re.sub(r",(?=\d{3}(?!\d))", "", cleaned).replace(",", ".")
    match = _AMOUNT.fullmatch(cleaned)
    if match is None or match["suffix"] not in ("", *SUFFIXES):
        raise GameError(source, "guess", f"{text.strip()!r} is not an amount: {how_to_type()}")
    return float(match["number"]) * SUFFIXES.get(match["suffix"], 1.0)


class GuessBook(CheckedFiles):
    """The guesses of a game's rounds: posting a half's guess, and reading back each team's."""

    def __init__(self, rules: Rules, book: RoundBook, mailbox: Mailbox):
        self.rules = rules
        self.book = book
        self.mailbox = mailbox
        self.folder = rules.folder
        self._memo = FileMemo(size=512)

    def path(self, index: int, team: str, role: str) -> Path:
        """Where ``team``'s ``role`` half files its guess for round ``index``."""
        return self.book.round_dir(index) / GUESS_FOLDER / f"{team}.{role}.yaml"

    def closed(self, index: int, now: datetime | None = None) -> str | None:
        """Why round ``index`` takes no guess now (not open, or its results shown already), or
        None while it does.
        """
        label = self.rules.label(index)
        status = self.book.state(index, now).status
        if status != "open":
            return f"{label} is {status}: guesses are taken only while a round is open"
        if self.book.undone(index):
            return (f"the results of {label} have been shown already (it was processed, then "
                    "undone): its guesses are closed")
        return None

    def post(self, team: str, role: str, amount: Any, index: int | None = None,
             now: datetime | None = None) -> Path:
        """Post ``role``'s guess of ``team``'s revenue for a round (the current one by default).

        ``amount`` is a number or the text a player typed (:func:`parse_amount`). Refused with
        a :class:`GameError` for a team or role that is not in the game, a round that takes no
        guess (:meth:`closed`) or an amount that is none; a later guess replaces the earlier.
        """
        source = f"{team}.{role}"
        self.mailbox.check_player(team, role, source)
        index = self.book.current_or(index)
        value = parse_amount(amount, source)
        now = now or now_utc()
        why = self.closed(index, now)
        if why is not None:
            raise GameError(source, "round", why)
        path = self.path(index, team, role)
        write_yaml(path, {"team": team, "role": role, "round": index, "amount": value,
                          "submitted_at": stamp(now)})
        return path

    def read(self, path: Path) -> Guess:
        """Read and check one guess file; :class:`GameError` names the file and the problem."""
        return self.checked(path)

    def _read(self, path: Path) -> Guess:
        index = int(path.parent.parent.name)
        source, data, team, role, moment = self.mailbox.read_player_file(path, index, "guess")
        if isinstance(data.get("amount"), str):  # only a number is what the page writes
            raise GameError(source, "amount", f"{data['amount']!r} is not a number")
        amount = parse_amount(data.get("amount"), source)
        return Guess(team, role, index, amount, moment, path)

    def guesses(self, index: int, now: datetime | None = None) -> Guesses:
        """Each team's guess for round ``index`` that counts (the later of its halves' guesses
        posted before the round locked), and a line for each guess file that does not.
        """
        found = Guesses()
        folder = self.book.round_dir(index) / GUESS_FOLDER
        if not folder.is_dir():
            return found
        lock = self.book.state(index, now).lock_time()
        for guess in self.in_time(folder, lock, found.problems):
            best = found.counted.get(guess.team)
            if best is None or (guess.submitted_at, guess.role) > (best.submitted_at, best.role):
                found.counted[guess.team] = guess
        return found


def guess_table(teams: list[str], counted: dict[str, Guess],
                results: pd.DataFrame | None) -> pd.DataFrame:
    """Per team (in ``teams``' order) its guess and the company's revenue that quarter from the
    round's result table (``results``; None before processing), and the miss (see
    :data:`GUESS_COLUMNS`). A team without a guess, or a round without results, has NaN there.
    """
    revenue: dict[str, float] = {}
    if results is not None:
        revenue = {str(r["team"]): float(r["revenue"]) for r in results.to_dict("records")}
    rows = []
    for team in teams:
        guess = counted.get(team)
        amount = guess.amount if guess is not None else math.nan
        result = revenue.get(team, math.nan)
        miss = amount / result - 1 if result and math.isfinite(result) else math.nan
        rows.append({"team": team, "guess": amount, "result": result, "miss": miss,
                     "guessed_by": guess.role if guess is not None else "",
                     "guessed_at": guess.submitted_at if guess is not None else None})
    return pd.DataFrame(rows, columns=list(GUESS_COLUMNS))


def miss_text(miss: Any) -> str:
    """A miss as the screens write it: ``+12 %`` (guessed too high), ``−8 %``, ``±0 %``; ``–``
    when there is none (no guess, or no result yet). The projector writes a team's score against
    the reference's the same way (its ratio − 1).
    """
    if miss is None or not math.isfinite(float(miss)):
        return "–"
    value = round(float(miss) * 100)
    sign = "+" if value > 0 else MINUS if value < 0 else "±"
    return f"{sign}{abs(value)} %"


def money_text(value: Any, compact: bool = False) -> str:
    """A guess or a result in the game's currency (``–`` when there is none)."""
    return format_value("revenue", value, compact=compact)


def shown_guesses(table: pd.DataFrame, compact: bool = False) -> pd.DataFrame:
    """:func:`guess_table` as the screens show it: team, guess ("no guess" for none), result
    and miss, formatted.
    """
    return pd.DataFrame({
        "team": table["team"],
        "guess": [money_text(v, compact) if math.isfinite(v) else NO_GUESS
                  for v in table["guess"]],
        "result": [money_text(v, compact) for v in table["result"]],
        "miss": [miss_text(v) for v in table["miss"]],
    }, columns=["team", "guess", "result", "miss"])


__all__ = ["GUESS_COLUMNS", "GUESS_FOLDER", "MAX_GUESS", "NO_GUESS", "Guess", "GuessBook",
           "Guesses", "guess_table", "how_to_type", "miss_text", "money_text", "parse_amount",
           "shown_guesses"]
