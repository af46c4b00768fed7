"""Every action through rasa_sdk's Tracker and CollectingDispatcher."""

import asyncio
from typing import List

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import (
    ActionAnswerQuestion,
    ActionExplainWhy,
    ActionGreet,
    ActionHelp,
    ActionListSources,
    ActionRedFlag,
    ActionRephraseFallback,
    ActionSetAudience,
)
from bme import answers
from tests.answers.scoring import says_not_covered


def make_tracker(
    text="", intent=None, entities=(), slots=None, ranking=(), active_loop=None, confidence=0.9, earlier=None
):
    """``earlier``: the slots earlier messages set, as events before the latest message."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": [{"entity": e, "value": v} for e, v in entities],
        "intent_ranking": [{"name": name, "confidence": c} for name, c in ranking],
    }
    events = [{"event": "slot", "name": name, "value": value} for name, value in (earlier or {}).items()]
    events.append({"event": "user", "text": text, "parse_data": latest})
    return Tracker(
        "user-1",
        {**(earlier or {}), **(slots or {})},
        latest,
        events,
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_greet_asks_who_is_chatting_until_known(kb):
    messages, _ = run(ActionGreet(), make_tracker("hi", "greet"))
    assert [m["text"] for m in messages] == [kb.messages["greet"].text, "Which best describes you?"]
    assert [b["title"] for b in messages[1]["buttons"]] == [
        "I'm a patient",
        "I'm a caregiver or relative",
        "I'm a healthcare professional",
    ]
    messages, _ = run(ActionGreet(), make_tracker("hi", "greet", slots={"audience": "patient"}))
    assert messages[1]["text"] == kb.messages["how_can_help"].text


@pytest.mark.parametrize(
    "text, value, expected",
    [
        ("I'm a GP", "professional", "professional"),
        ("as a physio I see this a lot", "professional", "professional"),
        ("I'm an orthopaedic registrar", "orthopaedic registrar", "professional"),
        ("I am a sports medicine resident", "sports medicine resident", "professional"),
        ("Physician here.", "Physician", "professional"),
        ("Hi, physio here", "physio", "professional"),
        ("I'm a medical professional", "medical professional", "professional"),
        ("I'm a professional, so give me the details", "professional", "professional"),
        ("asking for my mum", "my mum", "caregiver"),
        ('/set_audience{"audience": "professional"}', "professional", "professional"),  # the button
    ],
)
def test_set_audience(kb, text, value, expected):
    messages, events = run(ActionSetAudience(), make_tracker(text, "set_audience", [("audience", value)]))
    assert messages[0]["text"] == kb.messages[f"audience_{expected}"].text
    assert slot_events(events) == {"audience": expected}


@pytest.mark.parametrize(
    "text",
    [
        "my surgeon said the MRI shows bone marrow edema, what does that mean?",
        "my knee surgeon said the MRI shows bone marrow edema, what does that mean?",
        "As soon as the doctor told me I had a sacral stress fracture, I looked it up",
        "The doctor here told me to rest my foot for six weeks",
        "I'm a professional dancer with a stress fracture in my foot. When can I dance again?",
    ],
)
def test_a_patient_quoting_their_surgeon_stays_a_patient(kb, text):
    messages, events = run(ActionSetAudience(), make_tracker(text, "set_audience", [("audience", "professional")]))
    assert "audience" not in slot_events(events)
    assert messages[0]["text"] != kb.messages["audience_professional"].text


def test_set_audience_without_a_value_asks():
    messages, events = run(ActionSetAudience(), make_tracker("change how you talk", "set_audience"))
    assert messages[0]["text"] == "Which best describes you?" and events == []


def test_answer_is_cited_and_stores_its_references(kb):
    tracker = make_tracker("does iloprost help?", "ask_treatment", [("treatment", "iloprost")])
    messages, events = run(ActionAnswerQuestion(), tracker)
    text = messages[0]["text"]
    assert "[1]" in text and kb.disclaimers.clinical in text
    slots = slot_events(events)
    assert slots["last_references"] and slots["last_facts"]
    assert messages[0]["buttons"][0]["payload"] == "/start_treatment_plan"


def iloprost_facts(kb):
    return [fact.id for fact in kb.facts.values() if "iloprost" in fact.treatments]


def test_follow_up_uses_the_treatment_slot(kb):
    earlier = {"treatment": "iloprost", "last_facts": iloprost_facts(kb)}
    tracker = make_tracker("what are its side effects?", "ask_side_effects", earlier=earlier)
    messages, events = run(ActionAnswerQuestion(), tracker)
    assert kb.label("treatment", "iloprost") in messages[0]["text"]
    assert all("iloprost" in kb.facts[f].treatments for f in slot_events(events)["last_facts"])


@pytest.mark.parametrize(
    "text, intent, entities, card",
    [
        # "It" is the finding: a drug is not cancer.
        ("is it cancer?", "ask_diagnosis", [("condition", "bone_tumour")], "is_it_cancer"),
        ("could it be osteonecrosis?", "ask_diagnosis", [("condition", "osteonecrosis")], "is_it_osteonecrosis"),
        # The question names its own treatment (Rasa has already put it in the slot).
        ("can I take ibuprofen for it?", "ask_pain_management", [("treatment", "nsaids")], "can_i_take_ibuprofen"),
    ],
)
def test_a_short_question_with_its_own_subject_after_a_treatment_gets_its_card(kb, text, intent, entities, card):
    slots = {name: value for name, value in entities}
    earlier = {"treatment": "iloprost", "last_facts": iloprost_facts(kb)}
    tracker = make_tracker(text, intent, entities, slots=slots, earlier=earlier)
    messages, _ = run(ActionAnswerQuestion(), tracker)
    assert messages[0]["text"].startswith(f"**{kb.questions[card].question}**")


def test_a_question_naming_no_subject_asks_about_the_treatment_of_the_last_answer(kb):
    """ "What are the risks?" after an answer on kyphoplasty."""
    last_facts = list(kb.questions["vertebroplasty_worth_it"].facts)
    earlier = {"treatment": "kyphoplasty", "condition": "vertebral_compression_fracture", "last_facts": last_facts}
    messages, _ = run(ActionAnswerQuestion(), make_tracker("what are the risks?", "ask_side_effects", earlier=earlier))
    assert messages[0]["text"].startswith(f"**{kb.questions['cement_leakage'].question}**")


def test_a_follow_up_that_would_get_the_same_card_again_gets_the_topic_on_the_treatment(kb):
    last_facts = answers.answer_card(kb, kb.questions["shock_wave_therapy"], None).fact_ids
    earlier = {"treatment": "eswt", "last_facts": last_facts}
    messages, events = run(
        ActionAnswerQuestion(), make_tracker("what are the risks?", "ask_side_effects", earlier=earlier)
    )
    assert not messages[0]["text"].startswith(f"**{kb.questions['shock_wave_therapy'].question}**")
    assert all("eswt" in kb.facts[fact].treatments for fact in slot_events(events)["last_facts"])


def test_a_follow_up_after_an_answer_on_something_else_is_no_longer_about_the_treatment(kb):
    """The treatment slot outlives the answer on it: "will it come back?" after "is it cancer?"."""
    last_facts = list(kb.questions["is_it_cancer"].facts)
    tracker = make_tracker(
        "will it come back?", "ask_prognosis", earlier={"treatment": "iloprost", "last_facts": last_facts}
    )
    messages, _ = run(ActionAnswerQuestion(), tracker)
    assert "iloprost" not in messages[0]["text"].lower()
    assert messages[0]["text"].startswith("**")


def test_professional_gets_professional_wording(kb):
    tracker = make_tracker(
        "zoledronate evidence", "ask_treatment", [("treatment", "zoledronate")], slots={"audience": "professional"}
    )
    messages, events = run(ActionAnswerQuestion(), tracker)
    first = slot_events(events)["last_facts"][0]
    assert kb.facts[first].professional in messages[0]["text"]


def test_statement_naming_a_condition_gets_its_treatment_facts(kb):
    messages, events = run(ActionAnswerQuestion(), make_tracker("I have CNO", "inform", [("condition", "cno")]))
    assert all("cno" in kb.facts[f].conditions for f in slot_events(events)["last_facts"])


def test_statement_without_a_subject_offers_likely_topics():
    tracker = make_tracker("six weeks", "inform", ranking=[("inform", 0.6), ("ask_prognosis", 0.3)])
    messages, events = run(ActionAnswerQuestion(), tracker)
    assert '"six weeks"' in messages[0]["text"] and events == []
    assert messages[0]["buttons"][0]["payload"] == "/ask_prognosis"


def test_empty_message_is_named_as_such(kb):
    messages, _ = run(ActionRephraseFallback(), make_tracker("  ", "nlu_fallback"))
    assert messages[0]["text"] == kb.messages["empty_message"].text
    assert messages[0]["buttons"]


def test_unanswerable_question_offers_what_is_known(kb):
    uncovered = next(
        t
        for t in kb.vocabulary["treatment"]
        if not any(t in f.treatments and "follow_up" in f.topics for f in kb.facts.values())
    )
    tracker = make_tracker("follow up?", "ask_follow_up", [("treatment", uncovered)])
    messages, events = run(ActionAnswerQuestion(), tracker)
    assert kb.disclaimers.no_answer in messages[0]["text"]
    assert messages[0]["buttons"] and all(uncovered in b["payload"] for b in messages[0]["buttons"])
    assert events == []


def test_sources_after_an_answer(kb):
    _, events = run(
        ActionAnswerQuestion(), make_tracker("kyphoplasty?", "ask_procedure", [("treatment", "kyphoplasty")])
    )
    refs = slot_events(events)["last_references"]
    messages, _ = run(ActionListSources(), make_tracker("sources?", "ask_sources", slots={"last_references": refs}))
    assert kb.references[refs[0]].citation in messages[0]["text"]


FOSAMAX_STORY = (
    "I have osteoporosis and have been taking Fosamax for 3 years. I read in the paper that this drug can "
    "cause fractures. Should I stop taking it?"
)


@pytest.mark.parametrize("slots", [{}, {"last_references": ["hipint2011_hbot"]}])
def test_a_story_taken_for_a_request_for_sources_is_answered(kb, slots):
    tracker = make_tracker(FOSAMAX_STORY, "ask_sources", [("treatment", "bisphosphonates")], slots=slots)
    messages, _ = run(ActionListSources(), tracker)
    assert messages[0]["text"].startswith("**") and "thigh" in messages[0]["text"]


def test_a_request_for_the_sources_on_a_subject_lists_the_last_answer_s(kb):
    refs = ["hipint2011_hbot"]
    tracker = make_tracker(
        "which study says that about vertebroplasty?",
        "ask_sources",
        [("treatment", "vertebroplasty")],
        slots={"last_references": refs},
    )
    messages, _ = run(ActionListSources(), tracker)
    assert kb.references[refs[0]].citation in messages[0]["text"]


def test_why_explains_the_last_answer(kb):
    _, events = run(
        ActionAnswerQuestion(), make_tracker("vertebroplasty?", "ask_procedure", [("treatment", "vertebroplasty")])
    )
    messages, _ = run(
        ActionExplainWhy(), make_tracker("why?", "ask_why", slots={"last_facts": slot_events(events)["last_facts"]})
    )
    assert messages[0]["text"].startswith("Here is what my last answer rests on")


@pytest.mark.parametrize("text", ["why do you say that?", "how good is the evidence?"])
def test_why_about_the_last_answer_explains_its_evidence(kb, text):
    last_facts = [kb.questions["how_stress_fractures_happen"].facts[0]]
    messages, _ = run(ActionExplainWhy(), make_tracker(text, "ask_why", slots={"last_facts": last_facts}))
    assert [message["text"] for message in messages] == [answers.explain_evidence(kb, last_facts, None)]


def test_a_why_question_with_its_own_subject_is_answered(kb):
    messages, _ = run(ActionExplainWhy(), make_tracker("why do people get stress fractures?", "ask_why"))
    assert kb.questions["how_stress_fractures_happen"].answer.patient in messages[0]["text"]


def test_what_about_an_activity_after_an_answer_is_a_question_of_its_own(kb):
    """ "What about cycling?", taken for "why?", asks about exercise, not about the last answer's evidence."""
    last_facts = kb.questions["stress_reaction_or_fracture"].facts
    earlier = {"condition": "stress_fracture", "last_facts": last_facts}
    messages, _ = run(ActionExplainWhy(), make_tracker("What about cycling?", "ask_why", earlier=earlier))
    assert messages[0]["text"].startswith(f"**{kb.questions['exercise_while_healing'].question}**")


def test_why_before_anything_was_said_is_taken_as_a_question(kb):
    messages, _ = run(ActionExplainWhy(), make_tracker("how long does a bone bruise take to heal?", "ask_why"))
    assert kb.questions["bone_bruise_how_long"].answer.patient in messages[0]["text"]


def test_a_why_question_about_another_condition_is_declined(kb):
    messages, _ = run(ActionExplainWhy(), make_tracker("why do I get gout?", "ask_why"))
    assert says_not_covered(kb, messages[0]["text"])


@pytest.mark.parametrize("text", ["what can you do?", "help", "how do I use this?"])
def test_a_request_for_help_gets_what_the_assistant_covers(kb, text):
    messages, _ = run(ActionHelp(), make_tracker(text, "help"))
    assert [message["text"] for message in messages] == [kb.messages["help_menu"].text]
    assert [button["title"] for button in messages[0]["buttons"]][0] == "What is bone marrow edema?"


def test_a_question_on_a_covered_subject_taken_for_help_is_answered(kb):
    ranking = [("help", 0.6), ("ask_sources", 0.2), ("ask_diagnosis", 0.1)]
    tracker = make_tracker(
        "How would I know if I have Charcot foot?", "help", [("condition", "charcot")], ranking=ranking
    )
    messages, _ = run(ActionHelp(), tracker)
    assert messages[0]["text"].startswith("**") and "Charcot" in messages[0]["text"]


def test_a_question_on_an_uncovered_subject_taken_for_help_is_declined(kb):
    text = "What about osteoarthritis of the knee? It came on all of a sudden. What do you recommend for this?"
    messages, _ = run(ActionHelp(), make_tracker(text, "help", [("condition", "osteoarthritis")]))
    assert messages[0]["text"].startswith(kb.messages["out_of_scope"].text)


def test_red_flag_message_comes_from_the_knowledge_base(kb):
    tracker = make_tracker("I can't control my bladder and my legs are numb", "report_red_flag")
    messages, _ = run(ActionRedFlag(), tracker)
    flag = next(f for f in kb.red_flags if f.id == "spinal_cord_compression")
    assert messages[0]["text"].startswith(flag.message.patient)
    assert messages[1]["text"] == kb.messages["continue_after_red_flag"].text


@pytest.mark.parametrize(
    "intent, message",
    [
        ("report_red_flag", "red_flag_emergency"),
        ("report_same_day_red_flag", "red_flag_same_day"),
        ("ask_treatment", "red_flag_emergency"),
    ],
)
def test_red_flag_without_known_phrases_gets_the_generic_message_of_its_tier(kb, intent, message):
    messages, _ = run(ActionRedFlag(), make_tracker("something is really wrong", intent))
    assert messages[0]["text"] == kb.messages[message].text


def test_a_report_the_classifier_is_unsure_is_urgent_names_the_signs_it_tells_in_part_then_answers(kb):
    text = "My son is 13 and had a growth spurt. He can't put weight on his knee, below the kneecap."
    messages, _ = run(ActionRedFlag(), make_tracker(text, "report_red_flag", confidence=0.5))
    assert messages[0]["text"] == kb.messages["red_flag_check_emergency"].text
    assert says_not_covered(kb, messages[1]["text"])


def test_a_report_the_classifier_is_unsure_is_urgent_that_tells_no_sign_is_answered_without_one(kb):
    text = "My son is 13 and just had a growth spurt. He is complaining of pain below his kneecap."
    messages, _ = run(ActionRedFlag(), make_tracker(text, "report_red_flag", confidence=0.5))
    assert len(messages) == 1
    assert says_not_covered(kb, messages[0]["text"])


@pytest.mark.parametrize(
    "text, professional",
    [
        ("my leg is cold and blue and I can't move it", False),
        # Not "Once you are safe and have sought help": the clinician reports a patient.
        ("I'm a GP. My patient's leg is cold and blue and she can't move it", True),
    ],
)
def test_a_report_the_classifier_is_sure_is_urgent_gets_the_alarm_in_the_asker_s_words(kb, text, professional):
    messages, _ = run(ActionRedFlag(), make_tracker(text, "report_red_flag", confidence=0.99))
    urgent, after = kb.messages["red_flag_emergency"], kb.messages["continue_after_red_flag"]
    assert [message["text"] for message in messages] == (
        [urgent.professional, kb.messages["audience_professional"].text, after.professional]
        if professional
        else [urgent.text, after.text]
    )


@pytest.mark.parametrize(
    "text",
    [
        "It's a bone bruise and I still can't put weight on it, how long does it take to heal?",
        "It has been hard to walk since the bone bruise, how long does it take to heal?",
        "I've had a fever since the bone bruise, how long does it take to heal?",
    ],
)
def test_a_short_question_only_the_classifier_found_urgent_is_answered_after_the_signs_it_tells(kb, text):
    messages, _ = run(ActionRedFlag(), make_tracker(text, "report_red_flag"))
    assert messages[0]["text"] == kb.messages["red_flag_check_emergency"].text
    assert kb.questions["bone_bruise_how_long"].answer.patient in messages[1]["text"]


@pytest.mark.parametrize(
    "text, card",
    [
        ("I tripped on a curb and it's a bone bruise, how long does it take to heal?", "bone_bruise_how_long"),
        ("The pain has gone and it is not tender. How do I know I am ready to run?", "return_to_running"),
    ],
)
def test_a_calm_question_only_the_classifier_found_urgent_is_answered_without_a_safety_check(kb, text, card):
    ranking = [("report_red_flag", 0.5), ("ask_activity", 0.4), ("ask_prognosis", 0.1)]
    messages, _ = run(ActionRedFlag(), make_tracker(text, "report_red_flag", ranking=ranking))
    assert all("⚠️" not in message["text"] for message in messages)
    assert kb.questions[card].answer.patient in messages[0]["text"]


def test_a_short_question_only_the_classifier_found_urgent_about_another_condition_is_declined(kb):
    text = "my heel is sore first thing in the morning, is that plantar fasciitis?"
    messages, _ = run(ActionRedFlag(), make_tracker(text, "report_red_flag"))
    assert says_not_covered(kb, messages[0]["text"])


@pytest.mark.parametrize(
    ("intent", "tier"), [("report_red_flag", "emergency"), ("report_same_day_red_flag", "same_day")]
)
def test_a_story_only_the_classifier_found_urgent_names_the_warning_signs_then_answers(kb, intent, tier):
    story = (
        "I hit my knee on the pavement hard. I went to the clinic the next day. "
        "I'm told it is a bone bruise, but I can't put weight on it. How long does it take to heal?"
    )
    messages, _ = run(ActionRedFlag(), make_tracker(story, intent))
    assert messages[0]["text"] == kb.messages[f"red_flag_check_{tier}"].text
    assert kb.questions["bone_bruise_how_long"].answer.patient in messages[1]["text"]


@pytest.mark.parametrize(
    "asked, heading", [("ask_prognosis", "How long recovery takes"), ("ask_treatment", "Treatment options")]
)
def test_a_story_only_the_classifier_found_urgent_is_answered_as_the_intent_ranked_next(kb, asked, heading):
    # A story whose cards are unsure (only choices, close together), so the intent ranked next answers it.
    story = "I have a stress fracture. It hurts a lot and I can't put weight on it since yesterday. Any thoughts?"
    ranking = [("report_red_flag", 0.6), (asked, 0.3), ("ask_definition", 0.1)]
    tracker = make_tracker(story, "report_red_flag", entities=[("condition", "stress_fracture")], ranking=ranking)
    messages, _ = run(ActionRedFlag(), tracker)
    assert messages[0]["text"] == kb.messages["red_flag_check_emergency"].text
    assert messages[1]["text"].startswith(f"**{heading}: stress or insufficiency fracture**")
    assert tracker.latest_message["intent"]["name"] == "report_red_flag"  # the tracker is read, not changed


def test_a_red_flag_the_phrase_rule_names_gets_no_other_answer(kb):
    tracker = make_tracker("my legs went numb suddenly, how long does a bone bruise take to heal?", "report_red_flag")
    messages, _ = run(ActionRedFlag(), tracker)
    assert [message["text"] for message in messages[1:]] == [kb.messages["continue_after_red_flag"].text]


def test_a_clinician_s_red_flag_read_as_who_they_are_still_gets_the_alarm_first(kb):
    """The classifier ranks "I'm a GP" first and the patient's cold, blue leg second."""
    text = "I'm a GP. My patient's leg is cold and blue and she can't move it"
    ranking = [("set_audience", 0.71), ("report_red_flag", 0.25)]
    tracker = make_tracker(text, "set_audience", [("audience", "professional")], ranking=ranking, confidence=0.71)
    messages, _ = run(ActionSetAudience(), tracker)
    assert [message["text"] for message in messages] == [
        kb.messages["red_flag_emergency"].professional,
        kb.messages["audience_professional"].text,
        kb.messages["continue_after_red_flag"].professional,
    ]
    # Saying who they are and nothing more is no alarm, whatever the runner-up.
    tracker = make_tracker("I'm a GP", "set_audience", [("audience", "professional")], ranking=ranking)
    assert [message["text"] for message in run(ActionSetAudience(), tracker)[0]] == [
        kb.messages["audience_professional"].text
    ]


def test_a_clinician_whose_first_message_trips_a_red_flag_gets_clinical_wording_throughout(kb):
    """The urgent message leads, in clinical words, then the claim is acknowledged and the card
    follows in clinical wording: the audience must not wait for the next message."""
    case = (
        "I'm a rheumatologist. My patient has taken alendronate for nine years and has had an ache in the "
        "left thigh for a month, worse on walking. How likely is an atypical femoral fracture?"
    )
    messages, events = run(ActionRedFlag(), make_tracker(case, "report_red_flag"))
    flag = next(f for f in kb.red_flags if f.id == "atypical_femoral_fracture")
    assert messages[0]["text"].startswith(flag.message.professional)
    assert messages[1]["text"] == kb.messages["audience_professional"].text
    assert messages[2]["text"] == kb.messages["answer_after_red_flag"].professional
    assert kb.questions["bisphosphonate_thigh_fracture"].answer.professional in messages[3]["text"]
    assert {"event": "slot", "timestamp": None, "name": "audience", "value": "professional"} in events


def replies_after_the_urgent_message(kb, story: str, flag_id: str) -> List[str]:
    """What follows the urgent message of the flag ``flag_id`` that ``story`` trips (checked to lead)."""
    messages, _ = run(ActionRedFlag(), make_tracker(story, "report_red_flag"))
    flag = next(f for f in kb.red_flags if f.id == flag_id)
    assert messages[0]["text"].startswith(flag.message.patient)
    return [message["text"] for message in messages[1:]]


def test_a_story_with_a_red_flag_the_phrase_rule_names_gets_the_urgent_message_then_its_answer(kb):
    story = (
        "My father had vertebroplasty last week. The next day he had chest pain and shortness of breath. "
        "He was treated in hospital and is stable now. Could the bone cement have leaked?"
    )
    replies = replies_after_the_urgent_message(kb, story, "chest_pain_or_breathlessness")
    assert replies[0] == kb.messages["answer_after_red_flag"].text
    assert kb.questions["cement_leakage"].answer.patient in replies[1]


@pytest.mark.parametrize(
    "story",
    [
        # It asks whether to stop: the ranking preferred the card on whether the drugs work for marrow edema.
        "I'm a carer. My mother has been on alendronate for seven years. She now has a dull ache in her thigh. "
        "Should she stop it?",
        # It asks nothing.
        "I began taking Actonel in 2004. In 2010 I began to have pain in my left thigh every step I took. "
        "An X-ray showed a hairline fracture in my femur. My doctor has said I shouldn't take Actonel now.",
    ],
)
def test_a_story_of_a_thigh_ache_on_a_bone_drug_gets_the_urgent_message_then_the_card_on_it(kb, story):
    replies = replies_after_the_urgent_message(kb, story, "atypical_femoral_fracture")
    assert replies[0] == kb.messages["answer_after_red_flag"].text
    assert kb.questions["bisphosphonate_thigh_fracture"].answer.patient in replies[1]


def test_a_story_of_bleeding_on_a_painkiller_gets_the_urgent_message_and_no_painkiller_card(kb):
    story = (
        "I have been taking naproxen for my hip bone marrow edema for six weeks. "
        "Now my stools are black. Should I keep taking it?"
    )
    replies = replies_after_the_urgent_message(kb, story, "stomach_bleeding")
    assert replies == [kb.messages["continue_after_red_flag"].text]


def test_a_story_with_a_red_flag_asking_only_what_to_do_gets_the_urgent_message_alone(kb):
    story = (
        "I have a compression fracture in my spine. Since last night both legs are weak and numb. "
        "I also wet myself. What should I do?"
    )
    messages, _ = run(ActionRedFlag(), make_tracker(story, "report_red_flag"))
    assert [message["text"] for message in messages[1:]] == [kb.messages["continue_after_red_flag"].text]


def test_same_day_red_flag_gets_its_own_message(kb):
    tracker = make_tracker("my foot is hot and swollen and I have neuropathy", "report_same_day_red_flag")
    messages, _ = run(ActionRedFlag(), tracker)
    assert messages[0]["text"].startswith(next(f for f in kb.red_flags if f.id == "charcot_foot").message.patient)
    assert messages[0]["text"].startswith("⚠️")


def test_fallback_echoes_markup_escaped_and_offers_likely_topics():
    tracker = make_tracker(
        "<b>bold</b> <script>x()</script>",
        "nlu_fallback",
        ranking=[("nlu_fallback", 0.5), ("ask_prognosis", 0.3), ("greet", 0.1)],
    )
    messages, _ = run(ActionRephraseFallback(), tracker)
    message = messages[0]
    assert '"&lt;b&gt;bold&lt;/b&gt; &lt;script&gt;x()&lt;/script&gt;"' in message["text"]
    assert "<" not in message["text"]
    assert message["buttons"][0]["payload"] == "/ask_prognosis"
    assert message["buttons"][-1]["payload"] == "/help"


def test_a_message_in_another_language_is_asked_again_in_english(kb):
    text = "Tengo edema óseo en la rodilla desde hace dos meses, ¿qué puedo hacer para que se cure?"
    messages, events = run(ActionRephraseFallback(), make_tracker(text, "nlu_fallback"))
    assert [message["text"] for message in messages] == [kb.messages["english_only"].text]
    assert events == []


def test_saying_who_you_are_with_a_question_gets_both(kb):
    text = "I'm a patient. My MRI says I have bone marrow edema in my hip, is it cancer?"
    messages, events = run(ActionSetAudience(), make_tracker(text, "set_audience", [("audience", "patient")]))
    assert messages[0]["text"] == kb.messages["audience_patient"].text
    assert slot_events(events)["audience"] == "patient" and slot_events(events)["last_facts"]
    assert kb.disclaimers.clinical in messages[1]["text"]


def test_a_clinician_who_says_so_in_a_question_gets_the_clinician_wording(kb):
    """Classified as its question, "I'm a physician. ..." still says who is asking."""
    text = "I'm a physician. What are the main risks of hyperbaric oxygen for a patient with hip BMES?"
    messages, events = run(ActionAnswerQuestion(), make_tracker(text, "ask_side_effects", [("treatment", "hbot")]))
    assert messages[0]["text"] == kb.messages["audience_professional"].text
    assert kb.facts["hbot_safety"].professional in messages[1]["text"]
    assert slot_events(events)["audience"] == "professional"


def test_a_clinician_whose_long_case_is_not_understood_still_gets_the_clinician_wording(kb):
    """A case told at length falls back to the cards: the self-description still counts."""
    text = (
        "I'm a GP. A 70 year old woman has had a painful osteoporotic L1 fracture for 3 weeks "
        "despite analgesia. When is vertebroplasty indicated?"
    )
    messages, events = run(ActionRephraseFallback(), make_tracker(text, "nlu_fallback"))
    assert messages[0]["text"] == kb.messages["audience_professional"].text
    assert kb.facts["vertebral_augmentation_nice_criteria"].professional in messages[1]["text"]
    assert slot_events(events)["audience"] == "professional"


def test_a_patient_who_mentions_their_doctor_in_a_question_stays_a_patient(kb):
    text = "My doctor suggested hyperbaric oxygen for my hip. What are the risks?"
    tracker = make_tracker(text, "ask_side_effects", [("treatment", "hbot")], slots={"audience": "patient"})
    messages, events = run(ActionAnswerQuestion(), tracker)
    assert "audience" not in slot_events(events)
    assert kb.facts["hbot_safety"].patient in messages[0]["text"]
