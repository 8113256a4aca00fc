"""Typed, validated parameters: the one place every lever of the model is declared.

Think of this module as the control panel of the company: each field is one knob, labelled with
its unit, its valid range and where its default comes from. The panel has no spare sockets: a
misspelt knob name (``sales.rpes``) is refused rather than silently ignored.

The panel is built from sections, each mirroring a part of the flow in ``docs/model.md``: the
marketing side (``sim/params_marketing.py``), the sales side and what joins the two teams
(``sim/params_sales.py``), on the strict base of ``sim/params_base.py``. Here they come together
as :class:`Scenario`, with what is asked of the panel as a whole: its keys
(:func:`walk_fields`, the one walk over the schema), each key's declared field, its plausible
range, the parameter table, and the settings of a scenario and their differences.

The description of every field starts with its unit in square brackets and ends with its source,
or with "assumption" where no published figure exists; ``docs/model.md`` lists them all and a
test keeps the two in step. Every assumption also carries a plausible range: a low and a high
end and the reason for them (why not lower, why not higher). :func:`plausible_range` gives one
key's range and :func:`assumption_ranges` all of them, ready for a robustness analysis that
samples the assumption space. Values with a published source have none, and neither have policy
levers, the company's channels, run settings and the sales head count: a scenario sets those, so
a study compares their values rather than sampling them.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from pydantic import BaseModel, Field, model_validator
from pydantic.fields import FieldInfo

from sim.params_base import Plausible, Section
from sim.params_marketing import Marketing, Pricing, Scoring
from sim.params_sales import Communication, Feedback, Incentives, Sales, Trust

MAX_RUN_WEEKS = 5200
"""Longest run, warm-up and measured weeks together (a century)."""


class Scenario(Section):
    """A whole scenario: the company, its policies and how long to simulate it."""

    name: str = Field("scenario", min_length=1, max_length=200, description="[text] Scenario name.")
    description: str = Field("", max_length=5000, description="[text] What the scenario teaches.")
    seed: int = Field(20061, ge=0, le=2**63 - 1, description="[-] Master random seed.")
    weeks: float = Field(52.0, gt=0, le=5200,
                         description="[weeks] Measured horizon, after the warm-up.")
    warmup_weeks: int = Field(
        0, ge=0, le=5200,
        description="[weeks] Whole weeks simulated before the measured weeks and left out of "
        "every KPI and of the weekly ledger. Assumption.",
    )
    marketing: Marketing = Field(default_factory=Marketing)
    scoring: Scoring = Field(default_factory=Scoring)
    sales: Sales = Field(default_factory=Sales)
    communication: Communication = Field(default_factory=Communication)
    feedback: Feedback = Field(default_factory=Feedback)
    incentives: Incentives = Field(default_factory=Incentives)
    pricing: Pricing = Field(default_factory=Pricing)
    trust: Trust = Field(default_factory=Trust)

    @model_validator(mode="after")
    def _has_channels(self) -> Scenario:
        if self.warmup_weeks + self.weeks > MAX_RUN_WEEKS:
            raise ValueError(
                f"warmup_weeks ({self.warmup_weeks}) + weeks ({self.weeks:g}) must be at most "
                f"{MAX_RUN_WEEKS} (the whole run, warm-up included)"
            )
        if not self.marketing.channels:
            raise ValueError("marketing.channels must name at least one channel")
        return self


SECTIONS: dict[str, type[Section]] = {
    name: field.annotation  # type: ignore[misc]
    for name, field in Scenario.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, Section)
}


ANY_NAME = "*"
"""Stands for every name of a mapping of named sections: ``marketing.channels.*.cost_per_lead``."""


def nested_section(annotation: Any) -> tuple[type[BaseModel], bool] | None:
    """The section a field holds: ``(section, False)`` for a section (``sales``), ``(section,
    True)`` for a mapping of names to sections (``marketing.channels``), None for a scalar.

    The one place that knows a scenario has a mapping of named sections: every walk over the
    schema asks it.
    """
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if typing.get_origin(annotation) is dict:
        value = typing.get_args(annotation)[-1]
        if isinstance(value, type) and issubclass(value, BaseModel):
            return value, True
    return None


def walk_fields(model: type[BaseModel] = Scenario, prefix: str = "",
                names: Iterable[str] = (ANY_NAME,)) -> Iterator[tuple[str, FieldInfo, Any]]:
    """Every scalar key of ``model`` as ``(dotted key, declared field, annotation)``, in
    declaration order. A mapping of named sections is entered once per name in ``names``:
    :data:`ANY_NAME` (``marketing.channels.*.x``) unless a scenario's channel names are given.
    """
    names = tuple(names)
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        inner = nested_section(field.annotation)
        if inner is None:
            yield key, field, field.annotation
        elif inner[1]:
            for each in names:
                yield from walk_fields(inner[0], f"{key}.{each}.", names)
        else:
            yield from walk_fields(inner[0], key + ".", names)


@cache
def _field_index() -> dict[str, FieldInfo]:
    return {key: field for key, field, _annotation in walk_fields()}


@cache
def _named_sections() -> frozenset[str]:
    """Dotted keys of the mappings of named sections (``marketing.channels``)."""
    marker = f".{ANY_NAME}."
    return frozenset(key.split(marker)[0] for key in _field_index() if marker in key)


def declared_field(key: str | Sequence[Any]) -> FieldInfo | None:
    """The declared field of a scalar key, dotted (``"sales.reps"``) or as parts (``("sales",
    "reps")``, a validation error's location); a channel's key may name the channel or
    :data:`ANY_NAME`. None where the key names no scalar field.
    """
    parts = key.split(".") if isinstance(key, str) else [str(p) for p in key]
    for i in range(2, len(parts) - 1):
        if ".".join(parts[:i]) in _named_sections():
            parts = [*parts[:i], ANY_NAME, parts[-1]]
            break
    if any("." in part for part in parts):  # a part is one name (a channel's may hold dots)
        return None
    return _field_index().get(".".join(parts))


def parameter_table() -> list[tuple[str, str, object, str]]:
    """Every scalar key as ``(dotted_key, unit, default, description)``, channels as ``*``.

    Used to write and check the parameter table of ``docs/model.md``.
    """
    rows: list[tuple[str, str, object, str]] = []
    for key, field, _annotation in walk_fields():
        text = field.description or ""
        unit = text[1:text.index("]")] if text.startswith("[") else ""
        body = text[text.index("]") + 1:].strip() if text.startswith("[") else text
        default = field.get_default(call_default_factory=False)
        rows.append((key, unit, default, body))
    return rows


def plausible_range(key: str) -> Plausible | None:
    """The plausible range of the assumption parameter ``key`` (``"trust.adjust_rate"``).

    None for a key without one: a value with a published source, a policy lever, a flag or
    rule, a run setting, the team's head count or a channel key (``marketing.channels.NAME.x``
    or ``marketing.channels.*.x``). KeyError for a name that is not a scenario key.
    """
    field = declared_field(key)
    if field is None:
        raise KeyError(f"{key!r} is not a scenario key")
    extra = field.json_schema_extra
    spec = extra.get("plausible") if isinstance(extra, dict) else None
    if not isinstance(spec, dict):
        return None
    return Plausible(spec["low"], spec["high"], spec["why"],  # type: ignore[arg-type]
                     integer=field.annotation is int)


def assumption_ranges() -> dict[str, Plausible]:
    """Every assumption parameter with its plausible range, ``{dotted key: Plausible}``, in
    declaration order. Each key can be passed to :func:`sim.scenario.with_overrides`; a sampler
    draws within ``Plausible.bounds`` and rounds where ``Plausible.integer`` is set.
    """
    ranges = {key: plausible_range(key) for key in _field_index()}
    return {key: r for key, r in ranges.items() if r is not None}


def flatten_settings(scenario: Scenario) -> dict[str, Any]:
    """Every setting of a scenario as ``{dotted key: value}``, in declaration order
    (``marketing.channels.webinar.leads_per_week``).
    """
    out: dict[str, Any] = {}

    def walk(prefix: str, data: Mapping[str, Any]) -> None:
        for key, value in data.items():
            if isinstance(value, Mapping):
                walk(f"{prefix}{key}.", value)
            else:
                out[f"{prefix}{key}"] = value

    walk("", scenario.model_dump())
    return out


class _Absent:
    """The type of :data:`ABSENT`."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
"""Stands for a setting one scenario lacks (a channel the other one has)."""


def settings_diff(first: Scenario, other: Scenario,
                  skip: Sequence[str] = ()) -> list[tuple[str, Any, Any]]:
    """``(dotted key, value in first, value in other)`` for every setting that differs, in
    declaration order (keys only ``other`` has come last); a key only one of them has (a
    channel) has :data:`ABSENT` on the other side. Keys in ``skip`` are left out.

    The one comparison of two scenarios: the model uses it to refuse a mid-run change of a
    setting that fixes the run's shape, the report to list what a scenario changes.
    """
    a, b = flatten_settings(first), flatten_settings(other)
    keys = list(a) + [k for k in b if k not in a]
    return [(k, a.get(k, ABSENT), b.get(k, ABSENT)) for k in keys
            if k not in skip and a.get(k, ABSENT) != b.get(k, ABSENT)]
