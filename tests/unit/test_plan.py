"""The 4-step treatment algorithm: every branch, boundaries, unknown inputs."""

import pytest

from bme.plan import (
    AUGMENTATION_AFTER_WEEKS,
    PLAN_SLOTS,
    PlanInputs,
    build_plan,
    is_urgent,
    required_slots,
)


def keys(inputs):
    return [step.key for step in build_plan(inputs)]


def numbers(inputs):
    return [step.number for step in build_plan(inputs)]


HIP_BMES = PlanInputs(mri_confirmed=True, etiology="bmes", body_site="hip", pain_severity=5)


def test_every_plan_follows_the_four_steps_in_order():
    assert numbers(HIP_BMES) == [1, 2, 2, 3, 3, 4]
    assert keys(HIP_BMES) == [
        "mri_done_find_cause",
        "pain_control",
        "protected_weight_bearing",
        "therapy_ischemic",
        "osteonecrosis_watch",
        "follow_up_mri",
    ]


def test_ischemic_bme_outside_weight_bearing_joints_has_no_osteonecrosis_watch():
    assert "osteonecrosis_watch" not in keys(PlanInputs(True, "bmes", "shoulder", 4))
    assert "activity_modification" in keys(PlanInputs(True, "bmes", "shoulder", 4))


def test_no_mri_yet_means_get_one_first():
    plan = keys(PlanInputs(mri_confirmed=False, body_site="knee", pain_severity=4))
    assert plan == ["get_mri", "pain_control", "protected_weight_bearing", "therapy_after_mri", "follow_up_mri"]


@pytest.mark.parametrize(
    "weeks, severity, expected",
    [
        (AUGMENTATION_AFTER_WEEKS - 0.1, 6, "therapy_vcf_conservative"),
        (AUGMENTATION_AFTER_WEEKS, 6, "therapy_vcf_augmentation"),  # exactly 12 weeks: about 3 months
        (30, 6, "therapy_vcf_augmentation"),
        (30, 0, "therapy_vcf_conservative"),  # no pain left: nothing to augment for
        (None, 6, "therapy_vcf_conservative"),  # duration skipped
    ],
)
def test_vertebral_fracture_augmentation_only_after_about_three_months(weeks, severity, expected):
    inputs = PlanInputs(True, "vertebral_compression_fracture", None, severity, weeks, neuro_symptoms=False)
    assert expected in keys(inputs)
    assert "spine_activity" in keys(inputs)


@pytest.mark.parametrize(
    "severity, expected",
    [
        (0, "pain_control"),
        (6.9, "pain_control"),
        (7, "pain_control_severe"),
        (10, "pain_control_severe"),
        (None, "pain_control"),
    ],
)
def test_pain_step_depends_on_severity(severity, expected):
    assert keys(PlanInputs(True, "bone_bruise", "knee", severity))[1] == expected


@pytest.mark.parametrize(
    "etiology, step",
    [
        ("cno", "therapy_cno"),
        ("inflammatory", "therapy_inflammatory"),
        ("multiple_myeloma", "therapy_myeloma"),
        ("osteonecrosis", "therapy_osteonecrosis"),
        ("bone_bruise", "therapy_traumatic"),
        ("traumatic", "therapy_traumatic"),
        ("unknown", "therapy_unknown_cause"),
        ("something new", "therapy_unknown_cause"),
        (None, "therapy_unknown_cause"),
    ],
)
def test_targeted_therapy_by_cause(etiology, step):
    assert step in keys(PlanInputs(True, etiology, "knee", 3))


def test_charcot_foot_offloading_is_essential():
    for inputs in (
        PlanInputs(True, "charcot", None, 4),
        PlanInputs(True, "unknown", "foot", 4, diabetes=True),
        PlanInputs(True, "bmes", "ankle", 4, diabetes=True),
    ):
        plan = keys(inputs)
        assert "offloading" in plan and "therapy_charcot" in plan, inputs


def test_foot_without_diabetes_is_not_charcot():
    plan = keys(PlanInputs(True, "bmes", "foot", 4, diabetes=False))
    assert "therapy_charcot" not in plan and "therapy_ischemic" in plan


@pytest.mark.parametrize(
    "inputs",
    [
        PlanInputs(neuro_symptoms=True),
        PlanInputs(True, "vertebral_compression_fracture", neuro_symptoms=True),
        PlanInputs(True, "spinal_cord_compression"),
    ],
)
def test_suspected_cord_compression_replaces_the_plan(inputs):
    assert is_urgent(inputs)
    assert keys(inputs) == ["urgent_cord_compression"]
    answered = [slot for slot in PLAN_SLOTS if getattr(inputs, slot) is not None]
    assert required_slots(inputs) == answered  # nothing more is asked


def test_every_step_has_wording_in_the_knowledge_base(kb):
    etiologies = list(kb.vocabulary["condition"]) + ["traumatic", "unknown", None]
    sites = list(kb.vocabulary["body_site"]) + [None]
    used = set()
    for etiology in etiologies:
        for site in sites:
            for mri in (True, False):
                for diabetes in (True, False):
                    for weeks, severity in ((2, 3), (20, 8)):
                        used.update(keys(PlanInputs(mri, etiology, site, severity, weeks, False, diabetes)))
    assert used == set(kb.plan.steps), "plan.yml and the algorithm disagree"


# Which questions are asked: only what the branch needs.


def test_first_question_is_the_mri():
    assert required_slots(PlanInputs())[0] == "mri_confirmed"


def test_ischemic_hip_asks_no_spine_or_duration_questions():
    assert required_slots(HIP_BMES) == ["mri_confirmed", "etiology", "body_site", "pain_severity"]


def test_vertebral_fracture_asks_neuro_and_duration_not_site():
    slots = required_slots(PlanInputs(True, "vertebral_compression_fracture"))
    assert slots == ["mri_confirmed", "etiology", "neuro_symptoms", "pain_severity", "pain_duration_weeks"]


def test_foot_asks_about_diabetes():
    assert "diabetes" in required_slots(PlanInputs(True, "unknown", "foot"))
    assert "diabetes" not in required_slots(PlanInputs(True, "unknown", "knee"))
    assert "diabetes" not in required_slots(PlanInputs(True, "charcot"))


def test_spine_site_asks_about_neuro_symptoms():
    assert "neuro_symptoms" in required_slots(PlanInputs(True, "unknown", "spine"))


def test_no_mri_skips_the_cause_question():
    assert "etiology" not in required_slots(PlanInputs(mri_confirmed=False))


def test_skipped_questions_are_not_asked_again():
    assert "body_site" not in required_slots(PlanInputs(True, "bmes"), skipped=["body_site"])


def test_required_slots_are_plan_slots():
    assert set(required_slots(PlanInputs(True, "vertebral_compression_fracture", "foot"))) <= set(PLAN_SLOTS)
