"""Rasa's check of action server responses, after server.action_endpoint replaced it with per-event-type schemas."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from server.action_endpoint import check_responses_with_compiled_schema, valid_action_response

check_responses_with_compiled_schema()
ACTION = RemoteAction("action_answer_question", None)
RASA_SCHEMA = RemoteAction.action_response_format_spec()
RASA_VALIDATOR = jsonschema.validators.validator_for(RASA_SCHEMA)(RASA_SCHEMA)  # what jsonschema.validate uses

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


@pytest.mark.parametrize("response", WELL_FORMED + MALFORMED, ids=repr)
def test_the_quick_check_agrees_with_rasas_schema(response):
    assert valid_action_response(response) == RASA_VALIDATOR.is_valid(response)


@pytest.mark.parametrize("response", WELL_FORMED, ids=repr)
def test_a_well_formed_response_passes(response):
    assert ACTION._validate_action_result(response)


@pytest.mark.parametrize("response", MALFORMED, ids=repr)
def test_a_malformed_response_is_rejected_with_rasas_message(response):
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        ACTION._validate_action_result(response)
