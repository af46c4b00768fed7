"""The project's data checks catch each problem on a small broken fixture project."""

import pytest

from bme.vocabulary import VocabularyMatcher
from tests.unit.fixtures.trainer import copy_project
from trainer import TrainerError
from trainer.__main__ import main
from trainer.data_checks import (
    duplicates,
    few_examples,
    held_out_problems,
    run_checks,
    uncovered_terms,
    unknown_entities,
    unknown_synonyms,
    unused_responses_and_actions,
)
from trainer.nlu_data import TextKey


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_project(tmp_path_factory.mktemp("checks"))


@pytest.fixture(scope="module")
def training(project):
    return project.training_data()


@pytest.fixture(scope="module")
def matcher(kb):
    return VocabularyMatcher(kb.vocabulary, read_misspellings=False)


def messages(findings, check):
    return [finding.message for finding in findings if finding.check == check]


def test_same_example_under_two_intents_is_a_conflict_naming_both_places(training):
    conflicts = messages(duplicates(training.examples), "conflict")
    assert conflicts == [
        'data/nlu/broken.yml:7 (greet) "hello there" is also an example of ask_treatment at '
        "data/nlu/broken.yml:12; keep it under one intent"
    ]


def test_near_duplicates_are_reported_with_file_line_and_intent(training):
    near = messages(duplicates(training.examples), "near-duplicate")
    assert len(near) == 1
    assert near[0].startswith('data/nlu/broken.yml:13 (ask_treatment) "does shockwave therapy help with the pain')
    assert "nearly repeats data/nlu/broken.yml:14 (ask_treatment)" in near[0]


@pytest.mark.parametrize(
    "first, second",
    [
        ("can I walk on my knee", "can I walk on my hip"),
        ("what is BME", "what is ESWT"),
        ("is it safe", "is it bad"),
        ("does shockwave help my knee pain", "does shockwave help my hip pain at night"),
    ],
)
def test_legitimately_different_questions_are_not_near_duplicates(first, second):
    assert not TextKey.of(first).nearly_equals(TextKey.of(second))


@pytest.mark.parametrize(
    "first, second",
    [
        ("What's BME?", "whats bme"),
        ("does ESWT help the pain in my knee", "does eswt help pain in the knee?"),
        (
            "how long until I can walk again after BME of the hip",
            "how long until I can walk again after BME of hip too",
        ),
    ],
)
def test_near_copies_are_near_duplicates(first, second):
    assert TextKey.of(first).nearly_equals(TextKey.of(second))


def test_intents_with_fewer_than_20_examples_are_listed_with_how_many_to_add(training, project):
    few = messages(few_examples(training.examples, project.domain().intents), "few-examples")
    assert "intent ask_activity: 1 training example(s), at least 20 needed: add 19 more" in few
    assert "intent lonely_intent: 0 training example(s), at least 20 needed: add 20 more" in few


def test_an_intent_with_enough_examples_passes(training):
    assert not list(few_examples(training.examples, ["ask_treatment"], minimum=10))


def test_entity_types_values_and_words_the_vocabulary_does_not_know(training, kb, matcher):
    problems = messages(unknown_entities(training.examples, kb.vocabulary, matcher), "unknown-entity")
    assert len(problems) == 4
    assert '"shockwav" is not a synonym of treatment "eswt"' in problems[0]
    assert '"magic_beans" is not a treatment id in knowledge/vocabulary.yml' in problems[1]
    assert '"ibuprofen" means treatment "nsaids" in knowledge/vocabulary.yml, not treatment "opioids"' in problems[2]
    assert 'entity type "exercise" is not in knowledge/vocabulary.yml' in problems[3]


def test_nlu_synonyms_the_vocabulary_does_not_know(training, kb, matcher):
    problems = messages(unknown_synonyms(training.synonyms, kb.vocabulary, matcher), "unknown-synonym")
    assert problems == [
        'data/nlu/broken.yml:30 synonym "eswt": "shockwav therapy" is not a synonym of treatment "eswt": '
        "add it to its synonyms in knowledge/vocabulary.yml or annotate a known synonym",
        'data/nlu/broken.yml:34 synonym "unicorn_dust" is not an id in knowledge/vocabulary.yml',
    ]


def test_knowledge_base_terms_no_example_or_synonym_covers(training, kb, matcher):
    uncovered = " ".join(messages(uncovered_terms(training, kb.vocabulary, matcher), "uncovered-term"))
    assert 'treatment "denosumab" (denosumab) appears in no training example' in uncovered
    for covered in ('"eswt"', '"knee"', '"hip"', '"nsaids"'):  # a synonym entry, in text twice, in text once
        assert covered not in uncovered


def test_responses_and_actions_nothing_uses(project):
    unused = messages(unused_responses_and_actions(project, project.domain()), "unused")
    assert unused == [
        'domain.yml: response "utter_never_used" is used by no rule, story, action or config: use it or delete it',
        'domain.yml: action "action_never_used" is used by no rule, story, action or config: use it or delete it',
    ]


def test_held_out_examples_must_not_repeat_training_and_must_cover_the_domain(project, training):
    findings = list(held_out_problems(project.held_out_data(), training, project.domain(), project))
    leaks = messages(findings, "held-out-leak")
    assert len(leaks) == 2 and all(
        leak.startswith('tests/model/nlu_test.yml:6 (greet) "HELLO THERE" repeats') for leak in leaks
    )
    intents = messages(findings, "held-out-intent")
    assert "tests/model/nlu_test.yml: no example for intent lonely_intent, so it is never evaluated" in intents
    assert 'tests/model/nlu_test.yml:11 (mystery) "whatever this is": intent mystery is not in domain.yml' in intents


def test_check_command_prints_one_line_per_finding_and_fails(project, capsys):
    assert main(["--root", str(project.root), "check"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(run_checks(project)) + 1
    assert lines[0].startswith("[conflict] ")
    assert lines[-1].endswith("problem(s) in the NLU data; docs/TRAINING.md explains each check.")


def test_broken_files_give_a_clear_message_not_a_traceback(tmp_path, capsys):
    project = copy_project(tmp_path)
    (project.nlu_dir / "bad.yml").write_text('nlu:\n- intent: greet\n  examples: |\n    - hi [there]{"entity": }\n')
    assert main(["--root", str(project.root), "check"]) == 2
    error = capsys.readouterr().err
    assert error.startswith('error: data/nlu/bad.yml:4: "hi [there]{"entity": }": the entity annotation is not valid')
    (project.nlu_dir / "bad.yml").write_text("nlu: [unclosed\n")
    with pytest.raises(TrainerError, match="data/nlu/bad.yml: not valid YAML"):
        run_checks(project)
    project.domain_file.unlink()
    with pytest.raises(TrainerError, match="domain.yml: file not found"):
        run_checks(project)
