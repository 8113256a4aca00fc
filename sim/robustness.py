"""Robustness: does a scenario's claim still hold if the model's assumptions are a little off?

Every claim of a scenario file (``sim/claims.py``) is checked at the model's default values.
But many of those values are assumptions, each with a plausible range (``sim/params.py``): how
fast trust adjusts, how noisy scoring is, how much a discount helps a deal. A claim is worth
teaching only if it survives when those assumptions move within their ranges. This module is a
crash test: instead of one test drive on a sunny day it drives every claim across the whole
range of road conditions and reports the share of the roads on which the claim still holds, and
which conditions (assumptions) it is most sensitive to.

The test runs in two stages, because the space has about fifty dimensions and one point of it
costs a run of every claimed scenario (some over two or five years):

1. **Screening** (Morris elementary effects, SALib). The assumptions are put in a few groups by
   what they are about (trust, scoring, sales time, pricing, ...), and each group moves as one
   factor along a few random trajectories. A group whose moves barely change any claim's
   estimate is screened out and held at its defaults afterwards.
2. **Variance decomposition** (Sobol indices from a Saltelli design, SALib) over the few groups
   that matter most. Its sample is spread evenly over their joint range, so the share of its
   points where a claim holds is the share of that space where the claim holds; the total-order
   index (ST) of each group says how much of the claim's variation is that group's doing, alone
   or together with others.

At every point every claim is evaluated as ``sim claims`` does, on paired replications on
common random numbers (the same seed and replication numbers at every point and for every
scenario), but with a fixed small number of replications: a point *holds* when the point
estimate satisfies the claim (up: the difference is above zero; down: below; even, band and
value: inside). With few replications a point near the edge may flip by luck, so a share is a
share of noisy verdicts; the replication noise also shows up in the ST indices as variation no
assumption explains. A claim's own conditions (its ``set``) are never sampled over: a claim that
is stated "in a company in conflict" keeps its conflict level at every point.

Runs are kept in a run folder (``sim/runfolder.py``), one file per finished run, so a
robustness run that is stopped resumes where it stopped and ends with the same result. The
statistics of the two stages are in ``sim/sensitivity.py``; what the rest of the kit reads from
the page this module writes (``docs/robustness.md``) is in ``sim/robustness_page.py``.
"""

from __future__ import annotations

import math
import shlex
import textwrap
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.claims import Claim, _against_path, _interval, read_claims, verdict
from sim.errors import ScenarioError
from sim.experiment import Comparison
from sim.metrics import KPI_NAMES
from sim.parallel import Executor, RunSpec, run_all
from sim.params import Plausible, Scenario, assumption_ranges
from sim.runfolder import Layout, finished, owned_folder, save_run, scenario_sha
from sim.scenario import load_scenario, parse_override, with_overrides
from sim.sensitivity import choose, screen, total_order

ROBUST_SHARE = 0.9
"""A claim that holds on at least this share of the assumption space is labelled robust."""
NAMED = 2
"""How many assumption groups a "depends on ..." label names."""

# Groups of assumptions that move together in the screening stage, by what they are about: the
# first rule whose prefix a key starts with takes it. Fifty factors would need fifty runs of
# every claim per Morris trajectory; eight groups need eight, and a group that matters can
# still be told apart from one that does not. A key no rule names becomes a group of its own
# section, so a new assumption is never left out.
GROUP_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("brand & awareness", ("marketing.awareness_", "marketing.brand_",
                           "marketing.business_hours_")),
    ("marketing operations", ("marketing.",)),
    ("scoring & learning", ("scoring.",)),
    ("sales time & cost", ("sales.cost_per_rep_week", "sales.hours_per_week", "sales.retry_",
                           "sales.review_hours", "sales.first_touch_hours",
                           "sales.qualify_hours", "sales.lead_expiry_days",
                           "sales.prospect_opps_per_hour")),
    ("sales conversion", ("sales.",)),
    ("communication", ("communication.",)),
    ("pricing", ("pricing.", "feedback.price_")),
    ("trust & conflict", ("trust.",)),
)

LAYOUT = Layout(
    kind="leadflow-robustness", noun="robustness run", manifest="robustness.json",
    lock="robustness.lock", holder="robustness.holder", keys=("stage", "point", "config"),
    asked="other claims, scenarios, design, reps or seed",
    file_name=lambda spec: (f"{spec.labels['stage']}-{spec.labels['point']:04d}-"
                            f"{spec.labels['config']:03d}-rep-{spec.replication:03d}.parquet"))
"""How a robustness run's folder names its files (``sim/runfolder.py`` keeps them)."""


def factor_groups(ranges: Mapping[str, Plausible] | None = None) -> dict[str, list[str]]:
    """Every assumption key in its group, ``{group: [keys]}``, in :data:`GROUP_RULES` order."""
    ranges = assumption_ranges() if ranges is None else ranges
    groups: dict[str, list[str]] = {name: [] for name, _ in GROUP_RULES}
    for key in ranges:
        name = next((n for n, prefixes in GROUP_RULES if key.startswith(prefixes)),
                    key.split(".")[0])
        groups.setdefault(name, []).append(key)
    return {name: keys for name, keys in groups.items() if keys}


def label(share: float, depends_on: Sequence[tuple[str, float]]) -> str:
    """"robust" when the claim holds on at least :data:`ROBUST_SHARE` of the space, else the
    assumption groups it depends on most (largest total-order index first).
    """
    if share >= ROBUST_SHARE:
        return "robust"
    named = [name for name, st in depends_on[:NAMED] if st > 0]
    return f"depends on {' and '.join(named)}" if named else "depends on luck (no group stands out)"


@dataclass(frozen=True)
class Design:
    """How densely the assumption space is sampled.

    ``trajectories`` Morris trajectories of ``levels`` levels screen the groups, each costing
    (groups + 1) points; the ``top`` groups then get a Saltelli design of ``samples`` base
    points (a power of two), ``samples * (top + 2)`` points; every point runs ``reps``
    replications of every claimed scenario. The default fits a run of every preset's claims
    into about ten minutes on two cores.
    """

    trajectories: int = 3
    levels: int = 4
    samples: int = 8
    top: int = 3
    reps: int = 1

    def check(self, groups: int) -> None:
        """Refuse a design SALib cannot sample or that asks for more groups than there are."""
        if self.trajectories < 2:
            raise ScenarioError("--trajectories", str(self.trajectories), "must be at least 2")
        if self.levels < 2 or self.levels % 2:
            raise ScenarioError("--levels", str(self.levels), "must be an even number, at least 2")
        if self.samples < 2 or self.samples & (self.samples - 1):
            raise ScenarioError("--samples", str(self.samples),
                                "must be a power of two, at least 2 (2, 4, 8, 16, ...)")
        if not 1 <= self.top <= groups:
            raise ScenarioError("--top", str(self.top), f"must be from 1 to {groups} (the number "
                                "of assumption groups)")
        if self.reps < 1:
            raise ScenarioError("--reps", str(self.reps), "must be at least 1")

    def points(self, groups: int) -> tuple[int, int]:
        """Points of the screening and of the second stage."""
        return self.trajectories * (groups + 1), self.samples * (self.top + 2)


@dataclass(frozen=True)
class ClaimRobustness:
    """One claim across the assumption space.

    ``share`` is the share of the second stage's points where the claim holds; ``depends_on``
    the total-order Sobol index of each group of that stage, largest first; ``screening`` the
    Morris mu* of every group (in the claim's own units), largest first.
    """

    scenario: str
    claim: Claim
    share: float
    points: int
    depends_on: tuple[tuple[str, float], ...]
    screening: tuple[tuple[str, float], ...]

    @property
    def label(self) -> str:
        """The claim's label on the page: robust, or the groups it depends on most."""
        return label(self.share, self.depends_on)

    @property
    def robust(self) -> bool:
        """Whether the claim holds on at least :data:`ROBUST_SHARE` of the space."""
        return self.share >= ROBUST_SHARE

    @property
    def conditions(self) -> str:
        """The claim's own conditions, as its ``set`` writes them."""
        return " ".join(self.claim.set)

    def to_dict(self) -> dict[str, Any]:
        """The claim's robustness as plain data, for JSON."""
        return {"scenario": self.scenario, **self.claim.model_dump(), "share": self.share,
                "points": self.points, "label": self.label,
                "depends_on": [[n, v] for n, v in self.depends_on],
                "screening": [[n, v] for n, v in self.screening]}


@dataclass
class RobustnessResult:
    """Every claim's robustness, with the design and the factors behind it."""

    claims: list[ClaimRobustness]
    design: Design
    seed: int
    groups: dict[str, list[str]]
    screening: list[tuple[str, float]]
    chosen: list[str]
    configurations: int
    runs: int = 0
    files: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """How many claims are robust and how many depend on the assumptions."""
        robust = sum(c.robust for c in self.claims)
        return {"robust": robust, "depends": len(self.claims) - robust}

    def to_dict(self) -> dict[str, Any]:
        """The whole result as plain data, for JSON."""
        return {"design": asdict(self.design), "seed": self.seed, "groups": self.groups,
                "screening": [[n, v] for n, v in self.screening], "chosen": self.chosen,
                "configurations": self.configurations, "runs": self.runs,
                "claims": [c.to_dict() for c in self.claims], "summary": self.summary()}


# ----------------------------------------------------------------------------------- set-up
@dataclass(frozen=True)
class _Config:
    """One scenario as some claim compares it: a file under the claim's conditions."""

    scenario: Scenario
    fixed: frozenset[str]  # the keys the claim's conditions set; the sample never moves them


@dataclass(frozen=True)
class _Entry:
    scenario: str
    claim: Claim
    other: int
    mine: int


def _set_up(paths: Sequence[str | Path]) -> tuple[list[_Config], list[_Entry]]:
    """Every distinct scenario configuration the claims need, and each claim's pair of them."""
    index: dict[tuple[str, tuple[str, ...]], int] = {}
    configs: list[_Config] = []
    entries: list[_Entry] = []

    def config(path: Path, sets: tuple[str, ...]) -> int:
        key = (str(path.resolve()), sets)
        if key not in index:
            index[key] = len(configs)
            fixed = frozenset(parse_override(s)[0] for s in sets)
            configs.append(_Config(load_scenario(path, list(sets)), fixed))
        return index[key]

    for path in map(Path, paths):
        claims = read_claims(path)
        if not claims:
            raise ScenarioError(str(path), "claims", "states no claims; give a scenario file "
                                "with a claims: block (python -m sim claims lists them)")
        for claim in claims:
            other = config(_against_path(path, claim.against), claim.set)
            entries.append(_Entry(path.stem, claim, other, config(path, claim.set)))
    return configs, entries


def _problem(groups: Mapping[str, Sequence[str]], ranges: Mapping[str, Plausible],
             chosen: Sequence[str]) -> dict[str, Any]:
    """A SALib problem over the keys of the ``chosen`` groups, each key tagged with its group."""
    keys = [(k, g) for g in chosen for k in groups[g]]
    return {"num_vars": len(keys), "names": [k for k, _ in keys],
            "bounds": [list(ranges[k].bounds) for k, _ in keys], "groups": [g for _, g in keys]}


def _values(problem: Mapping[str, Any], ranges: Mapping[str, Plausible], row: np.ndarray
            ) -> dict[str, Any]:
    """One sample row as scenario values: whole numbers rounded, the rest as floats."""
    return {k: int(round(float(x))) if ranges[k].integer else float(x)
            for k, x in zip(problem["names"], row, strict=True)}


def _specs(stage: str, points: Sequence[Mapping[str, Any]], configs: Sequence[_Config],
           reps: int, seed: int) -> list[RunSpec]:
    """Every run of a stage: each point, each configuration, the same replications (common
    random numbers across points and scenarios, so a difference between points is theirs).
    """
    specs = []
    for p, values in enumerate(points):
        for c, config in enumerate(configs):
            moved = {k: v for k, v in values.items() if k not in config.fixed}
            scenario = with_overrides(config.scenario, moved) if moved else config.scenario
            labels = {"stage": stage, "point": p, "config": c,
                      "scenario_sha": scenario_sha(scenario)}
            specs += [RunSpec(scenario, seed, r, labels) for r in range(reps)]
    return specs


def _manifest(configs: Sequence[_Config], entries: Sequence[_Entry],
              groups: Mapping[str, Sequence[str]], design: Design, seed: int) -> dict:
    return {"kind": LAYOUT.kind, "seed": seed, "design": asdict(design),
            "groups": {g: list(k) for g, k in groups.items()},
            "configurations": [scenario_sha(c.scenario) for c in configs],
            "claims": [[e.scenario, e.claim.model_dump(mode="json"), e.other, e.mine]
                       for e in entries]}


# ----------------------------------------------------------------------------------- analysis
def estimates(rows: Sequence[Mapping[str, Any]], points: int, entries: Sequence[_Entry]
              ) -> np.ndarray:
    """Each claim's estimate at each point, ``[claim, point]``, in the claim's own units (the
    share of the other scenario's mean for change and band claims, the mean for value ones).
    """
    frame = pd.DataFrame(list(rows))
    tables = {key: g.sort_values("replication")[list(KPI_NAMES)].reset_index(drop=True)
              for key, g in frame.groupby(["point", "config"])}
    out = np.full((len(entries), points), math.nan)
    for p in range(points):
        for k, e in enumerate(entries):
            pair = Comparison(["other", "mine"], {"other": tables[(p, e.other)],
                                                  "mine": tables[(p, e.mine)]})
            out[k, p] = _interval(e.claim, pair)[0]
    return out


def holds(claim: Claim, estimate: float) -> bool:
    """Whether one point's estimate satisfies the claim (the interval of ``sim claims``
    shrunk to the point: up above zero, down below, even, band and value inside).
    """
    return verdict(claim, estimate, estimate) == "holds"


# ----------------------------------------------------------------------------------- the run
def run(paths: Sequence[str | Path], executor: Executor | None = None, design: Design = Design(),
        seed: int | None = None, out: str | Path | None = None, resume: bool = False,
        progress: bool = False, warn: Callable[[str], None] | None = None,
        groups: Mapping[str, Sequence[str]] | None = None) -> RobustnessResult:
    """How robust every claim of the scenario files ``paths`` is to the model's assumptions.

    ``groups`` (default :func:`factor_groups`) maps factor names to the assumption keys that
    move together. ``seed`` (default: the first file's) seeds both the samplers and the runs.
    With ``out`` every finished run is kept in that folder as it completes and ``resume``
    continues a stopped run there; the result is the same either way, and on any executor.
    """
    ranges = assumption_ranges()
    groups = {g: list(k) for g, k in (factor_groups(ranges) if groups is None
                                      else groups).items()}
    for g, keys in groups.items():
        unknown = [k for k in keys if k not in ranges]
        if unknown or not keys:
            raise ScenarioError("groups", g, f"'{unknown[0]}' is not an assumption with a "
                                "plausible range" if unknown else "has no keys")
    design.check(len(groups))
    configs, entries = _set_up(paths)
    seed = configs[entries[0].mine].scenario.seed if seed is None else seed
    warn = warn or _warn
    if out is None:
        return _analyse(configs, entries, groups, ranges, design, seed,
                        lambda stage, specs: run_all(specs, executor, progress,
                                                     f"robustness {stage}"))
    out = Path(out)
    manifest = _manifest(configs, entries, groups, design, seed)
    with owned_folder(out, LAYOUT, manifest, resume) as runs:
        return _analyse(configs, entries, groups, ranges, design, seed,
                        lambda stage, specs: _kept(runs, stage, specs, executor, progress, warn))


def _kept(runs: Path, stage: str, specs: Sequence[RunSpec], executor: Executor | None,
          progress: bool, warn: Callable[[str], None]) -> list[dict[str, Any]]:
    """Run a stage's jobs not yet in ``runs``, saving each as it finishes; all rows in order.

    Each stage keeps its own subfolder: the second stage's jobs are only known once the first
    is analysed, and the first stage's files are not strangers to be reported.
    """
    runs = runs / stage
    runs.mkdir(exist_ok=True)
    done = finished(runs, LAYOUT, specs, warn)
    todo = [i for i in range(len(specs)) if i not in done]

    def keep(i: int, row: dict[str, Any]) -> None:
        row = {k: v for k, v in row.items() if k != "scenario_sha"}
        save_run(runs, LAYOUT, specs[todo[i]], row)
        done[todo[i]] = row

    run_all([specs[i] for i in todo], executor, progress, f"robustness {stage}", on_result=keep)
    return [done[i] for i in range(len(specs))]


def _analyse(configs: list[_Config], entries: list[_Entry], groups: dict[str, list[str]],
             ranges: Mapping[str, Plausible], design: Design, seed: int,
             execute: Callable[[str, list[RunSpec]], list[dict[str, Any]]]) -> RobustnessResult:
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    names = list(groups)
    # stage 1: Morris screening of every group
    problem = _problem(groups, ranges, names)
    x = morris_sample.sample(problem, design.trajectories, num_levels=design.levels,
                             seed=seed % 2**32)
    points = [_values(problem, ranges, row) for row in x]
    rows = execute("morris", _specs("morris", points, configs, design.reps, seed))
    y = estimates(rows, len(points), entries)
    mu = [screen(problem, x, y[k], design.levels) for k in range(len(entries))]
    ranking = choose(mu, design.top, names)
    chosen = [name for name, _ in ranking[: design.top]]
    runs = len(rows)

    # stage 2: Saltelli design over the chosen groups, the others at their defaults
    problem2 = _problem(groups, ranges, chosen)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib warns about small samples; the docs say so
        x2 = sobol_sample.sample(problem2, design.samples, calc_second_order=False,
                                 seed=seed % 2**32)
    points2 = [_values(problem2, ranges, row) for row in x2]
    rows2 = execute("sobol", _specs("sobol", points2, configs, design.reps, seed))
    y2 = estimates(rows2, len(points2), entries)
    runs += len(rows2)

    claims = []
    for k, e in enumerate(entries):
        share = float(np.mean([holds(e.claim, v) for v in y2[k]]))
        st = total_order(problem2, y2[k], seed)
        depends = tuple(sorted(st.items(), key=lambda kv: (-_finite(kv[1]), chosen.index(kv[0]))))
        screened = tuple(sorted(mu[k].items(), key=lambda kv: (-_finite(kv[1]),
                                                                names.index(kv[0]))))
        claims.append(ClaimRobustness(e.scenario, e.claim, share, len(points2), depends,
                                      screened))
    return RobustnessResult(claims, design, seed, groups, ranking, chosen, len(configs), runs)


def _finite(value: float) -> float:
    return value if math.isfinite(value) else -math.inf


def _warn(message: str) -> None:
    warnings.warn(message, RobustnessWarning, stacklevel=3)


class RobustnessWarning(UserWarning):
    """A file in a robustness run's folder that is not what its name says (reported, redone)."""


# ----------------------------------------------------------------------------------- output
def claim_title(c: ClaimRobustness, width: int = 60) -> str:
    """"scenario: says" for tables and charts, shortened to ``width`` characters."""
    text = f"{c.scenario}: {c.claim.says}" + (f" ({c.conditions})" if c.claim.set else "")
    return text if len(text) <= width else text[: width - 1] + "…"


def plot(result: RobustnessResult):
    """A chart: per claim, the share of the space where it holds (bars, the robust line
    dashed), and beside it the total-order index of each group of the second stage.
    """
    from matplotlib.figure import Figure  # no pyplot: drawing never touches a notebook's backend

    claims = result.claims
    n = len(claims)
    fig = Figure(figsize=(13, 1.6 + 0.28 * n), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    rows = np.arange(n)
    shares = [c.share for c in claims]
    colours = ["#2a7f62" if c.robust else "#c4572b" for c in claims]
    left.barh(rows, shares, color=colours)
    left.axvline(ROBUST_SHARE, color="#333", ls="--", lw=1)
    left.set_yticks(rows, [claim_title(c) for c in claims], fontsize=8)
    left.invert_yaxis()
    left.set_xlim(0, 1)
    left.set_xlabel("share of the assumption space where the claim holds")
    left.set_title(f"robust (≥ {ROBUST_SHARE:.0%}, green) or not (orange)", fontsize=10)
    st = np.array([[dict(c.depends_on).get(g, math.nan) for g in result.chosen] for c in claims])
    image = right.imshow(np.clip(st, 0, 1), aspect="auto", cmap="Blues", vmin=0, vmax=1)
    right.set_xticks(range(len(result.chosen)), result.chosen, rotation=30, ha="right",
                     fontsize=8)
    right.set_title("total-order index ST of each assumption group", fontsize=10)
    fig.colorbar(image, ax=right, fraction=0.05, pad=0.02)
    fig.suptitle(f"Robustness of {n} claims: seed {result.seed}, {result.design.reps} "
                 f"replication(s) per point, {claims[0].points} points", fontsize=11)
    return fig


def markdown(result: RobustnessResult, command: str) -> str:
    """The page ``docs/robustness.md``: how to read it, the command that made it, the table.

    Nothing on it depends on the day or the machine, so running the same command again gives
    the same page unless the model or the claims changed.
    """
    lines = ["# Robustness of the scenario claims", "",
             "Generated by the command below; do not edit by hand (run it again instead).", "",
             "```", command, "```", "", *_how_to_read(result)]
    return "\n".join([*lines, *_claims_table(result), *_screening_table(result)]) + "\n"


def _how_to_read(result: RobustnessResult) -> list[str]:
    """The page's opening: what share and label mean, and the design behind them."""
    d = result.design
    screening_points, points = d.points(len(result.groups))
    intro = (
        "Every claim of the preset scenario files (their `claims:` blocks, which `python -m sim "
        "claims` checks at the model's defaults) is evaluated across the plausible ranges of the "
        "model's assumptions (`sim/params.py`, `docs/model.md`). **share** is the share of the "
        "sampled assumption space where the claim holds. A claim that holds on at least "
        f"{ROBUST_SHARE:.0%} of it is **robust**; otherwise its label names the assumption groups "
        "its estimate depends on most (largest total-order Sobol index, ST, first). "
        "`sim/robustness.py` explains the method.")
    bullets = [
        f"Seed {result.seed}. {result.configurations} scenario configurations (every claim's "
        "scenario and the one it is compared with, under the claim's conditions) run at every "
        f"point, {d.reps} replication(s) each, on common random numbers: {result.runs} runs.",
        f"Screening: Morris elementary effects, {d.trajectories} trajectories of {d.levels} "
        f"levels over {len(result.groups)} assumption groups ({screening_points} points), each "
        f"group moving as one factor. The {d.top} groups with the largest score below "
        f"({', '.join(result.chosen)}) are then sampled with a Saltelli design of {d.samples} "
        f"base points ({points} points); the other groups stay at their defaults, so a share is "
        "a share of the space of the chosen groups.",
        "A point holds when its estimate satisfies the claim (up: above zero; down: below "
        "zero; even, band and value: inside). With "
        f"{d.reps} replication(s) per point the estimate carries the luck of those runs, so a "
        "point near the edge can flip by chance: read a share within about ten points of the "
        "threshold as borderline. The same noise is variation no group explains, which the ST "
        f"values absorb. With {d.samples} base points the ST values are rough (the estimator "
        "can even exceed 1); the labels use only their order.",
        "A claim's own conditions (its `set`, such as a company in conflict) are never sampled "
        "over.",
    ]
    lines = [*_wrap(intro), "", "How to read it:", ""]
    for bullet in bullets:
        lines += _wrap(bullet, "* ", "  ")
    return lines


def _claims_table(result: RobustnessResult) -> list[str]:
    """The count of robust claims and the table of every claim's share and label."""
    s = result.summary()
    lines = ["", f"{s['robust']} of {len(result.claims)} claims are robust; {s['depends']} "
             "depend on the assumptions.", "",
             "| scenario | claim | kpi | share | label | ST of the chosen groups |",
             "|---|---|---|---:|---|---|"]
    for c in result.claims:
        says = c.claim.says + (f" (with {c.conditions})" if c.claim.set else "")
        sts = indices_text(c)
        lines.append(f"| {c.scenario} | {_md(says)} | {c.claim.kpi} | {c.share:.0%} | "
                     f"{c.label} | {sts} |")
    return lines


def _screening_table(result: RobustnessResult) -> list[str]:
    """The screening stage's score of every group, the chosen ones marked."""
    lines = ["", "## Screening (Morris)", "",
             *_wrap("Each group's score is the mean over the claims of its mu* (the mean "
                    "absolute elementary effect) divided by that claim's largest, so every "
                    "claim has the same say; a group that moves every claim most scores 1."),
             "", "| group | score | keys |", "|---|---:|---|"]
    for name, score in result.screening:
        keys = ", ".join(f"`{k}`" for k in result.groups[name])
        lines.append(f"| {name}{' (chosen)' if name in result.chosen else ''} | {score:.2f} | "
                     f"{keys} |")
    return lines


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    return textwrap.wrap(text, 100, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False)


def indices_text(c: ClaimRobustness, most: int | None = None) -> str:
    """The ST of a claim's groups as "group 0.42, group 0.17", or why there are none."""
    found = [(n, v) for n, v in c.depends_on if math.isfinite(v)]
    if not found:
        return "- (estimate undefined)"
    if all(v == 0 for _, v in found):
        return "- (no chosen group moves it)"
    return ", ".join(f"{n} {v:.2f}" for n, v in found[:most])


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def command_line(argv: Sequence[str]) -> str:
    """The command as a reader would type it to get the same result, for the page it makes.

    ``--resume`` and ``--force`` are left out: they change what happens to files, not the
    result, and a page made by a resumed run should name the run it is the result of.
    """
    kept = [a for a in argv if a not in ("--resume", "--force")]
    return shlex.join(["python", "-m", "sim", "robustness", *kept])
