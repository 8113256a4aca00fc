"""Unit tests of sim.lead: the lead record, its row of dice and the typed rows it writes."""

import math

import numpy as np
import pytest
from scipy.special import ndtri

from sim.lead import (
    ROW_WIDTH,
    U_IGNORE,
    U_TOUCH,
    U_VIEW,
    Lead,
    NurtureReturn,
    draw_rows,
    lead_draws,
    lognormal,
)
from sim.metrics import EVENT_LOG_COLUMNS, EventRow


def test_rows_are_open_unit_interval():
    rows = draw_rows(np.random.default_rng(0), 100)
    assert rows.shape == (100, ROW_WIDTH)
    assert rows.min() > 0 and rows.max() < 1


def test_lead_draws_are_column_transforms_of_the_row():
    rows = draw_rows(np.random.default_rng(2), 3)
    draws = lead_draws(rows, 4)
    assert len(draws) == 3
    ignore, view_z, *_, contacts, touches = draws[1]
    assert ignore == rows[1, U_IGNORE]
    assert len(contacts) == len(touches) == 4
    assert touches[0] == pytest.approx(-np.log(1 - rows[1, U_TOUCH]))
    assert view_z == pytest.approx(float(ndtri(rows[1, U_VIEW])))


def test_lognormal_median():
    u = np.random.default_rng(1).random(20000)
    assert np.median(lognormal(u, 20000, 0.6)) == pytest.approx(20000, rel=0.03)


def test_a_lead_writes_a_named_event_row():
    row = np.full((1, ROW_WIDTH), 0.5)
    lead = Lead(7, "webinar", 3.0, 0.6, 0.55, 1000.0, 4.0, lead_draws(row, 2)[0])
    logged = lead.log_row()
    assert isinstance(logged, EventRow) and logged._fields == EVENT_LOG_COLUMNS
    assert (logged.lead_id, logged.channel, logged.final_state) == (7, "webinar", "handoff")
    assert logged.became_mql_at == 4.0 and math.isnan(logged.closed_at)
    assert lead.log_row("won").final_state == "won"


def test_nurture_returns_are_named():
    back = NurtureReturn._make((3, "events", 1.0, 0.7, 200.0))
    assert (back.id, back.channel, back.quality, back.at) == (3, "events", 0.7, 200.0)
