"""Rasa glue for questions and answers: translate trackers to the plain
Python core (``answers``, ``vocabulary``, ``knowledge``) and back."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.dispatch import say, send_answer
from actions.plan_actions import why_current_question
from bme import answers
from bme.knowledge import KnowledgeBase, KnowledgeError, knowledge_base
from bme.vocabulary import canonical_value, red_flag_detector_for

try:
    # Loaded and validated once when the action server imports this package;
    # rasa_sdk stops the server with this message if the import fails.
    knowledge_base()
except KnowledgeError as error:
    raise ImportError(f"The knowledge base is invalid: {error}") from error

PLAN_TOPICS = {"treatment", "procedure", "pain_management"}
CONTEXT_ENTITIES = ("treatment", "condition", "body_site")
MAX_BUTTONS = 4


def explicit_context(kb: KnowledgeBase, tracker: Tracker) -> answers.Context:
    """What the latest message itself names (entities or button payload)."""
    return answers.Context(
        **{
            name: canonical_value(kb, name, next(tracker.get_latest_entity_values(name), None))
            for name in CONTEXT_ENTITIES
        }
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
        messages = knowledge_base().messages
        say(dispatcher, messages["greet"])
        say(dispatcher, messages["how_can_help" if tracker.get_slot("audience") else "ask_audience"])
        return []


class ActionSetAudience(Action):
    def name(self) -> Text:
        return "action_set_audience"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        audience = canonical_value(kb, "audience", next(tracker.get_latest_entity_values("audience"), None))
        if audience is None:
            say(dispatcher, kb.messages["ask_audience"])
            return []
        say(dispatcher, kb.messages[f"audience_{audience}"])
        return [SlotSet("audience", audience)]


class ActionAnswerQuestion(Action):
    def name(self) -> Text:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        explicit = explicit_context(kb, tracker)
        # A bare statement such as "I have CNO" is answered as a treatment question.
        topic = kb.topic_for_intent((tracker.latest_message.get("intent") or {}).get("name"))
        topic = topic or ("treatment" if explicit.treatment or explicit.condition else None)
        if topic is None:
            offer_likely_topics(dispatcher, tracker, kb)
            return []
        answer = answers.answer_question(
            kb, topic, explicit, carried_context(kb, tracker), tracker.get_slot("audience")
        )
        if not answer.found:
            dispatcher.utter_message(text=answer.text, buttons=topic_buttons(kb, answer.suggestions, explicit))
            return []
        buttons = [kb.buttons.make_plan.dict()] if topic in PLAN_TOPICS and not tracker.active_loop_name else []
        return send_answer(dispatcher, answer, buttons=buttons)


class ActionListSources(Action):
    def name(self) -> Text:
        return "action_list_sources"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        dispatcher.utter_message(text=answers.list_sources(knowledge_base(), tracker.get_slot("last_references") or []))
        return []


class ActionExplainWhy(Action):
    """ "Why?": during the plan, why the current question matters; otherwise
    what the last answer rests on."""

    def name(self) -> Text:
        return "action_explain_why"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        question = why_current_question(kb, tracker)
        if question:
            dispatcher.utter_message(text=question)
        else:
            dispatcher.utter_message(text=answers.explain_evidence(kb, tracker.get_slot("last_facts") or []))
        return []


class ActionRedFlag(Action):
    """Urgent-care message for the red flag the user described."""

    def name(self) -> Text:
        return "action_red_flag"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        flag = red_flag_detector_for(kb).detect(tracker.latest_message.get("text") or "")
        if flag is None:
            say(dispatcher, kb.messages["red_flag_generic"])
        else:
            dispatcher.utter_message(text=answers.red_flag_message(kb, flag, tracker.get_slot("audience")))
        say(dispatcher, kb.messages["continue_after_red_flag"])
        return []


def offer_likely_topics(dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase) -> None:
    """Not understood: show the message back (escaped) and offer the topics
    the classifier found likeliest, or say that nothing arrived."""
    ranking = [item.get("name") for item in tracker.latest_message.get("intent_ranking") or []]
    topics = [topic for topic in map(kb.topic_for_intent, ranking) if topic]
    topics += [topic for topic in kb.topics if topic not in topics]
    buttons = topic_buttons(kb, topics[:3], answers.Context()) + [kb.buttons.help.dict()]
    text = tracker.latest_message.get("text") or ""
    if text.strip():
        message = kb.messages["ask_rephrase"].text.format(quoted=answers.quote_user_text(text))
    else:
        message = kb.messages["empty_message"].text
    dispatcher.utter_message(text=message, buttons=buttons)


class ActionRephraseFallback(Action):
    def name(self) -> Text:
        return "action_rephrase_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        offer_likely_topics(dispatcher, tracker, knowledge_base())
        return []
