"""Rasa's check of action server responses, after server.action_endpoint replaced it with a compiled one."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from server import action_endpoint
from server.action_endpoint import check_responses_with_compiled_schema, rasa_response_check

ACTION = RemoteAction("action_answer_question", None)
RASA_ERROR = "Failed to validate Action server response"

WELL_FORMED = [
    {
        "events": [{"event": "slot", "name": "audience", "value": "patient", "timestamp": None}],
        "responses": [{"text": "Hello", "buttons": []}],
    },
    {
        "events": [
            {"event": "slot", "name": "pain_severity", "value": None},
            {"event": "active_loop", "name": "treatment_plan_form"},
            {"event": "followup", "name": "action_listen"},
            {"event": "bot", "text": "Hello", "data": {"buttons": []}, "metadata": {}},
            {"event": "reset_slots"},
            {"event": "action_execution_rejected", "name": "x"},
        ],
        "responses": [],
    },
    {},
]
MALFORMED = [
    [],
    {"events": "SlotSet"},
    {"events": None},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"name": "audience", "value": "patient"}]},
    {"events": [{"event": ["slot"]}]},
    {"events": [{"event": "slot", "name": 5, "value": "patient"}]},
    {"events": [{"event": "slot", "name": "x"}]},
    {"events": [{"event": "bot", "text": "Hi", "timestamp": "now"}]},
    {"events": ["slot"]},
    {"responses": {"text": "not a list"}},
    {"responses": ["text"]},
]


class StricterAction(RemoteAction):
    """An action whose schema is not the one compiled: it requires events."""

    @staticmethod
    def action_response_format_spec():
        return {"type": "object", "required": ["events"]}


@pytest.fixture
def compiled(monkeypatch):
    """The compiled check in place for one test; Rasa's own afterwards."""
    monkeypatch.setattr(RemoteAction, "_validate_action_result", rasa_response_check)
    check_responses_with_compiled_schema()
    assert RemoteAction._validate_action_result is not rasa_response_check


@pytest.mark.parametrize("response", WELL_FORMED, ids=repr)
def test_a_well_formed_response_passes(compiled, response):
    assert ACTION._validate_action_result(response)
    assert rasa_response_check(ACTION, response)


def test_a_well_formed_response_skips_rasas_slow_check(compiled, monkeypatch):
    def slow_check(action, result):
        raise AssertionError("Rasa's check was called")

    monkeypatch.setattr(action_endpoint, "rasa_response_check", slow_check)
    assert ACTION._validate_action_result(WELL_FORMED[0])


@pytest.mark.parametrize("response", MALFORMED, ids=repr)
def test_a_malformed_response_is_rejected_as_rasa_rejects_it(compiled, response):
    with pytest.raises(jsonschema.ValidationError, match=RASA_ERROR) as ours:
        ACTION._validate_action_result(response)
    with pytest.raises(jsonschema.ValidationError) as rasas:
        rasa_response_check(ACTION, response)
    assert ours.value.message == rasas.value.message


def test_an_action_with_another_schema_gets_rasas_check(compiled):
    with pytest.raises(jsonschema.ValidationError, match=RASA_ERROR):
        StricterAction("action_answer_question", None)._validate_action_result({})


def test_rasas_check_stays_when_its_schema_does_not_compile(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", rasa_response_check)
    monkeypatch.setattr(RemoteAction, "action_response_format_spec", staticmethod(lambda: {"type": 5}))
    check_responses_with_compiled_schema()
    assert RemoteAction._validate_action_result is rasa_response_check


def test_nothing_is_replaced_when_rasa_has_no_check_to_fall_back_to(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", rasa_response_check)
    monkeypatch.setattr(action_endpoint, "rasa_response_check", None)
    check_responses_with_compiled_schema()
    assert RemoteAction._validate_action_result is rasa_response_check
