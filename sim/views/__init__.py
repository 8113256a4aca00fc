"""What people see: charts, notebook widgets, the report to forward and the shared wording.

The engine (``sim.model`` and the experiment modules beside it) computes; this subpackage only
shows. Each module here reads results and scenarios and never changes them, much as a theatre's
lighting desk changes what the audience sees but not what the actors say.

* :mod:`sim.views.labels`: every KPI's and lever's label, unit and number format, and the one
  palette (a fixed colour per team and per scenario);
* :mod:`sim.views.plots`: the matplotlib charts the notebooks, report and game share;
* :mod:`sim.views.widgets`: the ipywidgets controls of the notebooks and the scenario lab app;
* :mod:`sim.views.report`: the one-page HTML report a manager forwards.

The modules load when first used, so that the command line does not wait for matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

_MODULES = ("labels", "plots", "report", "widgets")


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module 'sim.views' has no attribute {name!r}")
    module = importlib.import_module(f"sim.views.{name}")
    globals()[name] = module
    return module


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULES])


__all__ = list(_MODULES)
