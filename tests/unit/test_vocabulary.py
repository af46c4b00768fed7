"""Medical terms and red flags found in what people actually type."""

import re
from pathlib import Path

import pytest
import yaml

from bme.vocabulary import canonical_value, matcher_for, red_flag_detector_for


@pytest.fixture(scope="module")
def matcher(kb):
    return matcher_for(kb)


@pytest.fixture(scope="module")
def detector(kb):
    return red_flag_detector_for(kb)


@pytest.mark.parametrize(
    "text, entity, value",
    [
        ("Is balloon kyphoplasty worth it?", "treatment", "kyphoplasty"),
        ("does ESWT work for knee BME", "treatment", "eswt"),
        ("what about PEMF", "treatment", "pemf"),
        ("my daughter has CNO", "condition", "cno"),
        ("Zoledronic acid infusion side effects", "treatment", "zoledronate"),
        ("can I take ibuprofen", "treatment", "nsaids"),
        ("hyperbaric oxygen therapy?", "treatment", "hbot"),
        ("I have a vertebral compression fracture", "condition", "vertebral_compression_fracture"),
        ("Charcot foot and diabetes", "condition", "charcot"),
        ("transient osteoporosis of the hip", "condition", "bmes"),
        ("bone bruise after a fall", "condition", "bone_bruise"),
        ("pain in my left knee", "body_site", "knee"),
        ("I'm a physiotherapist", "audience", "professional"),
        ("asking for my mum", "audience", "caregiver"),
        ("core decompression surgery", "treatment", "core_decompression"),
    ],
)
def test_terms_map_to_canonical_ids(matcher, text, entity, value):
    assert value in matcher.values(text, entity)


def test_match_offsets_point_at_the_words(matcher):
    text = "Is Balloon Kyphoplasty better than vertebroplasty?"
    found = {(m.value, text[m.start : m.end]) for m in matcher.find(text)}
    assert found == {("kyphoplasty", "Balloon Kyphoplasty"), ("vertebroplasty", "vertebroplasty")}


def test_no_terms_in_unrelated_text(matcher):
    assert matcher.find("what's the weather like tomorrow?") == []


def test_canonical_value_accepts_ids_and_synonyms(kb):
    assert canonical_value(kb, "treatment", "iloprost") == "iloprost"
    assert canonical_value(kb, "treatment", "Zoledronic acid") == "zoledronate"
    assert canonical_value(kb, "treatment", "unicorn dust") is None
    assert canonical_value(kb, "treatment", None) is None


@pytest.mark.parametrize(
    "text, category",
    [
        ("my legs suddenly feel weak and numb", "spinal_cord_compression"),
        ("I have numbness in my groin and buttocks", "spinal_cord_compression"),
        ("I can't control my bladder since this morning", "spinal_cord_compression"),
        ("he lost control of his bowels", "spinal_cord_compression"),
        ("I’ve got saddle numbness", "spinal_cord_compression"),
        ("I have a fever and my bone pain is worse", "infection"),
        ("high temperature and bad pain in my hip", "infection"),
        ("my foot is hot and swollen and I'm diabetic", "charcot_foot"),
        ("my dad has diabetes and his foot is red and warm", "charcot_foot"),
    ],
)
def test_red_flags_are_recognised(detector, text, category):
    flag = detector.detect(text)
    assert flag is not None and flag.id == category


@pytest.mark.parametrize(
    "text",
    [
        "I had a fever last year",
        "my foot is swollen",
        "what is bone marrow edema?",
        "does iloprost help with knee pain?",
        "",
    ],
)
def test_ordinary_messages_are_not_red_flags(detector, text):
    assert detector.detect(text) is None


def test_a_dexa_scan_is_not_dexamethasone(matcher):
    assert matcher.values("do I need a DEXA scan?", "treatment") == []


@pytest.mark.parametrize(
    "text",
    ["I've lost all feeling in my legs", "my mom has wet herself and is confused", "temperature 39 with bone pain"],
)
def test_more_red_flag_phrasings(detector, text):
    assert detector.detect(text) is not None


def test_red_flag_rule_agrees_with_the_training_data(detector):
    """Every red-flag training example trips the deterministic rule, and no
    other training example does, so the rule and the classifier agree."""
    annotation = re.compile(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))")
    mismatches = []
    for path in sorted(Path(__file__).resolve().parents[2].joinpath("data", "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            for line in (block.get("examples") or "").splitlines():
                text = annotation.sub(r"\1", line.strip()[2:])
                if (block["intent"] == "report_red_flag") != bool(detector.detect(text)):
                    mismatches.append(f"{path.name} {block['intent']}: {text}")
    assert mismatches == []
