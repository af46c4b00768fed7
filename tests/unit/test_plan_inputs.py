"""Free-text answers to the plan's questions."""

import datetime as dt

import pytest

from bme.plan_inputs import (
    is_valid_answer,
    parse_body_site,
    parse_cancer_history,
    parse_duration_weeks,
    parse_etiology,
    parse_kidney_problems,
    parse_pain_severity,
    parse_pregnancy,
    parse_yes_no,
    prefill_from_request,
)

TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("yes", None, True),
        ("Yes, it was on an MRI", None, True),
        ("yep", None, True),
        ("I have type 2 diabetes", None, True),
        ("no", None, False),
        ("No numbness at all", None, False),
        ("I don't have diabetes", None, False),
        ("nope", None, False),
        ("/affirm", "affirm", True),
        ("/deny", "deny", False),
        ("I'm not sure", None, None),
        ("purple", None, None),
        ("", None, None),
    ],
)
def test_yes_no(text, intent, expected):
    assert parse_yes_no(text, intent) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("7", 7),
        ("7/10", 7),
        ("about 7 out of 10", 7),
        ("it's a 0", 0),
        ("10", 10),
        ("seven", 7),
        ("mild", 3),
        ("moderate", 5),
        ("pretty severe", 8),
        ("excruciating", 10),
        ("no pain", 0),
        ("6.5", 6.5),
        ("11", None),
        ("-3", 3),
        ("a lot of bananas", None),
        ("", None),
    ],
)
def test_pain_severity(text, expected):
    assert parse_pain_severity(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3 months", 13.0),
        ("about three months", 13.0),
        ("six weeks", 6.0),
        ("10 days", 1.4),
        ("a year", 52.0),
        ("two and a half months", 10.8),
        ("a couple of weeks", 2.0),
        ("a few weeks", 3.0),
        ("since yesterday", 0.1),
        ("12 weeks", 12.0),
        ("since last spring", 38.6),  # 1 March 2026 to 26 November 2026
        ("since March", 38.6),
        ("since the summer", 25.4),
        ("since last winter", 51.4),
        ("for ages", None),
        ("", None),
    ],
)
def test_duration_in_weeks(text, expected):
    assert parse_duration_weeks(text, TODAY) == expected


def test_last_spring_during_spring_means_the_year_before():
    assert parse_duration_weeks("since last spring", dt.date(2026, 4, 15)) == 58.6


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a compression fracture", "vertebral_compression_fracture"),
        ("CNO", "cno"),
        ("myeloma", "multiple_myeloma"),
        ("I fell off my bike", "traumatic"),
        ("sprained it playing football", "traumatic"),
        ("nobody knows", "unknown"),
        ("not sure", "unknown"),
        ("transient osteoporosis", "bmes"),
        ("Charcot foot", "charcot"),
        ("bananas", None),
        ("it just came on, no injury", "bmes"),
        ("I didn't fall or anything", "bmes"),
        ("out of nowhere", "bmes"),
    ],
)
def test_etiology(kb, text, expected):
    assert parse_etiology(kb, text, kb.plan.etiology_words) == expected


def test_body_site(kb):
    assert parse_body_site(kb, "my left knee") == "knee"
    assert parse_body_site(kb, "in the femoral head") == "hip"
    assert parse_body_site(kb, "everywhere") is None


def test_prefill_from_the_request(kb):
    known = prefill_from_request(kb, "My MRI shows bone marrow edema in my hip, what next?", {"body_site": "hip"})
    assert known == {"mri_confirmed": True, "body_site": "hip"}
    assert prefill_from_request(kb, "make me a plan", {}) == {}


@pytest.mark.parametrize(
    "slot, value, valid",
    [
        ("mri_confirmed", True, True),
        ("mri_confirmed", "yes", False),
        ("diabetes", False, True),
        ("etiology", "cno", True),
        ("etiology", "traumatic", True),
        ("etiology", "I fell", False),
        ("body_site", "knee", True),
        ("body_site", "my knee", False),
        ("pain_severity", 0, True),
        ("pain_severity", 10.0, True),
        ("pain_severity", 11, False),
        ("pain_severity", True, False),
        ("pain_severity", "7", False),
        ("pain_duration_weeks", 12.0, True),
        ("pain_duration_weeks", -1, False),
        ("pregnancy", "pregnant", True),
        ("pregnancy", "no", True),
        ("pregnancy", "I'm 30 weeks", False),
        ("pregnancy", True, False),
        ("kidney_problems", True, True),
        ("kidney_problems", "CKD stage 4", False),
        ("cancer_history", False, True),
        ("cancer_history", "I had breast cancer", False),
    ],
)
def test_valid_answers(kb, slot, value, valid):
    assert is_valid_answer(kb, slot, value) is valid


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("I'm 30 weeks", None, "pregnant"),
        ("I'm 30 weeks pregnant", None, "pregnant"),
        ("yes, I'm pregnant, due in March", None, "pregnant"),
        ("we're expecting", None, "pregnant"),
        ("I'm breastfeeding", None, "breastfeeding"),
        ("breast-feeding my 3 month old", None, "breastfeeding"),
        ("not pregnant, but I am breastfeeding", None, "breastfeeding"),
        ("I might be", None, "could_be_pregnant"),
        ("could be pregnant, my period is late", None, "could_be_pregnant"),
        ("not sure", None, "could_be_pregnant"),  # cannot be ruled out
        ("no", None, "no"),
        ("No / not applicable", None, "no"),
        ("not applicable", None, "no"),
        ("n/a", None, "no"),
        ("I'm a man", None, "no"),
        ("I'm not pregnant", None, "no"),
        ("no longer breastfeeding", None, "no"),
        ("post-menopausal", None, "no"),
        ("whatever", "deny", "no"),
        ("yes", "affirm", None),  # which one? re-asked
        ("banana", None, None),
        ("", None, None),
    ],
)
def test_parse_pregnancy(text, intent, expected):
    assert parse_pregnancy(text, intent) == expected


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("CKD stage 4", None, True),
        ("I have chronic kidney disease", None, True),
        ("yes, stage 3", None, True),
        ("I'm on dialysis", None, True),
        ("my kidneys don't work well", None, True),
        ("my kidneys are not fine", None, True),
        ("my kidneys are fine", None, False),
        ("kidney function is normal", None, False),
        ("no kidney problems", None, False),
        ("no, I don't have kidney disease", None, False),
        ("no", None, False),
        ("/affirm", "affirm", True),
        ("banana", None, None),
        ("I don't know", None, None),
    ],
)
def test_parse_kidney_problems(text, intent, expected):
    assert parse_kidney_problems(text, intent) is expected


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("I had breast cancer", None, True),
        ("yes, lymphoma in 2015", None, True),
        ("myeloma", None, True),
        ("prostate cancer 5 years ago, had radiotherapy", None, True),
        ("I had chemo years ago", None, True),
        ("no", None, False),
        ("never had cancer", None, False),
        ("I've not had cancer", None, False),
        ("no, but my mum had cancer", None, False),
        ("my mum had breast cancer", None, None),  # a relative's: re-asked
        ("/deny", "deny", False),
        ("banana", None, None),
    ],
)
def test_parse_cancer_history(text, intent, expected):
    assert parse_cancer_history(text, intent) is expected
