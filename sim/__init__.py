"""LeadFlow Lab: simulate how leads flow from marketing to sales.

The public surface, in the order data flows::

    scenario = load_scenario("scenarios/baseline.yaml", ["sales.reps=8"])   # scenario -> params
    result = run(scenario, seed=1)                                         # params -> model -> metrics
    table = replicate(scenario, reps=10)                                   # experiment runner

See ``docs/model.md`` for the model and ``python -m sim --help`` for the command line.
"""

from __future__ import annotations

import importlib
from typing import Any

# Where each public name lives. They are imported when first used (PEP 562), so that
# ``python -m sim --help`` does not wait for numpy, scipy and pandas to load.
_PUBLIC = {
    "ScenarioError": "sim.errors",
    "KPI_GLOSSARY": "sim.kpis",
    "KPI_NAMES": "sim.kpis",
    "LeadFlowModel": "sim.model",
    "RunResult": "sim.model",
    "run": "sim.model",
    "Scenario": "sim.params",
    "dump_scenario": "sim.scenario",
    "load_scenario": "sim.scenario",
    "with_overrides": "sim.scenario",
}


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])


__version__ = "0.1.0"

__all__ = [
    "KPI_GLOSSARY",
    "KPI_NAMES",
    "LeadFlowModel",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "dump_scenario",
    "load_scenario",
    "run",
    "with_overrides",
]
