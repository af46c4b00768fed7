"""The NLU component: vocabulary entities, red-flag and blank-message rules."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from components.medical_rules import MedicalRules


@pytest.fixture(scope="module")
def component():
    return MedicalRules()


def parse(component, text, intent="ask_treatment", confidence=0.8):
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": confidence},
                            "intent_ranking": [{"name": intent, "confidence": confidence}]})
    return component.process([message])[0]


def test_entities_carry_canonical_values_and_the_extractor(component):
    message = parse(component, "Is balloon kyphoplasty better than ESWT for my back pain?")
    found = {(e["entity"], e["value"], e["extractor"]) for e in message.get("entities")}
    assert found == {("treatment", "kyphoplasty", "MedicalRules"), ("treatment", "eswt", "MedicalRules"),
                     ("body_site", "spine", "MedicalRules")}


def test_red_flag_overrides_the_classifier(component):
    message = parse(component, "I can't control my bladder since this morning", intent="ask_side_effects")
    assert message.get("intent") == {"name": "report_red_flag", "confidence": 1.0}
    assert [i["name"] for i in message.get("intent_ranking")] == ["report_red_flag", "ask_side_effects"]


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_blank_message_falls_back(component, text):
    message = parse(component, text, intent="affirm", confidence=0.6)
    assert message.get("intent")["name"] == "nlu_fallback"


def test_ordinary_question_keeps_its_intent(component):
    assert parse(component, "does iloprost help?").get("intent")["name"] == "ask_treatment"
