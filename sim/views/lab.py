"""The scenario lab's bookkeeping: a base scenario, the changes on it, and a fair comparison.

A :class:`LabController` is the lab notebook of an experiment, kept apart from the bench it is
done on (:class:`sim.views.scenario_lab.ScenarioLab`, the widgets). It records which preset the
experiment starts from, the changes written against it, and refuses what the model or the lab
would not accept (a value out of range, a lever the lab sets for both sides, a file name that
leaves the folder); it runs base and changed on the same random numbers
(:func:`sim.experiment.compare`) and writes the result as one row per KPI with the paired
difference and its 95 % interval. It holds no widget, so it can be used and tested on its own::

    from sim.views.lab import LabController

    lab = LabController("baseline", reps=10)
    lab.add_change("pricing.price_index", 2.0)
    comparison, result = lab.compare()
    result.loc["revenue", "difference"]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment import Comparison, excludes_zero
from sim.experiment import compare as compare_scenarios
from sim.metrics import KPI_NAMES
from sim.params import Scenario
from sim.scenario import (
    MY_SCENARIOS_DIR,
    PROJECT_DIR,
    load_scenario,
    resolve_scenario_path,
    valid_keys,
    with_overrides,
)
from sim.views.controls import setting_text
from sim.views.labels import (
    FIRST_LEVER,
    change_label,
    describe_changes,
    format_interval,
    format_value,
    grouped_levers,
    kpi_label,
    lever_help,
    lever_option,
)

LAB_KPIS: tuple[str, ...] = (
    "revenue", "profit", "won", "leads", "mqls", "sqls", "mql_to_sql", "win_rate",
    "leakage_rate", "contacted_within_1h", "speed_to_lead_h_median", "trust_final",
    "total_cost", "roi",
)
"""The KPIs the scenario lab's result table shows (``lab.result`` holds every KPI)."""

LAB_HIDDEN_KEYS: frozenset[str] = frozenset({"name", "description", "seed", "weeks",
                                             "warmup_weeks"})
"""Keys the lab does not offer as changes: labels, and the horizon and seed, which the lab
sets for both scenarios alike so that the comparison stays fair."""

FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$")
"""A file name the lab writes: letters, digits, spaces, ``- _ .``, starting with a letter or
digit."""


class LabError(ValueError):
    """A request the lab turns down; the text is the message to show, as it is."""


def shown_path(path: str | Path) -> str:
    """A path as the project folder sees it (``my_scenarios/dearer.yaml``), or as it is."""
    try:
        return Path(path).resolve().relative_to(PROJECT_DIR).as_posix()
    except ValueError:
        return str(path)


def load_base(name: str | Path) -> Scenario:
    """A base scenario by preset name or file (ScenarioError if there is none)."""
    return load_scenario(resolve_scenario_path(name))


class LabController:
    """Base scenario + changes on any lever, compared fairly; no widgets.

    ``base`` is a preset name (or a file); ``reps`` replications per scenario; ``seed``
    defaults to the base scenario's; ``weeks`` (optional) sets the horizon of both scenarios;
    ``folder`` is where files given by name only are written.
    """

    def __init__(self, base: str | Path = "baseline", reps: int = 10, seed: int | None = None,
                 weeks: float | None = None, folder: str | Path = MY_SCENARIOS_DIR):
        if reps < 1:
            raise ValueError("reps must be at least 1")
        self.reps = int(reps)
        self.seed = seed
        self.weeks = weeks
        self.folder = Path(folder)
        self.changes: dict[str, Any] = {}
        self.base_name = str(base)
        self.base = load_base(base)

    # ---------------------------------------------------------------- the experiment
    def scenario(self, base: Scenario, changes: Mapping[str, Any]) -> Scenario:
        """``base`` with ``changes`` and the lab's horizon (ScenarioError if refused)."""
        horizon = {"weeks": self.weeks} if self.weeks is not None else {}
        return with_overrides(base, {**horizon, **changes})

    def use_base(self, name: str | Path) -> Scenario:
        """Start from another base scenario, keeping the changes; ScenarioError (and nothing
        changed) when it does not exist or the changes do not apply to it.
        """
        scenario = load_base(name)
        self.scenario(scenario, self.changes)
        self.base_name, self.base = str(name), scenario
        return scenario

    def add_change(self, key: str, value: Any) -> None:
        """Add (or replace) one change; :class:`LabError` for a key the lab sets itself,
        ScenarioError for a value or combination the model refuses.
        """
        if key in LAB_HIDDEN_KEYS:
            raise LabError(f"{key} is set by the lab for both scenarios alike; choose another "
                          "lever.")
        self.scenario(self.base, {**self.changes, key: value})
        self.changes[key] = value

    def base_scenario(self) -> Scenario:
        """The base scenario as compared (with the lab's horizon)."""
        return self.scenario(self.base, {})

    def changed_scenario(self) -> Scenario:
        """The base scenario with every change applied (and the lab's horizon), named and
        described by what changed (``"baseline + price 1.1"``).
        """
        changed = self.scenario(self.base, self.changes)
        if not self.changes:
            return changed
        return with_overrides(changed, {
            "name": change_label(self.base.name, self.changes),
            "description": f"{self.base.name} with {describe_changes(self.changes)}",
        })

    def pair(self, clash: str) -> tuple[Scenario, Scenario]:
        """Base and changed, the changed one renamed ``"<base>, <clash>"`` where its name would
        repeat the base's (ScenarioError if refused).
        """
        base, changed = self.base_scenario(), self.changed_scenario()
        if changed.name == base.name:
            changed = with_overrides(changed, {"name": f"{base.name}, {clash}"})
        return base, changed

    def shown_seed(self) -> int:
        """The seed both scenarios run with."""
        return self.base.seed if self.seed is None else self.seed

    def ready_pair(self) -> tuple[Scenario, Scenario]:
        """Base and changed, ready to compare: :class:`LabError` without changes, ScenarioError
        when the model refuses them. A change label that repeats the base name gets
        ``", changed"``.
        """
        if not self.changes:
            raise LabError("Add at least one change first.")
        return self.pair("changed")

    def comparison_of(self, base: Scenario, changed: Scenario) -> tuple[Comparison, pd.DataFrame]:
        """Run ``base`` and ``changed`` with common random numbers (``reps`` each, the lab's
        seed): the comparison and its table (:meth:`comparison_table`).
        """
        comparison = compare_scenarios([base, changed], self.reps, self.seed)
        return comparison, self.comparison_table(comparison)

    def compare(self) -> tuple[Comparison, pd.DataFrame]:
        """:meth:`ready_pair`, then :meth:`comparison_of`: the one call a script needs."""
        return self.comparison_of(*self.ready_pair())

    @staticmethod
    def comparison_table(comparison: Comparison) -> pd.DataFrame:
        """One row per KPI: ``base``, ``changed``, ``difference``, ``ci_low``, ``ci_high`` and
        ``excludes_zero`` (the 95 % interval of the paired difference leaves zero out).
        """
        first, second = comparison.names
        means = comparison.means()
        diff = comparison.differences()[second]
        rows = {}
        for kpi in KPI_NAMES:
            low, high = (float(x) for x in diff[kpi]["ci95"])
            rows[kpi] = {"base": means[first][kpi], "changed": means[second][kpi],
                         "difference": float(diff[kpi]["mean"]), "ci_low": low, "ci_high": high,
                         "excludes_zero": excludes_zero((low, high))}
        result = pd.DataFrame.from_dict(rows, orient="index")
        result.index.name = "kpi"
        return result

    @staticmethod
    def readable_table(result: pd.DataFrame, kpis: Sequence[str] | None = None) -> pd.DataFrame:
        """A comparison table as people read it (:mod:`sim.views.labels`: KPI labels, money
        with its symbol, shares in %, differences in pp), for ``kpis`` (default
        :data:`LAB_KPIS`).
        """
        rows = {}
        for kpi in kpis or LAB_KPIS:
            r = result.loc[kpi]
            rows[kpi_label(kpi)] = {
                "base": format_value(kpi, r["base"]),
                "changed": format_value(kpi, r["changed"]),
                "difference": format_value(kpi, r["difference"], signed=True),
                "95 % interval": format_interval(kpi, r["ci_low"], r["ci_high"]) or "–",
                "beyond luck": "yes" if r["excludes_zero"] else "no",
            }
        out = pd.DataFrame.from_dict(rows, orient="index")
        out.index.name = "KPI"
        return out

    # ---------------------------------------------------------------- the lever list
    def keys(self) -> list[str]:
        """Every lever the lab offers (channel keys for the base scenario's channels)."""
        return [k for k in valid_keys(list(self.base.marketing.channels))
                if k not in LAB_HIDDEN_KEYS]

    def lever_options(self, search: str) -> list[tuple[str, str]]:
        """``(text, key)`` of every lever whose key, text or help holds all words of
        ``search``, grouped as :func:`sim.views.labels.grouped_levers` orders them.
        """
        words = search.lower().split()
        options = []
        for key in grouped_levers(self.keys()):
            text = f"{key} {lever_option(key)} {lever_help(key)}".lower()
            if all(word in text for word in words):
                options.append((lever_option(key), key))
        return options

    @staticmethod
    def chosen_lever(options: Sequence[tuple[str, str]], current: str | None) -> str | None:
        """The lever a filtered list shows selected: the current one while it is listed, else
        :data:`~sim.views.labels.FIRST_LEVER`, else the first listed (None for an empty list).
        """
        values = [v for _l, v in options]
        if current in values:
            return current
        if FIRST_LEVER in values:
            return FIRST_LEVER
        return options[0][1] if options else None

    # ---------------------------------------------------------------- files
    def target(self, path: str | Path, suffixes: tuple[str, ...], default: str,
               from_widget: bool) -> Path:
        """Where a file named ``path`` is written: a bare name goes into :attr:`folder`, and
        ``default`` is added unless the name ends in one of ``suffixes``. :class:`LabError`
        for an empty or odd name, a path typed into the name box (``from_widget``), a path
        that leaves the folder, or a folder that cannot be used.
        """
        raw = str(path).strip()
        p = Path(raw)
        self._check_name(raw, p, from_widget)
        name = p.name
        if p.suffix.lower() not in suffixes:
            name += default
        folder = p.parent if len(p.parts) > 1 else self.folder
        if folder == self.folder:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LabError(f"Cannot create folder {folder}: {exc.strerror}") from exc
        if not folder.is_dir():
            raise LabError(f"Folder {folder} does not exist.")
        return folder / name

    def _check_name(self, raw: str, p: Path, from_widget: bool) -> None:
        if not raw:
            raise LabError("Give a file name first (letters, digits, spaces, - _ .).")
        if from_widget and ("/" in raw or "\\" in raw):
            raise LabError(f"'{raw}' is a path; give a file name only (it goes into "
                          f"{self.folder}/).")
        if ".." in p.parts:
            raise LabError(f"'{raw}' leaves the folder; give a file name (it goes into "
                          f"{self.folder}/).")
        name = p.name
        if not FILE_NAME.match(name) or name in (".", "..") or ".." in name:
            raise LabError(f"'{name}' is not a usable file name: use letters, digits, spaces, "
                          "- _ . and start with a letter or digit.")

    def saved_scenario(self, target: Path) -> Scenario:
        """The changed scenario as saved to ``target``: named after the file, described by its
        base and changes (ScenarioError if refused).
        """
        return with_overrides(self.changed_scenario(), {
            "name": target.stem,
            "description": f"{self.base.name} with " + (", ".join(
                f"{k}={setting_text(v)}" for k, v in self.changes.items()) or "no changes"),
        })

    def save_header(self, target: Path) -> str:
        """The comment at the top of a saved scenario file: its base, changes and command."""
        return "\n".join([
            f"{target.stem}: made in the LeadFlow Lab scenario lab.",
            f"Base scenario: {self.base_name}",
            "Changes:" if self.changes else "Changes: none",
            *(f"  {k}: {setting_text(v)}" for k, v in self.changes.items()),
            f"Run it from the project folder with: {self.run_command(target)}",
        ])

    @staticmethod
    def run_command(target: str | Path) -> str:
        """The command that runs a saved scenario from the project folder."""
        return f"python -m sim run {shown_path(Path(target))}"


__all__ = ["FILE_NAME", "LAB_HIDDEN_KEYS", "LAB_KPIS", "LabController", "LabError", "load_base",
           "shown_path"]
