"""The real-question evaluation set (tests/answers/real_questions.yml) is sound: one entry per
question, each with its source and labels the knowledge base knows."""

import re
from collections import Counter

import pytest

from tests.answers.scoring import all_questions


@pytest.fixture(scope="module")
def questions():
    return all_questions()


def test_no_question_is_in_the_set_twice(questions):
    """A column printed by two newspapers is one question: counted twice it weighs twice, and it
    was once labelled in scope in one split and out of scope in another."""
    opening = Counter(re.sub(r"\W+", " ", question["text"].lower()).strip()[:120] for question in questions)
    assert [text for text, count in opening.items() if count > 1] == []
    assert [qid for qid, count in Counter(question["id"] for question in questions).items() if count > 1] == []


def test_every_question_has_its_source_and_labels_the_knowledge_base_knows(kb, questions):
    for question in questions:
        assert question["source"].startswith(("http://", "https://")), question["id"]
        assert isinstance(question["in_scope"], bool), question["id"]
        unknown = [item for item in question.get("expects", []) if item not in kb.questions and item not in kb.facts]
        assert unknown == [], question["id"]
        assert question["in_scope"] or not question.get("expects"), question["id"]
