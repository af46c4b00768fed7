"""Answer composition: citations resolve, disclaimer always, audience wording, follow-ups."""

import re

import pytest

from bme import answers
from bme.answers import Context, answer_question

NONE = Context()


def citation_numbers(text):
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def assert_cited_and_disclaimed(kb, answer, audience=None):
    body, _, footer = answer.text.partition("Sources: ")
    assert footer, "no source line"
    numbers = citation_numbers(body)
    assert numbers and numbers == set(range(1, len(answer.references) + 1))
    for number, ref in enumerate(answer.references, start=1):
        link = kb.references[ref].link
        assert f"[[{number}]]({link})" in body
        assert f"[[{number}]]({link}) {kb.references[ref].short}" in footer
    assert kb.disclaimers.for_audience(audience) in answer.text


@pytest.mark.parametrize(
    "topic",
    [
        "definition",
        "causes",
        "diagnosis",
        "treatment",
        "pain_management",
        "procedure",
        "activity",
        "side_effects",
        "prognosis",
        "follow_up",
    ],
)
@pytest.mark.parametrize("audience", [None, "patient", "caregiver", "professional"])
def test_general_questions_are_answered_with_citations_and_disclaimer(kb, topic, audience):
    answer = answer_question(kb, topic, NONE, NONE, audience)
    assert answer.found
    assert 1 <= len(answer.fact_ids) <= answers.MAX_FACTS_PER_ANSWER
    assert_cited_and_disclaimed(kb, answer, audience)


def test_professional_wording_differs_from_patient_wording(kb):
    patient = answer_question(kb, "treatment", Context(treatment="iloprost"), NONE, "patient")
    professional = answer_question(kb, "treatment", Context(treatment="iloprost"), NONE, "professional")
    assert patient.fact_ids == professional.fact_ids
    for fact_id in patient.fact_ids:
        assert kb.facts[fact_id].patient in patient.text
        assert kb.facts[fact_id].professional in professional.text


@pytest.mark.parametrize(
    "treatment",
    [
        "iloprost",
        "bisphosphonates",
        "zoledronate",
        "ibandronate",
        "eswt",
        "pemf",
        "hbot",
        "vitamin_d",
        "denosumab",
        "anti_myeloma_therapy",
    ],
)
def test_named_treatments_are_answered_about_that_treatment(kb, treatment):
    answer = answer_question(kb, "treatment", Context(treatment=treatment), NONE, "patient")
    assert answer.found
    assert all(treatment in kb.facts[f].treatments for f in answer.fact_ids)
    assert kb.label("treatment", treatment) in answer.text
    assert_cited_and_disclaimed(kb, answer)


def test_follow_ups_stay_on_the_carried_treatment(kb):
    carried = Context(treatment="iloprost")
    for topic in ("side_effects", "prognosis"):
        answer = answer_question(kb, topic, NONE, carried, "patient")
        assert answer.found, topic
        assert all("iloprost" in kb.facts[f].treatments for f in answer.fact_ids), topic


def test_carried_context_is_dropped_when_it_finds_nothing(kb):
    answer = answer_question(kb, "causes", NONE, Context(treatment="iloprost"), "patient")
    assert answer.found
    assert "iloprost" not in answer.text.split("\n")[0].lower()


def test_named_subject_without_facts_gets_an_honest_no_answer(kb):
    uncovered = [
        t for t in kb.vocabulary["treatment"] if not answers.select_facts(kb, "follow_up", Context(treatment=t), NONE)
    ]
    assert uncovered, "expected a treatment with no follow-up facts"
    treatment = uncovered[0]
    answer = answer_question(kb, "follow_up", Context(treatment=treatment), Context(condition="bmes"), "patient")
    assert not answer.found
    assert kb.disclaimers.no_answer in answer.text
    assert kb.label("treatment", treatment) in answer.text
    assert answer.suggestions and "treatment" in answer.suggestions
    assert not re.search(r"\[\d+\]", answer.text)  # nothing cited because nothing is claimed


def test_condition_questions_use_condition_facts(kb):
    answer = answer_question(kb, "treatment", Context(condition="charcot"), NONE, "professional")
    assert answer.found
    assert all("charcot" in kb.facts[f].conditions for f in answer.fact_ids)


def test_body_site_facts_come_first(kb):
    site_facts = [f for f in kb.facts.values() if f.body_sites]
    assert site_facts, "expected facts about a body site"
    for fact in site_facts:
        site = fact.body_sites[0]
        asked = Context(
            treatment=(fact.treatments or [None])[0], condition=(fact.conditions or [None])[0], body_site=site
        )
        answer = answer_question(kb, fact.topics[0], asked, NONE, "patient")
        assert site in kb.facts[answer.fact_ids[0]].body_sites, fact.id


def test_sources_list_full_citations_in_citation_order(kb):
    answer = answer_question(kb, "treatment", Context(treatment="zoledronate"), NONE, "professional")
    text = answers.list_sources(kb, answer.references)
    for number, ref in enumerate(answer.references, start=1):
        reference = kb.references[ref]
        assert f"[[{number}]]({reference.link}) {reference.citation} {reference.link}" in text


def test_sources_before_any_answer(kb):
    assert "nothing to cite" in answers.list_sources(kb, [])


def test_explain_evidence_shows_each_fact_s_evidence_card(kb):
    answer = answer_question(kb, "procedure", Context(treatment="vertebroplasty"), NONE, "professional")
    text = answers.explain_evidence(kb, answer.fact_ids, "professional")
    assert "Sources: [[1]](" in text
    for fact in map(kb.facts.get, answer.fact_ids):
        kind = kb.answer_wording.evidence_kinds[fact.evidence.kind]
        assert f"{kind}: {fact.evidence.strength}" in text and fact.evidence.reviewed.isoformat() in text


def test_clinicians_see_the_kind_of_evidence_after_each_point(kb):
    answer = answer_question(kb, "treatment", Context(treatment="zoledronate"), NONE, "professional")
    points = [line for line in answer.text.splitlines() if line.startswith("- ")]
    for line, fact_id in zip(points, answer.fact_ids, strict=True):
        assert line.endswith(f"_({kb.answer_wording.evidence_kinds[kb.facts[fact_id].evidence.kind]})_")
    patient = answer_question(kb, "treatment", Context(treatment="zoledronate"), NONE, "patient")
    assert not any(f"_({kind})_" in patient.text for kind in kb.answer_wording.evidence_kinds.values())


def test_red_flag_message_is_cited(kb):
    flag = kb.red_flags[0]
    text = answers.red_flag_message(kb, flag, "patient")
    assert text.startswith(flag.message.patient)
    assert "[[1]](" in text and "Sources: [[1]](" in text


@pytest.mark.parametrize(
    "text, shown",
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("  many   spaces  ", "many spaces"),
        ("x" * 10_000, "x" * 79 + "…"),
        ("", ""),
    ],
)
def test_user_text_is_escaped_and_shortened(text, shown):
    assert answers.quote_user_text(text) == shown


def test_a_named_treatment_gets_the_facts_mainly_about_it_first(kb):
    answer = answer_question(kb, "treatment", Context(treatment="iloprost", body_site="knee"), NONE, "patient")
    first = kb.facts[answer.fact_ids[0]]
    assert first.treatments[0] == "iloprost" and len(first.treatments) == 1


def test_a_question_naming_no_part_of_the_body_gets_the_general_facts_first(kb):
    """ "What caused my stress fracture?" is answered by how any stress fracture happens, not by
    how a sacral one shows."""
    facts = answers.select_facts(kb, "causes", Context(condition="stress_fracture"), NONE)
    assert facts[0].general and not facts[0].body_sites
