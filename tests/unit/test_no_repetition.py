"""No answer says the same thing twice: every composed answer, for every topic,
subject and audience, and every question card, has each sentence once."""

import re
from collections import Counter

import pytest

from bme import answers
from bme.answers import Context, answer_question

AUDIENCES = ["patient", "professional"]
CITATION_OR_MARKUP = re.compile(r"\[\[\d+\]\]\([^)]*\)|[*_]|^- ", re.MULTILINE)
# A sentence ends at . ! or ? followed by a space, or at a line end; figures such as 1.5 stay whole.
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n")


def repeated_sentences(text):
    body = text.split("Sources: ")[0]
    sentences = [s.strip().lower() for s in SENTENCE.split(CITATION_OR_MARKUP.sub("", body))]
    counts = Counter(s for s in sentences if len(s.split()) >= 4)
    return [sentence for sentence, count in counts.items() if count > 1]


def questions(kb):
    """Every topic, alone and with every treatment and condition it has facts for."""
    for topic in kb.topics:
        yield topic, Context()
        for entity, plural in (("treatment", "treatments"), ("condition", "conditions")):
            for value in sorted(
                {v for fact in kb.facts.values() if topic in fact.topics for v in getattr(fact, plural)}
            ):
                yield topic, Context(**{entity: value})


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_topic_answer_repeats_a_sentence(kb, audience):
    repeats = {}
    for topic, context in questions(kb):
        answer = answer_question(kb, topic, context, Context(), audience)
        if repeated_sentences(answer.text):
            repeats[(topic, context)] = repeated_sentences(answer.text)
    assert not repeats


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_question_card_repeats_a_sentence(kb, audience):
    repeats = {
        card_id: repeated_sentences(answers.answer_card(kb, card, audience).text)
        for card_id, card in kb.questions.items()
        if not card.out_of_scope
    }
    assert not {card_id: found for card_id, found in repeats.items() if found}


def test_the_check_finds_a_repeat():
    text = "**T**\n- Rest helps the bone heal. [[1]](https://x)\n- Rest helps the bone heal. [[2]](https://y)"
    assert repeated_sentences(text) == ["rest helps the bone heal."]
