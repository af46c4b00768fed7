"""The terminal annotator's review loop, driven by scripted answers instead of arrow keys."""

import shutil

import pytest

from tests.unit.fixtures.trainer import FIXTURES
from trainer import TrainerError
from trainer.__main__ import main
from trainer.annotate import CLEAR, DISCARD, DONE, MARK, STOP, mark, review
from trainer.inbox import read_inbox

INTENTS = ("greet", "ask_treatment", "ask_activity", "lonely_intent")
TERMS = {"treatment:iloprost": ("treatment", "iloprost"), "body_site:ankle": ("body_site", "ankle")}


class Scripted:
    """Answers prompts from a list, in order, and records what was asked."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.asked = []

    def _next(self, question):
        self.asked.append(question)
        return self.answers.pop(0)

    def intent(self, entry, intents):
        return self._next(("intent", entry.text))

    def entity_step(self, text):
        return self._next(("entities", text))

    def term(self, terms):
        return terms.get(self._next(("term",)))

    def words(self, text, term):
        return self._next(("words", text, term))


@pytest.fixture
def inbox(tmp_path):
    path = tmp_path / "inbox.yml"
    shutil.copy(FIXTURES / "inbox_reviewed.yml", path)
    return path


def test_marking_a_term_by_value_annotates_the_words():
    assert mark("is iloprost any good", "Iloprost", ("treatment", "iloprost")) == (
        'is [iloprost]{"entity": "treatment", "value": "iloprost"} any good'
    )
    twice = mark("[knee](body_site) or knee", "knee", ("body_site", "knee"))
    assert twice == '[knee]{"entity": "body_site", "value": "knee"} or [knee]{"entity": "body_site", "value": "knee"}'
    with pytest.raises(TrainerError, match='"hip" is not an unmarked part of "my knee"'):
        mark("my knee", "hip", ("body_site", "hip"))


def test_reviewing_confirms_the_intent_and_marks_terms_then_saves(inbox):
    prompts = Scripted("ask_treatment", MARK, "treatment:iloprost", "iloprost", DONE)
    assert review(inbox, INTENTS, TERMS, prompts) == (1, 0, 0)
    entry = read_inbox(inbox)["ask_treatment"][3]
    assert (entry.intent, entry.text) == (
        "ask_treatment",
        'is [iloprost]{"entity": "treatment", "value": "iloprost"} any good',
    )
    assert prompts.asked[0] == ("intent", "is iloprost any good")  # only the unreviewed entry is asked about


def test_discarding_removes_the_entry_and_stopping_keeps_it_for_later(inbox):
    assert review(inbox, INTENTS, TERMS, Scripted(DISCARD)) == (0, 1, 0)
    assert [entry.text for entry in read_inbox(inbox)["ask_treatment"]][-1] == "hiya, how is it going"
    shutil.copy(FIXTURES / "inbox_reviewed.yml", inbox)
    assert review(inbox, INTENTS, TERMS, Scripted(STOP)) == (0, 0, 1)
    assert read_inbox(inbox)["ask_treatment"][3].intent == "ask_treatment?"


def test_clearing_marks_and_changing_the_intent(inbox):
    text = inbox.read_text().replace("is iloprost any good", "is [iloprost](treatment) any good")
    inbox.write_text(text)
    assert review(inbox, INTENTS, TERMS, Scripted("ask_activity", CLEAR, DONE)) == (1, 0, 0)
    entry = read_inbox(inbox)["ask_treatment"][3]
    assert (entry.intent, entry.text) == ("ask_activity", "is iloprost any good")


def test_annotate_without_a_terminal_points_to_the_plain_yaml_edit(inbox, capsys):
    assert main(["annotate", str(inbox)]) == 2
    assert "annotate needs an interactive terminal; edit" in capsys.readouterr().err
