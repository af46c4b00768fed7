"""Merging a reviewed inbox into data/nlu/: additions in place, duplicates left out, conflicts refused."""

import shutil

import pytest

from tests.unit.fixtures.trainer import FIXTURES, copy_project
from trainer.__main__ import main
from trainer.data_checks import run_checks
from trainer.merge import insert_examples


@pytest.fixture
def project(tmp_path):
    return copy_project(tmp_path)


def merge(project, inbox_name, *options):
    inbox = project.root / inbox_name
    shutil.copy(FIXTURES / inbox_name, inbox)
    return main(["--root", str(project.root), "merge", str(inbox), *options])


def snapshot(project):
    return {path: path.read_text() for path in sorted(project.nlu_dir.glob("*.yml"))}


def test_reviewed_entries_are_added_to_their_intent_blocks(project, capsys):
    before = (project.nlu_dir / "broken.yml").read_text()
    assert merge(project, "inbox_reviewed.yml") == 0
    after = (project.nlu_dir / "broken.yml").read_text()
    assert after == before.replace(
        '    - does [ESWT]{"entity": "treatment", "value": "eswt"} work\n',
        '    - does [ESWT]{"entity": "treatment", "value": "eswt"} work\n'
        '    - does [ESWT]{"entity": "treatment", "value": "eswt"} help a '
        '[bone bruise]{"entity": "condition", "value": "bone_bruise"}\n',
    ).replace(
        "    - can I go running\n", "    - can I go running\n    - can I swim with BME in my [ankle](body_site)\n"
    )
    out = capsys.readouterr().out
    assert "Merged 3 examples from" in out
    assert "  ask_activity: +1 in data/nlu/broken.yml" in out
    assert "  ask_treatment: +1 in data/nlu/broken.yml" in out


def test_an_intent_without_examples_gets_its_own_file(project):
    assert merge(project, "inbox_reviewed.yml") == 0
    assert (project.nlu_dir / "lonely_intent.yml").read_text() == (
        'version: "3.1"\n\nnlu:\n\n- intent: lonely_intent\n  examples: |\n    - is there anything nobody asked yet\n'
    )
    assert not [
        finding
        for finding in run_checks(project)
        if finding.check in ("conflict", "near-duplicate") and "swim" in finding.message
    ]


def test_repeats_of_training_held_out_or_earlier_entries_are_left_out_with_a_reason(project, capsys):
    assert merge(project, "inbox_reviewed.yml") == 0
    out = capsys.readouterr().out
    assert "Left out 3, already in the data:" in out
    assert '"can I walk on my knee?" repeats data/nlu/broken.yml:15 (ask_treatment) "can I walk on my knee"' in out
    assert '"hiya, how is it going" repeats the held-out example tests/model/nlu_test.yml:7 (greet)' in out
    assert '"Can I swim with BME in my ankle?" repeats' in out
    assert 'Not reviewed yet (intent still ends in "?"), so not merged: 1.' in out


def test_merging_twice_adds_nothing_the_second_time(project, capsys):
    assert merge(project, "inbox_reviewed.yml") == 0
    files = snapshot(project)
    assert merge(project, "inbox_reviewed.yml") == 0
    assert snapshot(project) == files
    assert "Merged 0 examples from" in capsys.readouterr().out


def test_conflicts_unknown_intents_and_entities_refuse_the_whole_merge(project, capsys):
    files = snapshot(project)
    assert merge(project, "inbox_conflicts.yml") == 1
    assert snapshot(project) == files
    refused = capsys.readouterr().out.splitlines()
    assert refused[0].startswith("Refused: nothing was merged. Fix these in")
    assert len(refused) == 7
    text = "\n".join(refused)
    assert (
        '"good morning to you!" conflicts with data/nlu/broken.yml:8 (greet) "good morning to you": '
        "pick one intent for both"
    ) in text
    assert 'greet, entry 3 (greet) "Can I do yoga?" conflicts with' in text
    assert 'entity type "exercise" is not in knowledge/vocabulary.yml' in text
    assert "intent say_hello is not in domain.yml" in text
    assert "the entity annotation is not valid" in text
    assert "write the example on one line" in text


def test_dry_run_writes_nothing(project, capsys):
    files = snapshot(project)
    assert merge(project, "inbox_reviewed.yml", "--dry-run") == 0
    assert snapshot(project) == files
    assert "Would merge 3 examples from" in capsys.readouterr().out


def test_examples_go_after_the_last_line_of_an_indented_block():
    text = (
        "nlu:\n  - intent: skip\n    examples: |\n      - skip\n      - pass\n\n"
        "  - intent: stop\n    examples: |\n      - stop"
    )
    assert insert_examples(text, "stop", ["halt now"]) == text + "\n      - halt now\n"
    assert insert_examples(text, "skip", ["next one"]).startswith(
        "nlu:\n  - intent: skip\n    examples: |\n      - skip\n      - pass\n      - next one\n\n  - intent: stop"
    )


def test_a_missing_inbox_file_gives_a_clear_message(project, capsys):
    assert main(["--root", str(project.root), "merge", str(project.root / "nowhere.yml")]) == 2
    assert "nowhere.yml: file not found" in capsys.readouterr().err
