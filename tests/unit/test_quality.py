"""The knowledge checks of make validate: references, review dates, readability, card wordings."""

from datetime import date

import yaml

from bme.knowledge import load_knowledge_base
from bme.quality import check, main, months_between

TODAY = date(2026, 11, 28)


def _edit(path, change):
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _first_fact(kb_copy):
    path = sorted((kb_copy / "facts").glob("*.yml"))[0]
    return path, yaml.safe_load(path.read_text())["facts"][0]["id"]


def test_months_between_counts_whole_months():
    assert months_between(date(2025, 11, 28), TODAY) == 12
    assert months_between(date(2025, 11, 29), TODAY) == 11
    assert months_between(date(2024, 1, 1), TODAY) == 34


def test_a_fact_reviewed_too_long_ago_fails(kb_copy):
    path, fact_id = _first_fact(kb_copy)
    _edit(path, lambda d: d["facts"][0]["evidence"].update(reviewed=date(2025, 10, 1)))
    report = check(load_knowledge_base(kb_copy), TODAY, max_age_months=12)
    assert f"fact {fact_id}: last reviewed 2025-10-01 (13 months ago; the limit is 12)" in report.failures
    relaxed = check(load_knowledge_base(kb_copy), TODAY, max_age_months=24)
    assert not any(line.startswith(f"fact {fact_id}: last reviewed") for line in relaxed.failures)


def test_a_hard_patient_text_fails_and_an_easy_one_passes(kb_copy):
    path, fact_id = _first_fact(kb_copy)
    hard = (
        "Pharmacological intervention with intravenous bisphosphonates necessitates comprehensive "
        "evaluation of renal function, calcium homeostasis and vitamin D sufficiency beforehand."
    )
    _edit(path, lambda d: d["facts"][0].update(patient=hard))
    report = check(load_knowledge_base(kb_copy), TODAY)
    assert any(line.startswith(f"fact {fact_id}: grade ") for line in report.failures)
    _edit(path, lambda d: d["facts"][0].update(patient="Rest the leg. Use crutches for a few weeks."))
    report = check(load_knowledge_base(kb_copy), TODAY)
    assert report.grades[f"fact {fact_id}"] < 8
    assert not any(line.startswith(f"fact {fact_id}: grade ") for line in report.failures)


def test_unseen_fields_are_reported(kb_copy):
    path = kb_copy / "references" / "studies.yml"

    def unsee(data):
        ref = next(ref for ref in data["references"] if ref["id"] == "seefried2022")
        ref.pop("authors"), ref.pop("pages")
        ref["not_seen"] = ["authors", "pages"]

    _edit(path, unsee)
    report = check(load_knowledge_base(kb_copy), TODAY)
    assert "reference seefried2022: authors, pages not seen yet" in report.warnings
    assert not any("seefried2022" in line for line in report.failures)


def test_the_command_exits_non_zero_on_failure_and_prints_the_grades(capsys, monkeypatch, kb_copy):
    path, _ = _first_fact(kb_copy)
    _edit(path, lambda d: d["facts"][0]["evidence"].update(reviewed=date(2000, 1, 1)))
    monkeypatch.setattr("bme.quality.knowledge_base", lambda: load_knowledge_base(kb_copy))
    assert main([]) == 1
    out = capsys.readouterr().out
    assert "Flesch-Kincaid grade mean" in out and "FAIL: fact " in out


def test_a_card_wording_that_keeps_one_common_word_fails(kb_copy):
    path = kb_copy / "questions" / "personal.yml"
    _edit(path, lambda d: d["questions"][0]["asked_as"].append("what should my mother do now"))
    report = check(load_knowledge_base(kb_copy), TODAY)
    assert "card recommend_for_me: wording 'what should my mother do now' keeps only ['now']" in report.failures


def test_a_card_on_a_drug_without_its_safety_fact_fails(kb_copy):
    path = kb_copy / "questions" / "treatment.yml"

    def drop_prerequisites(data):
        card = next(card for card in data["questions"] if card["id"] == "bisphosphonates_work")
        card["facts"].remove("bisphosphonate_prerequisites")

    _edit(path, drop_prerequisites)
    report = check(load_knowledge_base(kb_copy), TODAY)
    assert any(
        line.startswith("card bisphosphonates_work: names bisphosphonates but gives none of")
        for line in report.failures
    )


def test_every_card_on_a_drug_or_procedure_gives_its_safety_fact(kb):
    assert not [line for line in check(kb, TODAY).failures if "gives none of" in line]
