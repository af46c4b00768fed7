"""Send a knowledge-base message (``knowledge/messages.yml``) through Rasa."""
from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import Message


def say(dispatcher: CollectingDispatcher, message: Message, **values: str) -> None:
    """Utter ``message`` with its buttons; ``values`` fill its {placeholders}."""
    text = message.text.format(**values) if values else message.text
    dispatcher.utter_message(text=text, buttons=[button.dict() for button in message.buttons])
