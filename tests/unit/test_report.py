"""Unit tests of sim.views.report: one self-contained, escaped HTML page, written atomically."""

import base64
import html
import platform
import re
from datetime import datetime
from html.parser import HTMLParser

import pytest
import simpy

import sim
from sim import KPI_NAMES, Scenario, ScenarioError, load_scenario, with_overrides
from sim import files as files_module
from sim.experiment import compare, replicate, summarise
from sim.params import ABSENT, flatten_settings, settings_diff
from sim.views import report as report_module
from sim.views.images import figure_data_uri
from sim.views.labels import format_interval, format_value, kpi_label
from sim.views.plots import funnel
from sim.views.report import render_report, write_report
from sim.views.report_data import simulate

XSS = "<script>alert(1)</script>"
SECOND = "volume <i>KPI</i>"
CHANNEL = "<b>fair</b>"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


pytestmark = pytest.mark.usefixtures("agg_backend")


@pytest.fixture(scope="module")
def scenarios():
    first = Scenario(weeks=6, name=XSS, description="Base & <b>bold</b> claims")
    raw = with_overrides(first, {"incentives.marketing_kpi": "mql_volume", "name": SECOND,
                                 "description": "MQL volume"}).model_dump()
    channels = raw["marketing"]["channels"]
    channels[CHANNEL] = {**channels["webinar"], "leads_per_week": 5.0}
    return [first, Scenario.model_validate(raw)]


@pytest.fixture(scope="module")
def data(scenarios):
    return simulate(scenarios, reps=3, seed=5)


@pytest.fixture(scope="module")
def page(scenarios, data):
    return render_report(scenarios, reps=3, seed=5, source_paths=["dir/<a>.yaml", "b c.yaml"],
                         now=datetime(2026, 1, 2, 3, 4), data=data)


class _Balance(HTMLParser):
    """Records tags that close out of order or never close."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.count: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> while {self.stack[-3:]} open at {self.getpos()}")
            return
        self.stack.pop()


def _balance(text: str) -> _Balance:
    parser = _Balance()
    parser.feed(text)
    parser.close()
    return parser


def _section(page: str, start: str, end: str) -> str:
    i = page.index(start)
    return page[i:page.index(end, i)]


# ------------------------------------------------------------------------------ content
def test_html_parses_with_balanced_tags(page):
    parser = _balance(page)
    assert parser.errors == [] and parser.stack == []
    assert page.startswith("<!DOCTYPE html>")
    for tag in ("html", "head", "body", "title", "style", "table", "footer"):
        assert parser.count.get(tag, 0) >= 1, tag
    broken = _balance(page.replace("</table>", "", 1))
    assert broken.errors or broken.stack  # the check itself notices a missing close tag


def test_every_kpi_and_scenario_name_appear(page):
    for kpi in KPI_NAMES:  # by its human label, the code name as a tooltip
        head = f'<th title="{kpi}">{html.escape(kpi_label(kpi), quote=True)}</th>'
        assert page.count(head) == 2, kpi  # KPI table and differences table
    assert "volume &lt;i&gt;KPI&lt;/i&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_user_text_is_escaped_and_never_raw(page):
    for raw in (XSS, SECOND, CHANNEL, "<b>bold</b>", "dir/<a>.yaml"):
        assert raw not in page, raw
    assert "<script" not in page.lower() and "<i>" not in page and "<b>" not in page
    assert "Base &amp; &lt;b&gt;bold&lt;/b&gt; claims" in page
    assert "dir/&lt;a&gt;.yaml" in page


def test_page_is_self_contained(page):
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 6  # bridge, funnel, revenue, KPI bars, speed to lead, trust
    assert all(base64.b64decode(b).startswith(b"\x89PNG") for b in images)
    for title in ("Funnel", "Revenue over time", "KPI comparison", "Speed to lead",
                  "Trust over time"):
        assert f"<h3>{title}</h3>" in page


def test_numbers_are_those_of_compare(scenarios, data, page):
    comparison = compare(scenarios, reps=3, seed=5)
    for name in comparison.names:
        assert data.tables[name].equals(comparison.tables[name])
    diff = comparison.differences()[SECOND]["mqls"]["mean"]
    assert format_value("mqls", diff, signed=True) in _section(
        page, '<section id="differences">', "</section>")


def test_differences_highlighted_when_the_interval_excludes_zero(data, page):
    table = _section(page, '<section id="differences">', "</section>")
    marks = dict(re.findall(r'<tr><th title="(\w+)">[^<]*</th><td class="(num sig|num)">', table))
    assert set(marks) == set(KPI_NAMES)
    for kpi, cls in marks.items():
        low, high = data.differences[SECOND][kpi]["ci95"]
        assert (cls == "num sig") == (low > 0 or high < 0), kpi
    assert "num sig" in marks.values() and "num" in marks.values()


def test_summary_sentence_per_scenario(page):
    summary = _section(page, '<section id="answer">', "</section>")
    items = re.findall(r"<li>.*?</li>", summary)
    assert len(items) == 2
    assert "reference" in items[0] and "revenue" in items[0] and "profit" in items[0]
    assert ("<strong>volume &lt;i&gt;KPI&lt;/i&gt;</strong> compared with "
            "<strong>&lt;script&gt;") in items[1]
    assert items[1].count("95 % interval") == 2
    assert "Revenue is " in items[1] and "Profit is " in items[1]  # in words


def test_report_leads_with_the_answer_then_figures_then_tables(data, page):
    order = [page.index(f'<section id="{s}">') for s in ("answer", "bridge", "figures", "kpis")]
    assert order == sorted(order)
    answer_end = page.index("</section>", order[0])
    assert page.index('<section id="bridge">') == answer_end + len("</section>")  # right after
    answer = _section(page, '<section id="answer">', "</section>")
    d = data.differences[SECOND]["revenue"]
    assert "revenue than" in answer and format_interval("revenue", *d["ci95"]) in answer
    assert "€" in answer  # money with its currency symbol


def _money(text: str) -> float:
    """A signed currency figure as the report writes it (``−€1,234``, ``+€56``, ``±€0``)."""
    value = float(re.sub(r"[^0-9.]", "", text))
    return -value if text.startswith("−") else value


def test_bridge_steps_add_up_to_the_revenue_difference(data, page):
    first = data.names[0]
    bridge = data.bridges[SECOND]
    difference = data.differences[SECOND]["revenue"]["mean"]
    assert bridge.before == pytest.approx(data.means[first]["revenue"])
    assert bridge.after == pytest.approx(data.means[SECOND]["revenue"])
    assert sum(s.effect for s in bridge.steps) == pytest.approx(difference, abs=1e-6)
    assert any(abs(s.effect) > 1 for s in bridge.steps)  # a real split, not all zeros
    section = _section(page, '<section id="bridge">', "</section>")
    assert f"{html.escape(SECOND)} against {html.escape(XSS)}</h3>" in section
    assert section.count('<img src="data:image/png;base64,') == 1  # one waterfall
    rows = re.findall(r"<tr><th>([^<]+)</th><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>"
                      r"<td[^>]*>([^<]+)</td></tr>", section)
    assert [r[0] for r in rows] == [s.label for s in bridge.steps] + ["Revenue"]
    effects = [r[3] for r in rows]
    assert effects == [format_value("revenue", s.effect, signed=True) for s in bridge.steps] + [
        format_value("revenue", difference, signed=True)]
    assert all(e[0] in "+−±" and "€" in e for e in effects)
    # what a reader adds up: the rounded steps make the rounded difference, within the rounding
    assert abs(sum(map(_money, effects[:-1])) - _money(effects[-1])) <= len(bridge.steps)
    assert rows[-1][1:3] == (format_value("revenue", bridge.before),
                             format_value("revenue", bridge.after))
    assert rows[1][1].endswith(" %")  # shares of the chain in per cent


def test_report_has_no_developer_text(scenarios, data):
    page = render_report(scenarios, data=data)
    assert "dump_scenario" not in page and "sim." not in _section(page, "<body>", "<footer>")


def test_report_title_uses_the_names_given(scenarios, data):
    page = render_report(scenarios, data=data, title="Dearer prices: baseline vs dearer")
    assert "<h1>Dearer prices: baseline vs dearer</h1>" in page
    assert "<title>Dearer prices: baseline vs dearer</title>" in page


def test_a_repeated_description_says_what_changed():
    base = Scenario(weeks=2, name="base", description="A typical company.")
    dearer = with_overrides(base, {"name": "base + price 1.1", "pricing.price_index": 1.1})
    page = render_report([base, dearer], data=simulate([base, dearer], reps=1))
    scenarios = _section(page, '<section id="scenarios">', "</section>")
    assert scenarios.count("A typical company.") == 1
    assert "base with price 1.1" in scenarios


def test_settings_diff_lists_what_differs(page):
    diff = _section(page, '<table class="diff">', "</table>")
    key = '<code class="key">incentives.marketing_kpi</code>'
    assert f"What marketing is measured on {key}</td><td>pipeline</td><td>mql_volume</td>" in diff
    assert "sales.reps" not in diff and ">name<" not in diff
    fair = '<code class="key">marketing.channels.&lt;b&gt;fair&lt;/b&gt;.leads_per_week</code></td>'
    assert f"{fair}<td>(absent)</td><td>5</td>" in diff
    every = _section(page, "<details><summary>Every setting", "</details>")
    assert '<tr class="differs"><td>What marketing is measured on <code class="key">' in every
    assert '<tr><td>Sales reps <code class="key">sales.reps</code>' in every


def test_reproducibility_footer(scenarios, page):
    footer = _section(page, "<footer>", "</footer>")
    assert "<dd>5 for every scenario" in footer
    assert "<dd>3 per scenario</dd>" in footer
    assert "<dt>weeks simulated</dt><dd>6</dd>" in footer
    for version in (sim.__version__, platform.python_version(), simpy.__version__):
        assert version in footer
    assert "python -m sim report" in footer and "--reps 3 --seed 5" in footer
    assert "&#x27;b c.yaml&#x27;" in footer  # quoted for the shell, then escaped
    assert "2026-01-02 03:04" in page
    assert footer.count("(YAML)</summary>") == 2


def test_single_scenario_uses_replicate_and_summarise(scenarios):
    one = scenarios[1]
    page = render_report([one], reps=2, seed=9)
    assert '<section id="differences">' not in page and 'id="bridge"' not in page
    assert _balance(page).errors == []
    means, ci = summarise(replicate(one, 2, seed=9))
    revenue = format_value("revenue", means["revenue"])
    summary = _section(page, '<section id="answer">', "</section>")
    assert f"revenue {revenue}" in summary and "mean of 2 replications" in summary
    assert format_value("revenue", ci["revenue"][0]) in summary
    assert "python -m sim report" not in page  # no files to name: the YAML is given instead


def test_command_carries_overrides_of_the_files(repo):
    paths = [str(repo / "scenarios" / "baseline.yaml"), str(repo / "scenarios" / "volume_kpi.yaml")]
    loaded = [load_scenario(p, ["weeks=4"]) for p in paths]
    page = render_report(loaded, reps=1, source_paths=paths, out="out/r.html",
                         data=simulate(loaded, reps=1))
    footer = _section(page, "<footer>", "</footer>")
    assert "--set weeks=4.0 --out r.html" in footer
    assert "one replication gives no interval" in page


def test_render_checks_its_arguments(scenarios, data):
    with pytest.raises(ValueError):
        render_report(scenarios, source_paths=["only-one.yaml"], data=data)
    with pytest.raises(ValueError):
        simulate([], reps=2)
    with pytest.raises(ValueError):
        simulate(scenarios, reps=0)


def test_duplicate_names_are_told_apart():
    twin = Scenario(weeks=2, name="same")
    data = simulate([twin, twin], reps=1)
    assert data.names == ["same", "same (2)"]


# ------------------------------------------------------------------------------ settings
def test_flatten_and_diff_settings():
    base = Scenario()
    flat = flatten_settings(base)
    assert flat["sales.reps"] == base.sales.reps
    assert "marketing.channels.webinar.leads_per_week" in flat
    other = with_overrides(base, {"sales.reps": base.sales.reps + 1, "name": "other"})
    assert settings_diff(base, other, skip=("name",)) == [
        ("sales.reps", base.sales.reps, base.sales.reps + 1)]
    assert [k for k, _a, _b in settings_diff(base, other)] == ["name", "sales.reps"]
    raw = base.model_dump()
    del raw["marketing"]["channels"]["webinar"]
    fewer = Scenario.model_validate(raw)
    missing = [d for d in settings_diff(base, fewer) if d[2] is ABSENT]
    assert missing and all(k.startswith("marketing.channels.webinar.") for k, _, _ in missing)


def test_figure_to_data_uri():
    fig = funnel({"leads": 10, "mqls": 5})
    uri = figure_data_uri(fig, dpi=30)
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).startswith(b"\x89PNG")


# ------------------------------------------------------------------------------ writing
def test_write_report_is_atomic_and_complete(tmp_path):
    out = tmp_path / "report.html"
    out.write_text("old report")
    scenario = Scenario(weeks=3, name="tiny")
    assert write_report([scenario], out, reps=2, seed=1) == out
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert "old report" not in text
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if the report starts simulating."""
    def refuse(*args, **kwargs):
        raise AssertionError("simulation started before the output path was checked")
    monkeypatch.setattr(report_module, "simulate", refuse)


def test_missing_folder_is_refused_before_running(tmp_path, no_simulation):
    out = tmp_path / "missing" / "report.html"
    with pytest.raises(ScenarioError, match="does not exist"):
        write_report([Scenario(weeks=2)], out, reps=1)
    assert list(tmp_path.iterdir()) == []


def test_folder_that_is_a_file_is_refused(tmp_path, no_simulation):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("keep me")
    with pytest.raises(ScenarioError, match="is a file"):
        write_report([Scenario(weeks=2)], blocker / "report.html", reps=1)
    with pytest.raises(ScenarioError, match="is a file"):
        write_report([Scenario(weeks=2)], blocker / "sub" / "report.html", reps=1)
    assert blocker.read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_target_that_is_a_folder_is_refused(tmp_path, no_simulation):
    with pytest.raises(ScenarioError, match="is a folder"):
        write_report([Scenario(weeks=2)], tmp_path, reps=1)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(report_module, "render_report", lambda *a, **k: "<html></html>")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(files_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_report([Scenario(weeks=2)], tmp_path / "report.html", reps=1)
    assert list(tmp_path.iterdir()) == []


def test_settings_text_is_read_back_within_the_yaml_readers_limits():
    # a text setting that YAML would read as something else is quoted for --set; reading it
    # must not recurse without bound (deep nesting) or expand aliases without bound
    deep = "[" * 5000
    assert report_module._yaml_value(deep) == f"'{deep}'"
    laughs = "[&a [1,1,1,1,1,1,1,1,1], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a], " + ", ".join(
        f"&{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in zip("bcdefg", "cdefgh", strict=True)
    ) + "]"
    assert report_module._yaml_value(laughs) == f"'{laughs}'"
    assert report_module._yaml_value("fifo") == "fifo"


def test_report_says_how_far_a_compared_presets_lesson_holds():
    """A report comparing presets carries their robustness labels; one of ad-hoc scenarios
    has no such section."""
    base = with_overrides(load_scenario("baseline"), {"weeks": 4})
    team = with_overrides(load_scenario("team_selling"), {"weeks": 4})
    page = render_report([base, team], data=simulate([base, team], reps=1))
    section = page.split('<section id="robustness">', 1)[1].split("</section>", 1)[0]
    assert "<code>team_selling</code>" in section and "depends on the assumptions" in section
    assert "revenue rises by less than a tenth" in section
    plain = [Scenario(weeks=4, name="a"), Scenario(weeks=4, name="b")]
    assert 'id="robustness"' not in render_report(plain, data=simulate(plain, reps=1))
