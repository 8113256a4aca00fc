"""Fixtures shared by the unit tests of the figures."""

from __future__ import annotations

import pytest

from sim import Scenario, run, with_overrides


@pytest.fixture(scope="module")
def runs():
    """Three short replications of two scenarios (``base`` and ``volume``), with event logs."""
    base = Scenario(weeks=6)
    volume = with_overrides(base, {"incentives.marketing_kpi": "mql_volume", "name": "volume"})
    return {name: [run(s, seed=3, replication=r, event_log=True) for r in range(3)]
            for name, s in (("base", base), ("volume", volume))}
