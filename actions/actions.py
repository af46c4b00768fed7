"""Rasa glue for questions and answers: translate trackers to the plain
Python core (``answers``, ``vocabulary``, ``knowledge``) and back."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import answers
from actions.knowledge import KnowledgeBase, KnowledgeError, knowledge_base
from actions.vocabulary import canonical_value, red_flag_detector_for

try:
    # Loaded and validated once when the action server imports this package;
    # rasa_sdk stops the server with this message if the import fails.
    knowledge_base()
except KnowledgeError as error:
    raise ImportError(f"The knowledge base is invalid: {error}") from error

PLAN_BUTTON = {"title": "Make a step-by-step plan for me", "payload": "/start_treatment_plan"}
PLAN_TOPICS = {"treatment", "procedure", "pain_management"}
CONTEXT_ENTITIES = ("treatment", "condition", "body_site")
MAX_BUTTONS = 4


def explicit_context(kb: KnowledgeBase, tracker: Tracker) -> answers.Context:
    """What the latest message itself names (entities or button payload)."""
    return answers.Context(
        **{name: canonical_value(kb, name, next(tracker.get_latest_entity_values(name), None))
           for name in CONTEXT_ENTITIES}
    )


def carried_context(kb: KnowledgeBase, tracker: Tracker) -> answers.Context:
    """What earlier messages named, kept in slots for follow-up questions."""
    return answers.Context(**{name: canonical_value(kb, name, tracker.get_slot(name)) for name in CONTEXT_ENTITIES})


def topic_buttons(kb: KnowledgeBase, topics: List[str], context: answers.Context) -> List[Dict[str, str]]:
    entities = context.named()
    payload_entities = ("{" + ", ".join(f'"{k}": "{v}"' for k, v in entities.items()) + "}") if entities else ""
    return [
        {"title": kb.topics[topic].label, "payload": f"/{kb.topics[topic].intent}{payload_entities}"}
        for topic in topics[:MAX_BUTTONS]
    ]


class ActionGreet(Action):
    def name(self) -> Text:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        dispatcher.utter_message(response="utter_greet")
        dispatcher.utter_message(response="utter_how_can_help" if tracker.get_slot("audience") else "utter_ask_audience")
        return []


class ActionSetAudience(Action):
    def name(self) -> Text:
        return "action_set_audience"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        audience = canonical_value(knowledge_base(), "audience", next(tracker.get_latest_entity_values("audience"), None))
        if audience is None:
            dispatcher.utter_message(response="utter_ask_audience")
            return []
        dispatcher.utter_message(response=f"utter_audience_{audience}")
        return [SlotSet("audience", audience)]


class ActionAnswerQuestion(Action):
    def name(self) -> Text:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        topic = kb.topic_for_intent((tracker.latest_message.get("intent") or {}).get("name"))
        explicit = explicit_context(kb, tracker)
        if topic is None:
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        answer = answers.answer_question(kb, topic, explicit, carried_context(kb, tracker), tracker.get_slot("audience"))
        if not answer.found:
            dispatcher.utter_message(text=answer.text, buttons=topic_buttons(kb, answer.suggestions, explicit))
            return []
        buttons = [PLAN_BUTTON] if topic in PLAN_TOPICS and not tracker.active_loop_name else []
        dispatcher.utter_message(text=answer.text, buttons=buttons)
        return [SlotSet("last_references", answer.references), SlotSet("last_facts", answer.fact_ids)]


class ActionListSources(Action):
    def name(self) -> Text:
        return "action_list_sources"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        dispatcher.utter_message(text=answers.list_sources(knowledge_base(), tracker.get_slot("last_references") or []))
        return []


class ActionExplainWhy(Action):
    def name(self) -> Text:
        return "action_explain_why"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        dispatcher.utter_message(text=answers.explain_evidence(knowledge_base(), tracker.get_slot("last_facts") or []))
        return []


class ActionRedFlag(Action):
    """Urgent-care message for the red flag the user described."""

    def name(self) -> Text:
        return "action_red_flag"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        flag = red_flag_detector_for(kb).detect(tracker.latest_message.get("text") or "")
        if flag is None:
            dispatcher.utter_message(response="utter_red_flag_generic")
        else:
            dispatcher.utter_message(text=answers.red_flag_message(kb, flag, tracker.get_slot("audience")))
        dispatcher.utter_message(response="utter_continue_after_red_flag")
        return []


class ActionRephraseFallback(Action):
    """Low-confidence message: show it back (escaped) and offer the likeliest topics."""

    def name(self) -> Text:
        return "action_rephrase_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        ranking = [item.get("name") for item in tracker.latest_message.get("intent_ranking") or []]
        topics = [topic for topic in map(kb.topic_for_intent, ranking) if topic]
        topics += [topic for topic in kb.topics if topic not in topics]
        buttons = topic_buttons(kb, topics[:3], answers.Context()) + [{"title": "What can you do?", "payload": "/help"}]
        quoted = answers.quote_user_text(tracker.latest_message.get("text") or "") or "(an empty message)"
        dispatcher.utter_message(response="utter_ask_rephrase", quoted=quoted, buttons=buttons)
        return []

