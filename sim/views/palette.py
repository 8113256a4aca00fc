"""The one palette: a fixed colour per scenario and per team, in every chart of the kit.

A football league gives each club its colours once, and every programme, scarf and scoreboard
uses them; here a preset scenario or a workshop team keeps its colour from the dashboard to the
report to the game's leaderboard. The colours are those of Okabe and Ito, which stay
distinguishable for the common forms of colour blindness::

    from sim.views.palette import scenario_colors, team_color

    scenario_colors(["baseline", "my change"])   # baseline keeps its blue
    team_color("Red team")                       # the same colour in every session
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow (last: faint on white)
)
"""The palette (Okabe & Ito, "Color Universal Design", 2008): distinguishable for the common
forms of colour blindness."""

SCENARIO_COLORS: dict[str, str] = {
    "baseline": OKABE_ITO[0],
    "undefined": OKABE_ITO[3],
    "defined": OKABE_ITO[4],
    "aligned": OKABE_ITO[5],
    "integrated": OKABE_ITO[2],
}
"""Fixed colours of the presets charts show most: the four alignment stages from vermillion
(undefined) through reddish purple and sky blue to green (integrated), and the baseline in
blue."""

_FREE_ORDER: tuple[str, ...] = tuple(OKABE_ITO[i] for i in (0, 2, 4, 1, 5, 6, 3, 7))
"""The order other scenarios take colours in: orange comes after green and purple, so it seldom
sits beside vermillion, which it resembles."""


def color(i: int) -> str:
    """The ``i``-th colour of the palette (it repeats after eight)."""
    return OKABE_ITO[i % len(OKABE_ITO)]


def _stable_index(name: str, n: int) -> int:
    return int(hashlib.sha1(name.encode("utf-8")).hexdigest(), 16) % n


def scenario_color(name: str, i: int | None = None) -> str:
    """The colour of a scenario: fixed for the presets in :data:`SCENARIO_COLORS`, else the
    ``i``-th palette colour (position in the chart), else one derived from the name.
    """
    if name in SCENARIO_COLORS:
        return SCENARIO_COLORS[name]
    if i is not None:
        return color(i)
    return OKABE_ITO[_stable_index(name, len(OKABE_ITO) - 1)]


def scenario_colors(names: Iterable[str]) -> dict[str, str]:
    """A colour per scenario name for one chart: presets keep their fixed colour, the others
    take the palette's colours in order, skipping those already used, so no two share one.
    """
    names = list(dict.fromkeys(names))
    used = {SCENARIO_COLORS[n] for n in names if n in SCENARIO_COLORS}
    free = [c for c in _FREE_ORDER if c not in used] or list(_FREE_ORDER)
    out, k = {}, 0
    for n in names:
        if n in SCENARIO_COLORS:
            out[n] = SCENARIO_COLORS[n]
        else:
            out[n] = free[k % len(free)]
            k += 1
    return out


TEAM_COLOR_NAMES: dict[str, str] = {
    "blue": OKABE_ITO[0], "orange": OKABE_ITO[1], "green": OKABE_ITO[2], "red": OKABE_ITO[3],
    "vermillion": OKABE_ITO[3], "purple": OKABE_ITO[4], "pink": OKABE_ITO[4],
    "sky": OKABE_ITO[5], "black": OKABE_ITO[6], "yellow": OKABE_ITO[7],
}
"""Teams named after a colour are drawn in it (the palette's nearest)."""


def team_color(name: str) -> str:
    """A team's colour, the same for the same name in every chart and every session: the colour
    a team is named after, else one derived from the name (yellow left out: faint on white).
    """
    key = str(name).lower()
    if key in TEAM_COLOR_NAMES:
        return TEAM_COLOR_NAMES[key]
    return OKABE_ITO[_stable_index(key, len(OKABE_ITO) - 1)]


__all__ = ["OKABE_ITO", "SCENARIO_COLORS", "TEAM_COLOR_NAMES", "color", "scenario_color",
           "scenario_colors", "team_color"]
