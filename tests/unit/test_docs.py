"""The documentation stays in step with the code.

These tests fail when the docs drift: a parameter added without regenerating the parameter
table of ``docs/model.md``, a KPI missing from the glossary, a lever pointing at a module or key
that no longer exists, a README that lost its two commands, or a scenario without its teaching
comment. To fix the generated tables, run ``.venv/bin/python docs/make_parameter_table.py``.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from sim.metrics import KPI_GLOSSARY, KPI_NAMES
from sim.params import SECTIONS, assumption_ranges, parameter_table

ROOT = Path(__file__).resolve().parents[2]
MODEL_MD = ROOT / "docs" / "model.md"
README = ROOT / "README.md"
GENERATOR = ROOT / "docs" / "make_parameter_table.py"
SCENARIO_FILES = sorted((ROOT / "scenarios").glob("*.yaml"))
CHECK_FILES = sorted((ROOT / "scenarios" / "checks").glob("*.yaml"))

# Every lever named in the source articles must appear in the lever map.
SEED_LEVERS = (
    "different kpis",
    "silos",
    "blame game",
    "them and us",
    "more scrutiny on sales",
    "feedback on lead quality",
    "shared goals",
    "joint meetings",
    "crm and shared data",
    "senior leadership",
    "clearly defined roles",
    "prices too high",
    "video advertisement",
    "cold calling",
    "collaborative culture",
    "joint training",
)


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("make_parameter_table", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def model_text() -> str:
    return MODEL_MD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def readme_text() -> str:
    return README.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def lever_map(generator, model_text) -> str:
    return generator.extract(model_text, "lever-map")


def _table_keys(block: str) -> list[str]:
    return re.findall(r"^\| `([^`]+)` \|", block, flags=re.MULTILINE)


# ------------------------------------------------------------------ generated tables
@pytest.mark.parametrize("block", ["parameter-table", "default-channels", "kpi-glossary"])
def test_generated_block_matches_code(generator, model_text, block):
    expected = generator.BLOCKS[block]().strip()
    assert generator.extract(model_text, block) == expected, (
        f"the '{block}' block of docs/model.md is out of date; "
        "run .venv/bin/python docs/make_parameter_table.py"
    )


def test_parameter_table_has_exactly_one_row_per_parameter(generator, model_text):
    documented = _table_keys(generator.extract(model_text, "parameter-table"))
    expected = [key for key, *_ in parameter_table()]
    assert len(documented) == len(set(documented)), "a parameter is documented twice"
    assert documented == expected


def test_parameter_table_covers_every_section_and_channel_key(generator, model_text):
    documented = set(_table_keys(generator.extract(model_text, "parameter-table")))
    for section in SECTIONS:
        assert any(k.startswith(section + ".") for k in documented), section
    assert "marketing.channels.*.leads_per_week" in documented


def test_parameter_table_shows_each_plausible_range_and_nothing_else(generator, model_text):
    lines = generator.extract(model_text, "parameter-table").splitlines()
    assert lines[0].endswith("| description / source | plausible range |")
    ranges = assumption_ranges()
    shown = set()
    for line in lines[2:]:
        key = re.match(r"^\| `([^`]+)` \|", line).group(1)
        last = re.split(r"(?<!\\)\|", line)[-2].strip()
        r = ranges.get(key)
        if r is None:
            assert last == "", f"{key} has no plausible range but its row shows one"
            continue
        assert last.startswith(f"{r.low:g}–{r.high:g}: "), f"{key}: ends missing from the row"
        assert last.endswith(r.why.strip()), f"{key}: reason missing from the row"
        shown.add(key)
    assert shown == set(ranges)


def test_every_parameter_has_a_unit_and_a_description():
    for key, unit, _default, description in parameter_table():
        assert unit, f"{key} has no [unit] at the start of its description"
        assert description, f"{key} has no description"


def test_kpi_glossary_lists_every_kpi_once(generator, model_text):
    glossary = _table_keys(generator.extract(model_text, "kpi-glossary"))
    assert glossary == list(KPI_GLOSSARY)


def test_every_kpi_appears_in_model_doc(model_text):
    missing = [name for name in KPI_NAMES if f"`{name}`" not in model_text]
    assert not missing, f"KPIs not documented in docs/model.md: {missing}"


# ------------------------------------------------------------------ lever map
def test_lever_map_names_every_seed_lever(lever_map):
    text = lever_map.lower()
    missing = [lever for lever in SEED_LEVERS if lever not in text]
    assert not missing, f"levers missing from the lever map: {missing}"


def test_lever_map_module_paths_exist(lever_map):
    paths = re.findall(r"`(sim/[\w/]+\.py)`", lever_map)
    assert paths, "the lever map names no module"
    missing = sorted({p for p in paths if not (ROOT / p).is_file()})
    assert not missing, f"lever map names modules that do not exist: {missing}"


def test_every_module_path_in_model_doc_exists(model_text):
    paths = set(re.findall(r"`(sim/[\w/]+\.py)`", model_text))
    paths |= set(re.findall(r"`((?:tests|docs|scenarios)/[\w/]+\.(?:py|yaml))`", model_text))
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"docs/model.md names files that do not exist: {missing}"


def test_lever_map_parameter_keys_exist(lever_map):
    known = {key for key, *_ in parameter_table()}
    sections = tuple(f"{s}." for s in SECTIONS)
    keys = [k for k in re.findall(r"`([a-z_]+\.[a-z_.*]+)`", lever_map) if k.startswith(sections)]
    assert keys, "the lever map names no parameter key"
    unknown = sorted(set(keys) - known)
    assert not unknown, f"lever map names keys the model does not have: {unknown}"


def test_lever_map_scenarios_exist(lever_map):
    rows = [line for line in lever_map.splitlines() if line.startswith("| ") and "`" in line]
    names = set()
    for row in rows:
        scenario_cell = row.strip().strip("|").split("|")[-1]
        names |= set(re.findall(r"`([a-z_]+)`", scenario_cell))
    assert names
    missing = sorted(n for n in names if not (ROOT / "scenarios" / f"{n}.yaml").is_file())
    assert not missing, f"lever map names scenarios that do not exist: {missing}"


# ------------------------------------------------------------------ README
def test_readme_shows_the_two_commands_and_links_the_model(readme_text):
    assert "make lab" in readme_text
    assert "make test" in readme_text
    assert "(docs/model.md)" in readme_text, "README must link to docs/model.md"
    first_cli = readme_text.index("python -m sim")
    assert readme_text.index("make lab") < first_cli, "make lab must come before the tour"
    assert readme_text.index("make test") < first_cli, "make test must come before the tour"


def test_readme_links_point_to_existing_files(readme_text):
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme_text)
    local = [t for t in targets if "://" not in t and not t.startswith("mailto:")]
    missing = sorted(t for t in local if not (ROOT / t).exists())
    assert not missing, f"README links to missing files: {missing}"


def test_readme_names_every_preset_scenario(readme_text):
    missing = [p.stem for p in SCENARIO_FILES if f"`{p.stem}`" not in readme_text]
    assert not missing, f"presets not listed in README: {missing}"


# ------------------------------------------------------------------ scenarios
@pytest.mark.parametrize(
    "path", SCENARIO_FILES + CHECK_FILES, ids=lambda p: str(p.relative_to(ROOT))
)
def test_scenario_opens_with_a_comment(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#") and first.lstrip("# ").strip(), (
        f"{path.relative_to(ROOT)} must open with a comment stating what it teaches"
    )


def test_there_are_scenarios_to_check():
    assert SCENARIO_FILES and CHECK_FILES
