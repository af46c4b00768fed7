"""Rasa NLU component: medical vocabulary entities and two deterministic rules.

Entities: every knowledge-base synonym found by the spaCy PhraseMatcher in
``actions/vocabulary.py`` becomes a ``treatment``, ``condition``,
``body_site`` or ``audience`` entity with its canonical id as the value.

Blank messages go to ``nlu_fallback`` (a classifier would guess an intent for
them), so the user is told nothing arrived.

Red flags: a message that describes a red-flag symptom is classified as
``report_red_flag`` whatever the intent classifier guessed (the action
works out which red flag it is from the same phrases). Safety must not depend on how well
a statistical model generalises, so this deterministic rule runs after the
classifier and before the fallback classifier.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from actions.knowledge import knowledge_base
from actions.vocabulary import red_flag_detector_for, matcher_for

RED_FLAG_INTENT = "report_red_flag"
FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class MedicalRules(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MedicalRules":
        return cls()

    def __init__(self) -> None:
        kb = knowledge_base()
        self._terms = matcher_for(kb)
        self._red_flags = red_flag_detector_for(kb)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip():
                self._override_intent(message, FALLBACK_INTENT)
                continue
            self._add_entities(message, text)
            if self._red_flags.detect(text):
                self._override_intent(message, RED_FLAG_INTENT)
        return messages

    def _add_entities(self, message: Message, text: str) -> None:
        entities = [
            {
                ENTITY_ATTRIBUTE_TYPE: match.entity,
                ENTITY_ATTRIBUTE_VALUE: match.value,
                ENTITY_ATTRIBUTE_START: match.start,
                ENTITY_ATTRIBUTE_END: match.end,
                "text": match.text,
                "confidence_entity": 1.0,
            }
            for match in self._terms.find(text)
        ]
        named = self.add_extractor_name(entities)
        message.set(ENTITIES, message.get(ENTITIES, []) + named, add_to_output=True)

    @staticmethod
    def _override_intent(message: Message, intent: str) -> None:
        override = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [item for item in message.get(INTENT_RANKING_KEY) or [] if item.get(INTENT_NAME_KEY) != intent]
        message.set(INTENT, override, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [override, *ranking], add_to_output=True)
