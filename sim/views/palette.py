"""The one palette: a fixed colour per scenario and per team, in every chart of the kit.

A football league gives each club its colours once, and every programme, scarf and scoreboard
uses them; here a preset scenario or a workshop team keeps its colour from the dashboard to the
report to the game's leaderboard. The colours are those of Okabe and Ito, which stay
distinguishable for the common forms of colour blindness, and for the teams of a large room
four darker ones after them (:func:`team_colors` says why)::

    from sim.views.palette import scenario_colors, team_color, team_colors

    scenario_colors(["baseline", "my change"])   # baseline keeps its blue
    team_color("Red team")                       # the same colour in every session
    team_colors(["red", "owls", "hawks"])        # one game's teams: never two alike
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


TEAM_EXTENSION: tuple[str, ...] = (
    "#332288",  # indigo (Tol's muted scheme)
    "#8C510A",  # brown (ColorBrewer's BrBG)
    "#663333",  # maroon (Tol's dark scheme)
    "#00485A",  # pine, a dark teal
)
"""Four colours after Okabe and Ito's, for rooms of up to twelve teams (see :func:`team_colors`)."""

TEAM_COLORS: tuple[str, ...] = (*OKABE_ITO[:7], *TEAM_EXTENSION, OKABE_ITO[7])
"""The twelve team colours in the order teams take them: Okabe and Ito's seven strong ones, the
four darker ones of :data:`TEAM_EXTENSION`, then yellow (faint on white, so taken last)."""

REFERENCE_COLOR = "#555555"
"""The workshop game's well-aligned reference company: dark grey, drawn dashed, never a team's."""

TEAM_COLOR_NAMES: dict[str, str] = {
    "blue": OKABE_ITO[0], "orange": OKABE_ITO[1], "green": OKABE_ITO[2], "red": OKABE_ITO[3],
    "vermillion": OKABE_ITO[3], "purple": OKABE_ITO[4], "pink": OKABE_ITO[4],
    "sky": OKABE_ITO[5], "black": OKABE_ITO[6], "yellow": OKABE_ITO[7],
    "indigo": TEAM_EXTENSION[0], "navy": TEAM_EXTENSION[0], "brown": TEAM_EXTENSION[1],
    "maroon": TEAM_EXTENSION[2], "teal": TEAM_EXTENSION[3], "pine": TEAM_EXTENSION[3],
}
"""Teams named after a colour are drawn in it (the palette's nearest)."""

_OWN_ORDER: tuple[str, ...] = OKABE_ITO[:7]
"""The colours a team not named after one picks from its name: Okabe and Ito's but yellow."""


def _own_color(name: str) -> str:
    """The colour a name picks for itself: its colour's when it is one, else one of
    :data:`_OWN_ORDER` derived from the name, the same in every session.
    """
    key = str(name).lower()
    return TEAM_COLOR_NAMES.get(key) or _OWN_ORDER[_stable_index(key, len(_OWN_ORDER))]


def team_colors(teams: Iterable[str]) -> dict[str, str]:
    """A colour for each team of a game, all different for up to twelve teams.

    Teams named after a colour (red, blue, green, yellow, …) get it; every other team gets the
    colour its name picks (:func:`team_color`), or, when a team before it in alphabetical
    order took that one, the next free one of Okabe and Ito's, then of the darker four, then
    yellow.
    The answer depends on which teams the game has, never on the order they are given in, so
    every chart of one game agrees whichever table it was drawn from.

    Why twelve colours and not more: Okabe and Ito's palette, the usual colour-blind-safe
    choice, has eight colours, and no palette of many more hues stays apart for every form of
    colour blindness. The four added here are darker than Okabe and Ito's, because lightness is
    what colour-blind eyes keep: simulated for protanopia, deuteranopia and tritanopia
    (Machado, Oliveira & Fernandes, 2009), every pair of the twelve stays at least as far apart
    (CIEDE2000 of 10 or more) as Okabe and Ito's own closest pair. A thirteenth team repeats a
    colour; the game's leaderboard and its panel charts write every team's name, so no chart
    leans on colour alone.
    """
    names = list(dict.fromkeys(str(t) for t in teams))
    out: dict[str, str] = {}
    used: set[str] = set()
    for team in sorted(names):  # teams named after a colour claim it first
        hue = TEAM_COLOR_NAMES.get(team.lower())
        if hue is not None and hue not in used:
            out[team] = hue
            used.add(hue)
    for team in sorted(n for n in names if n not in out):
        own = _own_color(team)
        if own in used and len(used) < len(TEAM_COLORS):
            start = _OWN_ORDER.index(own)
            turn = [*_OWN_ORDER[start:], *_OWN_ORDER[:start], *TEAM_COLORS[7:]]
            own = next(c for c in turn if c not in used)
        out[team] = own
        used.add(own)
    return {n: out[n] for n in names}


def team_color(name: str, teams: Iterable[str] | None = None) -> str:
    """A team's colour, the same for the same name in every chart and every session: the colour
    a team is named after, else one derived from the name (yellow left out: faint on white).

    Given ``teams``, the game's teams, it is the team's colour among them
    (:func:`team_colors`), which no other team of the game shares; a screen that knows its game
    passes them.
    """
    if teams is not None:
        colours = team_colors(teams)
        if str(name) in colours:
            return colours[str(name)]
    return _own_color(name)


__all__ = ["OKABE_ITO", "REFERENCE_COLOR", "SCENARIO_COLORS", "TEAM_COLORS", "TEAM_COLOR_NAMES",
           "TEAM_EXTENSION", "color", "scenario_color", "scenario_colors", "team_color",
           "team_colors"]
