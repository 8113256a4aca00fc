"""Unit tests of sim.views.palette: a scenario or a team keeps its colour in every chart."""

from sim.views.palette import OKABE_ITO, scenario_color, scenario_colors, team_color


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
