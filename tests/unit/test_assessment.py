"""The alignment self-assessment: answers -> stage -> scenario file."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import load_scenario
from sim.assessment import (
    KEYS,
    QUESTIONS,
    STAGES,
    assess,
    mean_answer,
    questionnaire,
    scenario_path,
    stage_for,
    validate,
)

N = len(QUESTIONS)


def answers_with(default: int, **changes: int) -> dict[str, int]:
    answers = dict.fromkeys(KEYS, default)
    answers.update(changes)
    return answers


def test_eight_statements_with_unique_keys():
    assert N == 8
    assert len(set(KEYS)) == N
    assert all(text.strip() for _, text in QUESTIONS)


def test_all_ones_is_undefined_and_all_fives_is_integrated():
    assert stage_for([1] * N) == "undefined"
    assert stage_for([5] * N) == "integrated"


@pytest.mark.parametrize(("answers", "stage"), [
    ([2] * N, "defined"),                                    # mean 2.0: lower edge of defined
    ([3] * N, "aligned"),                                    # mean 3.0: lower edge of aligned
    ([4] * N, "integrated"),                                 # mean 4.0: lower edge of integrated
    ([2, 2, 2, 2, 2, 2, 2, 1], "undefined"),                 # mean 1.875: just below defined
    ([3, 3, 3, 3, 3, 3, 3, 2], "defined"),                   # mean 2.875
    ([4, 4, 4, 4, 4, 4, 4, 3], "aligned"),                   # mean 3.875
    ([2, 3, 3, 2, 3, 3, 2, 2], "defined"),                   # the notebook's example, mean 2.5
    ([5, 4, 4, 4, 3, 3, 3, 3], "aligned"),                   # mean 3.625
])
def test_mean_thresholds(answers, stage):
    assert stage_for(answers) == stage


def test_lead_definition_cap_holds_a_high_mean_at_defined():
    answers = answers_with(5, lead_definition=2)             # mean 4.625
    assert mean_answer(answers) > 4
    assert stage_for(answers) == "defined"
    assert stage_for(answers_with(5, lead_definition=3)) == "integrated"


def test_shared_goals_cap_holds_a_high_mean_at_aligned():
    assert stage_for(answers_with(5, shared_goals=3)) == "aligned"
    assert stage_for(answers_with(5, shared_goals=4)) == "integrated"


def test_caps_do_not_raise_a_low_stage():
    assert stage_for(answers_with(1, lead_definition=2)) == "undefined"


def test_mapping_and_sequence_agree():
    values = [2, 3, 3, 2, 3, 3, 2, 2]
    assert stage_for(dict(zip(KEYS, values, strict=True))) == stage_for(values)


@pytest.mark.parametrize("answers", [[3] * (N - 1), [3] * (N + 1), [], "33333333"])
def test_wrong_number_of_answers_is_refused(answers):
    with pytest.raises(ValueError, match="answers"):
        stage_for(answers)


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, "3", None, True])
def test_out_of_range_or_non_whole_answers_are_refused(bad):
    answers = [3] * N
    answers[4] = bad
    with pytest.raises(ValueError, match=f"'{KEYS[4]}'"):
        validate(answers)


def test_mapping_with_missing_or_unknown_keys_is_refused():
    answers = answers_with(3)
    del answers["crm"]
    with pytest.raises(ValueError, match="missing: crm"):
        assess(answers)
    with pytest.raises(ValueError, match="unknown: budget"):
        assess({**answers_with(3), "budget": 3})


def test_assess_returns_stage_existing_scenario_and_mean():
    result = assess([3] * N)
    assert result.stage == "aligned"
    assert result.scenario.name == "aligned.yaml"
    assert result.scenario.is_file()
    assert result.mean == 3.0
    assert load_scenario(result.scenario).name == "aligned"


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_has_its_scenario_file(stage):
    assert scenario_path(stage).is_file()


def test_unknown_stage_is_refused():
    with pytest.raises(ValueError, match="unknown stage"):
        scenario_path("perfect")


def test_questionnaire_lists_every_statement():
    text = questionnaire()
    for key, statement in QUESTIONS:
        assert key in text and statement in text


answer_sets = st.lists(st.integers(min_value=1, max_value=5), min_size=N, max_size=N)


@given(answer_sets)
def test_any_valid_answers_map_to_one_of_the_four_stages(answers):
    result = assess(answers)
    assert result.stage in STAGES
    assert result.scenario.is_file()
    assert 1.0 <= result.mean <= 5.0


@given(answer_sets, st.integers(min_value=0, max_value=N - 1))
def test_raising_one_answer_never_lowers_the_stage(answers, index):
    if answers[index] == 5:
        return
    raised = list(answers)
    raised[index] += 1
    assert STAGES.index(stage_for(raised)) >= STAGES.index(stage_for(answers))
