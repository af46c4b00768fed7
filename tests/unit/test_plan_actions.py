"""The plan form's validation and plan actions through rasa_sdk."""

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionAnswerBeforePlan, ActionExplainWhy
from actions.plan_actions import (
    ASK_ACTIONS,
    ActionExplainStep,
    ActionRepeatPlan,
    ActionResetPlan,
    ActionShowPlan,
    ValidateTreatmentPlanForm,
    step_number,
)
from bme.plan import PLAN_SLOTS
from tests.answers.scoring import says_out_of_scope

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())
FORM = "treatment_plan_form"


def tracker(text, intent="inform", slots=None, entities=(), requested=None, loop=FORM):
    all_slots = {name: None for name in DOMAIN["slots"]}
    all_slots.update(slots or {})
    if requested:
        all_slots["requested_slot"] = requested
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [{"entity": e, "value": v} for e, v in entities],
        "intent_ranking": [],
    }
    return Tracker("u", all_slots, latest, [], False, None, {"name": loop} if loop else {}, "action_listen")


def validate(text, requested, intent="inform", slots=None, entities=()):
    return run(ValidateTreatmentPlanForm(), tracker(text, intent, slots, entities, requested))


def run(action, t):
    """The slots ``action`` sets on tracker ``t``, and its messages."""
    events, messages = events_and_messages(action, t)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, messages


def events_and_messages(action, t):
    dispatcher = CollectingDispatcher()
    return asyncio.run(action.run(dispatcher, t, DOMAIN)), dispatcher.messages


def before_plan(text):
    """What a plan request gets before the plan: the (event, name) pairs ActionAnswerBeforePlan
    returns, and its messages."""
    events, messages = events_and_messages(ActionAnswerBeforePlan(), tracker(text, "start_treatment_plan", loop=None))
    return [(event["event"], event.get("name")) for event in events], messages


def test_valid_answer_is_stored_and_the_next_question_chosen():
    slots, messages = validate("yes, the MRI showed it", "mri_confirmed")
    assert slots["mri_confirmed"] is True and slots["requested_slot"] == "etiology"
    assert messages == []


def test_etiology_decides_the_next_question():
    slots, _ = validate("it's a compression fracture", "etiology", slots={"mri_confirmed": True})
    assert slots["etiology"] == "vertebral_compression_fracture"
    assert slots["requested_slot"] == "neuro_symptoms"


def test_a_cause_named_with_its_site_sets_both():
    slots, _ = validate(
        "a compression fracture in my spine",
        "etiology",
        slots={"mri_confirmed": True},
        entities=[("condition", "vertebral compression fracture")],
    )
    assert slots["etiology"] == "vertebral_compression_fracture" and slots["body_site"] == "spine"


def test_an_earlier_answer_that_names_the_site_spares_its_question():
    slots, _ = validate("yes, the MRI of my hip showed it", "mri_confirmed", intent="affirm")
    assert slots["mri_confirmed"] is True and slots["body_site"] == "hip"
    assert slots["requested_slot"] != "body_site"


def test_a_later_answer_does_not_change_the_site_given():
    slots, _ = validate("about six weeks, since I hurt my back", "pain_duration_weeks", slots=HIP_BMES)
    assert "body_site" not in slots


def test_button_payload_entities_are_used():
    slots, _ = validate(
        '/inform{"condition": "traumatic"}',
        "etiology",
        entities=[("condition", "traumatic")],
        slots={"mri_confirmed": True},
    )
    assert slots["etiology"] == "traumatic"
    slots, _ = validate(
        '/inform{"body_site": "knee"}',
        "body_site",
        entities=[("body_site", "knee")],
        slots={"mri_confirmed": True, "etiology": "bmes"},
    )
    assert slots["body_site"] == "knee" and slots["requested_slot"] == "pain_severity"


def test_invalid_answer_re_asks_with_an_example(kb):
    slots, messages = validate(
        "purple", "pain_severity", slots={"mri_confirmed": True, "etiology": "bmes", "body_site": "hip"}
    )
    assert slots["pain_severity"] is None and slots["invalid_answers"] == 1
    assert [m["text"] for m in messages] == [kb.plan.questions["pain_severity"].invalid]
    assert "for example" in messages[0]["text"].lower()
    assert slots["requested_slot"] == "pain_severity"


def test_second_miss_explains_and_offers_skip_or_stop(kb):
    slots, messages = validate(
        "purple",
        "pain_severity",
        slots={"mri_confirmed": True, "etiology": "bmes", "body_site": "hip", "invalid_answers": 1},
    )
    assert messages[0]["text"] == kb.plan.questions["pain_severity"].why
    assert [b["payload"] for b in messages[1]["buttons"]] == ["/skip", "/stop"]
    assert slots["invalid_answers"] == 2


def test_skip_moves_on_and_is_not_asked_again():
    slots, _ = validate("/skip", "body_site", intent="skip", slots={"mri_confirmed": True, "etiology": "bmes"})
    assert slots["skipped_slots"] == ["body_site"] and slots["requested_slot"] == "pain_severity"


def test_neuro_symptoms_trigger_the_urgent_message_and_end_the_form(kb):
    slots, messages = validate(
        "yes, my legs feel weak",
        "neuro_symptoms",
        slots={"mri_confirmed": True, "etiology": "vertebral_compression_fracture"},
    )
    assert slots["neuro_symptoms"] is True
    assert slots["requested_slot"] is None  # the form ends
    flag = next(f for f in kb.red_flags if f.id == "spinal_cord_compression")
    assert messages[0]["text"].startswith(flag.message.patient)


def test_an_answer_that_looks_like_a_question_is_still_an_answer():
    slots, _ = validate(
        "about four months",
        "pain_duration_weeks",
        intent="ask_prognosis",
        slots={
            "mri_confirmed": True,
            "etiology": "vertebral_compression_fracture",
            "neuro_symptoms": False,
            "cancer_history": False,
            "pain_severity": 8,
        },
    )
    assert slots["pain_duration_weeks"] == 17.3 and slots["requested_slot"] == "pregnancy"


def test_a_real_question_interrupts_without_counting_a_miss():
    slots, messages = validate(
        "does iloprost help?",
        "pain_severity",
        intent="ask_treatment",
        slots={"mri_confirmed": True, "etiology": "bmes", "body_site": "hip"},
    )
    assert "pain_severity" not in slots and "invalid_answers" not in slots and messages == []


@pytest.mark.parametrize("intent", ["stop", "report_red_flag", "ask_why", "start_over"])
def test_control_intents_are_never_taken_as_answers(intent):
    slots, _ = validate(
        "no", "diabetes", intent=intent, slots={"mri_confirmed": True, "etiology": "unknown", "body_site": "foot"}
    )
    assert "diabetes" not in slots


HIP_BMES = {"mri_confirmed": True, "etiology": "bmes", "body_site": "hip"}


def test_pain_answer_is_followed_by_the_pregnancy_question(kb):
    slots, _ = validate("7 out of 10", "pain_severity", slots=HIP_BMES)
    assert slots["pain_severity"] == 7 and slots["requested_slot"] == "pregnancy"


def test_last_answer_completes_the_form():
    slots, _ = validate(
        "no, my kidneys are fine", "kidney_problems", slots={**HIP_BMES, "pain_severity": 7, "pregnancy": "no"}
    )
    assert slots["kidney_problems"] is False and slots["requested_slot"] is None


COMPLETE = {**HIP_BMES, "pain_severity": 7, "pregnancy": "no", "kidney_problems": False}


def test_show_plan_is_personal_cited_and_kept(kb):
    slots, messages = run(ActionShowPlan(), tracker("7", slots=COMPLETE, loop=None))
    text = messages[0]["text"]
    assert text.startswith("**Your plan (hip, bone marrow edema syndrome, MRI confirmed, pain 7/10)**")
    for option in ("pain_control_severe", "iloprost_option", "bisphosphonate_option"):
        assert kb.plan.steps[option].title in text
    assert "Not proposed" not in text
    for heading in kb.plan.headings.values():
        assert heading in text
    assert "[1]" in text and kb.disclaimers.clinical in text
    assert slots["plan_steps"][0] == "1:mri_done_find_cause"
    assert slots["last_references"]


def test_repeat_plan_gives_the_same_plan():
    slots, shown = run(ActionShowPlan(), tracker("7", slots=COMPLETE, loop=None))
    _, repeated = run(
        ActionRepeatPlan(),
        tracker(
            "what was my plan again?", "repeat_plan", slots={**COMPLETE, "plan_steps": slots["plan_steps"]}, loop=None
        ),
    )
    assert repeated[0]["text"] == shown[0]["text"]


def test_repeat_without_a_plan_offers_one():
    _, messages = run(ActionRepeatPlan(), tracker("my plan?", "repeat_plan", loop=None))
    assert messages[0]["buttons"][0]["payload"] == "/start_treatment_plan"


@pytest.mark.parametrize(
    "text, number",
    [
        ("tell me more about step 3", 3),
        ("explain the second step", 2),
        ("what about the last step", 4),
        ("more please", None),
    ],
)
def test_step_number(text, number):
    assert step_number(text) == number


def test_explain_step_gives_the_evidence(kb):
    slots, _ = run(ActionShowPlan(), tracker("7", slots=COMPLETE, loop=None))
    state = {**COMPLETE, "plan_steps": slots["plan_steps"]}
    _, messages = run(ActionExplainStep(), tracker("tell me more about step 3", "explain_step", slots=state, loop=None))
    assert messages[0]["text"].startswith(f"**Step 3: {kb.plan.headings[3]}**")
    assert "Checked against its sources on" in messages[0]["text"]  # each fact's evidence card
    _, messages = run(ActionExplainStep(), tracker("tell me about step 9", "explain_step", slots=state, loop=None))
    assert messages[0]["text"].startswith("Your plan has steps 1, 2, 3, 4.")


def test_reset_clears_answers_but_keeps_what_the_request_said():
    t = tracker(
        "My MRI shows bone marrow edema in my knee, what next?",
        "start_treatment_plan",
        slots={**COMPLETE, "plan_steps": ["1:get_mri"]},
        entities=[("body_site", "knee")],
        loop=None,
    )
    slots, _ = run(ActionResetPlan(), t)
    assert slots["body_site"] == "knee" and slots["mri_confirmed"] is True
    assert slots["etiology"] is None and slots["pain_severity"] is None and slots["plan_steps"] is None


def test_why_during_the_plan_explains_the_current_question(kb):
    t = tracker("why do you ask?", "ask_why", slots={"requested_slot": "diabetes"})
    _, messages = run(ActionExplainWhy(), t)
    assert messages[0]["text"] == kb.plan.questions["diabetes"].why


@pytest.mark.parametrize("slot", ["mri_confirmed", "diabetes", "pain_duration_weeks"])
def test_form_questions_are_asked_from_the_knowledge_base(kb, slot):
    action = next(a() for a in ASK_ACTIONS if a().name() == f"action_ask_{slot}")
    _, messages = run(action, tracker("", loop=FORM))
    assert messages[0]["text"] == kb.plan.questions[slot].ask.text


def test_answers_given_before_the_plan_started_are_kept():
    t = tracker(
        "My MRI shows bone marrow edema in my hip, what next?",
        "start_treatment_plan",
        slots={"mri_confirmed": True, "body_site": "hip"},
    )
    dispatcher = CollectingDispatcher()
    events = ValidateTreatmentPlanForm().validate_mri_confirmed(True, dispatcher, t, DOMAIN)
    assert events == {"mri_confirmed": True, "invalid_answers": 0} and dispatcher.messages == []


def test_a_new_plan_keeps_the_body_site_named_earlier():
    t = tracker("make me a plan", "start_treatment_plan", slots={"body_site": "knee", "etiology": "cno"}, loop=None)
    slots, _ = run(ActionResetPlan(), t)
    assert slots["body_site"] == "knee" and slots["etiology"] is None


# The safety questions: pregnancy, kidneys, cancer history.


@pytest.mark.parametrize(
    "text, entities, value",
    [
        ('/inform{"pregnancy": "breastfeeding"}', [("pregnancy", "breastfeeding")], "breastfeeding"),
        ('/inform{"pregnancy": "no"}', [("pregnancy", "no")], "no"),
        ("I'm 30 weeks", [], "pregnant"),
        ("not applicable, I'm a man", [], "no"),
    ],
)
def test_pregnancy_answers_from_buttons_and_free_text(text, entities, value):
    slots, messages = validate(text, "pregnancy", slots={**HIP_BMES, "pain_severity": 6}, entities=entities)
    assert slots["pregnancy"] == value and messages == []


def test_pregnant_woman_is_not_asked_about_her_kidneys():
    slots, _ = validate("I'm 30 weeks pregnant", "pregnancy", slots={**HIP_BMES, "pain_severity": 6})
    assert slots["requested_slot"] is None  # no bisphosphonate drip to check the kidneys for


def test_not_pregnant_is_asked_about_kidneys_next(kb):
    slots, _ = validate("no", "pregnancy", intent="deny", slots={**HIP_BMES, "pain_severity": 6})
    assert slots["pregnancy"] == "no" and slots["requested_slot"] == "kidney_problems"
    action = next(a() for a in ASK_ACTIONS if a().name() == "action_ask_kidney_problems")
    _, messages = run(action, tracker("", loop=FORM))
    assert messages[0]["text"] == kb.plan.questions["kidney_problems"].ask.text
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny", "/skip"]


def test_a_bare_yes_to_the_pregnancy_question_is_re_asked_and_nothing_is_lost(kb):
    state = {**HIP_BMES, "pain_severity": 6}
    slots, messages = validate("yes", "pregnancy", intent="affirm", slots=state)
    assert slots["pregnancy"] is None and slots["invalid_answers"] == 1
    assert [m["text"] for m in messages] == [kb.plan.questions["pregnancy"].invalid]
    assert slots["requested_slot"] == "pregnancy"
    assert "pain_severity" not in slots  # earlier answers stay as they were


def test_the_pregnancy_question_explains_itself_and_offers_no(kb):
    action = next(a() for a in ASK_ACTIONS if a().name() == "action_ask_pregnancy")
    _, messages = run(action, tracker("", loop=FORM))
    assert "pregnant" in messages[0]["text"] and "breast-feeding" in messages[0]["text"]
    assert messages[0]["buttons"][-1]["title"] == "No / not applicable"
    _, messages = run(ActionExplainWhy(), tracker("why?", "ask_why", slots={"requested_slot": "pregnancy"}))
    assert messages[0]["text"] == kb.plan.questions["pregnancy"].why


@pytest.mark.parametrize("text, value", [("CKD stage 4", True), ("my kidneys are fine", False)])
def test_kidney_answers(text, value):
    slots, _ = validate(text, "kidney_problems", slots={**HIP_BMES, "pain_severity": 6, "pregnancy": "no"})
    assert slots["kidney_problems"] is value and slots["requested_slot"] is None


def test_kidney_not_sure_skips_and_completes_the_form():
    slots, _ = validate(
        "/skip", "kidney_problems", intent="skip", slots={**HIP_BMES, "pain_severity": 6, "pregnancy": "no"}
    )
    assert slots["skipped_slots"] == ["kidney_problems"] and slots["requested_slot"] is None


VCF = {"mri_confirmed": True, "etiology": "vertebral_compression_fracture", "neuro_symptoms": False}


def test_cancer_history_with_a_spinal_fracture_raises_the_same_day_red_flag(kb):
    slots, messages = validate("I had breast cancer", "cancer_history", slots=VCF)
    assert slots["cancer_history"] is True and slots["requested_slot"] == "pain_severity"  # the plan goes on
    flag = next(f for f in kb.red_flags if f.id == "spinal_metastasis_pain")
    assert messages[0]["text"].startswith(flag.message.patient)


def test_no_cancer_history_raises_nothing():
    slots, messages = validate("no", "cancer_history", intent="deny", slots=VCF)
    assert slots["cancer_history"] is False and messages == []


def test_a_relatives_cancer_is_re_asked(kb):
    slots, messages = validate("my mum had cancer", "cancer_history", slots=VCF)
    assert slots["cancer_history"] is None
    assert [m["text"] for m in messages] == [kb.plan.questions["cancer_history"].invalid]


def show(state):
    slots, messages = run(ActionShowPlan(), tracker("done", slots=state, loop=None))
    return slots, messages[0]["text"]


def test_pregnant_plan_withholds_nsaids_and_drips_with_the_reasons(kb):
    _, text = show({**HIP_BMES, "pain_severity": 6, "pregnancy": "pregnant"})
    assert text.startswith("**Your plan (hip, bone marrow edema syndrome, MRI confirmed, pain 6/10, pregnant)**")
    steps = kb.plan.steps
    for withheld in ("no_nsaids_pregnancy", "no_iloprost_pregnancy", "no_bisphosphonates_pregnancy"):
        assert f"_{steps[withheld].title}._ {steps[withheld].because} [" in text
    for proposed in ("pain_control_pregnancy", "protected_weight_bearing", "therapy_toh_pregnancy"):
        assert steps[proposed].title in text
    for option in ("pain_control", "iloprost_option", "bisphosphonate_option"):
        assert f"_{steps[option].title}._" not in text


def test_kidney_plan_withholds_the_bisphosphonate_drip_with_the_reason(kb):
    _, text = show({**COMPLETE, "kidney_problems": True})
    withheld = kb.plan.steps["no_bisphosphonates_kidney"]
    assert f"_{withheld.title}._ {withheld.because}" in text and "kidney problems)**" in text.splitlines()[0]
    assert kb.plan.steps["iloprost_option"].title in text
    assert kb.plan.steps["bisphosphonate_option"].title not in text


def test_cancer_spine_plan_sends_to_the_cancer_team_not_to_cement(kb):
    slots, text = show({**VCF, "cancer_history": True, "pain_severity": 8, "pregnancy": "no"})
    assert kb.plan.steps["therapy_cancer_spine"].title in text
    assert kb.plan.steps["no_augmentation_cancer"].because in text
    assert kb.plan.steps["therapy_vcf_augmentation"].title not in text
    assert "3:therapy_cancer_spine" in slots["plan_steps"]


def test_explaining_a_withheld_step_gives_the_evidence_behind_the_reason(kb):
    state = {**HIP_BMES, "pain_severity": 6, "pregnancy": "pregnant"}
    slots, _ = show(state)
    _, messages = run(
        ActionExplainStep(),
        tracker("tell me more about step 3", "explain_step", slots={**state, "plan_steps": slots["plan_steps"]}),
    )
    for fact_id in kb.plan.steps["no_bisphosphonates_pregnancy"].facts:
        assert kb.facts[fact_id].patient in messages[0]["text"]


def test_reset_clears_the_safety_answers():
    slots, _ = run(
        ActionResetPlan(),
        tracker("start over", "start_over", slots={**COMPLETE, "cancer_history": True}, loop=None),
    )
    assert slots["pregnancy"] is None and slots["kidney_problems"] is None and slots["cancer_history"] is None


def test_the_domain_knows_every_plan_question():
    # Rasa only runs actions and sets slots the domain declares: a missing one
    # leaves the question unasked.
    assert DOMAIN["forms"][FORM]["required_slots"] == list(PLAN_SLOTS)
    for slot in PLAN_SLOTS:
        assert slot in DOMAIN["slots"] and f"action_ask_{slot}" in DOMAIN["actions"], slot


@pytest.mark.parametrize(
    "request_text, overview",
    [
        ("What is the management approach for bone marrow edema?", True),
        ("What are the usual next steps once an MRI confirms bone marrow oedema?", True),
        ("My MRI shows bone marrow edema in my hip, what should happen next?", False),
        ("The MRI says bone marrow edema, what do we do next?", False),
        ("can you make a treatment plan?", False),
        ("make me a plan", False),
    ],
)
def test_a_general_plan_request_gets_the_overview_with_the_plan_offered_not_started(kb, request_text, overview):
    """A clinician's general question gets the cited overview and the plan's button, and the plan
    does not start; one's own case goes straight to the plan."""
    events, messages = before_plan(request_text)
    card = kb.questions[kb.plan.overview_card]
    text = "\n".join(message.get("text") or "" for message in messages)
    assert (card.answer.patient in text) is overview
    buttons = [button for message in messages for button in message.get("buttons") or []]
    assert (kb.buttons.make_plan.dict() in buttons) is overview
    assert (("followup", "action_listen") in events) is overview


@pytest.mark.parametrize(
    "request_text, card_id",
    [
        ("What is the management of spondylolysis in a teenage gymnast?", "spondylolysis_young_athlete"),
        ("How should an elderly diabetic patient with an acute Charcot foot be managed?", "charcot_cast"),
        ("What is the treatment approach for a 70-year-old female patient with osteonecrosis of the knee?", None),
    ],
)
def test_a_general_plan_request_naming_a_condition_gets_its_card_not_the_plan(kb, request_text, card_id):
    """ "A patient" is anyone's case: the question is answered, and the plan does not start."""
    events, messages = before_plan(request_text)
    assert ("followup", "action_listen") in events
    overview = kb.questions[kb.plan.overview_card].question
    assert messages and not messages[0]["text"].startswith(f"**{overview}**")
    if card_id:
        assert messages[0]["text"].startswith(f"**{kb.questions[card_id].question}**")


@pytest.mark.parametrize(
    "story, card_id",
    [
        (
            "My father is 84 and has a new compression fracture in his spine. The pain is bad even with "
            "paracetamol. His doctor mentioned a cement injection. Is it worth it for him?",
            "vertebroplasty_worth_it",
        ),
        (
            "My dad's new spine fracture still hurts badly after six weeks of painkillers. "
            "When is a cement injection done?",
            "vertebroplasty_when",
        ),
    ],
)
def test_a_story_asking_for_the_plan_gets_its_question_answered_first(kb, story, card_id):
    _, messages = before_plan(story)
    assert messages[0]["text"].startswith(f"**{kb.questions[card_id].question}**")


def test_a_story_whose_card_only_offers_the_plan_goes_straight_to_the_plan(kb):
    story = "My MRI came back last week. It shows bone marrow edema in my knee. I'm confused. What would you recommend?"
    _, messages = before_plan(story)
    assert messages == []


@pytest.mark.parametrize(
    "story",
    [
        "I slipped on the stairs last month and dislocated my elbow. It still clicks when I bend it. "
        "What would you do in my place?",
        "I'm a 40-year-old swimmer and my hair has been falling out. Should I be worried? Tell me what I should do.",
        # A question about anyone's case, however short.
        "What is the recommended treatment for an elderly patient with shingles?",
    ],
)
def test_a_story_about_nothing_covered_gets_the_out_of_scope_reply_and_no_plan(kb, story):
    """The plan's first question asks about the MRI's bone marrow edema: no question for this story."""
    events, [message] = before_plan(story)
    assert says_out_of_scope(kb, message["text"])
    assert events == [("followup", "action_listen")]


@pytest.mark.parametrize(
    "request_text, card_id",
    [
        ("Please make me a treatment plan for my tendinitis", "tendon_problems"),
        ("What are the usual recommendations for managing a plantar fibroma seen on MRI?", "soft_tissue_lumps"),
        ("What is the recommended treatment for an elderly patient with a pubic ramus fracture?", "acute_fractures"),
    ],
)
def test_a_plan_request_naming_a_subject_not_covered_is_declined_and_starts_no_plan(kb, request_text, card_id):
    events, messages = before_plan(request_text)
    subject = kb.questions[card_id].question
    assert messages[0]["text"].startswith(kb.messages["not_covered"].text.format(subject=subject))
    assert events == [("followup", "action_listen")]


@pytest.mark.parametrize("request_text", ["Can you make me a plan?", "what's the plan of action for my foot?"])
def test_a_plan_request_naming_nothing_out_of_scope_starts_the_plan(kb, request_text):
    """The second comes near the card on finding a doctor: only a subject named is declined."""
    _, messages = before_plan(request_text)
    assert messages == []
