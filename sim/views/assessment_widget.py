"""The alignment self-assessment as a form: answer eight statements, see the team's stage.

The questions and the scoring rule live in :mod:`sim.assessment`; this module only puts them
on a screen, like the paper questionnaire handed round at a workshop, with the difference that
the stage at the bottom updates on every click::

    from sim.views.assessment_widget import SelfAssessment

    form = SelfAssessment({"shared_goals": 2})
    form                     # a bare name at the end of a cell shows it
    form.answers             # {statement key: 1-5}, ready for sim.assessment.assess
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import ipywidgets as w

from sim.assessment import QUESTIONS, SCALE_LABELS, SCALE_MAX, SCALE_MIN, assess
from sim.views.controls import Shown


class SelfAssessment(Shown):
    """The alignment self-assessment of :mod:`sim.assessment` as a form: one row of answer
    buttons (1 = strongly disagree … 5 = strongly agree) per statement, and the stage the answers
    place the team in, updated on every click.

    ``answers`` gives the starting answers (``{statement key: 1-5}``; 3 for any not given).
    :attr:`answers` is what the form holds now, ready for :func:`sim.assessment.assess`; without a
    browser (a headless run) the form simply keeps its starting answers.
    """

    plain = ("The self-assessment (interactive): eight statements to answer; run the notebook "
             "in JupyterLab to use it.")

    def __init__(self, answers: Mapping[str, int] | None = None):
        start = dict(answers or {})
        unknown = sorted(set(start) - {k for k, _t in QUESTIONS})
        if unknown:
            raise KeyError(f"unknown statement(s) {unknown}; the keys are "
                           f"{', '.join(k for k, _t in QUESTIONS)}")
        self.buttons: dict[str, w.ToggleButtons] = {}
        rows: list[w.Widget] = []
        for i, (key, text) in enumerate(QUESTIONS, start=1):
            buttons = w.ToggleButtons(
                options=[(str(v), v) for v in range(SCALE_MIN, SCALE_MAX + 1)],
                value=int(start.get(key, 3)), tooltips=[SCALE_LABELS[v] for v in
                                                        range(SCALE_MIN, SCALE_MAX + 1)],
                style={"button_width": "34px"})
            buttons.observe(lambda _ch: self._update(), "value")
            self.buttons[key] = buttons
            rows.append(w.HBox([buttons, w.HTML(f"<div style='max-width:560px; padding-top:4px'>"
                                                f"{i}. {html.escape(text)}</div>")]))
        scale = ", ".join(f"{k} = {v}" for k, v in SCALE_LABELS.items())
        self.result = w.HTML()
        self.widget = w.VBox([w.HTML(f"<b>Where does your team stand?</b> <span style="
                                     f"'color:#555'>({html.escape(scale)})</span>"),
                              *rows, self.result])
        self._update()

    @property
    def answers(self) -> dict[str, int]:
        """The answers now, ``{statement key: 1-5}``."""
        return {key: int(b.value) for key, b in self.buttons.items()}

    def set(self, key: str, value: int) -> None:
        """Answer one statement, as a click would."""
        self.buttons[key].value = int(value)

    def _update(self) -> None:
        placement = assess(self.answers)
        self.result.value = (f"<div style='margin-top:4px'>Mean answer {placement.mean:.2f}: "
                             f"stage <b>{html.escape(placement.stage)}</b></div>")


__all__ = ["SelfAssessment"]
