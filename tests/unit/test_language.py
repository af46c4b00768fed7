"""Which messages are read as written in another language."""

from pathlib import Path

import pytest

from bme.language import written_in_english
from tests.answers.scoring import all_questions
from trainer.nlu_data import load_nlu, nlu_files

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize(
    "text",
    [
        "Nach dem MRI: Ermüdungsbruch im linken Fersenbein. Wann ist ein Wiedereinstieg möglich?",
        "Tengo edema óseo en la rodilla desde hace dos meses, ¿qué puedo hacer?",
        "J'ai un œdème osseux au genou depuis deux mois, que puis-je faire ?",
        "Ho un edema osseo al ginocchio da due mesi, cosa posso fare?",
        "Eu tenho edema ósseo no joelho há dois meses, o que posso fazer?",
        "Ik heb botoedeem in mijn knie sinds twee maanden, wat kan ik doen?",
    ],
)
def test_stories_in_other_languages_are_not_english(text):
    assert not written_in_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "My MRI shows bone marrow edema in the medial femoral condyle, what does that mean?",
        "Is zoledronate safe?",
        "iloprost",
        "hola",
        "stop stop stop",
        "The report says a de novo lesion, la la, is it cancer?",
        "",
    ],
)
def test_english_and_too_short_to_tell_are_left_alone(text):
    assert written_in_english(text)


def test_the_real_questions_in_english_and_the_training_examples_are_english():
    """Either would otherwise lose its answer. The two questions of the real-question set in another
    language are German: a runner's and a knee MRI report's (tests/answers/real_questions.yml)."""
    questions = all_questions()
    assert [question["id"] for question in questions if not written_in_english(question["text"])] == ["v1703", "v1801"]
    examples = load_nlu(nlu_files(ROOT / "data" / "nlu"), ROOT).examples
    assert len(examples) > 1000
    assert [example.where() for example in examples if not written_in_english(example.text)] == []
