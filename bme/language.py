"""Whether a message is written in English, the one language the assistant reads.

Its vocabulary, red-flag phrases and question cards are English, so a story in German would get
a wrong answer or a decline that reads as "not covered". A message is taken to be in another
language when it uses more distinct function words of that language than English ones, and at
least MIN_FOREIGN_WORDS of them. The words are spaCy's stop-word lists (no model), less the words
English shares with each language ("in", "so", "an"). Messages without such words (a drug name,
"hola") are left to the rest of the NLU.
"""

from __future__ import annotations

import importlib
import re
from typing import Dict, FrozenSet, Set

# Languages of Europe and the Americas that users of an English web widget most often write in,
# and whose stop-word lists ship with spaCy.
OTHER_LANGUAGES = ("de", "fr", "es", "it", "pt", "nl")
# Fewer would take English messages with a borrowed phrase ("de novo", "la la") for another language.
MIN_FOREIGN_WORDS = 3
WORD = re.compile(r"[^\W\d_]+")


def words(text: str) -> Set[str]:
    """The distinct words of ``text``, lowercase, letters only."""
    return set(WORD.findall(text.lower()))


def _stop_words(language: str) -> FrozenSet[str]:
    return frozenset(importlib.import_module(f"spacy.lang.{language}.stop_words").STOP_WORDS)


def _function_words() -> Dict[str, FrozenSet[str]]:
    english = _stop_words("en")
    return {"en": english, **{language: _stop_words(language) - english for language in OTHER_LANGUAGES}}


# Read when the module is imported, at each server's start: importing spaCy's French package
# builds its tokenizer exceptions (about 3 seconds), which the first user must not wait for.
FUNCTION_WORDS = _function_words()


def written_in_english(text: str) -> bool:
    said = words(text)
    english = len(said & FUNCTION_WORDS["en"])
    foreign = max(len(said & FUNCTION_WORDS[language]) for language in OTHER_LANGUAGES)
    return foreign < MIN_FOREIGN_WORDS or foreign <= english
