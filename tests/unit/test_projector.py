"""Unit tests of sim.views.projector: charts laid out to fill a projector's screen."""

import pytest

from sim.views.projector import DESIGN_WIDTH_IN, SQUEEZE, VIEWPORTS, chart_geometry


def test_chart_geometry_fills_the_box():
    inches, dpi = chart_geometry((1200, 500), (7.0, 3.0))
    assert round(inches[0] * dpi) == 1200 and round(inches[1] * dpi) == 500
    assert inches[0] == pytest.approx(DESIGN_WIDTH_IN)
    tall, tall_dpi = chart_geometry((1200, 500), (12.0, 9.0))
    assert tall_dpi < dpi and round(tall[1] * tall_dpi) == 500
    assert tall[1] == pytest.approx(SQUEEZE * 9.0)


@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_a_ten_point_label_grows_with_the_screen(name):
    width, height = VIEWPORTS[name]
    _, dpi = chart_geometry((width, height // 2), (6.0, 3.0))
    label_px = 10 * dpi / 72
    assert label_px == pytest.approx(10 * width / DESIGN_WIDTH_IN / 72)
    assert label_px >= 19
