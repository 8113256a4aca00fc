"""Unit tests of sim.views.palette: a scenario or a team keeps its colour in every chart."""

import itertools
import math
import random

import numpy as np
import pytest

from sim.views.palette import (
    OKABE_ITO,
    REFERENCE_COLOR,
    TEAM_COLORS,
    TEAM_EXTENSION,
    scenario_color,
    scenario_colors,
    team_color,
    team_colors,
)

ANIMALS = ["falcons", "owls", "tigers", "lions", "otters", "hawks", "wolves", "bears", "foxes",
           "crows", "eagles", "moles"]


def test_one_palette_with_fixed_colours():
    assert scenario_color("integrated") == scenario_color("integrated", 5)
    colours = scenario_colors(["a", "undefined", "b", "integrated"])
    assert len(set(colours.values())) == 4 and set(colours.values()) <= set(OKABE_ITO)
    assert colours["undefined"] == scenario_color("undefined")
    assert team_color("Red team") == team_color("Red team")
    assert team_color("Red team") in OKABE_ITO and team_color("x") != OKABE_ITO[-1]
    assert len({team_color(f"team {i}") for i in range(20)}) > 3


def test_teams_named_after_a_colour_are_drawn_in_it():
    assert team_color("red") == "#D55E00" and team_color("Blue") == "#0072B2"
    assert team_color("green") == "#009E73" and team_color("yellow") == "#F0E442"
    assert team_color("falcons") != "#F0E442"
    assert team_color("brown") == TEAM_EXTENSION[1] and team_color("indigo") == TEAM_EXTENSION[0]
    room = team_colors(["red", "blue", "green", "yellow", "brown", *ANIMALS[:7]])
    assert (room["red"], room["blue"], room["green"], room["yellow"], room["brown"]) == (
        "#D55E00", "#0072B2", "#009E73", "#F0E442", TEAM_EXTENSION[1])


def test_twelve_colours_none_of_them_the_references():
    assert len(set(TEAM_COLORS)) == 12 and REFERENCE_COLOR not in TEAM_COLORS
    assert TEAM_COLORS[:7] == OKABE_ITO[:7] and TEAM_COLORS[-1] == OKABE_ITO[-1]


@pytest.mark.parametrize("size", range(1, 13))
def test_every_team_of_a_game_of_up_to_twelve_has_its_own_colour(size):
    rng = random.Random(size)
    for _ in range(30):
        pool = ANIMALS + [f"t{i}" for i in range(1, 25)] + ["red", "vermillion", "blue", "sky"]
        teams = rng.sample(pool, size)
        colours = team_colors(teams)
        assert list(colours) == teams
        assert len(set(colours.values())) == size, colours
        assert set(colours.values()) <= set(TEAM_COLORS)


def test_a_games_colours_do_not_depend_on_the_order_of_its_teams():
    teams = ["owls", "red", "falcons", "vermillion", "t1", "t2", "bears"]
    colours = team_colors(teams)
    for order in itertools.islice(itertools.permutations(teams), 0, 5040, 97):
        assert team_colors(order) == colours
    # red and vermillion name one hue: the first in alphabetical order keeps it
    assert colours["red"] == "#D55E00" and colours["vermillion"] != "#D55E00"


def test_a_small_room_gets_okabe_and_itos_colours_and_each_team_its_own_pick():
    colours = team_colors(["falcons", "owls", "tigers"])
    assert set(colours.values()) <= set(OKABE_ITO[:7])
    # the first in alphabetical order always finds its own colour free: it keeps it, so the
    # colour is the same whether or not a screen knows the game's other teams
    assert colours["falcons"] == team_color("falcons")
    for team in colours:
        assert team_color(team, ["falcons", "owls", "tigers"]) == colours[team]
    assert team_color("outsider", ["falcons"]) == team_color("outsider")


def test_a_thirteenth_team_repeats_a_colour_rather_than_failing():
    colours = team_colors(ANIMALS + ["red"])
    assert len(colours) == 13 and set(colours.values()) == set(TEAM_COLORS)


# ------------------------------------------------------------------ colour blindness
# Machado, Oliveira & Fernandes (2009), full severity, applied to linear RGB
DICHROMACY = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def _lab(colour: str, seen_as: str | None = None) -> tuple[float, float, float]:
    """CIELAB (D65) of a hex colour, as seen with a dichromacy when ``seen_as`` names one."""
    rgb = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    rgb = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    if seen_as:
        rgb = np.clip(np.array(DICHROMACY[seen_as]) @ rgb, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ rgb / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _ciede2000(one: tuple[float, float, float], two: tuple[float, float, float]) -> float:
    """The CIEDE2000 colour difference (Sharma, Wu & Dalal, 2005)."""
    (l1, a1, b1), (l2, a2, b2) = one, two
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = math.degrees(math.atan2(b1, a1)) % 360, math.degrees(math.atan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    big_dh = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    h_mean = h1 + h2 if c1 * c2 == 0 else (h1 + h2) / 2 if abs(h1 - h2) <= 180 else \
        (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_mean - 30)) + 0.24 * math.cos(math.radians(2 * h_mean))
         + 0.32 * math.cos(math.radians(3 * h_mean + 6))
         - 0.20 * math.cos(math.radians(4 * h_mean - 63)))
    l_mean, c_mean = (l1 + l2) / 2, (c1 + c2) / 2
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_mean, 1 + 0.015 * c_mean * t
    r_t = -math.sin(math.radians(60 * math.exp(-(((h_mean - 275) / 25) ** 2)))) \
        * 2 * math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7))
    dl, dc, dhh = (l2 - l1) / s_l, (c2 - c1) / s_c, big_dh / s_h
    return math.sqrt(dl ** 2 + dc ** 2 + dhh ** 2 + r_t * dc * dhh)


def _closest(colours) -> float:
    """The smallest difference between two of ``colours``, for normal and dichromat vision."""
    return min(_ciede2000(_lab(a, seen), _lab(b, seen))
               for a, b in itertools.combinations(colours, 2)
               for seen in (None, *DICHROMACY))


def test_the_ciede2000_of_published_pairs():
    # two of the pairs Sharma, Wu & Dalal (2005) tabulate
    assert _ciede2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert _ciede2000((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)


def test_the_twelve_stay_as_far_apart_for_colour_blind_eyes_as_okabe_and_ito_do():
    okabe_ito = _closest(OKABE_ITO)
    assert 10 < okabe_ito < 11  # their closest pair: orange and reddish purple, for tritanopes
    assert _closest((*TEAM_COLORS, REFERENCE_COLOR)) >= 10
