"""Rasa NLU component: medical vocabulary entities and two deterministic rules.

Entities: every knowledge-base synonym found by the spaCy PhraseMatcher in
``bme/vocabulary.py`` becomes a ``treatment``, ``condition``,
``body_site`` or ``audience`` entity with its canonical id as the value.

Messages with no word the assistant has ever seen (blank, emoji only,
gibberish, most other languages) go to ``nlu_fallback``: the classifier would
still guess an intent for them, often confidently. The known words are the
training examples' words plus the vocabulary's, collected at training time.
So do messages written in another language (``bme/language.py``) that tell no
red flag in English words: a German story shares a drug's name or "MRI" with
the training data, and would otherwise be answered as if understood.

Red flags: a message that describes a red-flag symptom is classified as its
tier's intent (``report_red_flag`` for emergencies, ``report_same_day_red_flag``)
whatever the intent classifier guessed (the action works out which red flag it
is from the same phrases). Safety must not depend on how well a statistical
model generalises, so this deterministic rule runs after the classifier and
before the fallback classifier; the classifier's own red-flag intents catch
phrasings the rule misses.

Other conditions: a question that names a subject the assistant does not cover
("what foods should I avoid with gout?") and none of its own is ``out_of_scope``
(``bme/questions.py`` uncovered_subject), whatever the classifier guessed.

A question is no goodbye: one the classifier took for ``goodbye`` ("did you have
to get the cast cut off and replaced?") is ``out_of_scope`` too, so that the
answering action decides on it instead of the conversation ending.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Set, Text

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
from rasa.shared.nlu.training_data.training_data import TrainingData

from bme.knowledge import knowledge_base
from bme.language import words, written_in_english
from bme.questions import read_message, uncovered_subject
from bme.retrieval import asks_a_question
from bme.vocabulary import RED_FLAG_INTENTS, TermMatch, matcher_for, red_flag_detector_for

FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "out_of_scope"
GOODBYE_INTENT = "goodbye"
# The domain's entities. The vocabulary's "finding" (bone marrow edema itself) is not one: it is
# every conversation's subject, and only tells bme/questions.py that a message is about it; nor
# are its "asking" words ("should I worry?"), which only question-card retrieval reads.
ENTITY_TYPES = ("treatment", "condition", "body_site", "audience")
KNOWN_WORDS_FILE = "known_words.json"


def known_words(texts: Iterable[str]) -> Set[str]:
    return set().union(*(words(text) for text in texts))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class MedicalRules(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MedicalRules":
        return cls(model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "MedicalRules":
        with model_storage.read_from(resource) as directory:
            known = json.loads((directory / KNOWN_WORDS_FILE).read_text(encoding="utf-8"))
        return cls(model_storage, resource, set(known))

    def __init__(self, model_storage: ModelStorage, resource: Resource, known: Set[str] = frozenset()) -> None:
        kb = self._kb = knowledge_base()
        self._terms = matcher_for(kb)
        self._red_flags = red_flag_detector_for(kb)
        self._storage, self._resource = model_storage, resource
        self._known = set(known) | known_words(
            synonym for values in kb.vocabulary.values() for entry in values.values() for synonym in entry.synonyms
        )

    def train(self, training_data: TrainingData) -> Resource:
        self._known |= known_words(example.get(TEXT) or "" for example in training_data.training_examples)
        with self._storage.write_to(self._resource) as directory:
            (directory / KNOWN_WORDS_FILE).write_text(json.dumps(sorted(self._known)), encoding="utf-8")
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not words(text) & self._known:
                self._override_intent(message, FALLBACK_INTENT)
                continue
            terms = self._terms.find(text)
            self._add_entities(message, terms)
            flag = self._red_flags.detect(text)
            if flag:
                # No rivals in the ranking: the FallbackClassifier would read a
                # confident classifier's second guess as ambiguity and replace
                # the rule's decision with nlu_fallback.
                self._override_intent(message, RED_FLAG_INTENTS[flag.tier], keep_ranking=False)
            elif not written_in_english(text):
                self._override_intent(message, FALLBACK_INTENT, keep_ranking=False)
            elif asks_a_question(text) and (
                (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == GOODBYE_INTENT
                or uncovered_subject(self._kb, read_message(self._kb, text, terms))
            ):
                # "What foods should I avoid with gout?" would otherwise start the plan, and a
                # question taken for a goodbye end the conversation. A statement is no question:
                # "I sprained my ankle" may answer the plan's question about the cause.
                self._override_intent(message, OUT_OF_SCOPE_INTENT, keep_ranking=False)
        return messages

    def _add_entities(self, message: Message, terms: List[TermMatch]) -> None:
        entities = [
            {
                ENTITY_ATTRIBUTE_TYPE: match.entity,
                ENTITY_ATTRIBUTE_VALUE: match.value,
                ENTITY_ATTRIBUTE_START: match.start,
                ENTITY_ATTRIBUTE_END: match.end,
                "text": match.text,
                "confidence_entity": 1.0,
            }
            for match in terms
            if match.entity in ENTITY_TYPES
        ]
        named = self.add_extractor_name(entities)
        message.set(ENTITIES, message.get(ENTITIES, []) + named, add_to_output=True)

    @staticmethod
    def _override_intent(message: Message, intent: str, keep_ranking: bool = True) -> None:
        override = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
        guesses = (message.get(INTENT_RANKING_KEY) or []) if keep_ranking else []
        ranking = [item for item in guesses if item.get(INTENT_NAME_KEY) != intent]
        message.set(INTENT, override, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [override, *ranking], add_to_output=True)
