"""The guided treatment plan against the real servers."""

import re

import pytest

from bme.knowledge import knowledge_base
from tests.answers.scoring import says_out_of_scope

KB = knowledge_base()
QUESTIONS = KB.plan.questions


def texts(replies):
    return [reply.get("text", "") for reply in replies]


def asked(replies, slot):
    return QUESTIONS[slot].ask.text in texts(replies)


def test_ischemic_hip_plan_with_an_interruption(chat):
    replies = chat("My MRI shows bone marrow edema in my hip, what should happen next?")
    assert asked(replies, "etiology"), texts(replies)  # MRI and hip were already said
    replies = chat("does iloprost help?")
    assert "Iloprost" in texts(replies)[0] and asked(replies, "etiology")
    assert asked(chat("it just came on, no injury"), "pain_severity")
    assert asked(chat("about 7 out of 10"), "pregnancy")
    assert asked(chat("No / not applicable"), "kidney_problems")
    plan = texts(chat("no, my kidneys are fine"))[0]
    assert plan.startswith("**Your plan (hip, bone marrow edema syndrome, MRI confirmed, pain 7/10)**")
    for number in range(1, 5):
        assert f"**Step {number}: " in plan
    assert re.search(r"\[\d+\]", plan) and KB.disclaimers.clinical in plan
    assert texts(chat("what was my plan again?"))[0] == plan
    assert texts(chat("tell me more about step 3"))[0].startswith("**Step 3:")


def test_a_story_about_something_else_asking_what_to_do_starts_no_plan(chat):
    """Told like a plan request, it gets the out-of-scope reply; a plan asked for next still starts."""
    replies = texts(
        chat("I'm a 36-year-old cyclist and my hair keeps falling out. Please tell me what action I should take.")
    )
    [reply] = replies
    assert says_out_of_scope(KB, reply)
    chat("can you make me a treatment plan")
    assert asked(chat("yes"), "etiology")


def test_a_general_question_gets_the_overview_with_the_plan_offered_not_started(chat):
    """A clinician's general question: the cited overview and the plan's button; the plan's
    questions come only once the button is pressed."""
    replies = chat("What is the management approach for bone marrow edema?")
    assert texts(replies)[0].startswith(f"**{KB.questions[KB.plan.overview_card].question}**")
    assert not any(asked(replies, slot) for slot in QUESTIONS)
    button = KB.buttons.make_plan
    assert button.dict() in [offered for reply in replies for offered in reply.get("buttons") or []]
    assert asked(chat(button.payload), "mri_confirmed")


def test_vertebral_fracture_plan_asks_duration_and_neuro(chat):
    chat("can you make me a treatment plan")
    assert asked(chat("yes"), "etiology")
    assert asked(chat("a compression fracture in my spine"), "neuro_symptoms")
    assert asked(chat("no"), "cancer_history")
    assert asked(chat("no"), "pain_severity")
    assert asked(chat("severe"), "pain_duration_weeks")
    assert asked(chat("about four months"), "pregnancy")
    plan = texts(chat("not applicable"))[0]
    assert "pain 8/10" in plan and "17.3 weeks" in plan
    # NICE TA279 covers only a recent, unhealed fracture: months of pain is not the trigger.
    assert KB.plan.steps["no_augmentation_not_recent"].because in plan
    assert KB.plan.steps["bone_protection"].title in plan


def test_neuro_symptoms_stop_the_plan_with_urgent_care_first(chat):
    chat("make me a plan")
    chat("yes")
    chat("compression fracture")
    replies = texts(chat("yes"))
    assert replies[0].startswith("⚠️"), replies
    assert KB.plan.urgent_heading in "\n".join(replies)


@pytest.mark.parametrize(
    "message",
    [
        "my legs have gone numb and I can't control my bladder",
        # Names a body site, which the plan asks for: the red flag must not be taken as an answer.
        "my back suddenly went numb between my legs and I can't pee properly",
    ],
)
def test_red_flag_message_mid_plan(chat, message):
    chat("make me a plan")
    chat("yes")
    replies = texts(chat(message))
    assert replies[0].startswith("⚠️")
    assert "Your plan" not in "\n".join(replies)


def test_a_question_naming_a_body_site_mid_plan_is_answered_and_the_plan_resumes(chat):
    chat("make me a plan")
    chat("yes")
    replies = texts(chat("can I walk on my knee with bone marrow edema?"))
    assert replies[0].startswith("**"), replies
    assert QUESTIONS["etiology"].ask.text in replies


def test_invalid_answer_re_ask_then_why_and_skip(chat):
    chat("make me a plan")
    chat("yes")
    chat("I fell skiing")
    chat("my knee")
    assert texts(chat("banana"))[0] == QUESTIONS["pain_severity"].invalid
    replies = chat("purple")
    assert texts(replies)[0] == QUESTIONS["pain_severity"].why
    assert [b["title"] for b in replies[1]["buttons"]] == ["Skip this question", "Stop the plan"]
    assert asked(chat("/skip"), "pregnancy")
    plan = texts(chat("no"))[0]
    assert plan.startswith("**Your plan (knee, after an injury, MRI confirmed)**")


def test_why_explains_the_current_question(chat):
    chat("make me a plan")
    replies = texts(chat("why do you ask that?"))
    assert replies[0] == QUESTIONS["mri_confirmed"].why
    assert QUESTIONS["mri_confirmed"].ask.text in replies


def test_stop_asks_to_confirm_and_clears_the_plan(chat):
    chat("make me a plan")
    chat("yes")
    assert "Do you want to stop" in texts(chat("stop"))[0]
    assert "stopped" in texts(chat("yes"))[0]
    assert "don't have a plan yet" in texts(chat("what was my plan again?"))[0]


def test_pregnant_woman_with_hip_bme_gets_no_nsaids_or_drips_and_the_reasons(chat):
    chat("My MRI shows bone marrow edema in my hip, what should happen next?")
    assert asked(chat("no injury, it came on by itself"), "pain_severity")
    replies = chat("6")
    assert asked(replies, "pregnancy")
    assert [b["title"] for b in replies[-1]["buttons"]][-1] == "No / not applicable"
    assert texts(chat("why?"))[0] == QUESTIONS["pregnancy"].why
    plan = texts(chat("I'm 30 weeks"))[0]  # no kidney question: no drip is proposed
    assert plan.startswith("**Your plan (hip, bone marrow edema syndrome, MRI confirmed, pain 6/10, pregnant)**")
    steps = KB.plan.steps
    for withheld in ("no_nsaids_pregnancy", "no_iloprost_pregnancy", "no_bisphosphonates_pregnancy"):
        assert steps[withheld].because in plan
    for option in ("pain_control", "iloprost_option", "bisphosphonate_option"):
        assert f"_{steps[option].title}._" not in plan
    assert steps["pain_control_pregnancy"].title in plan and steps["therapy_toh_pregnancy"].title in plan
