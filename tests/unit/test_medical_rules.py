"""The NLU component: vocabulary entities, red-flag and blank-message rules."""

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.medical_rules import MedicalRules
from tests.model_storage import MemoryStorage


@pytest.fixture(scope="module")
def component(tmp_path_factory):
    storage = MemoryStorage(tmp_path_factory.mktemp("medical_rules"))
    trained = MedicalRules(storage, "resource")
    trained.train(TrainingData([Message(data={"text": "does it help my knee?", "intent": "ask_treatment"})]))
    return MedicalRules.load({}, storage, "resource", None)


def parse(component, text, intent="ask_treatment", confidence=0.8):
    message = Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
        }
    )
    return component.process([message])[0]


def test_entities_carry_canonical_values_and_the_extractor(component):
    message = parse(component, "Is balloon kyphoplasty better than ESWT for my back pain?")
    found = {(e["entity"], e["value"], e["extractor"]) for e in message.get("entities")}
    assert found == {
        ("treatment", "kyphoplasty", "MedicalRules"),
        ("treatment", "eswt", "MedicalRules"),
        ("body_site", "spine", "MedicalRules"),
    }


def test_the_finding_itself_is_no_entity(component):
    message = parse(component, "How long does bone marrow edema in the knee take to heal?")
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("body_site", "knee")]


def test_red_flag_overrides_the_classifier_without_rivals(component):
    """A confident second guess must not let the FallbackClassifier call the
    rule's decision ambiguous."""
    message = parse(component, "I can't control my bladder since this morning", "ask_side_effects", 0.99)
    assert message.get("intent") == {"name": "report_red_flag", "confidence": 1.0}
    assert [i["name"] for i in message.get("intent_ranking")] == ["report_red_flag"]


@pytest.mark.parametrize(
    "text, intent",
    [
        ("my foot is hot and swollen and I have neuropathy", "report_same_day_red_flag"),
        ("my jaw hurts and there's exposed bone after zoledronic acid", "report_same_day_red_flag"),
        ("chest pain during the iloprost drip", "report_red_flag"),
        ("I'm 36 weeks pregnant, my hip suddenly got much worse and I can't put weight on it", "report_red_flag"),
    ],
)
def test_red_flag_intent_follows_the_tier(component, text, intent):
    assert parse(component, text, intent="ask_side_effects").get("intent")["name"] == intent


@pytest.mark.parametrize(
    "text, intent",
    [
        ("does iloprost cause headaches?", "ask_side_effects"),
        ("is it normal to have pain at night with bone marrow edema?", "ask_prognosis"),
        ("what temperature should the room be, my knee hurts", "out_of_scope"),
    ],
)
def test_ordinary_symptom_questions_keep_their_intent(component, text, intent):
    assert parse(component, text, intent=intent).get("intent")["name"] == intent


@pytest.mark.parametrize("text", ["", "   ", "\n", "😀😀😀", "qwzx vrenk blorft", "¿Qué pasa?", "12345"])
def test_messages_without_a_known_word_fall_back(component, text):
    message = parse(component, text, intent="affirm", confidence=0.6)
    assert message.get("intent")["name"] == "nlu_fallback"


def test_a_message_in_another_language_falls_back_even_with_known_words(component):
    text = (
        "Diagnose nach MRI: Ermüdungsbruch im Fersenbein. Wann kann ich wieder laufen, und was soll ich bis dahin tun?"
    )
    assert parse(component, text, intent="ask_prognosis", confidence=0.9).get("intent")["name"] == "nlu_fallback"


def test_a_red_flag_in_english_words_outranks_the_language(component):
    text = "Mein Vater hat eine Wirbelfraktur und jetzt numbness between his legs, was sollen wir tun?"
    assert parse(component, text).get("intent")["name"] == "report_red_flag"


def test_a_question_on_another_condition_is_out_of_scope_whatever_the_classifier_guessed(component):
    message = parse(component, "I have gout, what foods should I avoid?", "start_treatment_plan", 0.9)
    assert message.get("intent") == {"name": "out_of_scope", "confidence": 1.0}


def test_a_question_taken_for_a_goodbye_is_left_to_the_answering_action(component):
    message = parse(component, "have you ever had to get your cast cut off and replaced?", "goodbye", 0.9)
    assert message.get("intent") == {"name": "out_of_scope", "confidence": 1.0}


def test_a_goodbye_stays_a_goodbye(component):
    assert parse(component, "it does help my knee, bye", "goodbye", 0.9).get("intent")["name"] == "goodbye"


def test_a_statement_on_another_condition_keeps_its_intent(component):
    """ "I sprained my ankle playing football" may answer the plan's question about the cause."""
    message = parse(component, "I sprained my ankle playing football", "inform", 0.9)
    assert message.get("intent")["name"] == "inform"


def test_a_red_flag_on_another_condition_still_gets_the_red_flag(component):
    message = parse(component, "I sprained my ankle and now I have a fever and it is hot and swollen, what do I do?")
    assert message.get("intent")["name"] == "report_red_flag"


def test_ordinary_question_keeps_its_intent(component):
    assert parse(component, "does iloprost help?").get("intent")["name"] == "ask_treatment"


@pytest.mark.parametrize("text", ["does it help?", "iloprost", "my KNEE hurts so much"])
def test_a_known_word_or_vocabulary_term_is_enough(component, text):
    assert parse(component, text).get("intent")["name"] != "nlu_fallback"
