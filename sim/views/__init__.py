"""What people see: charts, notebook widgets, the report to forward and the shared wording.

The engine (``sim.model`` and the experiment modules beside it) computes; this subpackage only
shows. Each module here reads results and scenarios and never changes them, much as a theatre's
lighting desk changes what the audience sees but not what the actors say.

* :mod:`sim.views.labels`: every KPI's and lever's label, unit and number format;
* :mod:`sim.views.palette`: the one palette (a fixed colour per team and per scenario);
* :mod:`sim.views.plots`: the figures of one run (funnel, revenue and trust over time) and the
  helpers every figure shares; :mod:`sim.views.compare_plots` (KPI bars, speed to lead) and
  :mod:`sim.views.sweep_plots` (tornado, sweep heatmap) beside it;
* :mod:`sim.views.controls`: one lever's control and the pieces every screen shares;
* :mod:`sim.views.dashboard`: the live dashboard of the start page;
* :mod:`sim.views.lab` and :mod:`sim.views.scenario_lab`: the scenario lab's bookkeeping and
  its screen (the Voilà app);
* :mod:`sim.views.assessment_widget`: the alignment self-assessment as a form;
* :mod:`sim.views.report` (with :mod:`sim.views.report_data`): the one-page HTML report a
  manager forwards; :mod:`sim.views.fit_report`: the fit of a calibration as a page;
* :mod:`sim.views.bridge`, :mod:`sim.views.deck` and :mod:`sim.views.images`: the revenue
  bridge chart, slides to take away, and figures as pictures.

The modules load when first used, so that the command line does not wait for matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

_MODULES = ("assessment_widget", "bridge", "compare_plots", "controls", "dashboard", "deck",
            "fit_report", "images", "lab", "labels", "palette", "plots", "report", "report_data",
            "scenario_lab", "sweep_plots")


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module 'sim.views' has no attribute {name!r}")
    module = importlib.import_module(f"sim.views.{name}")
    globals()[name] = module
    return module


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULES])


__all__ = list(_MODULES)
