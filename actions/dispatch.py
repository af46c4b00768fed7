"""Send knowledge-base messages and answers through Rasa."""

from __future__ import annotations

from typing import List

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bme.answers import Answer
from bme.knowledge import Message


def say(dispatcher: CollectingDispatcher, message: Message, **values: str) -> None:
    """Utter ``message`` with its buttons; ``values`` fill its {placeholders}."""
    say_as(dispatcher, message, message.text.format(**values) if values else message.text)


def say_as(dispatcher: CollectingDispatcher, message: Message, text: str) -> None:
    """Utter ``text``, composed from ``message`` (bme/answers.py), with ``message``'s buttons."""
    dispatcher.utter_message(text=text, buttons=[button.dict() for button in message.buttons])


def send_answer(dispatcher: CollectingDispatcher, answer: Answer, **kwargs) -> List[SlotSet]:
    """Utter a cited answer and remember its sources and facts for "sources?" and "why?"."""
    dispatcher.utter_message(text=answer.text, **kwargs)
    return [SlotSet("last_references", answer.references), SlotSet("last_facts", answer.fact_ids)]
