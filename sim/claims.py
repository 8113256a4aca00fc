"""Claims: what a scenario file says it teaches, written as data that a command can check.

A claim is a bet written down before the dice roll: "with this lever, conflict falls". Each
scenario file may carry a ``claims:`` list beside its parameters; the file's opening comment
says the same in words, and every claim quotes the words it stands for (``says``), so the two
cannot drift apart unnoticed. An entry names a KPI and what it claims for it against another
scenario (``baseline`` unless named), under the conditions it states (``set`` overrides for
both, such as a horizon or a busier team):

.. code-block:: yaml

    claims:
      - says: conflict falls
        kpi: conflict_final
        change: down
      - says: about +4 % in a company in conflict
        kpi: revenue
        change: up
        set: [incentives.sales_comp=individual_commission, trust.conflict_initial=0.6]

``change`` is ``up``, ``down`` or ``even`` (within ``margin``, a share of the other scenario's
mean); ``band: [low, high]`` bounds the difference as a share of that mean instead; ``value:
[low, high]`` bounds the scenario's own mean, with no comparison.

:func:`check` settles claims as a careful analyst would: paired replications on common random
numbers, added in batches until the 95 % interval decides (holds or fails) or a cap is reached
(undecided). Claims that share a comparison share its replications.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.errors import ScenarioError
from sim.experiment import Comparison, ci95, compare, extend, interval_side
from sim.metrics import KPI_NAMES
from sim.parallel import Executor
from sim.scenario import file_claims, load_scenario, resolve_scenario_path

PILOT, MAX_REPS = 8, 64
VERDICTS = ("holds", "fails", "undecided")


class Claim(BaseModel):
    """One checkable sentence of a scenario's header."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    says: str = Field(min_length=1, max_length=300)
    kpi: str
    change: Literal["up", "down", "even"] | None = None
    band: tuple[float, float] | None = None
    value: tuple[float, float] | None = None
    margin: float = Field(0.02, gt=0, le=1)
    against: str = Field("baseline", min_length=1, max_length=200)
    set: tuple[str, ...] = ()

    @field_validator("kpi")
    @classmethod
    def _known_kpi(cls, kpi: str) -> str:
        if kpi not in KPI_NAMES:
            raise ValueError(f"unknown KPI '{kpi}'; one of {', '.join(KPI_NAMES)}")
        return kpi

    @model_validator(mode="after")
    def _one_test(self) -> Claim:
        given = [k for k in ("change", "band", "value") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of change (up/down/even), band or value")
        bounds = self.band or self.value
        if bounds is not None and not (math.isfinite(bounds[0]) and bounds[0] <= bounds[1]):
            raise ValueError("a band or value is [low, high] with low <= high")
        return self


@dataclass(frozen=True)
class ClaimResult:
    """A claim checked: the estimate and its 95 % interval (a share of the other scenario's mean
    for ``change`` and ``band`` claims, the scenario's own mean for ``value`` claims).
    """

    scenario: str
    claim: Claim
    estimate: float
    low: float
    high: float
    reps: int
    verdict: str

    @property
    def conditions(self) -> str:
        """The claim's own conditions, as its ``set`` writes them."""
        return " ".join(self.claim.set)


def read_claims(path: str | Path) -> list[Claim]:
    """The claims stated in the scenario file ``path`` (not those of the files it extends)."""
    raw = file_claims(path)
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ScenarioError(str(path), "claims", "must be a list of claims")
    claims = []
    for i, entry in enumerate(raw):
        try:
            claims.append(Claim.model_validate(entry))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"])
            key = f"claims[{i}]" + (f".{field}" if field else "")
            raise ScenarioError(str(path), key, err["msg"].removeprefix("Value error, ")) from None
    return claims


def verdict(claim: Claim, low: float, high: float) -> str:
    """Holds, fails or undecided for an interval ``[low, high]`` in the claim's own units."""
    side = interval_side(low, high)
    if side == "undefined":
        return "undecided"
    if claim.change in ("up", "down"):
        wanted, opposite = ("above", "below") if claim.change == "up" else ("below", "above")
        return "holds" if side == wanted else "fails" if side == opposite else "undecided"
    if claim.change == "even":
        lo, hi = -claim.margin, claim.margin
    else:
        lo, hi = claim.band or claim.value  # type: ignore[misc]
    if lo <= low and high <= hi:
        return "holds"
    return "fails" if high < lo or low > hi else "undecided"


def _interval(claim: Claim, comparison: Comparison) -> tuple[float, float, float]:
    first, second = comparison.names
    mine = comparison.tables[second][claim.kpi].to_numpy(dtype=float)
    if claim.value is not None:
        return (float(np.nanmean(mine)), *ci95(mine))
    other = comparison.tables[first][claim.kpi].to_numpy(dtype=float)
    scale = abs(float(np.nanmean(other)))
    if claim.change in ("up", "down"):
        scale = scale or 1.0  # the sign of the difference decides, whatever its scale
    elif scale == 0:
        return (math.nan, math.nan, math.nan)
    diff = mine - other
    low, high = ci95(diff)
    return (float(np.nanmean(diff)) / scale, low / scale, high / scale)


def _against_path(path: Path, against: str) -> Path:
    beside = path.parent / (against if against.endswith((".yaml", ".yml")) else f"{against}.yaml")
    return beside if beside.exists() else resolve_scenario_path(against)


def check(paths: Sequence[str | Path], executor: Executor | None = None, pilot: int = PILOT,
          max_reps: int = MAX_REPS, seed: int | None = None) -> list[ClaimResult]:
    """Check every claim of the scenario files ``paths``, in file order."""
    if pilot < 2 or max_reps < pilot:
        raise ValueError("pilot must be at least 2 and max_reps at least pilot")
    # one comparison per (other scenario, scenario, conditions), shared by its claims
    groups: dict[tuple, tuple[tuple, list[tuple[str, Claim]]]] = {}
    order: list[tuple[tuple, int]] = []
    for path in map(Path, paths):
        for claim in read_claims(path):
            other = _against_path(path, claim.against)
            key = (str(other), str(path), claim.set)
            if key not in groups:
                pair = (load_scenario(other, list(claim.set)),
                        load_scenario(path, list(claim.set)))
                groups[key] = (pair, [])
            order.append((key, len(groups[key][1])))
            groups[key][1].append((path.stem, claim))
    results = {key: _settle(pair, claims, executor, pilot, max_reps, seed)
               for key, (pair, claims) in groups.items()}
    return [results[key][i] for key, i in order]


def _settle(pair: tuple, claims: list[tuple[str, Claim]], executor: Executor | None,
            pilot: int, max_reps: int, seed: int | None) -> list[ClaimResult]:
    """Add replications to one comparison until every claim on it is decided, or the cap."""
    seed = pair[1].seed if seed is None else seed
    comparison = compare(list(pair), pilot, seed, executor)
    reps = pilot
    while True:
        found = [(name, c, *_interval(c, comparison)) for name, c in claims]
        open_ = [f for f in found if verdict(f[1], f[3], f[4]) == "undecided"]
        if not open_ or reps >= max_reps:
            return [ClaimResult(name, c, est, lo, hi, reps, verdict(c, lo, hi))
                    for name, c, est, lo, hi in found]
        reps = min(max_reps, 2 * reps)
        comparison = extend(comparison, list(pair), reps, seed, executor)


def claimed_files(folder: str | Path) -> list[Path]:
    """The scenario files in ``folder`` that state claims, by name."""
    return [p for p in sorted(Path(folder).glob("*.yaml")) if read_claims(p)]


def header_text(path: str | Path) -> str:
    """A scenario file's opening comment as one line of words (``#`` and line breaks removed)."""
    lines = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(" ".join(lines).split())


def unsaid(path: str | Path) -> list[str]:
    """Claims whose ``says`` words are missing from the file's opening comment."""
    header = header_text(path)
    return [c.says for c in read_claims(path) if " ".join(c.says.split()) not in header]


def summary(results: Iterable[ClaimResult]) -> dict[str, int]:
    """How many claims hold, fail and are undecided."""
    counts = dict.fromkeys(VERDICTS, 0)
    for r in results:
        counts[r.verdict] += 1
    return counts
