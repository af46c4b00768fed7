"""Rasa's check of action server responses, after ops.action_endpoint replaced it with the compiled schema."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from ops.action_endpoint import check_responses_with_compiled_schema

check_responses_with_compiled_schema()
ACTION = RemoteAction("action_answer_question", None)


def test_a_well_formed_response_passes():
    response = {"events": [{"event": "slot", "name": "audience", "value": "patient", "timestamp": None}],
                "responses": [{"text": "Hello", "buttons": []}]}
    assert ACTION._validate_action_result(response)


@pytest.mark.parametrize("response", [{"events": "SlotSet"}, {"events": [{"event": "no_such_event"}]},
                                      {"responses": {"text": "not a list"}}])
def test_a_malformed_response_is_rejected_with_rasas_message(response):
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        ACTION._validate_action_result(response)
