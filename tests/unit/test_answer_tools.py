"""The evaluation tools' own sums: which splits a run names, how a saved card decision is judged,
and the totals and changes of end-to-end runs (tests/answers/)."""

import json

import pytest

from tests.answers.best_card import decision_right
from tests.answers.scoring import split_names
from tests.answers.tally import changes, cited_answers, counts, results_of

QUESTIONS = {
    "a": {"split": "dev", "in_scope": True, "expects": ["return_to_running"]},
    "b": {"split": "dev", "in_scope": False},
    "c": {"split": "unseen47", "in_scope": True, "expects": ["return_to_running"]},
}


def test_all_names_every_split_once_and_an_unknown_one_is_refused():
    every = split_names("all")
    assert every[:2] == ["dev", "holdout"] and len(every) == len(set(every))
    assert split_names("dev,unseen47") == ["dev", "unseen47"]
    with pytest.raises(ValueError, match="no split named unseen999"):
        split_names("dev,unseen999")


def test_a_saved_decision_is_judged_by_its_answered_card(kb):
    question = QUESTIONS["a"]
    assert decision_right(kb, question, "card:return_to_running|choices:crutches_how_long")
    assert not decision_right(kb, question, "card:crutches_how_long|choices:return_to_running")
    assert not decision_right(kb, question, "declined:gout")
    assert decision_right(kb, QUESTIONS["b"], "declined:gout")
    assert not decision_right(kb, QUESTIONS["b"], "card:return_to_running")
    # A card removed since the decision was saved answers nothing now.
    assert not decision_right(kb, question, "card:no_longer_a_card")


def test_totals_count_in_and_out_of_scope_apart():
    assert counts(QUESTIONS, {"a": True, "b": False, "c": False}) == [1, 2, 0, 1]


def test_changes_mark_won_and_lost():
    before, now = {"a": False, "b": True, "c": True}, {"a": True, "b": False, "c": True}
    assert changes(QUESTIONS, before, now) == ["won  a (dev, in scope)", "lost b (dev, out of scope)"]


def test_a_run_is_scored_again_by_todays_labels(kb, tmp_path):
    """The reply saved as failed passes once its question's label says what it answers; a question
    no longer in the set is left out, and a split that has not run has no results."""
    assert results_of(kb, QUESTIONS, "dev", tmp_path) == {}
    answer = kb.questions["return_to_running"].answer.patient
    saved = {
        "a": {"passed": False, "messages": [f"**When can I run?**\n{answer}"]},
        "gone": {"passed": True, "messages": []},
    }
    (tmp_path / "answers-dev.json").write_text(json.dumps(saved))
    assert results_of(kb, QUESTIONS, "dev", tmp_path) == {"a": True}


def test_a_clinical_answer_counts_as_cited_only_with_an_inline_source_and_the_disclaimer(kb):
    sources = kb.answer_wording.sources_line.format(sources="[[1]](https://doi.org/10.1/x) A et al.")
    cited = f"**Q?**\nA fact. [[1]](https://doi.org/10.1/x)\n{sources}\n_{kb.disclaimers.clinical}_"
    urgent = f"{kb.red_flags[0].message.patient} [[1]](https://doi.org/10.1/x)\n{sources}"
    replies = {"a": [cited], "b": [cited.replace(kb.disclaimers.clinical, "")], "c": ["I don't cover gout.", urgent]}
    assert cited_answers(kb, replies) == [2, 1]
