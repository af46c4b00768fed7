"""Real conversations against the running action server and Rasa server."""

import re

import pytest

from bme.knowledge import knowledge_base

KB = knowledge_base()
DISCLAIMER = KB.disclaimers.clinical


def texts(replies):
    return [reply.get("text", "") for reply in replies]


def assert_clinical_answer(replies, audience=None):
    text = "\n".join(texts(replies))
    assert re.search(r"\[1\]", text), text
    assert "Sources: [[1]](https://" in text, text
    assert KB.disclaimers.for_audience(audience) in text, text
    return text


def test_greeting_asks_which_describes_you(chat):
    replies = chat("hi there")
    assert any(r.get("text") == "Which best describes you?" for r in replies)
    buttons = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert "I'm a healthcare professional" in buttons


def test_follow_ups_stay_on_iloprost(chat):
    assert "Iloprost" in assert_clinical_answer(chat("does iloprost help?"))
    for follow_up in ("what are its side effects?", "how long does it take?"):
        text = assert_clinical_answer(chat(follow_up))
        assert "iloprost" in text.lower(), follow_up


def test_a_follow_up_naming_no_subject_keeps_the_condition_of_the_story(chat):
    """Not the card on exercise while any bone heals, which the words alone match best."""
    card = KB.questions["exercise_after_spinal_fracture"]
    chat("My mother is 78 and has two osteoporotic fractures in her spine. What exercise is safe for her?")
    text = assert_clinical_answer(chat("And is it safe for her to lift weights at the gym?"))
    assert text.startswith(f"**{card.question}**"), text


def test_audience_change_switches_wording(chat):
    chat('/set_audience{"audience": "patient"}')
    patient = assert_clinical_answer(chat("does zoledronic acid work?"))
    replies = chat("actually I'm an orthopaedic surgeon")
    assert "clinical detail" in texts(replies)[0]
    professional = assert_clinical_answer(chat("does zoledronic acid work?"), "professional")
    assert patient != professional


def test_sources_list_full_references(chat):
    chat("is kyphoplasty a good idea for a compression fracture?")
    text = "\n".join(texts(chat("sources?")))
    assert text.startswith("Sources for my last answer:")
    assert re.search(r"\[\[1\]\]\(https://[^)]+\) .+\d{4}", text)


@pytest.mark.parametrize(
    "message",
    [
        "I suddenly can't feel my legs and I wet myself",
        "my husband is diabetic and his foot is hot and swollen",
        "I have a fever and the bone pain in my knee is getting worse",
    ],
)
def test_red_flag_gets_urgent_care_first_even_mid_conversation(chat, message):
    chat("what is bone marrow edema?")
    first = texts(chat(message))[0]
    assert first.startswith("⚠️"), first


@pytest.mark.parametrize(
    "message",
    [
        "what's a good recipe for lasagne?",
        "will it rain in Berlin tomorrow?",
        "what's the best diet for type 2 diabetes?",
    ],
)
def test_out_of_scope_is_honest_and_offers_what_it_can(chat, message):
    replies = chat(message)
    text = replies[0]["text"]
    assert "don't have sourced information" in text or "not sure what you mean" in text
    assert "bone marrow edema" in text and not re.search(r"\[\d\]", text)
    assert replies[0].get("buttons")
