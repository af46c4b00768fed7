"""The knowledge base loads, is internally consistent and covers the seed."""

import re
import shutil

import pytest
import yaml

from bme.knowledge import (
    KNOWLEDGE_DIR,
    SEED_SECTIONS,
    KnowledgeError,
    asking_words,
    load_knowledge_base,
    words_spelt_right,
)

SEED = "seed/bone-marrow-edema-treatment.txt"
# How each seed section is titled in the clinical summary.
SEED_HEADINGS = {
    "diagnostic_approach": "Diagnostic Approach",
    "conservative_management": "Conservative Management",
    "pharmacological_interventions": "Pharmacological Interventions",
    "interventional_procedures": "Interventional Procedures",
    "physical_modalities": "Physical Modalities",
    "special_considerations": "Special Considerations",
    "treatment_algorithm": "Treatment Algorithm",
    "prognosis": "Prognosis",
    "references": "References",
}


def test_seed_headings_match_the_clinical_summary(shared_file):
    text = shared_file(SEED).read_text(encoding="utf-8")
    assert set(SEED_HEADINGS) == set(SEED_SECTIONS)
    for heading in SEED_HEADINGS.values():
        assert re.search(rf"^{heading}\s*$", text, re.MULTILINE), heading


def test_every_seed_section_is_covered_by_facts(kb):
    covered = {fact.seed_section for fact in kb.facts.values()}
    for section in SEED_SECTIONS:
        if section == "references":
            continue  # covered by references.yml, checked below
        assert section in covered, f"no fact comes from the seed section {section!r}"


def test_every_fact_cites_references_that_exist(kb):
    for fact in kb.facts.values():
        assert fact.references, fact.id
        for ref in fact.references:
            assert ref in kb.references, f"{fact.id} cites unknown {ref}"


def test_every_reference_is_cited_somewhere(kb):
    cited = {ref for fact in kb.facts.values() for ref in fact.references}
    cited |= {ref for flag in kb.red_flags for ref in flag.references}
    assert set(kb.references) - cited == set()


@pytest.mark.parametrize("entity", ["treatment", "condition"])
def test_every_canonical_value_has_facts(kb, entity):
    field = {"treatment": "treatments", "condition": "conditions"}[entity]
    used = {value for fact in kb.facts.values() for value in getattr(fact, field)}
    assert set(kb.vocabulary[entity]) - used == set()


def test_every_topic_answers_a_general_question(kb):
    for topic in kb.topics:
        assert any(fact.general and topic in fact.topics for fact in kb.facts.values()), topic


def test_wording_differs_by_audience(kb):
    for fact in kb.facts.values():
        assert fact.patient != fact.professional, fact.id


def test_contested_and_outdated_claims_carry_their_nuance(kb):
    texts = " ".join(f"{f.professional} {f.caveat or ''}" for f in kb.facts.values()).lower()
    assert "16 mg" in texts  # dexamethasone dose in current guidance
    assert "off-label" in texts
    assert "cochrane" in texts  # vertebral augmentation is contested


# Broken knowledge files: start-up fails with the file, the entry and the field.


def _edit_first_fact(directory, change):
    path = sorted((directory / "facts").glob("*.yml"))[0]
    data = yaml.safe_load(path.read_text())
    change(data["facts"][0])
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path, data["facts"][0]["id"]


def test_copy_of_the_real_knowledge_base_loads(kb_copy):
    assert load_knowledge_base(kb_copy).facts


@pytest.mark.parametrize(
    "change, field, message",
    [
        (lambda f: f.update(references=["no_such_ref"]), "references", "unknown reference id 'no_such_ref'"),
        (lambda f: f.pop("patient"), "patient", "field required"),
        (lambda f: f.update(topics=["astrology"]), "topics", "unknown topic 'astrology'"),
        (lambda f: f.update(treatments=["aspirin"]), "treatments", "'aspirin' is not a treatment id"),
        (
            lambda f: f["evidence"].update(kind="blog post"),
            "evidence.kind",
            "unexpected value; permitted: 'guideline'",
        ),
        (lambda f: f["evidence"].pop("reviewed"), "evidence.reviewed", "field required"),
        (lambda f: f.update(caveat="Only one audience"), "caveat", "value is not a valid dict"),
        (lambda f: f.update(seed_section="appendix"), "seed_section", "unknown seed section"),
        (lambda f: f.update(colour="blue"), "colour", "extra fields not permitted"),
    ],
)
def test_broken_fact_names_file_entry_and_field(kb_copy, change, field, message):
    path, fact_id = _edit_first_fact(kb_copy, change)
    with pytest.raises(KnowledgeError) as error:
        load_knowledge_base(kb_copy)
    text = str(error.value)
    assert path.name in text and f"entry '{fact_id}'" in text and f"field '{field}'" in text
    assert message in text


def test_invalid_yaml_names_the_file(kb_copy):
    (kb_copy / "references" / "studies.yml").write_text("references: [unclosed\n")
    with pytest.raises(KnowledgeError, match=r"studies\.yml: not valid YAML"):
        load_knowledge_base(kb_copy)


def test_missing_file_is_named(kb_copy):
    (kb_copy / "disclaimers.yml").unlink()
    with pytest.raises(KnowledgeError, match=r"disclaimers\.yml: file is missing"):
        load_knowledge_base(kb_copy)


def test_duplicate_fact_id_across_files(kb_copy):
    first = sorted((kb_copy / "facts").glob("*.yml"))[0]
    shutil.copy(first, kb_copy / "facts" / "zz_copy.yml")
    with pytest.raises(KnowledgeError, match=r"zz_copy\.yml: entry '.+': field 'id': duplicate id"):
        load_knowledge_base(kb_copy)


def _edit_yaml(path, change):
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


@pytest.mark.parametrize(
    "file, change, entry, field, message",
    [
        (
            "messages.yml",
            lambda d: d["answer_wording"].update(note="Note: {caveats}"),
            "answer_wording",
            "note",
            "the placeholders must be {caveat}, not {caveats}",
        ),
        (
            "messages.yml",
            lambda d: d["answer_wording"].update(can_tell="What I can tell you: {}."),
            "answer_wording",
            "can_tell",
            "the placeholders must be {topics}, not {}",
        ),
        (
            "messages.yml",
            lambda d: d["answer_wording"]["evidence_kinds"].pop("cohort"),
            "answer_wording",
            "evidence_kinds",
            "name every evidence kind; missing cohort",
        ),
        ("messages.yml", lambda d: d["buttons"].pop("help"), "buttons", "help", "field required"),
        (
            "plan.yml",
            lambda d: d.update(step_heading="Step {number}: {title}"),
            "plan",
            "step_heading",
            "the placeholders must be {heading}, {number}, not {number}, {title}",
        ),
        ("plan.yml", lambda d: d["summary"]["causes"].pop("unknown"), "plan", "summary.causes.unknown", "required"),
    ],
)
def test_broken_wording_names_file_entry_and_field(kb_copy, file, change, entry, field, message):
    _edit_yaml(kb_copy / file, change)
    with pytest.raises(KnowledgeError) as error:
        load_knowledge_base(kb_copy)
    text = str(error.value)
    assert file in text and f"entry '{entry}'" in text and f"field '{field}'" in text
    assert message in text


def test_missing_wording_section_is_named(kb_copy):
    _edit_yaml(kb_copy / "messages.yml", lambda d: d.pop("answer_wording"))
    with pytest.raises(KnowledgeError, match=r"messages\.yml: expected a mapping under 'answer_wording'"):
        load_knowledge_base(kb_copy)


def test_a_card_outranking_the_covered_subjects_must_be_named_by_words(kb_copy):
    def unnamed_outranking(data):
        card = next(card for card in data["questions"] if card["id"] == "animals")
        card.pop("named_by")

    _edit_yaml(kb_copy / "questions" / "out_of_scope.yml", unnamed_outranking)
    with pytest.raises(KnowledgeError) as error:
        load_knowledge_base(kb_copy)
    assert "only a card named by words can outrank the covered subjects" in str(error.value)


def test_a_card_outranks_the_covered_subjects_always_or_when_asked(kb_copy):
    def outranks_sometimes(data):
        card = next(card for card in data["questions"] if card["id"] == "animals")
        card["outranks_covered_subjects"] = "sometimes"

    _edit_yaml(kb_copy / "questions" / "out_of_scope.yml", outranks_sometimes)
    with pytest.raises(KnowledgeError, match=r"entry 'animals': field 'outranks_covered_subjects'"):
        load_knowledge_base(kb_copy)


def test_a_phrase_group_refers_only_to_known_vocabulary_entries(kb_copy):
    def unknown_term(data):
        card = next(card for card in data["questions"] if card["id"] == "acute_fractures")
        card["told_by"]["unless"].append({"vocabulary": "treatment.aspirin"})

    _edit_yaml(kb_copy / "questions" / "out_of_scope.yml", unknown_term)
    with pytest.raises(KnowledgeError, match=r"entry 'acute_fractures': unknown vocabulary term 'treatment.aspirin'"):
        load_knowledge_base(kb_copy)


def test_a_phrase_group_holds_no_phrase_a_shorter_one_of_it_already_finds(kb_copy):
    def longer_twin(data):
        card = next(card for card in data["questions"] if card["id"] == "acute_fractures")
        card["told_by"]["alternatives"][0][0].append("broke my")

    _edit_yaml(kb_copy / "questions" / "out_of_scope.yml", longer_twin)
    with pytest.raises(KnowledgeError, match=r"entry 'acute_fractures': .*'broke my' holds 'broke'"):
        load_knowledge_base(kb_copy)


def test_a_term_includes_only_known_terms_of_its_own_type(kb_copy):
    def unknown_broader(data):
        data["condition"]["spondylolysis"]["includes"] = ["broken_back"]

    _edit_yaml(kb_copy / "vocabulary.yml", unknown_broader)
    with pytest.raises(KnowledgeError, match=r"entry 'condition.spondylolysis': field 'includes': unknown condition"):
        load_knowledge_base(kb_copy)


@pytest.mark.parametrize("field", ["only_with", "not_with"])
def test_a_card_naming_conditions_it_comes_with_names_known_ones(kb_copy, field):
    def unknown_condition(data):
        card = next(card for card in data["questions"] if card["id"] == "spine_trauma")
        card[field] = ["broken_back"]

    _edit_yaml(kb_copy / "questions" / "out_of_scope.yml", unknown_condition)
    with pytest.raises(KnowledgeError, match=rf"entry 'spine_trauma': field '{field}': unknown conditions"):
        load_knowledge_base(kb_copy)


def test_plan_overview_card_must_be_an_answered_card(kb_copy):
    _edit_yaml(kb_copy / "plan.yml", lambda d: d.update(overview_card="gout"))
    with pytest.raises(KnowledgeError, match=r"plan\.yml: field 'overview_card'"):
        load_knowledge_base(kb_copy)


def test_vocabulary_term_owned_at_an_unknown_body_site(kb_copy):
    _edit_yaml(kb_copy / "vocabulary.yml", lambda d: d["condition"]["bone_tumour"].update(own_subject_at=["earlobe"]))
    with pytest.raises(
        KnowledgeError, match=r"vocabulary\.yml: entry 'condition\.bone_tumour': field 'own_subject_at'"
    ):
        load_knowledge_base(kb_copy)


def test_red_flag_with_unknown_reference(kb_copy):
    path = kb_copy / "red_flags.yml"
    data = yaml.safe_load(path.read_text())
    data["red_flags"][0]["references"] = ["ghost"]
    path.write_text(yaml.safe_dump(data))
    flag = data["red_flags"][0]["id"]
    with pytest.raises(KnowledgeError, match=rf"red_flags\.yml: entry '{flag}': field 'references'"):
        load_knowledge_base(kb_copy)


@pytest.mark.parametrize(
    "changes",
    [
        {"answered_by": "gout"},  # a card that answers nothing
        {"answered_by": "bisphosphonate_thigh_fracture", "answered_after": False},  # an answer never given
    ],
)
def test_red_flag_answered_by_a_card_it_cannot_give(kb_copy, changes):
    path = kb_copy / "red_flags.yml"
    data = yaml.safe_load(path.read_text())
    data["red_flags"][0].update(changes)
    path.write_text(yaml.safe_dump(data))
    flag = data["red_flags"][0]["id"]
    with pytest.raises(KnowledgeError, match=rf"red_flags\.yml: entry '{flag}': field 'answered_by'"):
        load_knowledge_base(kb_copy)


@pytest.mark.parametrize(
    "field, value",
    [("points_to", "ghost"), ("answered_by", "gout")],  # an unknown condition; a card that answers nothing
)
def test_sign_with_an_unknown_condition_or_card(kb_copy, field, value):
    path = kb_copy / "signs.yml"
    data = yaml.safe_load(path.read_text())
    data["signs"][0][field] = value
    path.write_text(yaml.safe_dump(data))
    sign = data["signs"][0]["id"]
    with pytest.raises(KnowledgeError, match=rf"signs\.yml: entry '{sign}': field '{field}'"):
        load_knowledge_base(kb_copy)


@pytest.mark.parametrize(
    "field, entity, value, cards, message",
    [
        ("answered_after_by", "treatment", "kyphoplasty", "gout", r"no answered cards \['gout'\]"),
        ("answered_after_by", "condition", "charcot", "charcot_cast", "treatments only"),
        ("asked_before_by", "treatment", "kyphoplasty", ["gout"], r"no answered cards \['gout'\]"),
        ("asked_before_by", "condition", "charcot", ["charcot_cast"], "treatments only"),
    ],
)
def test_cards_after_and_before_a_treatment_are_answered_cards(kb_copy, field, entity, value, cards, message):
    path = kb_copy / "vocabulary.yml"
    data = yaml.safe_load(path.read_text())
    data[entity][value][field] = cards
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(KnowledgeError, match=rf"entry '{entity}\.{value}': field '{field}': {message}"):
        load_knowledge_base(kb_copy)


def _edit_first_reference(kb_copy, change):
    path = kb_copy / "references" / "studies.yml"
    data = yaml.safe_load(path.read_text())
    reference = next(ref for ref in data["references"] if ref["id"] == "seefried2022")
    change(reference)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r.pop("authors"), "give authors or list them as not seen"),
        (lambda r: r.update(not_seen=["doi"]), "'doi' is listed as not seen but has a value"),
        (lambda r: [r.pop(name) for name in ("doi", "pmid")], "needs a doi, pmid or url"),
        (lambda r: r.update(kind="ai_summary"), "unexpected value; permitted: 'guideline'"),
        (lambda r: r.update(seen_at=[]), "ensure this value has at least 1 items"),
    ],
)
def test_incomplete_or_non_primary_reference_is_refused(kb_copy, change, message):
    _edit_first_reference(kb_copy, change)
    with pytest.raises(KnowledgeError) as error:
        load_knowledge_base(kb_copy)
    assert "studies.yml: entry 'seefried2022'" in str(error.value) and message in str(error.value)


def test_duplicate_reference_id_across_files(kb_copy):
    shutil.copy(kb_copy / "references" / "studies.yml", kb_copy / "references" / "zz_copy.yml")
    with pytest.raises(KnowledgeError, match=r"zz_copy\.yml: entry '.+': field 'id': duplicate id across reference"):
        load_knowledge_base(kb_copy)


def test_reference_citation_short_form_and_link(kb):
    trial = kb.references["seefried2022"]
    assert trial.short == "Seefried et al., J Bone Miner Res 2022"
    assert trial.citation.startswith("Seefried L, Genest F, Baumann J, Heidemeier A, Meffert R, Jakob F. Efficacy of")
    assert trial.citation.endswith("J Bone Miner Res. 2022;37(3):420-427.")
    assert trial.link == "https://doi.org/10.1002/jbmr.4493"
    # Parentheses in a DOI would end a Markdown link early.
    assert kb.references["berenson2011"].link == "https://doi.org/10.1016/S1470-2045%2811%2970008-0"
    guideline = kb.references["nice_ta279"]
    assert guideline.short.startswith("Percutaneous vertebroplasty") and guideline.link.startswith("https://www.nice")
    # An organisation's guidance whose title was not seen goes by its source.
    assert (
        kb.references["nice_ipg376_eswt"].short == "NICE interventional procedures guidance IPG376 accessed 2026-11-28"
    )
    assert not [ref.id for ref in kb.references.values() if "None" in ref.short]


def test_the_words_of_asking_must_be_complete(tmp_path):
    """A list left out of asking.yml stops the start, named, rather than leaving a pattern empty."""
    data = yaml.safe_load((KNOWLEDGE_DIR / "asking.yml").read_text())
    del data["request"]["asked_for"]
    path = tmp_path / "asking.yml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(KnowledgeError, match=r"(?s)asking.yml.*asked_for"):
        asking_words(path)


def test_a_word_spelt_right_is_one_lowercase_word(tmp_path):
    """A phrase or a capital in spelling.yml would never match a token: the load names it."""
    path = tmp_path / "spelling.yml"
    path.write_text("words: [hemarthrosis, Tibialis posterior]\n")
    with pytest.raises(KnowledgeError, match=r"(?s)spelling.yml.*words"):
        words_spelt_right(path)
