"""👍 / 👎 under clinical answers: which replies carry them, and what a vote
records, through rasa_sdk's Tracker and CollectingDispatcher."""

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import (
    ActionAnswerQuestion,
    ActionGreet,
    ActionListSources,
    ActionRedFlag,
    ActionRephraseFallback,
)
from actions.feedback_actions import ActionRecordFeedback
from actions.plan_actions import ValidateTreatmentPlanForm

ANSWER_TIME = 1_700_000_000.5
# "topic" names what answered: a question card (here) or a knowledge-base topic.
ANSWERED = {"question": "does iloprost help?", "intent": "ask_treatment", "topic": "iloprost_works"}


def make_tracker(text="", intent=None, entities=(), slots=None, events=(), active_loop=None):
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [{"entity": e, "value": v} for e, v in entities],
        "intent_ranking": [],
    }
    loop = {"name": active_loop} if active_loop else {}
    return Tracker("user-1", slots or {}, latest, list(events), False, None, loop, "action_listen")


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def answer_event(answered=ANSWERED, timestamp=ANSWER_TIME):
    """A clinical answer as the action server receives it back from Rasa."""
    return {"event": "bot", "timestamp": timestamp, "text": "**Treatment**...", "metadata": {"answered": answered}}


def feedback(*entities, events=None):
    """ActionRecordFeedback after the payload's ``entities``, by default right after an answer."""
    events = [answer_event()] if events is None else events
    return run(ActionRecordFeedback(), make_tracker("/feedback", "feedback", entities, events=events))


def payloads(message):
    return [button["payload"] for button in message.get("buttons") or []]


def test_a_clinical_answer_ends_with_was_this_helpful_and_thumbs(kb):
    tracker = make_tracker("does iloprost help?", "ask_treatment", [("treatment", "iloprost")])
    [message], _ = run(ActionAnswerQuestion(), tracker)
    ask = kb.messages["ask_feedback"]
    assert message["text"].endswith("\n" + ask.text) and "[1]" in message["text"]
    assert [b["title"] for b in message["buttons"]][-2:] == ["👍", "👎"]
    assert payloads(message) == ["/start_treatment_plan", '/feedback{"helpful": "yes"}', '/feedback{"helpful": "no"}']
    assert message["answered"] == ANSWERED


def test_an_answer_during_the_plan_has_only_the_thumbs():
    tracker = make_tracker("is iloprost any good", "ask_treatment", [("treatment", "iloprost")], active_loop="x")
    [message], _ = run(ActionAnswerQuestion(), tracker)
    assert payloads(message) == ['/feedback{"helpful": "yes"}', '/feedback{"helpful": "no"}']


@pytest.mark.parametrize(
    "action, tracker",
    [
        (ActionGreet(), make_tracker("hi", "greet")),
        (ActionRedFlag(), make_tracker("I can't feel my legs", "report_red_flag")),
        (ActionRephraseFallback(), make_tracker("blorp", "nlu_fallback")),
        (ActionListSources(), make_tracker("sources?", "ask_sources")),
        # No answer found: the topics offered instead are no clinical answer.
        (ActionAnswerQuestion(), make_tracker("six weeks", "inform")),
    ],
)
def test_other_replies_ask_no_feedback(kb, action, tracker):
    messages, _ = run(action, tracker)
    assert messages
    for message in messages:
        assert not any(payload.startswith("/feedback") for payload in payloads(message))
        assert kb.messages["ask_feedback"].text not in message["text"] and "answered" not in message


def test_thumbs_down_records_the_vote_and_offers_reasons(kb):
    messages, events = feedback(("helpful", "no"))
    assert [m["text"] for m in messages] == [kb.messages["ask_feedback_reason"].text]
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Wrong or unsafe",
        "Unclear",
        "Not what I asked",
        "Something else",
    ]
    assert events == [
        {
            "event": "slot",
            "timestamp": None,
            "name": "feedback",
            "value": {**ANSWERED, "helpful": False, "reason": None, "answered_at": ANSWER_TIME},
        }
    ]


def test_a_reason_or_thumbs_up_is_recorded_and_thanked(kb):
    messages, events = feedback(("helpful", "no"), ("feedback_reason", "unclear"))
    assert [m["text"] for m in messages] == [kb.messages["feedback_thanks"].text]
    assert events[0]["value"]["reason"] == "unclear" and events[0]["value"]["helpful"] is False
    messages, events = feedback(("helpful", "yes"))
    assert [m["text"] for m in messages] == [kb.messages["feedback_thanks"].text]
    assert events[0]["value"]["helpful"] is True


def test_feedback_rates_the_latest_answer():
    later = {**ANSWERED, "question": "and its side effects?", "intent": "ask_side_effects"}
    _, events = feedback(("helpful", "yes"), events=[answer_event(), {"event": "user"}, answer_event(later, 5.0)])
    assert events[0]["value"]["question"] == "and its side effects?" and events[0]["value"]["answered_at"] == 5.0


def test_typed_feedback_gets_the_thumbs_and_records_nothing(kb):
    messages, events = feedback()
    assert [m["text"] for m in messages] == [kb.messages["ask_feedback"].text] and events == []
    assert payloads(messages[0]) == ['/feedback{"helpful": "yes"}', '/feedback{"helpful": "no"}']


def test_feedback_before_any_answer_records_nothing(kb):
    messages, events = feedback(("helpful", "no"), events=[{"event": "bot", "text": "Hello!", "metadata": {}}])
    assert [m["text"] for m in messages] == [kb.messages["no_answer_to_rate"].text] and events == []


def test_a_thumb_during_the_plan_is_no_answer_to_its_question():
    tracker = Tracker(
        "u",
        {"requested_slot": "mri_confirmed"},
        {"text": '/feedback{"helpful": "yes"}', "intent": {"name": "feedback"}, "entities": []},
        [],
        False,
        None,
        {"name": "treatment_plan_form"},
        "action_listen",
    )
    assert ValidateTreatmentPlanForm._extract("mri_confirmed", tracker) == {}
