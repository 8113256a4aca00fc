"""Unit tests of sim.robustness: groups, labels, the SALib analyses, shares, resume and executors.

Every simulated test uses a tiny company (three weeks, no warm-up), three factor groups and the
smallest designs SALib accepts, so a whole robustness run takes a few seconds.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import sim.robustness as rb
from sim import sensitivity
from sim.claims import Claim
from sim.errors import ScenarioError
from sim.parallel import PoolExecutor, SerialExecutor
from sim.params import assumption_ranges
from tests.companies import lever_company

GROUPS = {"trust": ["trust.initial", "trust.adjust_rate"],
          "contact": ["sales.contact_prob_fresh"],
          "scoring": ["scoring.noise"]}
DESIGN = rb.Design(trajectories=2, samples=2, top=2, reps=1)


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> Path:
    return lever_company(tmp_path_factory.mktemp("company"), "trust.initial=0.8")


@pytest.fixture(scope="module")
def reference(company) -> rb.RobustnessResult:
    return rb.run([company], SerialExecutor(), DESIGN, seed=7, groups=GROUPS)


# ------------------------------------------------------------------ groups and labels
def test_every_assumption_is_in_exactly_one_group():
    groups = rb.factor_groups()
    keys = [k for ks in groups.values() for k in ks]
    assert sorted(keys) == sorted(assumption_ranges()) and len(keys) == len(set(keys))
    assert len(groups) == len(rb.GROUP_RULES)  # no key fell through to a section of its own
    assert "trust.adjust_rate" in groups["trust & conflict"]
    assert "feedback.price_learning_rate" in groups["pricing"]


def test_the_robust_label_has_one_threshold():
    assert rb.label(rb.ROBUST_SHARE, [("a", 0.1)]) == "robust"
    assert rb.label(0.89, [("a", 0.7), ("b", 0.2), ("c", 0.1)]) == "depends on a and b"
    assert rb.label(0.5, [("a", 0.7), ("b", 0.0)]) == "depends on a"
    assert rb.label(0.5, [("a", 0.0)]).startswith("depends on luck")


@pytest.mark.parametrize("claim, estimate, expected", [
    (dict(change="up"), 0.01, True), (dict(change="up"), 0.0, False),
    (dict(change="down"), -0.2, True), (dict(change="down"), 0.1, False),
    (dict(change="even", margin=0.03), -0.029, True), (dict(change="even", margin=0.03), 0.04, False),
    (dict(band=(0.0, 0.1)), 0.1, True), (dict(band=(0.0, 0.1)), 0.11, False),
    (dict(value=(1.0, 2.0)), 1.5, True), (dict(change="up"), math.nan, False),
])
def test_a_point_holds_when_its_estimate_satisfies_the_claim(claim, estimate, expected):
    assert rb.holds(Claim(says="x", kpi="revenue", **claim), estimate) is expected


def test_bad_designs_are_refused_naming_the_flag():
    for design, flag in ((rb.Design(samples=6), "--samples"), (rb.Design(top=9), "--top"),
                         (rb.Design(trajectories=1), "--trajectories"),
                         (rb.Design(levels=3), "--levels"), (rb.Design(reps=0), "--reps")):
        with pytest.raises(ScenarioError, match=flag):
            design.check(8)


# ------------------------------------------------------------------ the analyses
def _synthetic_problem() -> dict:
    return rb._problem({"big": ["trust.initial"], "small": ["scoring.noise"],
                        "none": ["sales.contact_floor"]}, assumption_ranges(),
                       ["big", "small", "none"])


def _scaled(problem: dict, x: np.ndarray) -> np.ndarray:
    lows = np.array([b[0] for b in problem["bounds"]])
    highs = np.array([b[1] for b in problem["bounds"]])
    return (x - lows) / (highs - lows)


def test_total_order_indices_rank_a_synthetic_function():
    from SALib.sample import sobol

    problem = _synthetic_problem()
    x = sobol.sample(problem, 256, calc_second_order=False, seed=3)
    u = _scaled(problem, x)
    y = 4 * u[:, 0] + u[:, 1] + 0 * u[:, 2]
    st = sensitivity.total_order(problem, y, seed=3)
    assert list(st) == ["big", "small", "none"]
    assert st["big"] > st["small"] > st["none"] == pytest.approx(0, abs=1e-9)
    assert st["big"] == pytest.approx(16 / 17, abs=0.15)
    assert sensitivity.total_order(problem, np.ones(len(y)), seed=3) == dict.fromkeys(st, 0.0)
    assert all(math.isnan(v) for v in sensitivity.total_order(problem, y * math.nan, 3).values())


def test_screening_ranks_groups_with_every_claim_having_the_same_say():
    from SALib.sample import morris

    problem = _synthetic_problem()
    x = morris.sample(problem, 4, num_levels=4, seed=1)
    u = _scaled(problem, x)
    big = sensitivity.screen(problem, x, 1000 * u[:, 0] + 10 * u[:, 1], 4)
    assert big["big"] > big["small"] > big["none"] == 0
    # a second claim, in tiny units, that only the "small" group moves
    small = sensitivity.screen(problem, x, 0.001 * u[:, 1], 4)
    ranking = sensitivity.choose([big, small], 2, ["big", "small", "none"])
    assert [n for n, _ in ranking] == ["small", "big", "none"]
    assert ranking[0][1] == pytest.approx((0.01 + 1) / 2)


# ------------------------------------------------------------------ a robustness run
def test_a_run_reports_shares_labels_and_dependencies(reference):
    r = reference
    assert [c.claim.says for c in r.claims] == ["more opportunities", "fewer busy hours"]
    assert r.configurations == 4  # base and lever, with and without the claim's condition
    screening, second = DESIGN.points(len(GROUPS))
    assert (screening, second) == (8, 8)
    assert r.runs == (screening + second) * r.configurations * DESIGN.reps
    assert len(r.chosen) == DESIGN.top and set(r.chosen) <= set(GROUPS)
    for c in r.claims:
        assert c.points == second and 0 <= c.share <= 1
        assert (c.share * second) == pytest.approx(round(c.share * second))
        st = [v for _, v in c.depends_on]
        assert {n for n, _ in c.depends_on} == set(r.chosen) and st == sorted(st, reverse=True)
        assert {n for n, _ in c.screening} == set(GROUPS)
        assert c.label == rb.label(c.share, c.depends_on)
    assert r.claims[1].share == 1.0 and r.claims[1].label == "robust"  # six reps are never busier
    payload = r.to_dict()
    assert payload["summary"]["robust"] + payload["summary"]["depends"] == 2
    assert payload["claims"][0]["depends_on"][0][0] in GROUPS


def test_share_is_the_fraction_of_points_where_the_estimate_holds(company, monkeypatch):
    real = rb.estimates

    def fixed(rows, points, entries):
        y = real(rows, points, entries)
        if points == DESIGN.points(len(GROUPS))[1]:  # the second stage: 3 of 8 points hold
            y[0] = [1, 1, 1, -1, -1, -1, -1, 0]
        return y

    monkeypatch.setattr(rb, "estimates", fixed)
    r = rb.run([company], SerialExecutor(), DESIGN, seed=7, groups=GROUPS)
    assert r.claims[0].share == 3 / 8
    assert r.claims[0].label.startswith("depends on ")


def test_a_claims_own_conditions_are_not_sampled(company):
    configs, _ = rb._set_up([company])
    specs = rb._specs("t", [{"trust.initial": 0.72, "scoring.noise": 0.2}], configs, 1, 1)
    values = {(s.labels["config"], s.scenario.trust.initial, s.scenario.scoring.noise)
              for s in specs}
    assert values == {(0, 0.72, 0.2), (1, 0.72, 0.2), (2, 0.8, 0.2), (3, 0.8, 0.2)}


def test_pool_and_serial_executors_give_the_same_result(company, reference):
    pool = PoolExecutor(2)
    try:
        on_pool = rb.run([company], pool, DESIGN, seed=7, groups=GROUPS)
    finally:
        pool.close()
    assert on_pool.to_dict() == reference.to_dict()


def test_dask_local_cluster_gives_the_same_result(company, reference):
    pytest.importorskip("dask.distributed")
    from sim.parallel import DaskExecutor

    dask = DaskExecutor("local", workers=2)
    try:
        on_dask = rb.run([company], dask, DESIGN, seed=7, groups=GROUPS)
    finally:
        dask.close()
    assert on_dask.to_dict() == reference.to_dict()


# ------------------------------------------------------------------ the run folder
def test_a_killed_run_resumes_to_the_same_result(company, reference, tmp_path, monkeypatch):
    out = tmp_path / "r"
    saved, calls = rb.save_run, []

    def save_then_stop(*args):
        saved(*args)
        calls.append(args)
        if len(calls) == 40:  # in the middle of the second stage
            raise KeyboardInterrupt

    monkeypatch.setattr(rb, "save_run", save_then_stop)
    with pytest.raises(KeyboardInterrupt):
        rb.run([company], SerialExecutor(), DESIGN, seed=7, out=out, groups=GROUPS)
    monkeypatch.setattr(rb, "save_run", saved)
    assert len(list((out / "runs").rglob("*.parquet"))) == 40
    told: list[str] = []
    resumed = rb.run([company], SerialExecutor(), DESIGN, seed=7, out=out, resume=True,
                     groups=GROUPS, warn=told.append)
    assert resumed.to_dict() == reference.to_dict() and told == []
    assert len(list((out / "runs").rglob("*.parquet"))) == reference.runs
    # a finished folder resumes without running anything again, to the same result
    again = rb.run([company], SerialExecutor(), DESIGN, seed=7, out=out, resume=True,
                   groups=GROUPS)
    assert again.to_dict() == reference.to_dict()


def test_a_folder_of_another_run_is_refused(company, tmp_path):
    out = tmp_path / "r"
    rb.run([company], SerialExecutor(), DESIGN, seed=7, out=out, groups=GROUPS)
    with pytest.raises(ScenarioError, match="already holds a robustness run"):
        rb.run([company], SerialExecutor(), DESIGN, seed=7, out=out, groups=GROUPS)
    for other in (dict(seed=8), dict(design=rb.Design(trajectories=3, samples=2, top=2))):
        kwargs = {"design": DESIGN, "seed": 7, **other}
        with pytest.raises(ScenarioError, match="holds a different robustness run"):
            rb.run([company], SerialExecutor(), out=out, resume=True, groups=GROUPS, **kwargs)


def test_a_copied_run_file_is_reported_and_redone(company, reference, tmp_path):
    out = tmp_path / "r"
    rb.run([company], SerialExecutor(), DESIGN, seed=7, out=out, groups=GROUPS)
    runs = out / "runs" / "sobol"
    (runs / "sobol-0001-000-rep-000.parquet").write_bytes(
        (runs / "sobol-0000-000-rep-000.parquet").read_bytes())
    told: list[str] = []
    resumed = rb.run([company], SerialExecutor(), DESIGN, seed=7, out=out, resume=True,
                     groups=GROUPS, warn=told.append)
    assert resumed.to_dict() == reference.to_dict()
    assert len(told) == 1 and "holds stage sobol point 0 config 0 replication 0" in told[0]


def test_a_file_without_claims_is_refused(tmp_path):
    (tmp_path / "plain.yaml").write_text("weeks: 3\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="states no claims"):
        rb.run([tmp_path / "plain.yaml"], SerialExecutor(), DESIGN, groups=GROUPS)


def test_the_page_and_the_chart_are_made(reference, agg_backend):
    page = rb.markdown(reference, rb.command_line(["lever.yaml", "--seed", "7"]))
    assert "python -m sim robustness lever.yaml --seed 7" in page
    assert "| lever | more opportunities |" in page and "seed 7" in page.lower()
    fig = rb.plot(reference)
    assert len(fig.axes) == 3  # shares, indices and the colour bar


# ------------------------------------------------------------------ what the presets teach
def test_the_page_covers_every_claim_of_the_presets():
    """docs/robustness.md is the default run over today's claims: each one has its row."""
    from sim.claims import claimed_files, read_claims
    from sim.robustness_page import read_page

    page = {(r.scenario, r.says) for r in read_page()}
    claims = {(p.stem, c.says) for p in claimed_files("scenarios") for c in read_claims(p)}
    assert claims == page


def test_each_preset_header_says_how_robust_its_lesson_is():
    """A preset whose claims all hold on 90 % of the plausible space says so; one that does not
    names the claim, its share and what it depends on, and teaches it as conditional."""
    from sim.claims import claimed_files, header_text
    from sim.robustness_page import header_sentences, read_page

    rows = read_page()
    for path in claimed_files("scenarios"):
        header = header_text(path)
        for sentence in header_sentences(rows, path.stem):
            assert sentence in header, f"{path.name}: header lacks {sentence!r}"
        if any(not r.robust for r in rows if r.scenario == path.stem):
            assert "default assumptions" in header.lower(), path.name


def test_page_rows_read_back_with_their_labels(tmp_path):
    from sim.robustness_page import ROBUST_SENTENCE, header_sentences, read_page

    page = tmp_path / "page.md"
    page.write_text("| scenario | claim | kpi | share | label | ST |\n|---|---|---|---:|---|---|\n"
                    "| a | up (with x=1) | revenue | 95% | robust | - |\n"
                    "| b | a \\| b | won | 40% | depends on trust & conflict | t 0.5 |\n")
    rows = read_page(page)
    assert [(r.scenario, r.says, r.share, r.robust) for r in rows] == [
        ("a", "up", 0.95, True), ("b", "a | b", 0.40, False)]
    assert header_sentences(rows, "a") == [ROBUST_SENTENCE]
    assert header_sentences(rows, "b") == [
        'Depends on the assumptions: "a | b" holds in 40 % of their plausible space, mostly on '
        "trust & conflict (docs/robustness.md)."]
    assert header_sentences(rows, "c") == []


def test_notebooks_and_trainer_notes_label_each_lesson():
    """Notebooks 00-05 and the run sheet carry each preset's robustness label as the page
    gives it, so a lesson that depends on the assumptions is never shown as a fact."""
    import re

    import nbformat

    from sim.claims import claimed_files
    from sim.robustness_page import lesson_lines, read_page

    rows = read_page()
    for path in sorted(Path("notebooks").glob("0[0-5]_*.ipynb")):
        cells = [c.source for c in nbformat.read(path, as_version=4).cells
                 if c.cell_type == "markdown" and c.source.startswith("## How far these lessons hold")]
        assert len(cells) == 1, f"{path.name}: no 'How far these lessons hold' cell"
        named = re.findall(r"^- `([a-z_]+)`", cells[0], flags=re.M)
        assert named, path.name
        for line in lesson_lines(rows, named):
            assert line in cells[0], f"{path.name}: {line!r}"
    sheet = Path("docs/facilitator/run_sheet.md").read_text(encoding="utf-8")
    for line in lesson_lines(rows, [p.stem for p in claimed_files("scenarios")]):
        assert line in sheet, line
