"""Projector sizes: a chart laid out to fill a screen the back row can read.

A chart drawn for a notebook is a page in a book; on a projector it must be a poster. The trick
is the one a sign painter uses: lay the chart out at one fixed width in inches
(:data:`DESIGN_WIDTH_IN`), whatever the screen, and let the screen's width in pixels set the dots
per inch. A 10 pt label is then about 19 px high at 1280 wide and 28 px at 1920, and the
proportions of the chart never change. The workshop game's presenter mode
(:mod:`sim.game.presenter`) and the dashboard's projector view (:mod:`sim.views.dashboard`)
both size their charts here.
"""

from __future__ import annotations

VIEWPORTS: dict[str, tuple[int, int]] = {"720p": (1280, 720), "1080p": (1920, 1080)}
"""The projector sizes charts are laid out for (width, height in pixels)."""
DESIGN_WIDTH_IN = 9.0
"""The width in inches a chart is laid out at, whatever the screen: the screen's width sets its
dots per inch, so a 10 pt label is about 19 px high at 1280 wide and 28 px at 1920."""
SQUEEZE = 0.6
"""How far a chart's own height may be squeezed to fit the screen before its fonts shrink."""


def chart_geometry(box: tuple[int, int], natural: tuple[float, float]
                   ) -> tuple[tuple[float, float], float]:
    """The size in inches and the dpi of a chart that fills ``box`` (pixels) exactly.

    The chart is laid out :data:`DESIGN_WIDTH_IN` wide at the box's shape, or taller when its
    own height (``natural``, inches) cannot be squeezed that far (:data:`SQUEEZE`: a funnel
    per team, a leaderboard of many teams), up to three times; its fonts then shrink with it.
    """
    width_px, height_px = box
    height_in = DESIGN_WIDTH_IN * height_px / width_px
    height_in = min(max(height_in, SQUEEZE * natural[1]), 3 * height_in)
    width_in = height_in * width_px / height_px
    return (width_in, height_in), width_px / width_in


__all__ = ["DESIGN_WIDTH_IN", "SQUEEZE", "VIEWPORTS", "chart_geometry"]
