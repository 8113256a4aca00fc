"""LeadFlow Lab: simulate how leads flow from marketing to sales.

The public surface, in the order data flows::

    scenario = load_scenario("scenarios/baseline.yaml", ["sales.reps=8"])   # scenario -> params
    result = run(scenario, seed=1)                                         # params -> model -> metrics
    table = replicate(scenario, reps=10)                                   # experiment runner

See ``docs/model.md`` for the model and ``python -m sim --help`` for the command line.
"""

from sim.errors import ScenarioError
from sim.metrics import KPI_GLOSSARY, KPI_NAMES
from sim.model import LeadFlowModel, RunResult, run
from sim.params import Scenario
from sim.scenario import dump_scenario, load_scenario, with_overrides

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
