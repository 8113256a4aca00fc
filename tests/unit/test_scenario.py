"""Unit and property tests of :mod:`sim.scenario`: YAML in, validated Scenario out."""

from __future__ import annotations

import math
import os
import string
import tempfile
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from sim.errors import ScenarioError
from sim.params import MAX_RUN_WEEKS, Scenario
from sim.params_marketing import Channel
from sim.scenario import (
    SCENARIO_DIR,
    apply_override,
    deep_merge,
    dump_scenario,
    field_bounds,
    get_value,
    load_raw,
    load_scenario,
    parse_override,
    preset_names,
    resolve_scenario_path,
    scenario_from_dict,
    valid_keys,
    with_overrides,
)

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "scenarios" / "baseline.yaml"
CHANNEL = "webinar"
PROPERTY = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"sales.reps": 3}`` -> ``{"sales": {"reps": 3}}``."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        node = out
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


# ---------------------------------------------------------------- the field catalogue
def field_of(key: str):
    model: type[BaseModel] = Scenario
    parts = key.split(".")
    i = 0
    while True:
        name = parts[i]
        field = model.model_fields[name]
        if i == len(parts) - 1:
            return field
        if name == "channels":
            model, i = Channel, i + 2
        else:
            model, i = field.annotation, i + 1  # type: ignore[assignment]


def bounds(field) -> tuple[Any, bool, Any, bool]:
    return field_bounds(field)


def kind_of(field) -> str:
    args = set(typing.get_args(field.annotation)) or {field.annotation}
    if typing.get_origin(field.annotation) is typing.Literal:
        return "enum"
    args.discard(type(None))
    if args == {bool}:
        return "bool"
    if args == {int}:
        return "int"
    if args == {float}:
        return "float"
    return "other"


KEYS = valid_keys([CHANNEL])
NUMERIC = {k: field_of(k) for k in KEYS if kind_of(field_of(k)) in ("int", "float")}
BOUNDED = {k: f for k, f in NUMERIC.items() if bounds(f) != (None, False, None, False)}
ENUMS = {k: typing.get_args(field_of(k).annotation) for k in KEYS
         if kind_of(field_of(k)) == "enum"}
BOOLS = [k for k in KEYS if kind_of(field_of(k)) == "bool"]
CROSS = {"weeks", "warmup_weeks"}  # drawn together: warm-up + horizon is at most MAX_RUN_WEEKS


def test_catalogue_covers_the_model():
    assert len(NUMERIC) >= 40
    assert set(NUMERIC) == set(BOUNDED), "every numeric key declares its valid range"
    assert {"sales.prioritisation", "feedback.mode", "incentives.marketing_kpi",
            "incentives.sales_comp", "communication.handoff"} <= set(ENUMS)
    assert "sales.business_hours" in BOOLS


def valid_value(key: str) -> st.SearchStrategy:
    field = NUMERIC[key]
    low, low_open, high, high_open = bounds(field)
    if kind_of(field) == "int":
        lo = None if low is None else low + (1 if low_open else 0)
        hi = None if high is None else high - (1 if high_open else 0)
        return st.integers(lo, hi)
    strategy = st.floats(low, high, exclude_min=low_open, exclude_max=high_open,
                         allow_nan=False, allow_infinity=False)

    def inside(v: float) -> bool:
        return ((low is None or (v > low if low_open else v >= low))
                and (high is None or (v < high if high_open else v <= high)))

    return strategy.filter(inside)


def invalid_value(key: str) -> st.SearchStrategy:
    field = NUMERIC[key]
    low, low_open, high, high_open = bounds(field)
    options = []
    if kind_of(field) == "int":
        if low is not None:
            options.append(st.integers(max_value=low if low_open else low - 1))
        if high is not None:
            options.append(st.integers(min_value=high if high_open else high + 1))
        return st.one_of(options)
    finite = {"allow_nan": False, "allow_infinity": False}
    if low is not None:
        options.append(st.floats(max_value=low, **finite).filter(
            lambda v: v <= low if low_open else v < low))
    if high is not None:
        options.append(st.floats(min_value=high, **finite).filter(
            lambda v: v >= high if high_open else v > high))
    return st.one_of(options)


@st.composite
def valid_settings(draw, max_keys: int = 5) -> dict[str, Any]:
    """A few numeric keys with values inside their declared ranges (a whole-week warm-up that
    fits the run with the horizon)."""
    keys = draw(st.lists(st.sampled_from(sorted(set(NUMERIC) - CROSS)), min_size=1,
                         max_size=max_keys, unique=True))
    values = {k: draw(valid_value(k)) for k in keys}
    if draw(st.booleans()):
        weeks = draw(valid_value("weeks"))
        values["weeks"] = weeks
        # set with the horizon, so an inherited warm-up cannot push the run past its limit
        low = bounds(NUMERIC["warmup_weeks"])[0]
        values["warmup_weeks"] = draw(st.integers(low, math.floor(MAX_RUN_WEEKS - weeks)))
    return values


# ---------------------------------------------------------------- deep_merge
def test_deep_merge_merges_nested_mappings_key_by_key():
    base = {"a": 1, "s": {"x": 1, "y": {"p": 1, "q": 2}}, "keep": [1, 2]}
    override = {"s": {"y": {"q": 3}, "z": 4}, "b": 2}
    merged = deep_merge(base, override)
    assert merged == {"a": 1, "s": {"x": 1, "y": {"p": 1, "q": 3}, "z": 4}, "keep": [1, 2],
                      "b": 2}


def test_deep_merge_replaces_non_mappings_and_copies():
    base = {"s": {"x": 1}, "l": [1], "m": {"k": 1}}
    override = {"s": 5, "l": [2, 3], "m": None}
    merged = deep_merge(base, override)
    assert merged == {"s": 5, "l": [2, 3], "m": None}
    merged2 = deep_merge({"s": 1}, {"s": {"x": [1]}})
    assert merged2 == {"s": {"x": [1]}}


def test_deep_merge_leaves_inputs_alone():
    base = {"s": {"x": [1]}}
    override = {"s": {"y": [2]}}
    merged = deep_merge(base, override)
    merged["s"]["x"].append(9)
    merged["s"]["y"].append(9)
    assert base == {"s": {"x": [1]}}
    assert override == {"s": {"y": [2]}}


# ---------------------------------------------------------------- parse_override
@pytest.mark.parametrize(("text", "key", "value"), [
    ("sales.reps=8", "sales.reps", 8),
    ("scoring.noise=0.5", "scoring.noise", 0.5),
    ("sales.business_hours=true", "sales.business_hours", True),
    ("sales.business_hours=false", "sales.business_hours", False),
    ("sales.prioritisation=fifo", "sales.prioritisation", "fifo"),
    ("communication.sla_hours=null", "communication.sla_hours", None),
    ("communication.sla_hours=none", "communication.sla_hours", None),
    ("communication.sla_hours=None", "communication.sla_hours", None),
    ("communication.sla_hours=~", "communication.sla_hours", None),
    ("feedback.mode=none", "feedback.mode", "none"),  # a valid choice, not "empty"
    ("name=none", "name", "none"),
    ("communication.sla_hours=", "communication.sla_hours", None),
    (" sales.reps = 8", "sales.reps", 8),
    ("name=a=b", "name", "a=b"),
    ("seed=1e3", "seed", "1e3"),
    ("weeks=1.0e+1", "weeks", 10.0),
])
def test_parse_override_types_values(text, key, value):
    got_key, got_value = parse_override(text)
    assert got_key == key
    assert got_value == value
    assert type(got_value) is type(value)


@pytest.mark.parametrize("text", ["sales.reps", "=3", " =3", ""])
def test_parse_override_needs_path_and_value(text):
    with pytest.raises(ScenarioError, match="PATH=VALUE") as info:
        parse_override(text)
    assert info.value.source == "--set"


def test_parse_override_refuses_unreadable_value():
    with pytest.raises(ScenarioError, match=r"sales\.reps: cannot read value '\[1'"):
        parse_override("sales.reps=[1")


# ---------------------------------------------------------------- apply_override
def test_apply_override_sets_nested_keys_and_creates_sections():
    raw: dict[str, Any] = {"sales": {"reps": 2}}
    apply_override(raw, "sales.max_attempts", 3)
    apply_override(raw, "feedback.mode", "none")
    apply_override(raw, "name", "renamed")
    assert raw == {"sales": {"reps": 2, "max_attempts": 3}, "feedback": {"mode": "none"},
                   "name": "renamed"}


def test_apply_override_refuses_unknown_keys_with_a_suggestion():
    with pytest.raises(ScenarioError) as info:
        apply_override({}, "sales.rpes", 3)
    assert info.value.key == "sales.rpes"
    assert "did you mean 'sales.reps'" in str(info.value)


def test_apply_override_refuses_sections():
    with pytest.raises(ScenarioError, match="is a section") as info:
        apply_override({}, "sales", 3)
    assert "sales.reps" in str(info.value)


def test_apply_override_names_the_channels_of_the_scenario():
    raw = {"marketing": {"channels": {"webinar": {}, "events": {}}}}
    with pytest.raises(ScenarioError) as info:
        apply_override(raw, "marketing.channels.webnar.leads_per_week", 1)
    message = str(info.value)
    assert "unknown channel 'webnar'" in message
    assert "did you mean 'webinar'" in message
    assert "webinar, events" in message


def test_apply_override_on_a_known_channel_with_a_bad_field_is_an_unknown_key():
    raw = {"marketing": {"channels": {"webinar": {}}}}
    with pytest.raises(ScenarioError) as info:
        apply_override(raw, "marketing.channels.webinar.leads_per_wek", 1)
    assert "unknown channel" not in str(info.value)
    assert "did you mean 'marketing.channels.webinar.leads_per_week'" in str(info.value)


def test_override_of_a_default_channel_keeps_the_other_defaults(tmp_path):
    path = write(tmp_path / "plain.yaml", "name: plain\n")
    scenario = load_scenario(path, ["marketing.channels.events.leads_per_week=3"])
    defaults = Scenario().marketing.channels
    assert set(scenario.marketing.channels) == set(defaults)
    assert scenario.marketing.channels["events"].leads_per_week == 3
    assert (scenario.marketing.channels["events"].cost_per_lead
            == defaults["events"].cost_per_lead)
    assert scenario.marketing.channels["webinar"] == defaults["webinar"]


# ---------------------------------------------------------------- valid_keys
def test_valid_keys_lists_leaves_only():
    keys = valid_keys(["webinar", "events"])
    assert len(keys) == len(set(keys))
    assert "sales.reps" in keys and "name" in keys and "warmup_weeks" in keys
    assert "marketing.channels.webinar.leads_per_week" in keys
    assert "marketing.channels.events.inbound" in keys
    assert "marketing.channels.paid_search.leads_per_week" not in keys
    for section in ("sales", "marketing", "marketing.channels", "marketing.channels.webinar"):
        assert section not in keys
    assert "extends" not in keys


def test_valid_keys_without_channels_uses_a_placeholder():
    keys = valid_keys()
    assert "marketing.channels.<name>.leads_per_week" in keys
    per_channel = len(Channel.model_fields)
    assert len(valid_keys(["a", "b"])) == len(keys) + per_channel


# ---------------------------------------------------------------- files and extends
def test_extends_child_overrides_one_field_of_one_channel(tmp_path):
    write(tmp_path / "base.yaml", """\
name: base
description: the base
sales: {reps: 5, max_attempts: 4}
marketing:
  channels:
    web: {leads_per_week: 10, cost_per_lead: 50, inbound: true}
    list: {leads_per_week: 20, cost_per_lead: 5, inbound: false}
""")
    child = write(tmp_path / "sub" / "child.yaml", """\
extends: ../base.yaml
marketing:
  channels:
    web: {leads_per_week: 99}
sales: {reps: 2}
""")
    scenario = load_scenario(child)
    web, lst = scenario.marketing.channels["web"], scenario.marketing.channels["list"]
    assert web.leads_per_week == 99
    assert web.cost_per_lead == 50 and web.inbound is True
    assert (lst.leads_per_week, lst.cost_per_lead, lst.inbound) == (20, 5, False)
    assert list(scenario.marketing.channels) == ["web", "list"]
    assert scenario.sales.reps == 2 and scenario.sales.max_attempts == 4
    assert scenario.name == "child"
    assert scenario.description == ""


def test_extends_chain_of_three(tmp_path):
    write(tmp_path / "a.yaml", "description: A\nsales: {reps: 7}\nscoring: {noise: 0.3}\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\nname: bee\nscoring: {noise: 0.2}\n")
    c = write(tmp_path / "c.yaml", "extends: b.yaml\ndescription: C\nfeedback: {mode: none}\n")
    scenario = load_scenario(c)
    assert scenario.sales.reps == 7
    assert scenario.scoring.noise == 0.2
    assert scenario.feedback.mode == "none"
    assert scenario.name == "c"
    assert scenario.description == "C"
    b = load_scenario(tmp_path / "b.yaml")
    assert b.name == "bee" and b.description == ""


def test_name_defaults_to_the_file_stem(tmp_path):
    path = write(tmp_path / "my_case.yaml", "sales: {reps: 3}\n")
    assert load_scenario(path).name == "my_case"
    assert load_raw(path)["name"] == "my_case"


def test_presets_resolve_through_their_chain():
    aligned = load_scenario(SCENARIO_DIR / "aligned.yaml")
    baseline = load_scenario(BASELINE)
    assert aligned.name == "aligned"
    assert aligned.feedback.mode == "closed_loop"                 # stated in aligned.yaml
    assert aligned.communication.shared_lead_definition is True   # inherited from defined.yaml
    assert aligned.sales.reps == baseline.sales.reps              # inherited from baseline.yaml
    assert aligned.marketing.channels == baseline.marketing.channels
    assert aligned.description != baseline.description


def test_load_raw_detects_cycles(tmp_path):
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    write(tmp_path / "b.yaml", "extends: c.yaml\n")
    write(tmp_path / "c.yaml", "extends: a.yaml\n")
    with pytest.raises(ScenarioError, match="circular extends") as info:
        load_raw(tmp_path / "a.yaml")
    assert info.value.key == "extends"
    assert "a.yaml -> b.yaml -> c.yaml -> a.yaml" in str(info.value)


def test_bad_value_in_a_parent_names_the_parent(tmp_path):
    write(tmp_path / "base.yaml", "scoring: {mql_threshold: 2}\n")
    child = write(tmp_path / "child.yaml", "extends: base.yaml\nsales: {reps: 3}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert Path(info.value.source).name == "base.yaml"
    assert info.value.key == "scoring.mql_threshold"
    # once the child states the key itself, the child is named
    fixed = write(tmp_path / "fixed.yaml", "extends: base.yaml\nscoring: {mql_threshold: 3}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(fixed)
    assert Path(info.value.source).name == "fixed.yaml"
    # and a bad --set is blamed on --set
    with pytest.raises(ScenarioError) as info:
        load_scenario(child, ["scoring.mql_threshold=5"])
    assert "with --set" in info.value.source


def test_duplicate_keys_are_refused_but_merge_keys_work(tmp_path):
    dup = write(tmp_path / "dup.yaml", "sales:\n  reps: 1\n  reps: 2\n")
    with pytest.raises(ScenarioError, match="line 3.*'reps' is given twice"):
        load_scenario(dup)
    merged = write(tmp_path / "merge.yaml",
                   "sales:\n  <<: {reps: 2, max_attempts: 3}\n  reps: 5\n")
    scenario = load_scenario(merged)
    assert (scenario.sales.reps, scenario.sales.max_attempts) == (5, 3)


@pytest.mark.parametrize(("text", "key"), [
    ("sales: {reps: true}\n", "sales.reps"),
    ("communication: {sla_hours: on}\n", "communication.sla_hours"),
    ("marketing: {channels: {web: {cost_per_lead: no}}}\n", "marketing.channels.web.cost_per_lead"),
])
def test_booleans_are_not_numbers(tmp_path, text, key):
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path / "s.yaml", text))
    assert info.value.key == key


def test_channel_given_without_body_takes_defaults():
    raw = {"marketing": {"channels": {"web": None}}}
    scenario = scenario_from_dict(raw)
    assert scenario.marketing.channels["web"] == Channel()
    assert raw == {"marketing": {"channels": {"web": None}}}, "input must not be changed"


def test_error_message_is_one_line():
    err = ScenarioError("my\nfile.yaml", "a\nb", "bad\r\nvalue")
    assert "\n" not in str(err) and "\r" not in str(err)
    assert str(err) == "my\\nfile.yaml: a\\nb: bad\\r\\nvalue"
    assert str(ScenarioError("f.yaml", None, "empty")) == "f.yaml: empty"


@pytest.mark.parametrize("value", ["2.5", "many", "[1]"])
def test_whole_number_message_says_it_once(tmp_path, value):
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path / "s.yaml", f"sales:\n  reps: {value}\n"))
    message = str(info.value)
    assert message.count("whole number") == 1, message
    assert "from 1 to 10000" in message


def test_seed_range_is_written_in_full(tmp_path):
    with pytest.raises(ScenarioError, match="from 0 to 9223372036854775807"):
        load_scenario(write(tmp_path / "s.yaml", "seed: -1\n"))


# ---------------------------------------------------------------- hostile files and values
@pytest.mark.parametrize(("text", "expect"), [
    ("name: r\nsales: &s\n  reps: *s\n", "line 3, column 9: alias '*s' is inside the value"),
    ("x: &a [*a, *a]\n", "line 1, column 8: alias '*a' is inside the value"),
    ("sales: " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper than 64 levels"),
    ("seed: " + "9" * 5000 + "\n", "a number longer than 100 characters"),
    ("sales:\n  reps: !!int many\n", "line 2, column 9: malformed YAML: cannot read this value"),
])
def test_hostile_yaml_is_one_scenario_error(tmp_path, text, expect):
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path / "s.yaml", text))
    assert expect in str(info.value)
    assert str(info.value).startswith(str(tmp_path / "s.yaml"))


def test_billion_laughs_is_refused_at_once(tmp_path):
    lines = ["name: x", "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
    with pytest.raises(ScenarioError, match="more than 10,000 values"):
        load_scenario(write(tmp_path / "lol.yaml", "\n".join(lines) + "\n"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_a_named_pipe_is_not_a_scenario_file(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    write(tmp_path / "child.yaml", "extends: pipe.yaml\n")
    for path in (tmp_path / "pipe.yaml", tmp_path / "child.yaml"):
        with pytest.raises(ScenarioError, match="pipe.yaml: is a named pipe, not a regular file"):
            load_scenario(path)


def test_a_symbolic_link_loop_is_a_scenario_error(tmp_path):
    loop = tmp_path / "loop.yaml"
    try:
        loop.symlink_to(loop)
    except OSError:
        pytest.skip("this file system has no symbolic links")
    write(tmp_path / "child.yaml", "extends: loop.yaml\n")
    for path in (loop, tmp_path / "child.yaml"):
        with pytest.raises(ScenarioError, match="loop.yaml: cannot be read"):
            load_scenario(path)


@pytest.mark.parametrize("parent", ["a" * 5000, "a\\0b"])
def test_an_impossible_extends_name_is_not_found(tmp_path, parent):
    child = write(tmp_path / "child.yaml", f'extends: "{parent}"\n')
    with pytest.raises(ScenarioError, match="extends: 'a.*' not found next to this file") as info:
        load_scenario(child)
    assert len(str(info.value)) < len(str(tmp_path)) + 150


SECRET = "AKIAIOSFODNN7EXAMPLE"


@pytest.mark.parametrize(("content", "why"), [
    (f"aws_secret_access_key: {SECRET}\n", "its top-level keys are not all scenario keys"),
    (f"[default]\naws_secret_access_key = {SECRET}\n", "malformed YAML"),
    (f"password: *{SECRET}\n", "malformed YAML"),                       # undefined alias
    (f"{SECRET}: 1\n{SECRET}: 2\n", "malformed YAML"),                  # duplicate key
    (f"name: x\ntoken: {SECRET}\n", "its top-level keys are not all scenario keys"),
    (f"- {SECRET}\n", "expected a mapping of scenario keys, got list"),
    (f"{SECRET}\n", "expected a mapping of scenario keys, got str"),
    (f"key: \x07{SECRET}\n", "malformed YAML"),                         # a control character
])
def test_an_extended_file_that_is_not_a_scenario_is_never_quoted(tmp_path, content, why):
    (tmp_path / "credentials").write_text(content, encoding="utf-8")
    child = write(tmp_path / "child.yaml", "extends: credentials\nsales: {reps: 2}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    message = str(info.value)
    assert Path(info.value.source).name == "credentials"
    assert f"is not a scenario file ({why}" in message
    assert "extends must name a scenario file" in message
    assert SECRET not in message and "aws" not in message and "password" not in message
    assert "token" not in message


def test_an_extended_scenario_with_a_typo_gets_a_suggestion_not_a_quote(tmp_path):
    write(tmp_path / "base.yaml", "nmae: base\n")
    child = write(tmp_path / "child.yaml", "extends: base.yaml\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert "did you mean 'name'?" in str(info.value)
    assert "nmae" not in str(info.value)
    # the same typo in the file being loaded is quoted: the user wrote that file
    with pytest.raises(ScenarioError, match="nmae: unknown key"):
        load_scenario(tmp_path / "base.yaml")
    # and an extended file whose top-level keys are scenario keys is checked as before
    write(tmp_path / "base.yaml", "sales:\n  rpes: 3\n")
    with pytest.raises(ScenarioError, match="sales.rpes: unknown key.*'sales.reps'"):
        load_scenario(child)


@pytest.mark.parametrize(("key", "value", "limits"), [
    ("description", "x" * 6000, "text of at most 5000 characters"),
    ("name", "y" * 300, "text of 1 to 200 characters"),
])
def test_text_limits_are_the_declared_ones_and_long_values_are_cut(tmp_path, key, value,
                                                                    limits):
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path / "s.yaml", f"{key}: '{value}'\n"))
    message = str(info.value)
    assert f"{key}: must be {limits}" in message
    assert f"… of {len(value)} characters)" in message
    assert len(message) < len(str(tmp_path)) + 150


@pytest.mark.parametrize(("text", "shown_as"), [
    ('"\\e[2J\\e[31mred": 1\n', "\\x1b[2J\\x1b[31mred: unknown key"),
    ('sales:\n  "re\\aps\\0": 1\n', "sales.re\\x07ps\\x00: unknown key"),
    ('"a\\u202eb": 1\n', "a\\u202eb: unknown key"),
    ("marketing:\n  channels:\n    \"\\e[1m\": {leads_per_wek: 1}\n",
     "marketing.channels.\\x1b[1m.leads_per_wek: unknown key"),
])
def test_control_characters_are_escaped_in_messages(tmp_path, text, shown_as):
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path / "s.yaml", text))
    assert shown_as in str(info.value)
    assert str(info.value).isprintable()


@pytest.mark.parametrize(("path", "overrides", "shown_as"), [
    (BASELINE, ["sales.re\x1b[31mps=3"], "sales.re\\x1b[31mps: unknown key"),
    (BASELINE, ["marketing.channels.\x07web.leads_per_week=3"], "unknown channel '\\x07web'"),
    (BASELINE, ["sales.reps=[\x1b[2J"], "cannot read value '[\\x1b[2J'"),
    ("bell\x07.yaml", [], "bell\\x07.yaml: file not found"),
])
def test_control_characters_in_overrides_and_file_names_are_escaped(path, overrides, shown_as):
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    assert shown_as in str(info.value)
    assert str(info.value).isprintable()


def test_a_long_unknown_key_is_cut(tmp_path):
    key = "k" * 5000
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path / "s.yaml", f"? {key}\n: 1\n"))
    assert "unknown key" in str(info.value) and len(info.value.key) == 100
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, [f"sales.{key}=1"])
    assert len(info.value.key) == 100


OVERRIDE_KEYS = st.sampled_from(["sales.reps", "name", "description", "seed", "weeks",
                                 "feedback.mode", "marketing.channels.webinar.leads_per_week",
                                 "sales.re\x1bps", "\x07", "marketing.channels.\x1b[2J.x"])
NASTY_VALUES = st.one_of(
    st.text("[]{},:&*!|>'\"#%@`-?<=~ \t\\ab01\x07\x1b\x7f\x85\u2028\u202e", max_size=40),
    st.builds(lambda n, opener: opener * n, st.integers(60, 3000),
              st.sampled_from(["[", "{", "[{", "{a: ", "&x ["])),
    st.sampled_from(["&a [*a]", "&a {x: *a}", "&a {<<: *a}", "*a", "2001-13-45", "!!int x",
                     "!!bool maybe", "!!python/object:os.system", ".inf", "-.nan", "1e999"]),
    st.builds(lambda sign, n: sign + "9" * n, st.sampled_from(["", "-", "0x", "1."]),
              st.integers(1, 6000)),
    st.builds(lambda n, w: "&l0 [" + ", ".join(["*l0"] * w) + "]" * n, st.integers(1, 3),
              st.integers(1, 9)),
)


@settings(max_examples=60, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(key=OVERRIDE_KEYS, value=NASTY_VALUES)
def test_nasty_set_values_give_a_scenario_or_one_clean_line(key, value):
    try:
        load_scenario(BASELINE, [f"{key}={value}"])
    except ScenarioError as exc:
        message = str(exc)
        assert message.isprintable(), message
        assert len(message) < 1200, message


# ---------------------------------------------------------------- overrides and dumping
def test_load_scenario_accepts_a_mapping_of_overrides():
    scenario = load_scenario(BASELINE, {"sales.reps": 9, "feedback.mode": "none"})
    assert scenario.sales.reps == 9 and scenario.feedback.mode == "none"
    assert load_scenario(BASELINE, ["sales.reps=9", "feedback.mode=none"]) == scenario


def test_with_overrides_returns_a_changed_copy():
    base = load_scenario(BASELINE)
    changed = with_overrides(base, {"sales.reps": 1,
                                    "marketing.channels.events.cost_per_lead": 1.5})
    assert changed.sales.reps == 1
    assert changed.marketing.channels["events"].cost_per_lead == 1.5
    assert changed.marketing.channels["webinar"] == base.marketing.channels["webinar"]
    assert base == load_scenario(BASELINE), "the original is left unchanged"
    with pytest.raises(ScenarioError) as info:
        with_overrides(base, {"sales.reps": 0})
    assert info.value.key == "sales.reps"
    with pytest.raises(ScenarioError):
        with_overrides(base, {"sales.rpes": 2})


def test_dump_scenario_round_trip(tmp_path):
    scenario = load_scenario(SCENARIO_DIR / "integrated.yaml", ["communication.sla_hours=null"])
    path = tmp_path / "out.yaml"
    dump_scenario(scenario, path, header="Resolved scenario.\n\nSecond paragraph.")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Resolved scenario.\n#\n# Second paragraph.\n")
    assert "extends" not in text
    assert load_scenario(path) == scenario
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.yaml"]


def test_dump_keeps_unusual_text(tmp_path):
    scenario = with_overrides(_baseline(), {"name": "a\x85b\u2028c", "description": "café\x07"})
    path = tmp_path / "odd.yaml"
    dump_scenario(scenario, path, header=f"Resolved scenario '{scenario.name}'\x07.\n")
    assert load_scenario(path) == scenario
    text = path.read_text(encoding="utf-8")
    assert "café" in text, "readable text stays readable"
    assert text.splitlines()[1] == "name: \"a\\Nb\\Lc\""


def test_resolve_scenario_path(tmp_path):
    assert resolve_scenario_path("baseline") == SCENARIO_DIR / "baseline.yaml"
    assert resolve_scenario_path("no_such_preset") == Path("no_such_preset")
    assert resolve_scenario_path(BASELINE) == BASELINE
    assert resolve_scenario_path("elsewhere/baseline.yaml") == Path("elsewhere/baseline.yaml")
    assert "baseline" in preset_names() and "mmc" not in preset_names()


# ---------------------------------------------------------------- property tests
@PROPERTY
@given(values=valid_settings())
def test_valid_values_load_exactly(values):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.yaml"
        path.write_text(yaml.safe_dump(nest(values)), encoding="utf-8")
        scenario = load_scenario(path)
    for key, value in values.items():
        got = get_value(scenario, key)
        assert got == value, key
        assert isinstance(got, int if kind_of(NUMERIC[key]) == "int" else float), key


@st.composite
def out_of_range(draw) -> tuple[str, Any]:
    key = draw(st.sampled_from(sorted(BOUNDED)))
    return key, draw(invalid_value(key))


@PROPERTY
@given(setting=out_of_range())
def test_values_outside_bounds_are_refused_with_the_key(setting):
    key, value = setting
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.yaml"
        path.write_text(yaml.safe_dump(nest({key: value})), encoding="utf-8")
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
    assert key in str(info.value)
    assert "generated.yaml" in str(info.value)
    assert "\n" not in str(info.value)


KEY_CHARS = string.ascii_letters + "._"
KNOWN_OVERRIDES = set(valid_keys(Scenario().marketing.channels)) | {"name", "description"}


def near_misses() -> st.SearchStrategy[str]:
    """Valid keys with a letter dropped, doubled or a suffix added: the likely typos."""
    base = st.sampled_from(sorted(KNOWN_OVERRIDES))

    @st.composite
    def mutate(draw) -> str:
        key = draw(base)
        i = draw(st.integers(0, len(key) - 1))
        how = draw(st.sampled_from(["drop", "double", "suffix", "upper"]))
        if how == "drop":
            return key[:i] + key[i + 1:]
        if how == "double":
            return key[:i] + key[i] + key[i:]
        if how == "upper":
            return key[:i] + key[i].swapcase() + key[i + 1:]
        return key + draw(st.text(KEY_CHARS, min_size=1, max_size=6))

    return mutate()


@PROPERTY
@given(key=st.one_of(st.text(KEY_CHARS, max_size=40), near_misses())
       .filter(lambda k: k not in KNOWN_OVERRIDES))
def test_unknown_dotted_keys_are_always_refused(key):
    base = _baseline()
    with pytest.raises(ScenarioError) as info:
        with_overrides(base, {key: 1})
    assert info.value.key == key
    with pytest.raises(ScenarioError):
        load_scenario(BASELINE, [f"{key}=1"])
    with pytest.raises(ScenarioError):
        apply_override(base.model_dump(), key, 1)


_BASELINE_CACHE: list[Scenario] = []


def _baseline() -> Scenario:
    if not _BASELINE_CACHE:
        _BASELINE_CACHE.append(load_scenario(BASELINE))
    return _BASELINE_CACHE[0]


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)


@st.composite
def valid_scenarios(draw) -> Scenario:
    channel = draw(st.sampled_from(sorted(_baseline().marketing.channels)))
    overrides = {k.replace(f"channels.{CHANNEL}.", f"channels.{channel}."): v
                 for k, v in draw(valid_settings(max_keys=8)).items()}
    for key in draw(st.lists(st.sampled_from(sorted(ENUMS)), unique=True, max_size=3)):
        overrides[key] = draw(st.sampled_from(ENUMS[key]))
    for key in draw(st.lists(st.sampled_from(BOOLS), unique=True, max_size=2)):
        overrides[key] = draw(st.booleans())
    if draw(st.booleans()):
        overrides["communication.sla_hours"] = None
    if draw(st.booleans()):
        overrides["name"] = draw(TEXT)
    if draw(st.booleans()):
        overrides["description"] = draw(st.text(st.characters(blacklist_categories=("Cs",)),
                                                max_size=200))
    return with_overrides(_baseline(), overrides)


@PROPERTY
@given(scenario=valid_scenarios())
def test_dump_then_load_round_trips(scenario):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dumped.yaml"
        dump_scenario(scenario, path, header=f"Resolved scenario '{scenario.name}'.\nGenerated.")
        loaded = load_scenario(path)
    assert loaded == scenario
    assert loaded.model_dump() == scenario.model_dump()
