"""Self-assessment: which alignment stage is a marketing-sales team in?

Eight statements, each answered on a 1-5 scale (1 = strongly disagree, 3 = partly,
5 = strongly agree), map a team to one of the four stages of Kotler, Rackham & Krishnaswamy
(HBR 2006) — ``undefined``, ``defined``, ``aligned``, ``integrated`` — and to the preset scenario
of that stage, so a workshop participant can load "a company like mine" and start experimenting
from it. Every statement is written so that agreeing describes a better-aligned team.

Scoring rule (documented in :data:`SCORING_RULE` and applied by :func:`stage_for`):

1. Average the eight answers (``mean``, 1.0-5.0).
2. The mean gives a provisional stage: below 2.0 ``undefined``; 2.0 up to (not including) 3.0
   ``defined``; 3.0 up to 4.0 ``aligned``; 4.0 or more ``integrated``.
3. Two caps, because some stages cannot be reached without one practice:

   * ``aligned`` or higher needs the lead-definition statement (``lead_definition``) at 3 or
     more — joint planning without an agreed lead definition is still the ``defined`` stage at
     best;
   * ``integrated`` needs the shared-goals statement (``shared_goals``) at 4 or more — one
     revenue engine means shared goals, metrics and rewards.

Raising any single answer never lowers the mean and never breaks a cap, so the stage never
falls when an answer improves (the unit tests check this property).

This is a conversation starter for a workshop, not a validated psychometric instrument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

STAGES: tuple[str, ...] = ("undefined", "defined", "aligned", "integrated")
"""The four stages, from least to most aligned."""

SCALE_MIN, SCALE_MAX = 1, 5
SCALE_LABELS: dict[int, str] = {
    1: "strongly disagree", 2: "disagree", 3: "partly", 4: "agree", 5: "strongly agree",
}

QUESTIONS: tuple[tuple[str, str], ...] = (
    ("shared_goals",
     "Marketing and sales are judged, at least in part, on the same revenue goal."),
    ("meetings",
     "People from both teams meet at fixed intervals to plan campaigns and review the pipeline."),
    ("lead_definition",
     "Both teams have written down and signed off what counts as a sales-ready lead."),
    ("feedback",
     "Sales records why each lead was accepted, rejected, won or lost, and marketing reads it."),
    ("crm",
     "When a lead is handed over, the rep sees its full history in one shared system."),
    ("roles",
     "Everyone can say who owns a lead at each step, and handovers rarely cause disputes."),
    ("leadership",
     "A senior leader responsible for both teams steps in early when they disagree."),
    ("no_blame",
     "When numbers disappoint, the teams look for causes together instead of blaming each other."),
)
"""``(key, statement)`` pairs, in the order answers are given."""

KEYS: tuple[str, ...] = tuple(key for key, _ in QUESTIONS)

MEAN_THRESHOLDS: tuple[tuple[float, str], ...] = (
    (4.0, "integrated"), (3.0, "aligned"), (2.0, "defined"),
)
"""A mean at or above the threshold reaches the stage; below 2.0 is ``undefined``."""

CAPS: tuple[tuple[str, int, str], ...] = (
    ("lead_definition", 3, "defined"),
    ("shared_goals", 4, "aligned"),
)
"""``(statement key, minimum answer, highest stage if the answer is lower)``."""

SCORING_RULE = (
    "Average the eight answers. Mean below 2.0: undefined; 2.0-2.99: defined; 3.0-3.99: aligned; "
    "4.0 or more: integrated. Caps: a lead-definition answer below 3 limits the stage to "
    "defined; a shared-goals answer below 4 limits it to aligned."
)

SCENARIOS_DIR = Path(__file__).resolve().parent.parent / "scenarios"


class Assessment(NamedTuple):
    """Result of :func:`assess`: the stage name, its preset scenario file and the mean answer."""

    stage: str
    scenario: Path
    mean: float


def validate(answers: Sequence[int] | Mapping[str, int]) -> tuple[int, ...]:
    """Check the answers and return them as a tuple in :data:`QUESTIONS` order.

    ``answers`` is a sequence of eight integers in question order, or a mapping from every
    statement key to its answer. Raises :class:`ValueError` naming the problem: a wrong number of
    answers, a missing or unknown key, a value that is not a whole number, or one outside 1-5.
    """
    if isinstance(answers, Mapping):
        unknown = sorted(set(answers) - set(KEYS))
        missing = [k for k in KEYS if k not in answers]
        if unknown or missing:
            raise ValueError(
                f"answers need exactly the keys {', '.join(KEYS)}"
                + (f"; unknown: {', '.join(map(str, unknown))}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
            )
        values = [answers[k] for k in KEYS]
    elif isinstance(answers, str | bytes):
        raise ValueError("answers must be a list of numbers, not text")
    else:
        values = list(answers)
        if len(values) != len(QUESTIONS):
            raise ValueError(
                f"expected {len(QUESTIONS)} answers, one per statement, got {len(values)}"
            )
    checked = []
    for key, value in zip(KEYS, values, strict=True):
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            raise ValueError(f"answer to '{key}' must be a whole number from "
                             f"{SCALE_MIN} to {SCALE_MAX}, got {value!r}")
        if not SCALE_MIN <= value <= SCALE_MAX:
            raise ValueError(f"answer to '{key}' must be from {SCALE_MIN} to {SCALE_MAX} "
                             f"({SCALE_LABELS[SCALE_MIN]} to {SCALE_LABELS[SCALE_MAX]}), "
                             f"got {value!r}")
        checked.append(int(value))
    return tuple(checked)


def mean_answer(answers: Sequence[int] | Mapping[str, int]) -> float:
    """Average of the validated answers (1.0-5.0)."""
    values = validate(answers)
    return sum(values) / len(values)


def stage_for(answers: Sequence[int] | Mapping[str, int]) -> str:
    """The stage the answers map to, by the rule in :data:`SCORING_RULE`."""
    values = dict(zip(KEYS, validate(answers), strict=True))
    mean = sum(values.values()) / len(values)
    stage = "undefined"
    for threshold, name in MEAN_THRESHOLDS:
        if mean >= threshold:
            stage = name
            break
    for key, minimum, highest in CAPS:
        if values[key] < minimum and STAGES.index(stage) > STAGES.index(highest):
            stage = highest
    return stage


def scenario_path(stage: str) -> Path:
    """The preset scenario file of a stage (``scenarios/<stage>.yaml``)."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; one of {', '.join(STAGES)}")
    return SCENARIOS_DIR / f"{stage}.yaml"


def assess(answers: Sequence[int] | Mapping[str, int]) -> Assessment:
    """Map the answers to a stage; return the stage, its scenario file and the mean answer."""
    stage = stage_for(answers)
    return Assessment(stage, scenario_path(stage), mean_answer(answers))


def questionnaire() -> str:
    """The statements and the answer scale as printable text."""
    scale = ", ".join(f"{k} = {v}" for k, v in SCALE_LABELS.items())
    lines = [f"Answer each statement from {SCALE_MIN} to {SCALE_MAX} ({scale}).", ""]
    lines += [f"{i}. [{key}] {text}" for i, (key, text) in enumerate(QUESTIONS, start=1)]
    return "\n".join(lines)


__all__ = ["CAPS", "KEYS", "MEAN_THRESHOLDS", "QUESTIONS", "SCALE_LABELS", "SCALE_MAX",
           "SCALE_MIN", "SCORING_RULE", "STAGES", "Assessment", "assess", "mean_answer",
           "questionnaire", "scenario_path", "stage_for", "validate"]
