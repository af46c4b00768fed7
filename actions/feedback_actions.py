"""Rasa glue for feedback on answers: "Was this helpful?" with 👍 / 👎 ends
each clinical answer, 👎 offers reasons, and each vote is kept in the
conversation (bme/feedback.py) with what it rates, for the trainers' tools."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.dispatch import say, send_answer
from bme.answers import Answer
from bme.feedback import ANSWERED, FEEDBACK_SLOT, HELPFUL, vote_record
from bme.knowledge import KnowledgeBase, knowledge_base


def send_rated_answer(
    dispatcher: CollectingDispatcher,
    kb: KnowledgeBase,
    answer: Answer,
    buttons: List[Dict[str, str]],
    tracker: Tracker,
    topic: str,
) -> List[SlotSet]:
    """Send a clinical answer that ends with "Was this helpful?" and 👍 / 👎,
    remembering in its event which question and topic it answers."""
    ask = kb.messages["ask_feedback"]
    answered = {
        "question": tracker.latest_message.get("text") or "",
        "intent": (tracker.latest_message.get("intent") or {}).get("name"),
        "topic": topic,
    }
    return send_answer(
        dispatcher,
        replace(answer, text=f"{answer.text}\n{ask.text}"),
        buttons=buttons + [button.dict() for button in ask.buttons],
        **{ANSWERED: answered},
    )


def latest_rated_answer(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The last bot message that asked "Was this helpful?": feedback is about it."""
    return next(
        (
            event
            for event in reversed(tracker.events)
            if event.get("event") == "bot" and (event.get("metadata") or {}).get(ANSWERED)
        ),
        None,
    )


class ActionRecordFeedback(Action):
    """Keep 👍 / 👎 (and the reason) with the answer it rates and thank the
    user; after 👎 without a reason, offer the reasons. A typed "I want to
    give feedback" gets the 👍 / 👎 buttons."""

    def name(self) -> Text:
        return "action_record_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        answer = latest_rated_answer(tracker)
        helpful = HELPFUL.get(next(tracker.get_latest_entity_values("helpful"), None))
        if answer is None:
            say(dispatcher, kb.messages["no_answer_to_rate"])
            return []
        if helpful is None:
            say(dispatcher, kb.messages["ask_feedback"])
            return []
        reason = next(tracker.get_latest_entity_values("feedback_reason"), None)
        say(dispatcher, kb.messages["feedback_thanks" if helpful or reason else "ask_feedback_reason"])
        vote = vote_record(answer["metadata"][ANSWERED], helpful, reason, answer.get("timestamp"))
        return [SlotSet(FEEDBACK_SLOT, vote)]
