"""Unit tests of sim.views.assessment_widget: the self-assessment form places the team."""

import pytest

from sim.assessment import QUESTIONS, assess
from sim.views.assessment_widget import SelfAssessment


def test_self_assessment_form_places_the_team():
    example = {"shared_goals": 2, "meetings": 3, "lead_definition": 3, "feedback": 2, "crm": 3,
               "roles": 3, "leadership": 2, "no_blame": 2}
    form = SelfAssessment(example)
    assert form.answers == example  # headless, the form keeps its starting answers
    assert assess(form.answers).stage in form.result.value
    for key, _text in QUESTIONS:
        form.set(key, 5)
    assert "integrated" in form.result.value
    with pytest.raises(KeyError):
        SelfAssessment({"no_such_statement": 3})
