"""summary.md and the macro-F1 gate from the JSON reports of `rasa test nlu`."""

import shutil

import pytest

from tests.unit.fixtures.trainer import FIXTURES
from trainer import TrainerError
from trainer.__main__ import main
from trainer.report import gate, summary_markdown


@pytest.fixture
def reports(tmp_path):
    directory = tmp_path / "nlu"
    shutil.copytree(FIXTURES / "reports", directory)
    return directory


def test_summary_has_a_per_intent_table_weakest_first(reports):
    lines = summary_markdown(reports).splitlines()
    assert "Intent macro-F1 **0.873**, weighted F1 0.867, accuracy 0.862 on 29 examples." in lines
    table = lines[lines.index("| intent | precision | recall | F1 | support | most confused with |") :]
    assert table[2] == "| ask_treatment | 0.80 | 0.80 | 0.80 | 10 | ask_diagnosis (1), inform (1) |"
    assert table[3] == "| inform | 0.75 | 0.90 | 0.82 | 10 | ask_pain_management (1) |"
    assert table[4] == "| greet | 1.00 | 1.00 | 1.00 | 9 |  |"
    assert "| macro avg | 0.85 | 0.90 | 0.87 | 29 |  |" in table


def test_summary_has_entity_f1_per_extractor_and_the_misclassified_examples(reports):
    summary = summary_markdown(reports)
    assert "## Entities (MedicalTermExtractor)" in summary
    assert "| treatment | 0.97 | 1.00 | 0.99 | 38 |" in summary
    assert "| micro avg | 0.98 | 1.00 | 0.99 | 61 |" in summary
    assert "| can shockwave fix my knee? | ask_treatment | inform | 0.44 |" in summary
    assert "| pain is about a 7 \\| maybe 8 | inform | ask_pain_management | 0.99 |" in summary


def test_summary_links_the_plots_rasa_wrote(reports):
    assert "intent_confusion_matrix.png" not in summary_markdown(reports)
    (reports / "intent_confusion_matrix.png").write_bytes(b"")
    (reports / "intent_histogram.png").write_bytes(b"")
    summary = summary_markdown(reports)
    assert "![Intent confusion matrix](intent_confusion_matrix.png)" in summary
    assert "![Intent confidence histogram](intent_histogram.png)" in summary


def test_report_command_writes_summary_md(reports, capsys):
    assert main(["report", str(reports)]) == 0
    assert (reports / "summary.md").read_text() == summary_markdown(reports)
    assert f"Written to {reports / 'summary.md'}" in capsys.readouterr().out


def test_gate_passes_at_or_above_the_threshold(reports):
    passed, verdict = gate(reports, 0.85)
    assert passed and verdict == "Intent macro-F1 0.873 >= 0.85: the NLU gate passes."


def test_gate_fails_below_the_threshold_naming_the_weakest_intents(reports, capsys):
    assert main(["gate", str(reports), "--min-macro-f1", "0.90"]) == 1
    verdict = capsys.readouterr().err
    assert verdict.startswith(
        "Intent macro-F1 0.873 is below the required 0.90. "
        "Weakest intents: ask_treatment (0.80), inform (0.82), greet (1.00)."
    )


def test_missing_or_broken_reports_give_a_clear_message(reports, tmp_path, capsys):
    assert main(["gate", str(tmp_path / "nowhere"), "--min-macro-f1", "0.9"]) == 2
    assert "intent_report.json: not found; run `make test-nlu` or `make crossval` first" in capsys.readouterr().err
    (reports / "intent_errors.json").write_text('[{"text": "hi"}]')
    with pytest.raises(TrainerError, match="intent_errors.json: not written by `rasa test nlu`"):
        summary_markdown(reports)
    (reports / "intent_report.json").write_text('{"greet": {"precision": 1.0}}')
    with pytest.raises(TrainerError, match="intent_report.json: not a report written by `rasa test nlu`"):
        summary_markdown(reports)


def test_the_threshold_must_be_a_fraction(reports, capsys):
    with pytest.raises(SystemExit):
        main(["gate", str(reports), "--min-macro-f1", "90"])
    assert "90 is not between 0 and 1" in capsys.readouterr().err
